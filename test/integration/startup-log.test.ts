/**
 * What `sipsnare sensor` says on stderr: JSON lines when stderr is not a
 * terminal (here, a pipe), readable lines when SIPSNARE_LOG_FORMAT=pretty;
 * at start where the events, the store and the logs go and how to stop;
 * at stop what was written and lost.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { freePort, runUntilLogged } from './sensor-process.js';

/** Starts `sipsnare sensor`, waits for its start-up lines, stops it; returns stderr and the exit code. */
async function startAndStop(
  events: string,
  env: Record<string, string>,
): Promise<{ stderr: string; code: number | null }> {
  const port = await freePort();
  const environment: NodeJS.ProcessEnv = { ...process.env, SIPSNARE_LOG_LEVEL: 'info', ...env };
  delete environment['SIPSNARE_STORE_DB'];
  if (!('SIPSNARE_LOG_FORMAT' in env)) delete environment['SIPSNARE_LOG_FORMAT'];
  return runUntilLogged(
    ['sensor', '--listen', `udp://127.0.0.1:${String(port)}`, '--events', events],
    {
      until: 'stop with Ctrl-C',
      env: environment,
    },
  );
}

describe('the sensor log', { timeout: 60_000 }, () => {
  let dir = '';
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'snare-startup-log-'));
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('is JSON lines on a pipe, and says where everything goes and how to stop', async () => {
    const events = join(dir, 'events');
    const { stderr, code } = await startAndStop(events, {});
    assert.equal(code, 0, stderr);
    const lines = stderr.trimEnd().split('\n');
    const msgs = lines.map((l) => (JSON.parse(l) as { msg: string; time: number }).msg);
    assert.ok(msgs.includes('sensor started'), stderr);
    const has = (re: RegExp): void => {
      assert.ok(
        msgs.some((m) => re.test(m)),
        `${String(re)} in\n${msgs.join('\n')}`,
      );
    };
    has(/^listening on udp:\/\/127\.0\.0\.1:\d+$/);
    assert.ok(msgs.includes(`events: JSON lines in ${events}/events-YYYY-MM-DD.jsonl`));
    has(/^store: none \(JSON lines only\)$/);
    has(/^logs: this stream \(stderr\), JSON lines/);
    has(/^stop with Ctrl-C or kill -TERM \d+/);
    assert.ok(
      msgs.some((m) =>
        /^sensor stopped; 0 events; jsonl 0 written, 0 lost; dropped: kernel 0, io_thread 0, event_lines 0, replies 0$/.test(
          m,
        ),
      ),
      stderr,
    );
  });

  it('is readable lines when SIPSNARE_LOG_FORMAT=pretty', async () => {
    const { stderr, code } = await startAndStop(join(dir, 'events-pretty'), {
      SIPSNARE_LOG_FORMAT: 'pretty',
    });
    assert.equal(code, 0, stderr);
    assert.match(stderr, /^\[\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\] INFO: sensor started /m);
    assert.match(stderr, /INFO: store: none \(JSON lines only\)/);
    assert.doesNotMatch(stderr, /^\{/m);
  });
});
