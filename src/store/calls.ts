/**
 * @module
 * Rebuilds the `calls` table (unified INVITEs, docs/store.md) from `events` with
 * window functions: INVITEs from one source address to one normalised
 * number form one call while consecutive ones are at most `gap` minutes
 * apart. A full rebuild keeps it simple and exact; on the article's year
 * (about a million INVITEs) it takes well under a second.
 *
 * First, store-wide evidence (store-evidence.ts) gives numbers to stored
 * INVITEs that other sources dialled in full, so calls count them.
 *
 * Must never read anything but `events`: the result is a pure function of it.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { applyStoreEvidence } from './store-evidence.js';

/** The article's unification gap: one hour. */
export const DEFAULT_GAP_MINUTES = 60;

const REBUILD = `INSERT INTO calls
  WITH inv AS (
    SELECT src_ip, dialed_number, ts, event_id, sensor, src_cc, src_asn, dst_cc, number_type,
      ua_label, ua_category, number_method,
      CASE WHEN lag(ts) OVER w IS NULL OR ts - lag(ts) OVER w > to_minutes($1::BIGINT)
        THEN 1 ELSE 0 END AS starts
    FROM events
    WHERE event = 'sip.request' AND method = 'INVITE' AND dialed_number IS NOT NULL
    WINDOW w AS (PARTITION BY src_ip, dialed_number ORDER BY ts, event_id)
  ), numbered AS (
    SELECT *, sum(starts) OVER (PARTITION BY src_ip, dialed_number ORDER BY ts, event_id
      ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS call_no
    FROM inv
  )
  SELECT src_ip, dialed_number, min(ts), max(ts), count(*)::INTEGER, count(DISTINCT sensor)::INTEGER,
    arg_min(src_cc, ts), arg_min(src_asn, ts), arg_min(dst_cc, ts), arg_min(number_type, ts),
    arg_min(ua_label, ts), arg_min(ua_category, ts),
    arg_min(number_method, CASE number_method WHEN 'alone' THEN 0 WHEN 'burst' THEN 1
      WHEN 'tail' THEN 2 WHEN 'store' THEN 3 END)
  FROM numbered
  GROUP BY src_ip, dialed_number, call_no`;

/** Replaces `calls` with the unified INVITEs of every stored INVITE; returns the number of calls. */
export async function rebuildCalls(
  conn: DuckDBConnection,
  gapMinutes: number = DEFAULT_GAP_MINUTES,
): Promise<number> {
  const gap = Math.max(0, Math.floor(gapMinutes));
  await applyStoreEvidence(conn);
  await conn.run('BEGIN TRANSACTION');
  try {
    await conn.run('DELETE FROM calls');
    const res = await conn.run(REBUILD, [BigInt(gap)]);
    await conn.run('COMMIT');
    return res.rowsChanged;
  } catch (err) {
    await conn.run('ROLLBACK');
    throw err;
  }
}
