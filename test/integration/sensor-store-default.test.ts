/**
 * Which command writes an embedded store: `sipsnare sensor` writes JSON
 * lines only unless the configuration names a store (a new user running
 * `sipsnare sensor --events DIR` must not find a DuckDB file in the working
 * directory); `sipsnare run` writes one by default.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { freePort, runUntilLogged } from './sensor-process.js';

/** Runs `sipsnare ARGS` in `cwd` until it has started, stops it with SIGTERM; returns stderr and the exit code. */
async function startAndStop(
  args: readonly string[],
  cwd: string,
  env: Record<string, string> = {},
): Promise<{ stderr: string; code: number | null }> {
  const environment: NodeJS.ProcessEnv = { ...process.env, SIPSNARE_LOG_LEVEL: 'info', ...env };
  if (!('SIPSNARE_STORE_DB' in env)) delete environment['SIPSNARE_STORE_DB'];
  return runUntilLogged(args, { until: 'sensor started', env: environment, cwd });
}

describe('the embedded store by command', () => {
  let dir = '';
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'snare-store-default-'));
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('sipsnare sensor --events DIR writes JSON lines and no store', async () => {
    const cwd = mkdtempSync(join(dir, 'sensor-'));
    const port = await freePort();
    const events = join(cwd, 'events');
    const res = await startAndStop(
      ['sensor', '--listen', `udp://127.0.0.1:${port}`, '--events', events],
      cwd,
    );
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stderr, /sensor started/);
    assert.doesNotMatch(res.stderr, /embedded store/);
    assert.equal(existsSync(join(cwd, 'var')), false);
    assert.deepEqual(readdirSync(cwd).sort(), ['events']);
  });

  it('sipsnare sensor writes the store its configuration names', async () => {
    const cwd = mkdtempSync(join(dir, 'sensor-db-'));
    const port = await freePort();
    const db = join(cwd, 'named', 'sensor.duckdb');
    const res = await startAndStop(
      ['sensor', '--listen', `udp://127.0.0.1:${port}`, '--events', join(cwd, 'events')],
      cwd,
      { SIPSNARE_STORE_DB: db },
    );
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stderr, /events also go to the embedded store/);
    assert.equal(existsSync(db), true);
  });

  it('sipsnare run writes var/sipsnare.duckdb by default', async () => {
    const cwd = mkdtempSync(join(dir, 'run-'));
    const port = await freePort();
    const http = await freePort();
    // Only the listeners are moved off the defaults (5060 and 8080 may be taken).
    const res = await startAndStop(['run'], cwd, {
      SIPSNARE_LISTEN: `udp://127.0.0.1:${port}`,
      SIPSNARE_HTTP_LISTEN: `127.0.0.1:${http}`,
    });
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stderr, /events also go to the embedded store/);
    assert.equal(existsSync(join(cwd, 'var', 'sipsnare.duckdb')), true);
  });
});
