/**
 * @module
 * `source_rollup` against the events it sums, on stores filled the two real
 * ways: simulated traffic imported by `ingestPaths` (deferred, rebuilt at
 * the end) and the same events written live through the store sink in
 * small batches (merged batch by batch, with repeated events). On both,
 * the table must equal a from-scratch aggregation of `events`, and every
 * sources list read from it must equal the list computed from the events,
 * page by page, for every sort, order and filter.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import {
  querySourceList,
  sourceListInput,
  SOURCE_SORTS,
  type SourceListInput,
  type SourceQuery,
  type SourceSort,
} from '../../src/analysis/queries/source-list.js';
import type { ReportFilter } from '../../src/analysis/filter.js';
import { command as simulate } from '../../src/cli/commands/simulate.js';
import { validateEvent, type SnareEvent } from '../../src/events/catalog.js';
import { ingestPaths } from '../../src/ingest/pipeline.js';
import { loadEnricher, type Enricher } from '../../src/store/enricher.js';
import { queryable, type Queryable, type Row } from '../../src/store/queryable.js';
import { openStoreSink } from '../../src/store/sink.js';
import { ROLLUP_KEY, rollupSelect } from '../../src/store/source-rollup.js';
import { openStore, type Store } from '../../src/store/store.js';

const root = mkdtempSync(join(tmpdir(), 'sipsnare-rollup-'));
const sim = join(root, 'sim');

function sink(): Writable {
  return new Writable({
    write: (_c, _e, cb) => {
      cb();
    },
  });
}

/** The simulated events of every sensor file, as the sensor would hand them over. */
function simulatedEvents(): SnareEvent[] {
  const out: SnareEvent[] = [];
  for (const f of readdirSync(sim).filter((n) => n.endsWith('.jsonl'))) {
    for (const line of readFileSync(join(sim, f), 'utf8').split('\n')) {
      if (line === '') continue;
      const v = validateEvent(JSON.parse(line));
      if (v.ok) out.push(v.event);
    }
  }
  return out;
}

async function rows(store: Store, sql: string): Promise<Row[]> {
  return queryable(store.conn).all(sql);
}

/** The table equals the aggregation of every stored event, row for row. */
async function assertRollupExact(store: Store): Promise<void> {
  const order = `ORDER BY ${ROLLUP_KEY.join(', ')}`;
  const have = await rows(store, `SELECT * FROM source_rollup ${order}`);
  const want = await rows(store, `SELECT * FROM (${rollupSelect('TRUE')}) ${order}`);
  assert.ok(want.length > 20, `too few rollup rows to be a test (${want.length})`);
  assert.deepEqual(have, want);
}

/** Every page of a list, in order. */
async function allPages(
  db: Queryable,
  filter: ReportFilter,
  q: SourceQuery,
  input: SourceListInput,
): Promise<Row[]> {
  const out: Row[] = [];
  let cursor: string | undefined;
  for (let i = 0; i < 1000; i++) {
    const page = await querySourceList(db, filter, { ...q, ...(cursor ? { cursor } : {}) }, input);
    assert.equal(page.input, input);
    out.push(...page.items);
    if (page.next_cursor === null) return out;
    cursor = page.next_cursor;
  }
  throw new Error('no last page');
}

/** Lists from the rollup equal lists from the events for every sort, order and filter. */
async function assertListsAgree(store: Store): Promise<void> {
  const db = queryable(store.conn);
  assert.equal(await sourceListInput(db, {}), 'rollup');
  assert.equal(await sourceListInput(db, { from: '2011-09-01' }), 'events');
  const [top] = await rows(
    store,
    `SELECT src_cc, src_asn, ua_label, sensor, src_ip FROM events
     WHERE src_cc IS NOT NULL ORDER BY event_id LIMIT 1`,
  );
  assert.ok(top !== undefined);
  const filters: Partial<SourceQuery>[] = [
    {},
    { cc: String(top['src_cc']) },
    { asn: Number(top['src_asn']) },
    { ip: String(top['src_ip']).slice(0, 3) },
    { user_agent: String(top['ua_label']).slice(0, 4).toUpperCase() },
    { min_messages: 50 },
  ];
  const scopes: ReportFilter[] = [{}, { sensor: String(top['sensor']) }];
  let compared = 0;
  for (const sort of Object.keys(SOURCE_SORTS) as SourceSort[]) {
    for (const order of ['asc', 'desc'] as const) {
      for (const [i, f] of filters.entries()) {
        // Every sort on the whole list; the filters on one sort each way.
        if (i > 0 && sort !== 'messages') continue;
        for (const scope of scopes) {
          const q: SourceQuery = { sort, order, limit: 7, ...f };
          const fromRollup = await allPages(db, scope, q, 'rollup');
          const fromEvents = await allPages(db, scope, q, 'events');
          assert.deepEqual(fromRollup, fromEvents, JSON.stringify({ scope, q }));
          compared += fromRollup.length;
        }
      }
    }
  }
  assert.ok(compared > 500, `too few rows compared (${compared})`);
}

describe('source_rollup on simulated traffic', () => {
  let enricher: Enricher;
  let events: SnareEvent[];
  before(async () => {
    const io = { stdout: sink(), stderr: sink(), stopSignal: new AbortController().signal };
    const args = ['--out', sim, '--days', '1', '--sensors', '2', '--scale', '0.02'];
    const code = await simulate.run([...args, '--seed', 'rollup', '--format', 'jsonl'], io);
    assert.equal(code, 0);
    enricher = await loadEnricher();
    events = simulatedEvents();
  });
  after(() => {
    rmSync(root, { recursive: true, force: true });
  });

  it('after an import equals the events it sums, and so do the lists', async () => {
    const store = await openStore(join(root, 'import.duckdb'));
    try {
      const files = readdirSync(sim)
        .filter((n) => n.endsWith('.jsonl'))
        .map((n) => join(sim, n));
      const r = await ingestPaths(store, files, { enricher, gapMinutes: 60 });
      assert.equal(r.events, events.length);
      await assertRollupExact(store);
      await assertListsAgree(store);
    } finally {
      store.close();
    }
  });

  it('after live batches (repeats included) equals the events it sums', async () => {
    const s = await openStoreSink(join(root, 'live.duckdb'), { batchSize: 400, enricher });
    try {
      // Some events twice, across batches: the writer stores them once, the rollup counts them once.
      for (const [i, ev] of events.entries()) {
        s.write(ev);
        if (i % 97 === 0) s.write({ ...(events[Math.max(0, i - 500)] ?? ev) });
        if (i % 1000 === 999) await s.flush();
      }
      await s.flush();
      const [n] = await rows(s.store, 'SELECT count(*) AS n FROM events');
      assert.equal(n?.['n'], events.length);
      await assertRollupExact(s.store);
      await assertListsAgree(s.store);
    } finally {
      await s.close();
    }
  });
});
