/**
 * The live store's unified INVITEs keep up with the traffic: after INVITEs
 * reach a running sensor's store, and with no later event to nudge it, a
 * query of its `calls` gives the same unified INVITEs as importing the
 * sensor's JSON lines into a store of one's own, within the lag that
 * docs/store.md states (CALLS_LAG_MS).
 */
import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '../../src/config/load.js';
import { ingestPaths } from '../../src/ingest/pipeline.js';
import { silentLogger } from '../../src/log.js';
import { startRuntime, type Runtime } from '../../src/runtime/runtime.js';
import { loadEnricher } from '../../src/store/enricher.js';
import { CALLS_LAG_MS } from '../../src/store/sink.js';
import { openStore } from '../../src/store/store.js';

const CALLS_SQL = `SELECT src_ip, dialed_number, invites::INTEGER AS invites
  FROM calls ORDER BY src_ip, dialed_number, first_ts`;

/** An INVITE from `sock` to `number` at the sensor; resolves on its answer. */
async function invite(sock: Socket, port: number, number: string, n: number): Promise<string> {
  const local = sock.address();
  const msg = [
    `INVITE sip:${number}@127.0.0.1 SIP/2.0`,
    `Via: SIP/2.0/UDP ${local.address}:${String(local.port)};branch=z9hG4bK-live-${String(n)}`,
    'Max-Forwards: 70',
    `From: <sip:100@${local.address}>;tag=live${String(n)}`,
    `To: <sip:${number}@127.0.0.1>`,
    `Call-ID: live-calls-${String(n)}`,
    'CSeq: 1 INVITE',
    `Contact: <sip:100@${local.address}:${String(local.port)}>`,
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
  const answer = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error('no answer to the INVITE'));
    }, 5000);
    sock.once('message', (m) => {
      clearTimeout(timer);
      resolve(m.toString('latin1'));
    });
  });
  sock.send(msg, port, '127.0.0.1');
  return answer;
}

async function boundSocket(address: string): Promise<Socket> {
  const sock = createSocket('udp4');
  await new Promise<void>((resolve) => sock.bind(0, address, resolve));
  return sock;
}

describe('the live store rebuilds its unified INVITEs', { timeout: 90_000 }, () => {
  let dir = '';
  let runtime: Runtime | null = null;
  const sockets: Socket[] = [];
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'snare-live-calls-'));
  });
  after(async () => {
    for (const s of sockets) s.close();
    await runtime?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The live store's calls, through a connection of the test's own. */
  async function liveCalls(): Promise<Record<string, unknown>[]> {
    const store = runtime?.store?.store;
    assert.ok(store, 'the runtime has a store');
    const conn = await store.instance.connect();
    try {
      return (await conn.runAndReadAll(CALLS_SQL)).getRowObjectsJS();
    } finally {
      conn.closeSync();
    }
  }

  /** The calls of a fresh store that imported the sensor's JSON lines. */
  async function importedCalls(): Promise<Record<string, unknown>[]> {
    const path = join(dir, `import-${String(Date.now())}.duckdb`);
    const store = await openStore(path);
    try {
      await ingestPaths(store, [join(dir, 'events')], {
        enricher: await loadEnricher(),
        gapMinutes: 60,
      });
      return (await store.conn.runAndReadAll(CALLS_SQL)).getRowObjectsJS();
    } finally {
      store.close();
    }
  }

  /** Waits, sending nothing, until the live calls equal the imported ones; returns the wait. */
  async function converge(expected: number): Promise<number> {
    const want = await importedCalls();
    assert.equal(want.length, expected, 'the import unifies the INVITEs');
    const t0 = Date.now();
    let got: Record<string, unknown>[] = [];
    while (Date.now() - t0 < CALLS_LAG_MS + 2000) {
      got = await liveCalls();
      if (JSON.stringify(got) === JSON.stringify(want)) return Date.now() - t0;
      await new Promise((r) => setTimeout(r, 200));
    }
    assert.deepEqual(got, want, `live calls after ${String(CALLS_LAG_MS + 2000)} ms`);
    return -1;
  }

  it('within the documented lag, twice, with no later event', async () => {
    const config = loadConfig({
      flags: {
        listen: ['udp://127.0.0.1:0'],
        'events.jsonl': join(dir, 'events'),
        'store.db': join(dir, 'live.duckdb'),
        sensor_id: 'live01',
      },
    });
    runtime = await startRuntime({ config, log: silentLogger() });
    const port = runtime.sensor?.addresses[0]?.port;
    assert.ok(port !== undefined);
    const a = await boundSocket('127.0.0.1');
    const b = await boundSocket('127.0.0.2');
    sockets.push(a, b);

    // Two INVITEs of one call, a second number, a second source.
    assert.match(await invite(a, port, '00442079460000', 1), /^SIP\/2\.0 401 /);
    assert.match(await invite(a, port, '00442079460000', 2), /^SIP\/2\.0 401 /);
    assert.match(await invite(a, port, '0033142685300', 3), /^SIP\/2\.0 401 /);
    assert.match(await invite(b, port, '00442079460000', 4), /^SIP\/2\.0 401 /);
    await converge(3);

    // Later INVITEs, with calls already built: they too show without a nudge.
    assert.match(await invite(b, port, '0033142685301', 5), /^SIP\/2\.0 401 /);
    await converge(4);
  });
});
