/**
 * Ctrl-C during a long import: `sipsnare ingest` stops at the next batch
 * with exit code 130, and running the same command again completes the
 * store with every line exactly once.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../helpers/shared.js';

const BIN = join(REPO_ROOT, 'bin', 'sipsnare');

interface Summary {
  readonly events: number;
  readonly duplicates: number;
  readonly files: readonly { readonly lines: number; readonly status: string }[];
}

describe('ingest stops on SIGINT and resumes', () => {
  let dir: string;
  let logs: string;
  let lines: number;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'snare-stop-'));
    logs = join(dir, 'logs');
    const sim = spawnSync(
      process.execPath,
      [BIN, 'simulate', '--out', logs, '--days', '12', '--json'],
      { encoding: 'utf8', timeout: 120_000 },
    );
    assert.equal(sim.status, 0, sim.stderr);
    const res = JSON.parse(sim.stdout) as { lines: number };
    lines = res.lines;
    assert.ok(lines > 2_000_000, String(lines));
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('exits 130 mid-import, and a second run adds exactly the missing lines', async () => {
    const db = join(dir, 'store.duckdb');
    const child = spawn(
      process.execPath,
      [BIN, 'ingest', '--json', '--db', db, join(logs, 'hp01.log')],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let err = '';
    let out = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    const started = Date.now();
    // Stop once the first batch has been flushed (progress shows lines).
    while (!/ingest: .* [1-9]\d* lines/.test(err) && Date.now() - started < 60_000) {
      await new Promise((r) => setTimeout(r, 50));
    }
    child.kill('SIGINT');
    const killer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    const code = await exited;
    clearTimeout(killer);
    assert.equal(code, 130, err);
    assert.match(err, /stopped; run the same command again/);
    const first = JSON.parse(out.trim().split('\n').pop() ?? '{}') as Summary;
    assert.equal(first.files[0]?.status, 'stopped');
    assert.ok(
      first.events > 0 && first.events < lines,
      `first run added ${String(first.events)} of ${String(lines)}`,
    );

    const again = spawnSync(
      process.execPath,
      [BIN, 'ingest', '--json', '--db', db, join(logs, 'hp01.log')],
      { encoding: 'utf8', timeout: 300_000 },
    );
    assert.equal(again.status, 0, again.stderr);
    const second = JSON.parse(again.stdout.trim().split('\n').pop() ?? '{}') as Summary;
    assert.equal(first.events + second.events, lines);
    const third = spawnSync(
      process.execPath,
      [BIN, 'ingest', '--json', '--db', db, join(logs, 'hp01.log')],
      { encoding: 'utf8', timeout: 300_000 },
    );
    const last = JSON.parse(third.stdout.trim().split('\n').pop() ?? '{}') as Summary;
    assert.equal(last.events, 0);
  });
});
