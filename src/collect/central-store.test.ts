import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { DuckDBInstance } from '@duckdb/node-api';
import { emptyEvent, type SnareEvent } from '../events/catalog.js';
import { EventIdGenerator } from '../events/event-id.js';
import { NO_ENRICHMENT } from '../store/enricher.js';
import type { Queryable } from '../store/queryable.js';
import { CentralStore, WRITE_THREADS } from './central-store.js';

const ids = new EventIdGenerator();

function event(i: number): SnareEvent {
  return {
    ...emptyEvent(),
    event: 'sip.request',
    event_id: ids.next(),
    ts: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(),
    sensor: 'hp01',
    transport: 'udp',
    src_ip: '192.0.2.5',
    method: 'REGISTER',
  };
}

async function threadsOn(db: Queryable): Promise<number> {
  const rows = await db.all(`SELECT current_setting('threads') AS t`);
  return Number(rows[0]?.['t']);
}

async function duckdbDefaultThreads(): Promise<number> {
  const inst = await DuckDBInstance.create(':memory:');
  const conn = await inst.connect();
  try {
    const r = await conn.runAndReadAll(`SELECT current_setting('threads') AS t`);
    return Number(r.getRowObjectsJS()[0]?.['t']);
  } finally {
    conn.closeSync();
    inst.closeSync();
  }
}

describe('CentralStore', () => {
  it('writes batches with one DuckDB thread and gives reads all of them back', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'snare-central-'));
    const store = new CentralStore({
      path: join(dir, 'c.duckdb'),
      enricher: NO_ENRICHMENT,
      gapMinutes: 5,
    });
    try {
      const batch = [event(1), event(2), event(3)];
      assert.deepEqual(await store.commit(batch), { added: 3, duplicates: 0 });
      assert.deepEqual(await store.commit([batch[0] as SnareEvent, event(4)]), {
        added: 1,
        duplicates: 1,
      });
      const writing = await store.exclusive(async (s) => {
        const r = await s.conn.runAndReadAll(`SELECT current_setting('threads') AS t`);
        return Number(r.getRowObjectsJS()[0]?.['t']);
      });
      assert.equal(writing, WRITE_THREADS);
      const all = Math.max(WRITE_THREADS, await duckdbDefaultThreads());
      // Two reads overlapping: the threads stay raised until the last one ends.
      let releaseFirst!: () => void;
      const firstHolds = new Promise<void>((r) => {
        releaseFirst = r;
      });
      const first = store.read(async (db) => {
        const t = await threadsOn(db);
        await firstHolds;
        return t;
      });
      const second = await store.read(async (db) => {
        const rows = await db.all('SELECT count(*) AS n FROM events');
        return { t: await threadsOn(db), n: Number(rows[0]?.['n']) };
      });
      const during = await store.read((db) => threadsOn(db));
      releaseFirst();
      assert.equal(await first, all);
      assert.deepEqual(second, { t: all, n: 4 });
      assert.equal(during, all);
      const after = await store.exclusive(async (s) => {
        const r = await s.conn.runAndReadAll(`SELECT current_setting('threads') AS t`);
        return Number(r.getRowObjectsJS()[0]?.['t']);
      });
      assert.equal(after, WRITE_THREADS);
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
