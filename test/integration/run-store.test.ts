/**
 * `sipsnare run` (what `npm start` runs): the sensor writes every event both
 * to the JSON-lines files and, batched and enriched, into the embedded
 * store; on SIGTERM the last batch is flushed before exit. A second run on a
 * store another process holds keeps going on JSON lines alone.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { openStoreReadOnly } from '../../src/store/open-read-only.js';
import type { SnareEvent } from '../../src/events/catalog.js';
import { REPO_ROOT } from '../helpers/shared.js';
import { freePort } from './sensor-process.js';

interface Running {
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;
  stderr(): string;
}

async function startRun(cfgPath: string): Promise<Running> {
  const child = spawn(
    process.execPath,
    [join(REPO_ROOT, 'bin', 'sipsnare'), 'run', '--config', cfgPath],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, SIPSNARE_LOG_LEVEL: 'info' },
    },
  );
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const started = Date.now();
  while (!err.includes('sensor started')) {
    if (child.exitCode !== null || Date.now() - started > 20_000) {
      child.kill('SIGKILL');
      throw new Error(`run did not start: ${err}`);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  return { child, exited, stderr: () => err };
}

async function stop(r: Running): Promise<number | null> {
  if (r.child.exitCode === null) r.child.kill('SIGTERM');
  const killer = setTimeout(() => r.child.kill('SIGKILL'), 10_000);
  try {
    return await r.exited;
  } finally {
    clearTimeout(killer);
  }
}

/** Sends `count` OPTIONS probes with a scanner's User-Agent and waits for each answer. */
async function probe(port: number, count: number): Promise<number> {
  const sock = createSocket('udp4');
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', r));
  const local = sock.address().port;
  let answers = 0;
  const done = new Promise<void>((resolve) => {
    sock.on('message', () => {
      if (++answers === count) resolve();
    });
  });
  for (let i = 0; i < count; i++) {
    const msg = [
      `OPTIONS sip:100@127.0.0.1:${port} SIP/2.0`,
      `Via: SIP/2.0/UDP 127.0.0.1:${local};branch=z9hG4bK-run-${i};rport`,
      'Max-Forwards: 70',
      `From: "sipvicious"<sip:100@1.1.1.1>;tag=run${i}`,
      'To: "sipvicious"<sip:100@1.1.1.1>',
      `Call-ID: run-store-${i}`,
      'CSeq: 1 OPTIONS',
      'User-Agent: friendly-scanner',
      'Content-Length: 0',
      '',
      '',
    ].join('\r\n');
    sock.send(msg, port, '127.0.0.1');
  }
  await Promise.race([done, new Promise((r) => setTimeout(r, 5000))]);
  sock.close();
  return answers;
}

function jsonlEvents(dir: string): SnareEvent[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.jsonl'))
    .flatMap((f) =>
      readFileSync(join(dir, f), 'utf8')
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => JSON.parse(l) as SnareEvent),
    );
}

/** A run configuration in `dir`: UDP on `port`, events in `dir/<events>`, the shared store. */
function writeConfig(dir: string, sensorId: string, port: number, events: string): string {
  const path = join(dir, `${sensorId}.yaml`);
  writeFileSync(
    path,
    stringify({
      sensor_id: sensorId,
      listen: [`udp://127.0.0.1:${String(port)}`],
      events: { jsonl: join(dir, events) },
      store: { db: join(dir, 'store', 'sipsnare.duckdb') },
    }),
  );
  return path;
}

describe('sipsnare run writes the embedded store', () => {
  let dir: string;
  let port: number;
  let cfgPath: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'snare-run-'));
    port = await freePort();
    cfgPath = writeConfig(dir, 'run01', port, 'events');
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('flushes every event into the store on stop, enriched, with the JSON lines ids', async () => {
    const run = await startRun(cfgPath);
    let code: number | null;
    try {
      assert.match(run.stderr(), /events also go to the embedded store/);
      assert.equal(await probe(port, 25), 25);
    } finally {
      code = await stop(run);
    }
    assert.equal(code, 0, run.stderr());
    const lines = jsonlEvents(join(dir, 'events'));
    assert.equal(lines.length, 25);
    const opened = await openStoreReadOnly(join(dir, 'store', 'sipsnare.duckdb'));
    try {
      const rows = await opened.db.all(
        `SELECT event_id, origin, ua_label, ua_family, ua_category, response FROM events ORDER BY event_id`,
      );
      assert.deepEqual(
        rows.map((r) => r['event_id']),
        lines.map((e) => e.event_id).sort(),
      );
      for (const r of rows) {
        assert.equal(r['origin'], 'sensor');
        assert.equal(r['ua_label'], 'friendly-scanner');
        assert.equal(r['ua_category'], 'scanner');
        const line = lines.find((e) => e.event_id === r['event_id']);
        assert.equal(r['response'], line?.response);
      }
      // What the sensor answered (Asterisk: 404 to OPTIONS for an unknown user).
      assert.equal(lines[0]?.response, 404);
    } finally {
      opened.close();
    }
  });

  it('keeps recording JSON lines when the store is locked by another process', async () => {
    const first = await startRun(cfgPath);
    const port2 = await freePort();
    const second = writeConfig(dir, 'run02', port2, 'events2');
    try {
      const run2 = await startRun(second);
      try {
        assert.match(run2.stderr(), /embedded store not opened; JSON lines only/);
        assert.equal(await probe(port2, 3), 3);
      } finally {
        assert.equal(await stop(run2), 0);
      }
      assert.equal(jsonlEvents(join(dir, 'events2')).length, 3);
    } finally {
      assert.equal(await stop(first), 0);
    }
  });
});
