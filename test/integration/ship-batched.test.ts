/**
 * Batched shipping (`ship.events_per_message` above 1) end to end with a
 * real nats-server on loopback: `sipsnare ship` SIGKILLed mid-stream and
 * started again loses nothing and doubles nothing; a sensor's own shipper
 * packs too; a bad line inside a message is rejected and counted while its
 * neighbours are stored; a sensor allowed only its own subject cannot
 * publish as another, and another sensor's events packed into a message on
 * its own subject are rejected one by one.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, headers, type NatsConnection } from '@nats-io/transport-node';
import { stringify } from 'yaml';
import { eventOf, type SnareEvent } from '../../src/events/catalog.js';
import { REPO_ROOT } from '../helpers/shared.js';
import { natsMissing, natsSuite } from './nats-server.js';
import {
  eventLines,
  rows,
  startCollector,
  startShippingNetwork,
  udpLoad,
  waitFor,
  waitForCount,
  type CollectorProcess,
} from './network-helpers.js';

const BIN = join(REPO_ROOT, 'bin', 'sipsnare');
const skip = natsMissing() ?? false;

function event(sensor: string, n: number, method = 'OPTIONS'): SnareEvent {
  return eventOf(
    {
      event: 'sip.request',
      event_id: `0190b000-0000-7000-8000-${String(n).padStart(12, '0')}`,
      ts: new Date(Date.UTC(2026, 11, 6, 12, 0, 0, n)).toISOString(),
      sensor,
      transport: 'udp',
      src_ip: `198.51.100.${n % 200}`,
      src_port: 5060,
      dst_ip: '127.0.0.1',
      dst_port: 5060,
    },
    { method },
  );
}

async function streamMessages(url: string): Promise<number> {
  const nc = await connect({ servers: url });
  try {
    return (await (await jetstreamManager(nc)).streams.info('SIPSNARE')).state.messages;
  } finally {
    await nc.close();
  }
}

describe('batched shipping end to end', { skip, concurrency: false }, () => {
  const suite = natsSuite('snare-batched-');

  it(
    '`sipsnare ship` killed mid-stream and started again: every event once',
    { timeout: 300_000 },
    async () => {
      const nats = await suite.serve();
      const n = 40_000;
      const ev = join(suite.dir, 'kb01', 'events');
      mkdirSync(ev, { recursive: true });
      let text = '';
      for (let i = 0; i < n; i++)
        text += JSON.stringify(event('kb01', i, i % 5 === 0 ? 'INVITE' : 'REGISTER')) + '\n';
      writeFileSync(join(ev, 'events-2026-12-06.jsonl'), text);
      const cfg = join(suite.dir, 'kb01', 'ship.yaml');
      // A small window, so that the shipper is still shipping when it is killed.
      writeFileSync(
        cfg,
        stringify({
          sensor_id: 'kb01',
          ship: { servers: [nats.url], events_per_message: 100, max_in_flight: 400 },
        }),
      );
      const db = join(suite.dir, 'killed-shipper.duckdb');
      const collector = await startCollector(suite.dir, db, [nats.url]);
      suite.defer(() => collector.stop());
      const posFile = join(ev, '.ship-position.json');
      const shipper = spawn(process.execPath, [BIN, 'ship', '--events', ev, '--config', cfg], {
        stdio: 'ignore',
      });
      const exited = new Promise((r) => shipper.once('exit', r));
      try {
        // Killed once it has saved a position inside the file: part shipped, part not.
        await waitFor(
          () => {
            if (!existsSync(posFile)) return false;
            const p = JSON.parse(readFileSync(posFile, 'utf8')) as { offset: number };
            return p.offset > 0;
          },
          120_000,
          'a saved position',
          5,
        );
      } finally {
        shipper.kill('SIGKILL');
        await exited;
      }
      const saved = JSON.parse(readFileSync(posFile, 'utf8')) as { offset: number };
      assert.ok(saved.offset < text.length, `killed mid-stream (offset ${saved.offset})`);
      const again = spawnSync(
        process.execPath,
        [BIN, 'ship', '--events', ev, '--config', cfg, '--once'],
        { encoding: 'utf8', timeout: 240_000 },
      );
      assert.equal(again.status, 0, again.stderr);
      await waitForCount(async () => (await collector.status()).stored, n, 'rows');
      // Packed: far fewer messages than events in the stream.
      const msgs = await streamMessages(nats.url);
      assert.ok(msgs <= n / 50, `${msgs} messages for ${n} events`);
      assert.equal((await collector.status()).rejected, 0);
      assert.equal(await collector.stop(), 0);
      assert.deepEqual(await rows(db), { rows: n, ids: n });
    },
  );

  it("a sensor's own shipper packs its lines too", { timeout: 300_000 }, async () => {
    const net = await startShippingNetwork({
      dir: suite.dir,
      db: join(suite.dir, 'sensor.duckdb'),
      sensorIds: ['sb01'],
      ship: { events_per_message: 50 },
      sensor: {
        limits: {
          responses_per_source_per_s: 100000,
          responses_per_source_burst: 100000,
          responses_global_per_s: 100000,
        },
      },
    });
    try {
      const sensor = net.sensors[0]!;
      await udpLoad(sensor.port, 400, 3000);
      assert.equal(await sensor.stop(), 0);
      const lines = eventLines(sensor.dir).length;
      assert.ok(lines > 500, `${lines} lines`);
      await waitForCount(async () => (await net.collector.status()).stored, lines, 'rows');
      const msgs = await streamMessages(net.servers[0]!);
      assert.ok(msgs < lines / 2, `${msgs} messages for ${lines} events`);
    } finally {
      await net.cleanup();
    }
  });
});

const AUTH = `authorization {
  users = [
    { user: hp01, password: "pw-hp01", permissions: {
        publish: { allow: ["sipsnare.events.hp01"] }, subscribe: { allow: ["_INBOX.>"] } } }
    { user: collector, password: "pw-collector", permissions: {
        publish: { allow: ["$JS.API.>", "$JS.ACK.>"] }, subscribe: { allow: ["_INBOX.>"] } } }
  ]
}`;

/** A message of several lines, as the shipper packs them. */
const packed = (lines: readonly unknown[]): string =>
  lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n');

