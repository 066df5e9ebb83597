/**
 * @module
 * The rollups (docs/store.md, "Rollups"): pre-aggregated sums of `events`
 * that the dashboard's aggregate endpoints read instead of scanning every
 * event. Each table is a GROUP BY of the events by its key; this module
 * holds those aggregations once and applies them three ways:
 *   - in full (`rebuildRollups`): after an import, on a store migrated to
 *     them, and by the api bench after it generates its store;
 *   - per batch (`appendingRollups`): the store writer appends the sums of
 *     the rows it just inserted, in the same transaction;
 *   - around an update of stored rows (`withRollupsAdjusted`): store-wide
 *     number evidence moves INVITEs to the abuse class, so their old
 *     contribution is appended negated and the new one added.
 * Appending is cheap (no index: an index on the keys made the full rebuild
 * 13 times slower), so a key may have several rows and readers always sum
 * by key; a table that has grown by half since its last compaction is
 * rewritten as one row per key in the batch's transaction.
 * `meta.rollups` says whether they hold every stored event ('current') or
 * not ('stale': an import under way or cut short); readers check it and
 * scan `events` when they are stale.
 *
 * Must never put a value into SQL text: only fixed table and column names
 * and bound parameters.
 */
import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import { PH_SQL } from './phase-class.js';
import type { Queryable } from './queryable.js';
import { rebuildSourceRollup, ROLLUP_STALE_KEY, type RollupMode } from './source-rollup.js';

/** One rollup table: its key columns and summed columns, as SQL over event rows. */
export interface Rollup {
  readonly table: string;
  /** Only these rows count (SQL over an event row). */
  readonly where: string;
  /** Key column name and its expression. */
  readonly keys: readonly (readonly [string, string])[];
  /** Value column, its aggregate, and how two partial values combine. */
  readonly values: readonly (readonly [string, string, Combine])[];
  /** Whether its rows depend on the message class (store evidence can change it). */
  readonly byClass: boolean;
}

/** How two rows of one key combine: counts add up, first and last times widen. */
type Combine = 'sum' | 'first' | 'last';
const SUM: Combine = 'sum';
const FIRST: Combine = 'first';
const LAST: Combine = 'last';

const REQ = `event = 'sip.request'`;

/** The rollups; docs/store.md describes them and 0006_rollups.sql creates them. */
export const ROLLUPS: readonly Rollup[] = [
  {
    table: 'roll_hour',
    where: 'TRUE',
    keys: [
      ['hr', `date_trunc('hour', ts)`],
      ['sensor', 'sensor'],
      ['event', 'event'],
      ['method', `CASE WHEN ${REQ} THEN coalesce(method, '') ELSE '' END`],
      ['ph', `CASE WHEN ${REQ} THEN ${PH_SQL} ELSE 0 END`],
    ],
    values: [['n', 'count(*)', SUM]],
    byClass: true,
  },
  {
    table: 'roll_day_source',
    where: REQ,
    keys: [
      ['d', 'CAST(ts AS DATE)'],
      ['sensor', 'sensor'],
      ['src_ip', 'src_ip'],
      ['ph', PH_SQL],
    ],
    values: [
      ['n', 'count(*)', SUM],
      ['first_ts', 'min(ts)', FIRST],
      ['last_ts', 'max(ts)', LAST],
    ],
    byClass: true,
  },
  {
    table: 'roll_source_user',
    where: `${REQ} AND (${PH_SQL}) IN (2, 4)`,
    keys: [
      ['sensor', 'sensor'],
      ['src_ip', 'src_ip'],
      ['ph', PH_SQL],
      ['hu', `hash(coalesce(auth_user, nullif(to_user, ''), ruri_user))`],
    ],
    values: [
      ['n', 'count(*)', SUM],
      ['c', `count_if((${PH_SQL}) = 2 OR method = 'REGISTER')`, SUM],
    ],
    byClass: true,
  },
  {
    table: 'roll_source_password',
    where: `${REQ} AND password_guess IS NOT NULL`,
    keys: [
      ['sensor', 'sensor'],
      ['src_ip', 'src_ip'],
      ['password_guess', 'password_guess'],
    ],
    values: [['n', 'count(*)', SUM]],
    byClass: false,
  },
  {
    table: 'roll_ua',
    where: REQ,
    keys: [
      ['sensor', 'sensor'],
      ['label', `coalesce(ua_label, 'undefined')`],
      ['family', `coalesce(ua_family, '')`],
      ['category', `coalesce(ua_category, '')`],
      ['src_ip', 'src_ip'],
    ],
    values: [['n', 'count(*)', SUM]],
    byClass: false,
  },
];

