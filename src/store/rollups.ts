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
 *     number evidence moves INVITEs to the abuse class and gives them a
 *     number, so their old contribution is appended negated and the new
 *     one added; a table with first and last times per class instead has
 *     the rows of the changed events' keys rebuilt (`regroup`).
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
  /**
   * Whether its rows depend on what store evidence changes (the message
   * class, the dialled number): their old contribution is subtracted and
   * the new one added (see `withRollupsAdjusted`).
   */
  readonly byEvidence: boolean;
  /**
   * For a table with first and last times by class, which a negated row
   * cannot narrow: the key columns whose rows store evidence rebuilds from
   * events instead (every row of the changed events' values of these keys).
   */
  readonly regroup?: readonly string[];
}

/** How two rows of one key combine: counts add up, first and last times widen, flags or. */
type Combine = 'sum' | 'first' | 'last' | 'or';
const SUM: Combine = 'sum';
const FIRST: Combine = 'first';
const LAST: Combine = 'last';
const OR: Combine = 'or';

/** The aggregate that combines rows of one key. */
const COMBINED: Record<Combine, string> = { sum: 'sum', first: 'min', last: 'max', or: 'bool_or' };

const REQ = `event = 'sip.request'`;
/** The user an extension-trying request aims at (the story's "extensions tried"). */
const EXT_USER = `coalesce(nullif(to_user, ''), ruri_user)`;
/** An event that tries an extension. */
const EXT = `(method IN ('REGISTER', 'INVITE', 'SUBSCRIBE', 'MESSAGE') AND ${EXT_USER} IS NOT NULL)`;
/** A request of the classes where users count (2 brute_force, 4 enumeration). */
const USER_CLASS = `(${REQ} AND (${PH_SQL}) IN (2, 4))`;
/** An event that authenticated: a configured password guessed, or the registrar said yes. */
const CRACKED = `(guess_source = 'configured' OR auth_ok)`;

/** The rollups; docs/store.md describes them, 0006_rollups.sql and 0007_story_rollups.sql create them. */
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
    byEvidence: true,
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
    byEvidence: false,
  },
  // The story of one source (0007; analysis/queries/source-story.ts). Their
  // first key is src_ip: they are written in its order (see `bySource`).
  {
    table: 'roll_source_hour',
    where: REQ,
    keys: [
      ['src_ip', 'src_ip'],
      ['sensor', 'sensor'],
      ['hr', `date_trunc('hour', ts)`],
      ['ph', PH_SQL],
    ],
    values: [
      ['n', 'count(*)', SUM],
      ['first_ts', 'min(ts)', FIRST],
      ['last_ts', 'max(ts)', LAST],
    ],
    byEvidence: true,
    regroup: ['src_ip', 'sensor', 'hr'],
  },
  {
    table: 'roll_source_method',
    where: 'TRUE',
    keys: [
      ['src_ip', 'src_ip'],
      ['sensor', 'sensor'],
      ['method', 'method'],
    ],
    values: [['n', 'count(*)', SUM]],
    byEvidence: false,
  },
  {
    // Per-user counts of the phase section (classes 2 and 4: `ph`, `c`) and
    // the extensions a source tried (`ext`), in one table: the same users.
    table: 'roll_source_target',
    where: `${USER_CLASS} OR ${EXT}`,
    keys: [
      ['src_ip', 'src_ip'],
      ['sensor', 'sensor'],
      ['ph', `CASE WHEN ${USER_CLASS} THEN ${PH_SQL} ELSE 0 END`],
      ['ext', `coalesce(${EXT}, false)`],
      ['auth_user', 'auth_user'],
      ['u', EXT_USER],
    ],
    values: [
      ['n', 'count(*)', SUM],
      [
        'c',
        `count_if(${REQ} AND ((${PH_SQL}) = 2 OR ((${PH_SQL}) = 4 AND method = 'REGISTER')))`,
        SUM,
      ],
    ],
    byEvidence: true,
  },
  {
    table: 'roll_source_cred',
    where: 'auth_user IS NOT NULL OR password_guess IS NOT NULL',
    keys: [
      ['src_ip', 'src_ip'],
      ['sensor', 'sensor'],
      ['req', REQ],
      ['auth_user', 'auth_user'],
      ['password_guess', 'password_guess'],
    ],
    values: [
      ['n', 'count(*)', SUM],
      ['ok', CRACKED, OR],
    ],
    byEvidence: false,
  },
  {
    table: 'roll_source_cracked',
    where: CRACKED,
    keys: [
      ['src_ip', 'src_ip'],
      ['sensor', 'sensor'],
      ['u', 'coalesce(auth_user, from_user)'],
      ['password_guess', 'password_guess'],
    ],
    values: [
      ['n', 'count(*)', SUM],
      ['first_ts', 'min(ts)', FIRST],
    ],
    byEvidence: false,
  },
  {
    table: 'roll_source_number',
    where: `method = 'INVITE' AND dialed_number IS NOT NULL`,
    keys: [
      ['src_ip', 'src_ip'],
      ['sensor', 'sensor'],
      ['dialed_number', 'dialed_number'],
      ['dst_cc', 'dst_cc'],
      ['number_type', 'number_type'],
    ],
    values: [
      ['n', 'count(*)', SUM],
      ['first_ts', 'min(ts)', FIRST],
    ],
    byEvidence: true,
  },
];