describe('batched messages: each line checked alone', { skip }, () => {
  const suite = natsSuite('snare-batched-sec-');
  let collector: CollectorProcess;
  let hp01: NatsConnection;

  before(async () => {
    const nats = await suite.serve(AUTH);
    const c = await startCollector(suite.dir, join(suite.dir, 'central.duckdb'), [nats.url], {
      ship: { user: 'collector', password: 'pw-collector' },
      collect: { batch_ms: 100 },
    });
    collector = c;
    suite.defer(() => c.stop());
    const conn = await connect({ servers: nats.url, user: 'hp01', pass: 'pw-hp01' });
    hp01 = conn;
    suite.defer(() => conn.close());
  });

  it('a bad line is rejected and counted, its neighbours stored; a replay is dropped', async () => {
    const js = jetstream(hp01, { timeout: 3000 });
    const body = packed([
      event('hp01', 1),
      { ...event('hp01', 2), src_port: '5060' },
      event('hp01', 3),
      'not json {',
      event('hp01', 4),
    ]);
    const msgID = `${event('hp01', 1).event_id}+5`;
    await js.publish('sipsnare.events.hp01', body, { msgID });
    // The same message again: the stream's duplicate window drops it.
    const replay = await js.publish('sipsnare.events.hp01', body, { msgID });
    assert.equal(replay.duplicate, true);
    // Packed differently, overlapping: the collector stores each event once.
    await js.publish('sipsnare.events.hp01', packed([event('hp01', 4), event('hp01', 5)]), {
      msgID: `${event('hp01', 4).event_id}+2`,
    });
    await waitFor(
      async () => {
        const s = await collector.status();
        return s.rejected === 2 && s.stored === 4;
      },
      20000,
      '2 rejected and 4 stored',
    );
    const s = await collector.status();
    assert.deepEqual(s.rejected_by, {
      'hp01 field "src_port" must be an integer': 1,
      'hp01 not UTF-8 JSON': 1,
    });
    const kept = readFileSync(join(suite.dir, 'central.duckdb.rejected.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { line: number; payload: string });
    assert.deepEqual(
      kept.map((k) => k.line),
      [2, 4],
    );
    assert.equal(kept[1]?.payload, 'not json {');
  });

  it("cannot publish as another sensor; another sensor's events packed on its own subject are rejected", async () => {
    const js = jetstream(hp01, { timeout: 3000 });
    await assert.rejects(
      js.publish('sipsnare.events.hp02', packed([event('hp02', 20), event('hp02', 21)])),
      /permission|timeout|no responders/i,
    );
    const before = await collector.status();
    const h = headers();
    h.set('Nats-Msg-Id', `${event('hp01', 30).event_id}+4`);
    await js.publish(
      'sipsnare.events.hp01',
      packed([event('hp01', 30), event('hp02', 31), event('hp02', 32), event('hp01', 33)]),
      { headers: h },
    );
    await waitFor(
      async () => {
        const s = await collector.status();
        return s.rejected === before.rejected + 2 && s.stored === before.stored + 2;
      },
      20000,
      '2 more rejected and 2 more stored',
    );
    const s = await collector.status();
    assert.equal(s.rejected_by['hp01 event sensor differs from the subject sensor'], 2);
    assert.equal(s.stored, 6);
  });
});
