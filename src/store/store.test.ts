import assert from 'node:assert/strict';
import { readFileSync, readdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { DuckDBInstance } from '@duckdb/node-api';
import { emptyEvent, type SnareEvent } from '../events/catalog.js';
import { rebuildCalls } from './calls.js';
import type { Enricher } from './enricher.js';
import { MIGRATIONS } from './migrations/index.js';
import { openStore, SCHEMA_VERSION, STORAGE_VERSION, type Store } from './store.js';
import { StoreWriter } from './writer.js';

const MIG_DIR = new URL('./migrations/', import.meta.url);

function ev(over: Partial<SnareEvent>): SnareEvent {
  return {
    ...emptyEvent(),
    event: 'sip.request',
    event_id: 'id-0',
    ts: '2011-12-27T19:48:38.000Z',
    sensor: 's1',
    src_ip: '192.0.2.1',
    method: 'REGISTER',
    ...over,
  };
}

async function rows(store: Store, sql: string): Promise<Record<string, unknown>[]> {
  return (await store.conn.runAndReadAll(sql)).getRowObjectsJS();
}

/** The storage format DuckDB records for the store's file ('v1.3.0+'). */
async function storageVersion(store: Store): Promise<unknown> {
  const r = await rows(
    store,
    "SELECT tags['storage_version'] AS v FROM duckdb_databases() WHERE database_name = current_database()",
  );
  return r[0]?.['v'];
}

describe('store', () => {
  it('reads every migration file beside it, numbered 1, 2, 3... in order', () => {
    const files = readdirSync(MIG_DIR)
      .filter((f) => /^\d{4}_.*\.sql$/.test(f))
      .sort();
    assert.ok(files.length >= 2);
    assert.deepEqual(
      MIGRATIONS.map((m) => `${m.name}.sql`),
      files,
    );
    assert.deepEqual(
      MIGRATIONS.map((m) => m.version),
      files.map((_, i) => i + 1),
    );
    for (const m of MIGRATIONS) {
      assert.equal(m.sql, readFileSync(new URL(`${m.name}.sql`, MIG_DIR), 'utf8'), m.name);
    }
  });

  it('creates a file store, records the schema version and reopens without re-migrating', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'snare-store-'));
    try {
      const path = join(dir, 'sub', 'x.duckdb');
      const a = await openStore(path);
      assert.equal(a.version, SCHEMA_VERSION);
      assert.equal(await storageVersion(a), `${STORAGE_VERSION}+`);
      assert.equal(await a.getMeta('schema_version'), String(SCHEMA_VERSION));
      await a.setMeta('k', 'v');
      a.close();
      a.close();
      const b = await openStore(path);
      assert.equal(await b.getMeta('k'), 'v');
      assert.equal(b.version, SCHEMA_VERSION);
      b.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('opens a store made in the older storage format, migrates and writes it, keeping its format', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'snare-store-'));
    try {
      const path = join(dir, 'old.duckdb');
      const made = await DuckDBInstance.create(path); // DuckDB's default format
      const conn = await made.connect();
      await conn.run('CREATE TABLE before_store (x INTEGER)');
      conn.closeSync();
      made.closeSync();
      const store = await openStore(path);
      try {
        const old = await storageVersion(store);
        assert.notEqual(old, `${STORAGE_VERSION}+`);
        const w = await StoreWriter.create(store, { enricher: { dataDate: null }, gapMinutes: 60 });
        w.appendEvent(ev({ event_id: 'a' }), 'jsonl');
        assert.deepEqual(await w.close(), { added: 1, duplicates: 0 });
        await store.conn.run('CHECKPOINT');
        assert.deepEqual(await rows(store, 'SELECT event_id FROM events'), [{ event_id: 'a' }]);
        assert.equal(await storageVersion(store), old);
      } finally {
        store.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('stores events once per event_id, even when staged twice or re-imported', async () => {
    const store = await openStore(':memory:');
    try {
      const w = await StoreWriter.create(store, { enricher: { dataDate: null }, gapMinutes: 60 });
      w.appendEvent(ev({ event_id: 'a' }), 'jsonl');
      w.appendEvent(ev({ event_id: 'a' }), 'jsonl');
      w.appendEvent(ev({ event_id: 'b', user_agent: '' }), 'jsonl');
      assert.deepEqual(await w.flush(), { added: 2, duplicates: 1 });
      w.appendEvent(ev({ event_id: 'b' }), 'jsonl');
      assert.deepEqual(await w.flush(), { added: 0, duplicates: 1 });
      await w.close();
      const r = await rows(
        store,
        'SELECT event_id, ua_label, origin FROM events ORDER BY event_id',
      );
      assert.deepEqual(r, [
        { event_id: 'a', ua_label: 'undefined', origin: 'jsonl' },
        { event_id: 'b', ua_label: 'undefined', origin: 'jsonl' },
      ]);
    } finally {
      store.close();
    }
  });

  it('keeps hostile strings byte for byte', async () => {
    const store = await openStore(':memory:');
    try {
      const nasty = `'); DROP TABLE events; --\n"\\x00\r\u2028é\u0000`;
      const w = await StoreWriter.create(store, { enricher: { dataDate: null }, gapMinutes: 60 });
      w.appendEvent(ev({ user_agent: nasty, from_user: nasty }), 'jsonl');
      await w.close();
      const r = await rows(store, 'SELECT user_agent, from_user, ua_label FROM events');
      assert.deepEqual(r, [{ user_agent: nasty, from_user: nasty, ua_label: nasty }]);
    } finally {
      store.close();
    }
  });

  it('enriches once per distinct value and unifies INVITE bursts into calls', async () => {
    const store = await openStore(':memory:');
    const seen = { ip: 0, ua: 0, bursts: [] as string[][] };
    const enricher: Enricher = {
      dataDate: '2026-06-17',
      ip: (ip) => {
        seen.ip++;
        return { src_cc: ip.startsWith('192.') ? 'BR' : 'US', src_asn: 64500, src_as_name: 'X' };
      },
      userAgent: (ua) => {
        seen.ua++;
        return { ua_label: ua === '' ? 'undefined' : ua, ua_family: 'F', ua_category: 'scanner' };
      },
      burst: (dialed) => {
        seen.bursts.push([...dialed]);
        return dialed.map(() => ({
          dialed_number: '+972598285108',
          dst_cc: 'IL',
          number_type: 'MOBILE',
          number_kind: 'external',
        }));
      },
    };
    try {
      const w = await StoreWriter.create(store, { enricher, gapMinutes: 60 });
      const base = Date.parse('2011-12-27T10:00:00Z');
      const at = (min: number): string => new Date(base + min * 60_000).toISOString();
      // Two bursts from one source (gap of 2 h), one INVITE from another, masked source.
      const invites: [string, number, string][] = [
        ['192.0.2.1', 0, '00972598285108'],
        ['192.0.2.1', 30, '000972598285108'],
        ['192.0.2.1', 80, '900972598285108'],
        ['192.0.2.1', 200, '00972598285108'],
        ['198.51.100.7', 5, '972598285108'],
        ['210.184.X.Y', 5, '972598285108'],
      ];
      invites.forEach(([ip, min, dialed], i) => {
        w.appendEvent(
          ev({
            event_id: `i${i}`,
            src_ip: ip,
            ts: at(min),
            method: 'INVITE',
            dialed,
            user_agent: 'Z',
          }),
          'jsonl',
        );
      });
      w.appendEvent(ev({ event_id: 'r', ts: at(1) }), 'jsonl');
      await w.close();
      assert.equal(seen.ip, 2, 'two real addresses looked up once each; masked skipped');
      assert.equal(seen.ua, 2);
      assert.deepEqual(
        seen.bursts.sort((a, b) => b.length - a.length),
        [
          ['00972598285108', '000972598285108', '900972598285108'],
          ['00972598285108'],
          ['972598285108'],
          ['972598285108'],
        ],
      );
      const masked = await rows(store, "SELECT src_cc FROM events WHERE src_ip = '210.184.X.Y'");
      assert.deepEqual(masked, [{ src_cc: null }]);
      assert.equal(await rebuildCalls(store.conn, 60), 4);
      const calls = await rows(
        store,
        "SELECT src_ip, invites, src_cc, dst_cc FROM calls WHERE src_ip = '192.0.2.1' ORDER BY first_ts",
      );
      assert.deepEqual(calls, [
        { src_ip: '192.0.2.1', invites: 3, src_cc: 'BR', dst_cc: 'IL' },
        { src_ip: '192.0.2.1', invites: 1, src_cc: 'BR', dst_cc: 'IL' },
      ]);
      assert.equal(await rebuildCalls(store.conn, 180), 3, 'a wider gap joins the bursts');
    } finally {
      store.close();
    }
  });
});
