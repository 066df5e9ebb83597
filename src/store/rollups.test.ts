import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { command as ingest } from '../cli/commands/ingest.js';
import { command as simulate } from '../cli/commands/simulate.js';
import { emptyEvent, type SnareEvent } from '../events/catalog.js';
import { queryHourlyPhases, queryTrafficUserAgents } from '../analysis/queries/browse.js';
import { queryPhases } from '../analysis/queries/phases.js';
import { querySummary } from '../analysis/queries/summary.js';
import { querySourceStory, storyInput } from '../analysis/queries/source-story.js';
import { analysePhases, PHASE_DEFAULTS, phaseBits } from '../analysis/phase-rules.js';
import type { ReportFilter } from '../analysis/filter.js';
import { rebuildCalls } from './calls.js';
import { loadEnricher } from './enricher.js';
import { queryable, type Queryable } from './queryable.js';
import { compacted, ROLLUPS } from './rollup-tables.js';
import { ROLLUP_COMPACTION, rebuildRollups, rollupsCurrent } from './rollups.js';
import { openStore, type Store } from './store.js';
import { StoreWriter } from './writer.js';

const sink = (): Writable =>
  new Writable({
    write(_c, _e, cb) {
      cb();
    },
  });
const io = () => ({ stdout: sink(), stderr: sink(), stopSignal: new AbortController().signal });

/** Each rollup table as sorted rows, one per key (as readers sum them), for comparison. */
async function tables(store: Store): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const r of ROLLUPS) {
    const rows = (await store.conn.runAndReadAll(compacted(r))).getRowObjectsJS();
    out[r.table] = rows
      .map((x) => JSON.stringify(x, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v)))
      .sort();
  }
  return out;
}

/**
 * Sources whose stories are compared: the busiest, a few others in address
 * order, and those of the store-evidence INVITEs of the live test.
 */
async function storySources(db: Queryable): Promise<string[]> {
  const rows = await db.all(`SELECT src_ip FROM (
      (SELECT src_ip FROM events GROUP BY src_ip ORDER BY count(*) DESC, src_ip LIMIT 4)
      UNION (SELECT src_ip FROM events GROUP BY src_ip ORDER BY src_ip LIMIT 4)
      UNION (SELECT DISTINCT src_ip FROM events WHERE src_ip IN ('203.0.113.7', '203.0.113.9')))
    ORDER BY src_ip`);
  return rows.map((r) => String(r['src_ip']));
}

/** What the API's aggregate queries answer for `filter` (phases classified on the defaults). */
async function answers(db: Queryable, filter: ReportFilter): Promise<unknown> {
  const { activity, daily } = await queryPhases(db, filter, (a) => phaseBits(a, PHASE_DEFAULTS));
  const stories: Record<string, unknown> = {};
  for (const ip of await storySources(db)) stories[ip] = await querySourceStory(db, filter, ip);
  return {
    summary: await querySummary(db, filter),
    hourly: await queryHourlyPhases(db, filter, 10_000),
    phases: analysePhases(activity, daily, PHASE_DEFAULTS, 100_000),
    activity,
    user_agents: await queryTrafficUserAgents(db, filter, 1000),
    stories,
  };
}

/** The same answers by scanning `events` (the rollups marked stale for the call). */
async function scanned(store: Store, filter: ReportFilter): Promise<unknown> {
  await store.setMeta('rollups', 'stale');
  try {
    return await answers(queryable(store.conn), filter);
  } finally {
    await store.setMeta('rollups', 'current');
  }
}

const SCOPES: ReportFilter[] = [{}, { sensor: 'hp2' }, { from: '2011-03-02', to: '2011-03-02' }];

/** Rollups equal a rebuild from scratch, and every query equals its scan, for each scope. */
async function assertExact(store: Store): Promise<void> {
  const db = queryable(store.conn);
  assert.equal(await rollupsCurrent(db), true);
  const kept = await tables(store);
  await rebuildRollups(store.conn);
  assert.deepEqual(kept, await tables(store));
  assert.equal(await storyInput(db, {}), 'rollups');
  assert.equal(await storyInput(db, { sensor: 'hp2' }), 'rollups');
  for (const f of SCOPES) {
    const rolled = await answers(db, f);
    assert.deepEqual(rolled, await scanned(store, f), `scope ${JSON.stringify(f)}`);
  }
}

const root = mkdtempSync(join(tmpdir(), 'sipsnare-rollups-'));
after(() => {
  rmSync(root, { recursive: true, force: true });
});

