import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { emptyEvent, type SnareEvent } from '../events/catalog.js';
import { queryNumberMethods } from '../analysis/queries/destinations.js';
import { rebuildCalls } from './calls.js';
import { loadEnricher } from './enricher.js';
import { queryable } from './queryable.js';
import { openStore, type Store } from './store.js';
import { StoreWriter } from './writer.js';

async function rows(store: Store, sql: string): Promise<Record<string, unknown>[]> {
  return (await store.conn.runAndReadAll(sql)).getRowObjectsJS();
}

/** Stores INVITEs [source, minute, dialed] with the real number enrichment, then rebuilds calls. */
async function storeInvites(invites: readonly [string, number, string][]): Promise<Store> {
  const store = await openStore(':memory:');
  const enricher = await loadEnricher();
  const w = await StoreWriter.create(store, { enricher, gapMinutes: 60 });
  const base = Date.parse('2026-03-01T10:00:00Z');
  invites.forEach(([src_ip, min, dialed], i) => {
    const ts = new Date(base + min * 60_000).toISOString();
    const e: SnareEvent = {
      ...emptyEvent(),
      event: 'sip.request',
      event_id: `i${i}`,
      sensor: 's1',
      src_ip,
      ts,
      method: 'INVITE',
      dialed,
    };
    w.appendEvent(e, 'jsonl');
  });
  await w.close();
  await rebuildCalls(store.conn, 60);
  return store;
}

describe('store-wide number evidence', () => {
  it('gives a bare national number the number other sources dialled in full', async () => {
    const store = await storeInvites([
      ['198.51.100.1', 0, '011' + '15515550123'],
      ['198.51.100.2', 5, '+15515550123'],
      ['203.0.113.9', 10, '5515550123'], // US national part, no country code
      ['203.0.113.9', 200, '83810442079460000'], // junk + 810: unconfirmed alone
      ['203.0.113.7', 20, '00442079460000'], // ...another source dials it in full
      ['203.0.113.8', 30, '4155550199'], // national part of nothing in the store
    ]);
    try {
      const got = await rows(
        store,
        `SELECT src_ip, dialed, dialed_number, number_kind, number_method FROM events ORDER BY event_id`,
      );
      assert.deepEqual(
        got.map((r) => [r['dialed'], r['dialed_number'], r['number_method']]),
        [
          ['01115515550123', '+15515550123', 'alone'],
          ['+15515550123', '+15515550123', 'alone'],
          ['5515550123', '+15515550123', 'store'],
          ['83810442079460000', '+442079460000', 'store'],
          ['00442079460000', '+442079460000', 'alone'],
          ['4155550199', null, null],
        ],
      );
      const calls = await rows(
        store,
        `SELECT dialed_number, number_method, count(*)::INTEGER AS n FROM calls
         GROUP BY ALL ORDER BY ALL`,
      );
      assert.deepEqual(
        calls.map((r) => [r['dialed_number'], r['number_method'], r['n']]),
        [
          ['+15515550123', 'alone', 2],
          ['+15515550123', 'store', 1],
          ['+442079460000', 'alone', 1],
          ['+442079460000', 'store', 1],
        ],
      );
      // The report says how much of its destination tables rests on each method.
      const methods = await queryNumberMethods(queryable(store.conn), {});
      assert.deepEqual(
        methods.map((m) => [m.method, m.count, m.share]),
        [
          ['alone', 3, 0.6],
          ['store', 2, 0.4],
        ],
      );
    } finally {
      store.close();
    }
  });

  it('takes no evidence from the string’s own source', async () => {
    const store = await storeInvites([
      ['198.51.100.1', 0, '00442079460000'],
      ['198.51.100.1', 200, '83810442079460000'], // only its own source dialled it in full
    ]);
    try {
      const got = await rows(store, `SELECT dialed_number FROM events ORDER BY event_id`);
      assert.deepEqual(
        got.map((r) => r['dialed_number']),
        ['+442079460000', null],
      );
    } finally {
      store.close();
    }
  });
});
