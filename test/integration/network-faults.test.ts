/**
 * Faults, each counted end to end (every line a sensor wrote is one row of
 * the central store: nothing lost, nothing doubled): the broker stopped for
 * 30 s under load; the collector SIGKILLed mid-batch and restarted; a
 * sensor SIGKILLed and restarted; one node of a 3-node JetStream cluster
 * killed; the collector's disk full (a small tmpfs made here; needs root).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { jetstreamManager, StorageType } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { stringify } from 'yaml';
import { eventOf } from '../../src/events/catalog.js';
import { REPO_ROOT } from '../helpers/shared.js';
import { natsMissing, startNatsServer, type NatsServer } from './nats-server.js';
import {
  eventLines,
  rows,
  runSensorAgain,
  startCollector,
  startShippingNetwork,
  udpLoad,
  waitFor,
  waitForCount,
} from './network-helpers.js';
import { freePort } from './sensor-process.js';

const BIN = join(REPO_ROOT, 'bin', 'sipsnare');
const LIMITS = {
  responses_per_source_per_s: 100000,
  responses_per_source_burst: 100000,
  responses_global_per_s: 100000,
};

function cli(...args: string[]): void {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 120000 });
  assert.equal(r.status, 0, `sipsnare ${args.join(' ')}: ${r.stderr}`);
}

/** A sensor's event directory with `n` synthetic events, and a ship config for it. */
function syntheticSensor(dir: string, sensor: string, n: number, servers: string[]): string {
  const ev = join(dir, sensor, 'events');
  mkdirSync(ev, { recursive: true });
  let text = '';
  for (let i = 0; i < n; i++) {
    text +=
      JSON.stringify(
        eventOf(
          {
            event: 'sip.request',
            event_id: crypto.randomUUID(),
            ts: new Date(Date.UTC(2026, 11, 6, 10, 0, 0, i)).toISOString(),
            sensor,
            transport: 'udp',
            src_ip: `198.51.100.${i % 200}`,
            src_port: 5060,
            dst_ip: '127.0.0.1',
            dst_port: 5060,
          },
          {
            method: i % 5 === 0 ? 'INVITE' : 'REGISTER',
            dialed: i % 5 === 0 ? '0097259912345' : null,
          },
        ),
      ) + '\n';
  }
  writeFileSync(join(ev, 'events-2026-12-06.jsonl'), text);
  const cfg = join(dir, sensor, 'ship.yaml');
  writeFileSync(cfg, stringify({ sensor_id: sensor, ship: { servers } }));
  return cfg;
}

const skip = natsMissing() ?? false;