describe('rollups', () => {
  let lines: SnareEvent[] = [];
  let files: string[] = [];
  before(async () => {
    const dir = join(root, 'sim');
    const args = ['--out', dir, '--days', '2', '--sensors', '3', '--scale', '0.05'];
    const code = await simulate.run(
      [...args, '--seed', 'rollups', '--format', 'jsonl', '--start', '2011-03-01'],
      io(),
    );
    assert.equal(code, 0);
    files = readdirSync(dir)
      .filter((f) => f.startsWith('hp'))
      .map((f) => join(dir, f));
    lines = files.flatMap((f) =>
      readFileSync(f, 'utf8')
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => ({ ...emptyEvent(), ...(JSON.parse(l) as Partial<SnareEvent>) })),
    );
    assert.ok(lines.length > 1000, `simulated ${lines.length} events`);
  });

  it('after an import equal a fresh aggregation, and the queries equal their scans', async () => {
    const db = join(root, 'import.duckdb');
    assert.equal(await ingest.run(['--db', db, ...files], io()), 0);
    const store = await openStore(db);
    try {
      assert.ok(Number((await tables(store))['roll_hour']?.length) > 10);
      await assertExact(store);
    } finally {
      store.close();
    }
  });

  it('are not read from a store at an older schema (its rollup tables are others)', async () => {
    const store = await openStore(':memory:');
    try {
      const db = queryable(store.conn);
      await rebuildRollups(store.conn);
      assert.equal(await rollupsCurrent(db), true);
      assert.equal(await storyInput(db, {}), 'rollups');
      await store.setMeta('schema_version', '6');
      assert.equal(await rollupsCurrent(db), false);
      assert.equal(await storyInput(db, {}), 'events');
    } finally {
      store.close();
    }
  });

  it('after live writer batches (and store-wide number evidence) equal the same', async () => {
    const store = await openStore(':memory:');
    try {
      const w = await StoreWriter.create(store, { enricher: await loadEnricher(), gapMinutes: 60 });
      // Compact after a few batches, so the test sees appended and compacted rows.
      ROLLUP_COMPACTION.minRows = 20;
      const duplicates = async (): Promise<number> =>
        Number(
          (
            await store.conn.runAndReadAll(
              'SELECT count(*) - count(DISTINCT (hr, sensor, event, method, ph)) AS d FROM roll_hour',
            )
          ).getRowObjectsJS()[0]?.['d'],
        );
      const seen: number[] = [];
      // Batches of 700 in arrival order, as the live sink commits them; every
      // tenth event twice (a duplicate must not count).
      for (let i = 0; i < lines.length; i += 700) {
        for (const [k, ev] of lines.slice(i, i + 700).entries()) {
          w.appendEvent(ev, 'sensor');
          if (k % 10 === 0) w.appendEvent(ev, 'sensor');
        }
        await w.flush();
        seen.push(await duplicates());
      }
      // A bare national number resolved only by another source's full one:
      // store evidence moves these INVITEs to the abuse class.
      const invite = (id: string, src_ip: string, dialed: string, ts = '10:00:00'): SnareEvent => ({
        ...emptyEvent(),
        event: 'sip.request',
        event_id: id,
        ts: `2011-03-02T${ts}.000Z`,
        sensor: 'hp2',
        src_ip,
        method: 'INVITE',
        dialed,
        to_user: dialed,
      });
      w.appendEvent(invite('x1', '203.0.113.9', '83810442079460000'), 'sensor');
      w.appendEvent(invite('x2', '203.0.113.7', '00442079460000'), 'sensor');
      // An INVITE to an extension in the same hour keeps the first one's
      // class: its first and last in the story must no longer count the moved one.
      w.appendEvent(invite('x3', '203.0.113.9', '100', '10:00:30'), 'sensor');
      await w.close();
      ROLLUP_COMPACTION.minRows = 50_000;
      assert.ok(Math.max(...seen) > 0, 'keys with several rows (appended by batches)');
      assert.ok(
        seen.some((d, i) => i > 0 && d < (seen[i - 1] ?? 0)),
        `a compaction merged them: ${seen.join(' ')}`,
      );
      const before = await tables(store);
      await rebuildCalls(store.conn, 60);
      assert.notDeepEqual(await tables(store), before, 'evidence changed a class');
      await assertExact(store);
    } finally {
      store.close();
    }
  });
});