/** Whether a table is kept in source order (its first key is src_ip), for reads of one source. */
function bySource(r: Rollup): boolean {
  return r.keys[0]?.[0] === 'src_ip';
}

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
function append(r: Rollup, rows: string, sign: 1 | -1, order = ''): string {
  return `INSERT INTO ${r.table} (${columns(r).join(', ')}) ${aggregate(r, rows, sign)}${order}`;
}

/**
 * ` ORDER BY src_ip` for a table read one source at a time: written in
 * that order (full rebuild, compaction), each row group holds a narrow
 * range of addresses, and DuckDB skips the others by their min and max.
 */
function sourceOrder(r: Rollup): string {
  return bySource(r) ? ' ORDER BY src_ip' : '';
}

/**
 * One row per key, the rows of a key combined (counts as BIGINT); keys
 * whose events all went (n = 0) dropped. `where` narrows the rows read.
 */
export function compacted(r: Rollup, where = 'TRUE'): string {
  const values = r.values.map(([k, , kind]) =>
    kind === SUM ? `CAST(sum(${k}) AS BIGINT) AS ${k}` : `${COMBINED[kind]}(${k}) AS ${k}`,
  );
  return `SELECT ${[...r.keys.map(([k]) => k), ...values].join(', ')} FROM ${r.table}
    WHERE ${where} GROUP BY ALL HAVING sum(n) <> 0`;
}

/** The rows of `r` over event rows `rows` (the aggregation the table holds), for reading as it. */
export function aggregated(r: Rollup, rows: string): string {
  return aggregate(r, rows, 1);
}

/** The rollup of a table name. */
export function rollupOf(table: string): Rollup {
  const r = ROLLUPS.find((x) => x.table === table);
  if (r === undefined) throw new Error(`no rollup ${table}`);
  return r;
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
    `INSERT INTO ${r.table} (${columns(r).join(', ')}) SELECT * FROM rollup_compact${sourceOrder(r)}`,
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
 * The schema version whose rollup tables this code reads: a store read
 * as it is (read-only) at an older version has other tables, or none.
 */
export const ROLLUPS_SCHEMA = 7;

/**
 * True when these rollups and `source_rollup` (0005, read beside them) hold
 * every stored event (false for a store made before them, or read
 * unmigrated from before their current tables).
 */
export async function rollupsCurrent(db: Queryable): Promise<boolean> {
  try {
    const rows = await db.all(
      `SELECT count(*) FILTER (WHERE key = 'rollups' AND value = 'current') = 1
         AND count(*) FILTER (WHERE key = $1) = 0
         AND count(*) FILTER (WHERE key = 'schema_version' AND TRY_CAST(value AS INTEGER) >= $2) = 1
         AS ok FROM meta`,
      [ROLLUP_STALE_KEY, ROLLUPS_SCHEMA],
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
      await conn.run(append(r, 'SELECT * FROM events', 1, sourceOrder(r)));
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
  const negated = ROLLUPS.filter((r) => r.byEvidence && r.regroup === undefined);
  const regrouped = ROLLUPS.filter((r) => r.byEvidence && r.regroup !== undefined);
  await conn.run(`CREATE OR REPLACE TEMP TABLE rollup_changed AS ${ids}`);
  const rows = `SELECT * FROM events WHERE event_id IN (SELECT event_id FROM rollup_changed)`;
  await conn.run('BEGIN TRANSACTION');
  try {
    for (const r of negated) await conn.run(append(r, rows, -1));
    await update();
    for (const r of negated) await grew(conn, r, (await conn.run(append(r, rows, 1))).rowsChanged);
    for (const r of regrouped) await regroup(conn, r, rows);
    await conn.run('COMMIT');
  } catch (err) {
    await conn.run('ROLLBACK');
    throw err;
  } finally {
    await conn.run('DROP TABLE IF EXISTS rollup_changed');
    await conn.run('DROP TABLE IF EXISTS rollup_regroup');
  }
}

/**
 * Rebuilds from `events` every row of `r` whose `regroup` keys are those
 * of the changed event rows `rows` (inside the caller's transaction).
 */
async function regroup(conn: DuckDBConnection, r: Rollup, rows: string): Promise<void> {
  const keys = r.keys.filter(([k]) => r.regroup?.includes(k) === true);
  // Columns named g_<key>, so that unqualified names inside the key expressions mean the event's.
  await conn.run(`CREATE OR REPLACE TEMP TABLE rollup_regroup AS
    SELECT DISTINCT ${keys.map(([k, e]) => `${e} AS g_${k}`).join(', ')} FROM (${rows})`);
  const on = (expr: (k: string, e: string) => string): string =>
    keys.map(([k, e]) => `g_${k} = ${expr(k, e)}`).join(' AND ');
  await conn.run(
    `DELETE FROM ${r.table} USING rollup_regroup WHERE ${on((k) => `${r.table}.${k}`)}`,
  );
  const again = `SELECT * FROM events WHERE EXISTS (SELECT 1 FROM rollup_regroup WHERE ${on((_k, e) => e)})`;
  await grew(conn, r, (await conn.run(append(r, again, 1))).rowsChanged);
}