/** Column names of a rollup, keys first, in the order of its table. */
function columns(r: Rollup): string[] {
  return [...r.keys.map(([k]) => k), ...r.values.map(([k]) => k)];
}

/** `SELECT keys, aggregates FROM (rows) WHERE ... GROUP BY keys`, negated when `sign` is -1. */
function aggregate(r: Rollup, rows: string, sign: 1 | -1): string {
  const keys = r.keys.map(([k, e]) => `${e} AS ${k}`);
  const values = r.values.map(([k, agg, kind]) =>
    sign === -1 && kind === SUM ? `-${agg} AS ${k}` : `${agg} AS ${k}`,
  );
  return `SELECT ${[...keys, ...values].join(', ')} FROM (${rows}) WHERE ${r.where} GROUP BY ALL`;
}

/** Appends the sums of `rows` to the table (a key may then have several rows). */
function append(r: Rollup, rows: string, sign: 1 | -1): string {
  return `INSERT INTO ${r.table} (${columns(r).join(', ')}) ${aggregate(r, rows, sign)}`;
}

/** One row per key, the rows of a key combined; keys whose events all went (n = 0) dropped. */
export function compacted(r: Rollup): string {
  const values = r.values.map(
    ([k, , kind]) => `${kind === SUM ? 'sum' : kind === FIRST ? 'min' : 'max'}(${k}) AS ${k}`,
  );
  return `SELECT ${[...r.keys.map(([k]) => k), ...values].join(', ')} FROM ${r.table}
    GROUP BY ALL HAVING sum(n) <> 0`;
}

/**
 * Rows appended to each table (per connection) since it was last compacted,
 * and its rows then: a table is compacted when it has grown by half.
 */
const growth = new WeakMap<DuckDBConnection, Map<string, { appended: number; base: number }>>();

/** Compaction waits for at least `minRows` appended rows (small stores compact seldom). */
export const ROLLUP_COMPACTION = { minRows: 50_000 };

async function rowCount(conn: DuckDBConnection, table: string): Promise<number> {
  const r = await conn.runAndReadAll(`SELECT count(*) AS n FROM ${table}`);
  return Number(r.getRowObjectsJS()[0]?.['n'] ?? 0);
}

/** Rewrites a table as one row per key (inside the caller's transaction). */
async function compact(conn: DuckDBConnection, r: Rollup): Promise<number> {
  await conn.run(`CREATE OR REPLACE TEMP TABLE rollup_compact AS ${compacted(r)}`);
  await conn.run(`DELETE FROM ${r.table}`);
  const res = await conn.run(
    `INSERT INTO ${r.table} (${columns(r).join(', ')}) SELECT * FROM rollup_compact`,
  );
  await conn.run('DROP TABLE rollup_compact');
  return res.rowsChanged;
}

/** Counts `added` rows appended to `r`, compacting it once it has grown by half. */
async function grew(conn: DuckDBConnection, r: Rollup, added: number): Promise<void> {
  let byTable = growth.get(conn);
  if (byTable === undefined) {
    byTable = new Map<string, { appended: number; base: number }>();
    growth.set(conn, byTable);
  }
  let g = byTable.get(r.table);
  if (g === undefined) {
    g = { appended: 0, base: await rowCount(conn, r.table) };
    byTable.set(r.table, g);
  }
  g.appended += added;
  if (g.appended >= Math.max(ROLLUP_COMPACTION.minRows, g.base / 2)) {
    g.base = await compact(conn, r);
    g.appended = 0;
  }
}

async function setState(conn: DuckDBConnection, state: 'current' | 'stale'): Promise<void> {
  await conn.run(`INSERT OR REPLACE INTO meta (key, value) VALUES ('rollups', $1)`, [state]);
}

/**
 * True when these rollups and `source_rollup` (0005, read beside them) hold
 * every stored event (false for a store made before them).
 */
