/**
 * @module
 * The rollups' upkeep (docs/store.md, "Rollups"): pre-aggregated sums of
 * `events` that the dashboard's aggregate endpoints read instead of
 * scanning every event. Each table is a GROUP BY of the events by its key
 * (rollup-tables.ts); this module applies those aggregations three ways:
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
import { append, columns, compacted, ROLLUPS, sourceOrder, type Rollup } from './rollup-tables.js';
import type { Queryable } from './queryable.js';
import { rebuildSourceRollup, ROLLUP_STALE_KEY, type RollupMode } from './source-rollup.js';

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