describe('network faults', { skip, concurrency: false }, () => {
  let dir = '';
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'snare-faults-'));
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it(
    'the broker stopped for 30 s under load: the SIP side answers, the backlog drains',
    { timeout: 600_000 },
    async () => {
      const net = await startShippingNetwork({
        dir,
        db: join(dir, 'broker.duckdb'),
        sensorIds: ['bk01'],
        sensor: { limits: LIMITS },
      });
      const { collector, sensors } = net;
      const nats = net.nats!;
      const sensor = sensors[0]!;
      try {
        const load = udpLoad(sensor.port, 300, 45000);
        await new Promise((r) => setTimeout(r, 5000));
        await nats.stop();
        await new Promise((r) => setTimeout(r, 30000));
        await nats.start();
        const { sent, answered } = await load;
        if (answered < sent * 0.99) {
          const drops = eventLines(sensor.dir).filter((l) => l.includes('"sensor.dropped"'));
          assert.fail(
            `answered ${answered} of ${sent} while the broker was down; the sensor's drops: ${drops.join(' ')}`,
          );
        }
        // The running sensor's shipper drains the backlog of the outage: wait
        // while the store grows (a loaded machine drains slowly, a stall fails).
        await waitForCount(
          async () => (await collector.status()).stored,
          () => eventLines(sensor.dir).length,
          'rows of the backlog',
        );
        assert.equal(await sensor.stop(), 0);
        const lines = eventLines(sensor.dir).length;
        assert.ok(lines >= sent * 0.99, `${lines} lines for ${sent} messages`);
        await waitForCount(async () => (await collector.status()).stored, lines, 'rows');
        assert.match(sensor.stderr(), /retrying every second/);
        assert.equal(await collector.stop(), 0);
        assert.deepEqual(await rows(join(dir, 'broker.duckdb')), { rows: lines, ids: lines });
      } finally {
        await net.cleanup();
      }
    },
  );

  it(
    'the collector SIGKILLed mid-batch and restarted: every event once',
    { timeout: 600_000 },
    async () => {
      const nats = await startNatsServer();
      const n = 60000;
      const cfg = syntheticSensor(dir, 'ck01', n, [nats.url]);
      const db = join(dir, 'killed.duckdb');
      try {
        cli('ship', '--events', join(dir, 'ck01', 'events'), '--config', cfg, '--once');
        const collector = await startCollector(dir, db, [nats.url], {
          collect: { batch_events: 2000, batch_ms: 50 },
        });
        await waitFor(async () => (await collector.status()).stored > 0, 120_000, 'a first batch');
        await collector.kill();
        await collector.start();
        // What the killed collector held unacknowledged comes again after the
        // ack wait (30 s): a pause of that length is no stall.
        await waitForCount(() => rowsLive(collector.url), n, 'rows', {
          stallMs: 90_000,
          everyMs: 1000,
        });
        assert.equal(await collector.stop(), 0);
        assert.deepEqual(await rows(db), { rows: n, ids: n });
      } finally {
        await nats.cleanup();
      }
    },
  );

  it(
    'a sensor SIGKILLed and restarted: every line it wrote arrives',
    { timeout: 600_000 },
    async () => {
      const net = await startShippingNetwork({
        dir,
        db: join(dir, 'sensor-killed.duckdb'),
        sensorIds: ['sk01'],
        sensor: { limits: LIMITS },
      });
      const { collector } = net;
      const sensor = net.sensors[0]!;
      try {
        await udpLoad(sensor.port, 500, 4000);
        sensor.child.kill('SIGKILL');
        await new Promise((r) => sensor.child.once('exit', r));
        const again = await runSensorAgain(sensor.dir);
        await udpLoad(sensor.port, 500, 2000);
        // The restarted sensor ships what its killed run left, and its own lines.
        await waitForCount(
          async () => (await collector.status()).stored,
          () => eventLines(sensor.dir).length,
          'rows of both runs',
        );
        await again.stop();
        const lines = eventLines(sensor.dir).length;
        await waitForCount(async () => (await collector.status()).stored, lines, 'rows');
        assert.equal(await collector.stop(), 0);
        assert.deepEqual(await rows(join(dir, 'sensor-killed.duckdb')), {
          rows: lines,
          ids: lines,
        });
      } finally {
        await net.cleanup();
      }
    },
  );

  it('one node of a 3-node cluster killed: nothing lost', { timeout: 600_000 }, async () => {
    const cdir = join(dir, 'cluster');
    mkdirSync(cdir);
    const ports = [await freePort(), await freePort(), await freePort()];
    const routes = [await freePort(), await freePort(), await freePort()];
    const nodes: NatsServer[] = [];
    try {
      for (let i = 0; i < 3; i++)
        nodes.push(
          await startNatsServer({
            dir: cdir,
            name: `c${i}`,
            port: ports[i] ?? 0,
            extra: `cluster { name: snare, listen: 127.0.0.1:${routes[i]}, routes: [${routes
              .filter((_r, j) => j !== i)
              .map((r) => `nats-route://127.0.0.1:${r}`)
              .join(', ')}] }`,
          }),
        );
      const urls = nodes.map((x) => x.url);
      // The stream with 3 replicas, once the cluster has elected its JetStream leader.
      const nc = await connect({ servers: urls });
      await waitFor(
        async () => {
          const jsm = await jetstreamManager(nc, { timeout: 2000 });
          await jsm.streams.add({
            name: 'SIPSNARE',
            subjects: ['sipsnare.events.>'],
            storage: StorageType.File,
            num_replicas: 3,
          });
          return true;
        },
        60000,
        'a replicated stream',
      );
      await nc.close();
      const db = join(dir, 'cluster.duckdb');
      const net = await startShippingNetwork({
        dir,
        db,
        sensorIds: ['cl01'],
        sensor: { limits: LIMITS },
        ship: { replicas: 3 },
        servers: urls,
      });
      const { collector } = net;
      const sensor = net.sensors[0]!;
      try {
        const load = udpLoad(sensor.port, 300, 15000);
        await new Promise((r) => setTimeout(r, 5000));
        await nodes[0]?.kill();
        await load;
        await waitForCount(
          async () => (await collector.status()).stored,
          () => eventLines(sensor.dir).length,
          'rows through the two nodes left',
        );
        assert.equal(await sensor.stop(), 0);
        const lines = eventLines(sensor.dir).length;
        await waitForCount(async () => (await collector.status()).stored, lines, 'rows');
        assert.equal(await collector.stop(), 0);
        assert.deepEqual(await rows(db), { rows: lines, ids: lines });
      } finally {
        await net.cleanup();
      }
    } finally {
      for (const x of nodes) await x.cleanup();
    }
  });

  const notRoot = process.getuid?.() === 0 ? false : 'needs root to mount a small tmpfs';
  it(
    'the collector disk full: stops acknowledging, says so, resumes',
    { timeout: 120000, skip: notRoot },
    async () => {
      const mnt = join(dir, 'small');
      mkdirSync(mnt);
      const m = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=48m', 'tmpfs', mnt], {
        encoding: 'utf8',
      });
      if (m.status !== 0) {
        assert.fail(`mount tmpfs: ${m.stderr}`);
      }
      const nats = await startNatsServer();
      try {
        const db = join(mnt, 'central.duckdb');
        const collector = await startCollector(dir, db, [nats.url]);
        // Fill the disk to the last block.
        spawnSync('dd', ['if=/dev/zero', `of=${join(mnt, 'filler')}`, 'bs=1M'], {
          encoding: 'utf8',
        });
        const n = 20000;
        const cfg = syntheticSensor(dir, 'df01', n, [nats.url]);
        cli('ship', '--events', join(dir, 'df01', 'events'), '--config', cfg, '--once');
        await waitFor(async () => (await collector.status()).failing, 60000, 'the commit to fail');
        assert.match(collector.stderr(), /cannot commit to the store/);
        rmSync(join(mnt, 'filler'));
        await waitForCount(() => rowsLive(collector.url), n, 'rows after the disk freed', {
          everyMs: 1000,
        });
        assert.match(collector.stderr(), /store commits again/);
        assert.equal(await collector.stop(), 0);
        assert.deepEqual(await rows(db), { rows: n, ids: n });
      } finally {
        await nats.cleanup();
        spawnSync('umount', [mnt]);
      }
    },
  );
});

/** Rows in the live store (the synthetic events are REGISTERs and INVITEs), asked of the collector. */
async function rowsLive(url: string): Promise<number> {
  const res = await fetch(`${url}/api/summary`);
  const s = (await res.json()) as { register_messages: number; invite_messages: number };
  return s.register_messages + s.invite_messages;
}
