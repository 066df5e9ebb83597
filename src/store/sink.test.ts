import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { DuckDBInstance } from '@duckdb/node-api';
import { emptyEvent, type SnareEvent } from '../events/catalog.js';
import { EventIdGenerator } from '../events/event-id.js';
import { eventBytes, openStoreSink, SINK_BLOCK_SIZE } from './sink.js';
import { openStore } from './store.js';
import { until } from '../testing/until.js';

const ids = new EventIdGenerator();

function live(i: number, method = 'REGISTER'): SnareEvent {
  return {
    ...emptyEvent(),
    event: 'sip.request',
    event_id: ids.next(),
    ts: new Date(Date.UTC(2024, 0, 1, 0, 0, i)).toISOString(),
    sensor: 'hp01',
    transport: 'udp',
    src_ip: '192.0.2.5',
    method,
    dialed: method === 'INVITE' ? '0097250000001' : null,
  };
}

describe('openStoreSink', () => {
  it('batches live events into the store, by size and on close, and rebuilds calls', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'snare-sink-'));
    const path = join(dir, 'live.duckdb');
    try {
      const sink = await openStoreSink(path, {
        batchSize: 10,
        intervalMs: 50,
        enricher: {
          dataDate: null,
          burst: (d) =>
            d.map(() => ({
              dialed_number: '+97250000001',
              dst_cc: 'IL',
              number_type: 'MOBILE',
              number_kind: 'external',
            })),
        },
      });
      for (let i = 0; i < 25; i++) sink.write(live(i));
      sink.write(live(30, 'INVITE'));
      sink.write(live(31, 'INVITE'));
      await sink.flush();
      const mid = await sink.store.conn.runAndReadAll('SELECT count(*)::INTEGER AS n FROM events');
      assert.deepEqual(mid.getRowObjectsJS(), [{ n: 27 }]);
      sink.write(live(40));
      await sink.close();
      await sink.close();
      assert.equal(sink.dropped, 0);
      const inst = await DuckDBInstance.create(path);
      const conn = await inst.connect();
      try {
        const ev = await conn.runAndReadAll(
          'SELECT count(*)::INTEGER AS n, min(origin) AS o FROM events',
        );
        assert.deepEqual(ev.getRowObjectsJS(), [{ n: 28, o: 'sensor' }]);
        const calls = await conn.runAndReadAll('SELECT invites FROM calls');
        assert.deepEqual(calls.getRowObjectsJS(), [{ invites: 2 }]);
      } finally {
        conn.closeSync();
        inst.closeSync();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('drops, counts and reports once per stretch events beyond its queue bound', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'snare-sink-'));
    try {
      const errors: unknown[] = [];
      const sink = await openStoreSink(join(dir, 'x.duckdb'), {
        batchSize: 1000,
        maxQueued: 5,
        intervalMs: 10_000,
        enricher: { dataDate: null },
        onError: (e) => errors.push(e),
      });
      for (let i = 0; i < 8; i++) sink.write(live(i));
      assert.equal(sink.dropped, 3);
      assert.equal(errors.length, 1);
      assert.match(String(errors[0]), /store queue full \(5 events or \d+ bytes\)/);
      await sink.flush();
      for (let i = 8; i < 14; i++) sink.write(live(i));
      assert.equal(sink.dropped, 4);
      assert.equal(errors.length, 2, 'a new stretch of drops is reported again');
      await sink.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('writes a backlog a batch at a time, and all of it by close', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'snare-sink-'));
    const path = join(dir, 'x.duckdb');
    try {
      const sink = await openStoreSink(path, {
        batchSize: 5,
        maxQueued: 100,
        intervalMs: 10_000,
        enricher: { dataDate: null },
      });
      // Queued in one turn, before the first batch starts: a backlog of 12.
      for (let i = 0; i < 12; i++) sink.write(live(i));
      await until(() => sink.queued === 0 && sink.generation === 3);
      assert.equal(sink.generation, 3, 'three commits: 5, 5 and 2 events');
      for (let i = 12; i < 19; i++) sink.write(live(i));
      await sink.close();
      const store = await openStore(path);
      const r = await store.conn.runAndReadAll('SELECT count(*) AS n FROM events');
      assert.equal(r.getRowObjectsJS()[0]?.['n'], 19n);
      store.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('opens DuckDB on one thread within 128 MB, its allocator purging freed pages at once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'snare-sink-'));
    try {
      const sink = await openStoreSink(join(dir, 'x.duckdb'), { enricher: { dataDate: null } });
      const r = await sink.store.conn.runAndReadAll(
        `SELECT current_setting('allocator_background_threads') AS bg, current_setting('threads') AS threads,
          current_setting('memory_limit') AS mem,
          current_setting('allocator_bulk_deallocation_flush_threshold') AS bulk`,
      );
      assert.deepEqual(r.getRowObjectsJS(), [
        { bg: true, threads: 1n, mem: '122.0 MiB', bulk: '976.5 KiB' },
      ]);
      await sink.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('creates its store with 64 KiB blocks, and keeps the blocks of a store made before', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'snare-sink-'));
    const blockSize = async (sink: Awaited<ReturnType<typeof openStoreSink>>): Promise<bigint> => {
      const r = await sink.store.conn.runAndReadAll(
        'SELECT block_size FROM pragma_database_size() WHERE database_name = current_database()',
      );
      return r.getRowObjectsJS()[0]?.['block_size'] as bigint;
    };
    try {
      const fresh = await openStoreSink(join(dir, 'new.duckdb'), { enricher: { dataDate: null } });
      assert.equal(await blockSize(fresh), BigInt(SINK_BLOCK_SIZE));
      assert.equal(SINK_BLOCK_SIZE, 65_536);
      for (let i = 0; i < 20; i++) fresh.write(live(i));
      await fresh.close();
      const again = await openStoreSink(join(dir, 'new.duckdb'), { enricher: { dataDate: null } });
      const n = await again.store.conn.runAndReadAll('SELECT count(*) AS n FROM events');
      assert.equal(n.getRowObjectsJS()[0]?.['n'], 20n, 'a reopened store keeps its rows');
      await again.close();

      // A store an import made (DuckDB's 256 KiB blocks) keeps them when the sensor writes it.
      const imported = await openStore(join(dir, 'old.duckdb'));
      imported.close();
      const old = await openStoreSink(join(dir, 'old.duckdb'), { enricher: { dataDate: null } });
      assert.equal(await blockSize(old), 262_144n);
      for (let i = 0; i < 5; i++) old.write(live(i));
      await old.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('counts the batch being written against its bounds (a flood held twice the bound)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'snare-sink-'));
    try {
      const sink = await openStoreSink(join(dir, 'x.duckdb'), {
        batchSize: 6,
        maxQueued: 10,
        intervalMs: 10_000,
        enricher: { dataDate: null },
      });
      for (let i = 0; i < 6; i++) sink.write(live(i));
      // The batch of six starts on the next microtask and waits for DuckDB, on other threads.
      for (let i = 0; i < 3; i++) await Promise.resolve();
      assert.equal(sink.queued, 0, 'the six are being written');
      for (let i = 6; i < 16; i++) sink.write(live(i));
      assert.equal(sink.queued, 4, 'room for four beside the six being written');
      assert.equal(sink.dropped, 6);
      await sink.flush();
      for (let i = 16; i < 20; i++) sink.write(live(i));
      assert.equal(sink.queued, 4, 'the bound is free again once the batch is written');
      await sink.close();
      assert.equal(sink.dropped, 6);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('bounds its queue in bytes too: a few events with long fields fill it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'snare-sink-'));
    try {
      const long = (i: number): SnareEvent => ({ ...live(i), user_agent: 'x'.repeat(60_000) });
      assert.ok(eventBytes(long(0)) > 60_000);
      assert.ok(eventBytes(live(0)) < 2_000);
      const sink = await openStoreSink(join(dir, 'x.duckdb'), {
        batchSize: 1000,
        maxQueued: 1000,
        maxQueuedBytes: 200_000,
        intervalMs: 10_000,
        enricher: { dataDate: null },
      });
      for (let i = 0; i < 10; i++) sink.write(long(i));
      assert.equal(sink.queued, 3, 'three events of 60,000 characters fit in 200,000 bytes');
      assert.equal(sink.dropped, 7);
      await sink.flush();
      for (let i = 10; i < 20; i++) sink.write(live(i));
      assert.equal(sink.queued, 10, 'the bound is free again once the queue is written');
      await sink.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
