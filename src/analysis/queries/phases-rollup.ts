/**
 * @module
 * The raw material of queries/phases.ts read from the rollups
 * (store/rollups.ts) instead of the events: per-source class counts and
 * first and last request from `roll_day_source`, the country from
 * `source_rollup`, per-user counts from `roll_source_target` (its rows
 * of classes 2 and 4), distinct password guesses from `roll_source_cred`
 * (its requests). The same numbers as the scan (tests compare them); only
 * for scopes without a date range, since those per-source tables keep no
 * time. A key may have several rows (one per
 * batch until compacted), and store evidence appends negated rows: every
 * read sums by key and drops keys that sum to nothing.
 */
import { num, str, type Queryable, type Row } from '../../store/queryable.js';
import { SqlParams, type ReportFilter } from '../filter.js';
import type { SourcePhases } from '../types.js';
import { rollWhere } from './rollup-scope.js';

/** Per-source counts (queries/phases.ts SourceActivity). */
type SourceActivity = Omit<SourcePhases, 'phases'>;

/** The scan's (day, source hash, class) -> requests table, as a subquery of `roll_source_hour`. */
export function rolledDays(filter: ReportFilter, p: SqlParams): string {
  return `(SELECT CAST(hr AS DATE) AS d, hash(src_ip) AS hs, ph, sum(n) AS n FROM roll_source_hour
           WHERE ${rollWhere(filter, p, 'hr')} GROUP BY ALL HAVING sum(n) <> 0)`;
}

/**
 * A source's counts per class, over rows of (class `ph`, requests `n`):
 * the same columns whether the rows come from the events or the rollups.
 */
export const CLASS_COUNTS = `sum(n) AS requests,
  coalesce(sum(n) FILTER (WHERE ph = 3), 0) AS scan_requests,
  coalesce(sum(n) FILTER (WHERE ph = 2), 0) AS auth_attempts,
  coalesce(sum(n) FILTER (WHERE ph = 1), 0) AS external_invites`;

/**
 * A source's per-user counts, over rows of (class `ph`, user, requests
 * counted per user `c`): users enumerated, and the most REGISTERs and
 * authentication attempts aimed at one user.
 */
export const USER_COUNTS = `count(*) FILTER (WHERE ph = 4) AS enum_targets,
  coalesce(max(c) FILTER (WHERE ph = 4), 0) AS max_registers_one_user,
  coalesce(max(c) FILTER (WHERE ph = 2), 0) AS max_attempts_one_user`;

/** Per-source counts, one row per source with requests in scope, by address. */
export async function rolledActivity(
  db: Queryable,
  filter: ReportFilter,
): Promise<SourceActivity[]> {
  const p = new SqlParams();
  const w = (): string => rollWhere(filter, p, null);
  const rows = await db.all(
    `WITH ds AS (
       SELECT src_ip, ${CLASS_COUNTS}, min(first_ts) AS first_ts, max(last_ts) AS last_ts
       FROM roll_source_hour WHERE ${w()} GROUP BY src_ip HAVING sum(n) > 0),
     cc AS (SELECT src_ip, any_value(src_cc) AS cc FROM source_rollup WHERE ${w()} GROUP BY src_ip),
     u AS (SELECT src_ip, ph, hash(coalesce(auth_user, u)) AS hu, sum(c) AS c
           FROM roll_source_target WHERE ph > 0 AND ${w()} GROUP BY ALL HAVING sum(n) <> 0),
     us AS (
       SELECT src_ip, ${USER_COUNTS} FROM u GROUP BY src_ip),
     pw AS (
       SELECT src_ip, count(DISTINCT password_guess) AS password_guesses
       FROM roll_source_cred WHERE req AND password_guess IS NOT NULL AND ${w()} GROUP BY src_ip)
     SELECT ds.src_ip, cc.cc, ds.first_ts, ds.last_ts,
            coalesce(pw.password_guesses, 0) AS password_guesses,
            ds.requests, ds.scan_requests, ds.auth_attempts, ds.external_invites,
            coalesce(us.enum_targets, 0) AS enum_targets,
            coalesce(us.max_registers_one_user, 0) AS max_registers_one_user,
            coalesce(us.max_attempts_one_user, 0) AS max_attempts_one_user
     FROM ds LEFT JOIN cc USING (src_ip) LEFT JOIN us USING (src_ip) LEFT JOIN pw USING (src_ip)
     ORDER BY ds.src_ip`,
    p.values,
  );
  return rows.map(activityOfRow);
}

/** One source's counts from a row of the scan's or the rollups' activity query. */
export function activityOfRow(r: Row): SourceActivity {
  return {
    ip: str(r, 'src_ip') ?? '',
    cc: str(r, 'cc'),
    requests: num(r, 'requests'),
    scan_requests: num(r, 'scan_requests'),
    enum_targets: num(r, 'enum_targets'),
    auth_attempts: num(r, 'auth_attempts'),
    max_attempts_one_user: num(r, 'max_attempts_one_user'),
    max_registers_one_user: num(r, 'max_registers_one_user'),
    password_guesses: num(r, 'password_guesses'),
    external_invites: num(r, 'external_invites'),
    first_ts: str(r, 'first_ts') ?? '',
    last_ts: str(r, 'last_ts') ?? '',
  };
}