export async function rollupsCurrent(db: Queryable): Promise<boolean> {
  try {
    const rows = await db.all(
      `SELECT count(*) FILTER (WHERE key = 'rollups' AND value = 'current') = 1
         AND count(*) FILTER (WHERE key = $1) = 0 AS ok FROM meta`,
      [ROLLUP_STALE_KEY],
    );
    return rows[0]?.['ok'] === true;
  } catch {
    return false;
  }
}

async function isCurrent(conn: DuckDBConnection): Promise<boolean> {
  const r = await conn.runAndReadAll(`SELECT value FROM meta WHERE key = 'rollups'`);
  return r.getRowObjectsJS()[0]?.['value'] === 'current';
}

/** Marks the rollups stale: what follows (an import) rebuilds them at its end. */
export async function markRollupsStale(conn: DuckDBConnection): Promise<void> {
  await setState(conn, 'stale');
}

/** Replaces every rollup with the aggregation of all stored events, in one transaction. */
export async function rebuildRollups(conn: DuckDBConnection): Promise<void> {
  await conn.run('BEGIN TRANSACTION');
  try {
    for (const r of ROLLUPS) {
      await conn.run(`DELETE FROM ${r.table}`);
      await conn.run(append(r, 'SELECT * FROM events', 1));
      growth.get(conn)?.delete(r.table);
    }
    await setState(conn, 'current');
    await conn.run('COMMIT');
  } catch (err) {
    await conn.run('ROLLBACK');
    throw err;
  }
}

/**
 * Rebuilds every pre-aggregation the dashboard reads: `source_rollup` and
 * the `roll_*` tables (for a store built by SQL, such as the api bench's).
 */
export async function rebuildAllRollups(conn: DuckDBConnection): Promise<void> {
  await rebuildSourceRollup(conn);
  await rebuildRollups(conn);
}

/** Rebuilds the rollups when they are stale (a store opened for writing for the first time since 0006). */
export async function ensureRollups(conn: DuckDBConnection): Promise<void> {
  if (!(await isCurrent(conn))) await rebuildRollups(conn);
}

/**
 * Runs `insert` (a batch's INSERT into `events`) and then appends the rows
 * it inserted (`FROM <from> WHERE <where>` with `params`: `events`, or the
 * writer's table of the batch) to the rollups, when `mode` is 'merge' and
 * they are current. Runs in the caller's transaction (the store writer's
 * rollBatch); returns the insert's result.
 */
export async function appendingRollups<T extends { readonly rowsChanged: number }>(
  conn: DuckDBConnection,
  mode: RollupMode,
  insert: () => Promise<T>,
  from: string,
  where: string,
  params: readonly DuckDBValue[],
): Promise<T> {
  const res = await insert();
  if (mode === 'merge' && res.rowsChanged > 0 && (await isCurrent(conn))) {
    for (const r of ROLLUPS) {
      const rows = `SELECT * FROM ${from} WHERE ${where}`;
      const added = await conn.run(append(r, rows, 1), [...params]);
      await grew(conn, r, added.rowsChanged);
    }
  }
  return res;
}

/**
 * Runs `update`, which changes the message class of the stored events whose
 * ids `ids` selects (a SELECT of event_id over `events`), keeping the
 * rollups that depend on the class exact: their old contribution is
 * subtracted before, the new one added after (rows summing to zero go).
 */
export async function withRollupsAdjusted(
  conn: DuckDBConnection,
  ids: string,
  update: () => Promise<void>,
): Promise<void> {
  if (!(await isCurrent(conn))) return update();
  const byClass = ROLLUPS.filter((r) => r.byClass);
  await conn.run(`CREATE OR REPLACE TEMP TABLE rollup_changed AS ${ids}`);
  const rows = `SELECT * FROM events WHERE event_id IN (SELECT event_id FROM rollup_changed)`;
  await conn.run('BEGIN TRANSACTION');
  try {
    for (const r of byClass) await conn.run(append(r, rows, -1));
    await update();
    for (const r of byClass) await grew(conn, r, (await conn.run(append(r, rows, 1))).rowsChanged);
    await conn.run('COMMIT');
  } catch (err) {
    await conn.run('ROLLBACK');
    throw err;
  } finally {
    await conn.run('DROP TABLE IF EXISTS rollup_changed');
  }
}
