/**
 * @module
 * The `source_rollup` table (migration 0005, docs/store.md): additive
 * counts per source address, sensor, country, AS and user-agent label and
 * category (0007: the category of a source's story).
 * The sources list (analysis/queries/browse.ts) sums its few rows per
 * source instead of grouping every event; the aggregates that do not add
 * up (the most common country or user agent, distinct sensors) are taken
 * at read time from these rows, which keep the values apart.
 *
 * Kept current three ways, all from the one aggregation `ROLLUP_SELECT`:
 * `mergeSourceRollup` folds the events of one written batch in (the store
 * writer, inside the batch's transaction); `rebuildSourceRollup` replaces
 * the table from every event (after an import, and for stores built by
 * SQL); migration 0005 filled it once from the events stored before it.
 * No other code writes the grain's columns of `events` after insert (store
 * evidence only fills in dialled numbers), so the table stays a pure
 * function of `events`.
 *
 * Must never put a value into SQL text: callers pass conditions with `$n`
 * placeholders and their values.
 */
import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';

/** How the table follows written batches (see StoreWriter's `sourceRollup` option). */
export type RollupMode = 'merge' | 'defer';

/**
 * The `meta` key set while batches were written without folding them in
 * (an import in progress or cut short): readers must not trust the table
 * until `rebuildSourceRollup` clears it.
 */
export const ROLLUP_STALE_KEY = 'source_rollup_stale';

/** The columns that identify a rollup row; the others are counts. */
export const ROLLUP_KEY = [
  'src_ip',
  'sensor',
  'src_cc',
  'src_asn',
  'src_as_name',
  'ua_label',
  'ua_category',
];

/**
 * Rollup rows of the events `FROM events WHERE <where>`: the aggregation
 * the table holds, and the one the sources list runs over events itself
 * when its scope is a time window the table cannot answer.
 */
export function rollupSelect(where: string, from = 'events'): string {
  return `SELECT ${ROLLUP_KEY.join(', ')}, count(*) AS messages, min(ts) AS first_ts,
    max(ts) AS last_ts, count(*) FILTER (WHERE method = 'REGISTER') AS registers,
    count(*) FILTER (WHERE method = 'INVITE') AS invites,
    count(*) FILTER (WHERE auth_user IS NOT NULL) AS auth_attempts,
    bool_or(guess_source = 'configured' OR auth_ok) AS cracked
  FROM ${from} WHERE ${where} GROUP BY ${ROLLUP_KEY.join(', ')}`;
}

/** `bool_or` of two partial results (null: no event said either way). */
const CRACKED_MERGED = `CASE WHEN t.cracked IS NULL THEN d.cracked WHEN d.cracked IS NULL THEN t.cracked
  ELSE t.cracked OR d.cracked END`;

/** Folds rollup rows `d` into the table: counts add up, times widen. */
function mergeSql(where: string, from: string): string {
  return `MERGE INTO source_rollup t USING (${rollupSelect(where, from)}) d
  ON ${ROLLUP_KEY.map((k) => `t.${k} IS NOT DISTINCT FROM d.${k}`).join(' AND ')}
  WHEN MATCHED THEN UPDATE SET messages = t.messages + d.messages,
    first_ts = least(t.first_ts, d.first_ts), last_ts = greatest(t.last_ts, d.last_ts),
    registers = t.registers + d.registers, invites = t.invites + d.invites,
    auth_attempts = t.auth_attempts + d.auth_attempts, cracked = ${CRACKED_MERGED}
  WHEN NOT MATCHED THEN INSERT BY NAME`;
}

/**
 * Adds the rows of `from` matching `where` (with `params`), the events
 * just inserted by one batch, to the table. Runs in the caller's
 * transaction.
 */
export async function mergeSourceRollup(
  conn: DuckDBConnection,
  where: string,
  params: DuckDBValue[],
  from = 'events',
): Promise<void> {
  await conn.run(mergeSql(where, from), params);
}

/** One batch of the store writer: its insert, and which events it adds. */
export interface RollBatch {
  /** Inserts the batch into `events`; resolves with the rows added. */
  readonly insert: () => Promise<{ readonly rowsChanged: number }>;
  /**
   * Where the rows the insert added are read: `events`, or a table that
   * holds exactly those rows as they were inserted (the writer's batch).
   */
  readonly from: string;
  /** Condition on `from` that holds for exactly the rows the insert added. */
  readonly where: string;
  readonly params: DuckDBValue[];
}

/**
 * Runs one batch's insert and its rollup step in one transaction: the
 * table never disagrees with `events`, for readers or after a crash.
 * Returns the rows added.
 */
export async function rollBatch(
  conn: DuckDBConnection,
  mode: RollupMode,
  batch: RollBatch,
): Promise<number> {
  await conn.run('BEGIN TRANSACTION');
  try {
    const { rowsChanged } = await batch.insert();
    if (rowsChanged > 0 && mode === 'merge') {
      await mergeSourceRollup(conn, batch.where, batch.params, batch.from);
    } else if (rowsChanged > 0) {
      await conn.run(
        `INSERT OR REPLACE INTO meta (key, value) VALUES ('${ROLLUP_STALE_KEY}', '1')`,
      );
    }
    await conn.run('COMMIT');
    return rowsChanged;
  } catch (err) {
    await conn.run('ROLLBACK');
    throw err;
  }
}

/** SQL: true when the table was left behind by deferred batches (see ROLLUP_STALE_KEY). */
export const ROLLUP_STALE_SQL = `SELECT count(*) > 0 AS stale FROM meta WHERE key = '${ROLLUP_STALE_KEY}'`;

/** Rebuilds the table when deferred batches left it behind; returns whether it did. */
export async function catchUpSourceRollup(conn: DuckDBConnection): Promise<boolean> {
  const r = await conn.runAndReadAll(ROLLUP_STALE_SQL);
  if (r.getRowObjectsJS()[0]?.['stale'] !== true) return false;
  await rebuildSourceRollup(conn);
  return true;
}

/** Replaces the table from every stored event, in one transaction; returns its rows. */
export async function rebuildSourceRollup(conn: DuckDBConnection): Promise<number> {
  await conn.run('BEGIN TRANSACTION');
  try {
    await conn.run('DELETE FROM source_rollup');
    const res = await conn.run(`INSERT INTO source_rollup BY NAME ${rollupSelect('TRUE')}`);
    await conn.run(`DELETE FROM meta WHERE key = '${ROLLUP_STALE_KEY}'`);
    await conn.run('COMMIT');
    return res.rowsChanged;
  } catch (err) {
    await conn.run('ROLLBACK');
    throw err;
  }
}
