/**
 * The collector acknowledges cumulatively (one ack per batch). Such an ack
 * covers every delivery up to its stream sequence, so the collector must
 * recreate its consumer when deliveries it never had are waiting for an
 * ack: here, a consumer made by an older version with explicit acks (some
 * messages acked out of order, some not), and deliveries left unacked by a
 * collector that died. Each time: every event stored once, nothing left
 * waiting for an ack, well inside the ack wait (30 s), so no redelivery by
 * the broker can hide a loss.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { AckPolicy, jetstream, jetstreamManager, type JsMsg } from '@nats-io/jetstream';
import { connect, headers, type NatsConnection } from '@nats-io/transport-node';
import { CentralStore } from '../../src/collect/central-store.js';
import { Collector } from '../../src/collect/collector.js';
import { defaultConfig } from '../../src/config/defaults.js';
import type { CollectConfig, ShipConfig } from '../../src/config/types.js';
import { eventOf, type SnareEvent } from '../../src/events/catalog.js';
import { silentLogger } from '../../src/log.js';
import { ensureStream } from '../../src/nats/connect.js';
import { NO_ENRICHMENT } from '../../src/store/enricher.js';
import { natsMissing, startNatsServer, type NatsServer } from './nats-server.js';
import { waitFor } from './network-helpers.js';

function event(n: number): SnareEvent {
  return eventOf(
    {
      event: 'sip.request',
      event_id: `0190b000-0000-7000-8000-${String(n).padStart(12, '0')}`,
      ts: new Date(Date.UTC(2026, 11, 6, 12, 0, 0, n)).toISOString(),
      sensor: 'ak01',
      transport: 'udp',
      src_ip: '192.0.2.9',
      src_port: 5060,
      dst_ip: '127.0.0.1',
      dst_port: 5060,
    },
    { method: 'OPTIONS' },
  );
}

describe('cumulative acknowledgements', { skip: natsMissing() ?? false }, () => {
  let dir = '';
  let nats: NatsServer;
  let nc: NatsConnection;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'snare-acks-'));
    nats = await startNatsServer();
    nc = await connect({ servers: nats.url });
  });
  after(async () => {
    await nc.close();
    await nats.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A stream of its own per test, with events `from`..`to` published. */
  async function setUp(name: string): Promise<{ ship: ShipConfig; collect: CollectConfig }> {
    const base = defaultConfig();
    const ship: ShipConfig = {
      ...base.ship,
      servers: [nats.url],
      stream: name,
      subject_prefix: `${name.toLowerCase()}.events`,
    };
    assert.equal(await ensureStream(nc, ship), true);
    return { ship, collect: { ...base.collect, durable: `${name}-c`, batch_ms: 50 } };
  }

  async function publish(ship: ShipConfig, from: number, to: number): Promise<void> {
    const js = jetstream(nc);
    for (let n = from; n <= to; n++) {
      const h = headers();
      h.set('Nats-Msg-Id', event(n).event_id);
      await js.publish(`${ship.subject_prefix}.ak01`, JSON.stringify(event(n)), { headers: h });
    }
  }

  function store(name: string): CentralStore {
    return new CentralStore({
      path: join(dir, `${name}.duckdb`),
      enricher: NO_ENRICHMENT,
      gapMinutes: 5,
    });
  }

  async function collect(
    name: string,
    cfg: { ship: ShipConfig; collect: CollectConfig },
    total: number,
  ): Promise<{ rows: number; ids: number; resets: number; pending: number; policy: string }> {
    const central = store(name);
    const c = new Collector({
      servers: [nats.url],
      ship: cfg.ship,
      collect: cfg.collect,
      store: central,
      rejectedFile: join(dir, `${name}.rejected.jsonl`),
      log: silentLogger(),
    });
    await c.start();
    const jsm = await jetstreamManager(nc);
    try {
      // 20 s: inside the ack wait, so only the collector's own doing can bring every row.
      await waitFor(
        async () =>
          c.stats.stored + c.stats.duplicates >= total &&
          (await jsm.consumers.info(cfg.ship.stream, cfg.collect.durable)).num_ack_pending === 0,
        20000,
        `${total} events stored and acknowledged`,
      );
    } finally {
      await c.stop();
    }
    const check = store(name);
    const r = await check.query((db) =>
      db.all(`SELECT count(*) AS rows, count(DISTINCT event_id) AS ids FROM events`),
    );
    await check.close();
    const info = await jsm.consumers.info(cfg.ship.stream, cfg.collect.durable);
    return {
      rows: Number(r[0]?.['rows']),
      ids: Number(r[0]?.['ids']),
      resets: c.stats.resets,
      pending: info.num_ack_pending,
      policy: info.config.ack_policy,
    };
  }

  it('recreates a consumer an older version made with explicit acks', async () => {
    const cfg = await setUp('ACKOLD');
    await publish(cfg.ship, 1, 300);
    const jsm = await jetstreamManager(nc);
    await jsm.consumers.add(cfg.ship.stream, {
      durable_name: cfg.collect.durable,
      ack_policy: AckPolicy.Explicit,
      filter_subject: `${cfg.ship.subject_prefix}.>`,
      ack_wait: 30_000_000_000,
    });
    // The older collector stored and acked 1..100 and 150, then died holding 101..200.
    const older = store('ACKOLD');
    await older.commit([...Array.from({ length: 100 }, (_, i) => event(i + 1)), event(150)]);
    await older.close();
    const consumer = await jetstream(nc).consumers.get(cfg.ship.stream, cfg.collect.durable);
    const got: JsMsg[] = [];
    for await (const m of await consumer.fetch({ max_messages: 200, expires: 5000 })) got.push(m);
    assert.equal(got.length, 200);
    for (const m of got) if (m.seq <= 100 || m.seq === 150) m.ack();
    await nc.flush();
    const r = await collect('ACKOLD', cfg, 300 - 101);
    assert.deepEqual(r, { rows: 300, ids: 300, resets: 1, pending: 0, policy: AckPolicy.All });
  });

  it('does not let its acks cover what a dead collector was delivered', async () => {
    const cfg = await setUp('ACKDEAD');
    await publish(cfg.ship, 1, 100);
    const first = await collect('ACKDEAD', cfg, 100);
    assert.deepEqual(first, { rows: 100, ids: 100, resets: 0, pending: 0, policy: AckPolicy.All });
    await publish(cfg.ship, 101, 300);
    // A collector pulls 101..180 and dies before committing them: no ack, the pull left behind.
    const dying = await connect({ servers: nats.url });
    const consumer = await jetstream(dying).consumers.get(cfg.ship.stream, cfg.collect.durable);
    let n = 0;
    for await (const m of await consumer.fetch({ max_messages: 80, expires: 5000 })) {
      assert.equal(m.seq, 101 + n++);
    }
    assert.equal(n, 80);
    await dying.close();
    // Without the reset, the next collector's ack of 300 would cover 101..180, never stored.
    const r = await collect('ACKDEAD', cfg, 200);
    assert.deepEqual(r, { rows: 300, ids: 300, resets: 1, pending: 0, policy: AckPolicy.All });
  });
});
