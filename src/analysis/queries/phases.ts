/**
 * @module
 * Raw material for the attack phases: per-source and per-day counts of
 * requests by message class. Each request falls in exactly one class, first
 * match wins:
 *   abuse        INVITE to an external number (number_kind 'external', or a
 *                normalised dialed_number when number_kind is unknown)
 *   brute_force  carries an Authorization header (auth_user set)
 *   scanning     OPTIONS, or names no target user (To and Request-URI user empty)
 *   enumeration  any other request: names a target user, without Authorization
 * The thresholds that turn counts into phases are in analysis/phases.ts.
 */
import { num, str, type Queryable } from '../db.js';
import { eventsWhere, SqlParams, type ReportFilter } from '../filter.js';
import type { Phase } from '../types.js';

/** Per-source counts, before thresholds. */
export interface SourceActivity {
  ip: string;
  cc: string | null;
  requests: number;
  scan_requests: number;
  enum_targets: number;
  auth_attempts: number;
  max_attempts_one_user: number;
  max_registers_one_user: number;
  password_guesses: number;
  external_invites: number;
  first_ts: string;
  last_ts: string;
}

/** Messages of one class sent by one source on one UTC day. */
export interface DailyActivity {
  day: string;
  ip: string;
  phase: Phase;
  messages: number;
}

function classified(filter: ReportFilter, p: SqlParams): string {
  return `r AS (
    SELECT src_ip, ts, method, auth_user, password_guess, src_cc,
           coalesce(nullif(to_user, ''), nullif(ruri_user, '')) AS target,
           CASE
             WHEN method = 'INVITE' AND (number_kind = 'external'
                  OR (number_kind IS NULL AND dialed_number IS NOT NULL)) THEN 'abuse'
             WHEN auth_user IS NOT NULL THEN 'brute_force'
             WHEN method = 'OPTIONS' OR coalesce(nullif(to_user, ''), nullif(ruri_user, '')) IS NULL
               THEN 'scanning'
             ELSE 'enumeration'
           END AS phase
    FROM events WHERE event = 'sip.request' AND ${eventsWhere(filter, p)})`;
}

/** Counts per source over the whole scope. */
export async function querySourceActivity(
  db: Queryable,
  filter: ReportFilter,
): Promise<SourceActivity[]> {
  const p = new SqlParams();
  const rows = await db.all(
    `WITH ${classified(filter, p)},
     s AS (
       SELECT src_ip, mode(src_cc) AS cc, count(*) AS requests,
              count(*) FILTER (WHERE phase = 'scanning') AS scan_requests,
              count(DISTINCT target) FILTER (WHERE phase = 'enumeration') AS enum_targets,
              count(*) FILTER (WHERE phase = 'brute_force') AS auth_attempts,
              count(DISTINCT password_guess) AS password_guesses,
              count(*) FILTER (WHERE phase = 'abuse') AS external_invites,
              min(ts) AS first_ts, max(ts) AS last_ts
       FROM r GROUP BY src_ip),
     a AS (
       SELECT src_ip, max(n) AS m FROM (
         SELECT src_ip, coalesce(auth_user, target) AS u, count(*) AS n FROM r
         WHERE phase = 'brute_force' GROUP BY ALL) GROUP BY src_ip),
     g AS (
       SELECT src_ip, max(n) AS m FROM (
         SELECT src_ip, target, count(*) AS n FROM r
         WHERE method = 'REGISTER' AND phase = 'enumeration' GROUP BY ALL) GROUP BY src_ip)
     SELECT s.*, coalesce(a.m, 0) AS max_attempts_one_user, coalesce(g.m, 0) AS max_registers_one_user
     FROM s LEFT JOIN a USING (src_ip) LEFT JOIN g USING (src_ip) ORDER BY src_ip`,
    p.values,
  );
  return rows.map((r) => ({
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
  }));
}

/** Messages per (UTC day, source, class). */
export async function queryDailyActivity(
  db: Queryable,
  filter: ReportFilter,
): Promise<DailyActivity[]> {
  const p = new SqlParams();
  const rows = await db.all(
    `WITH ${classified(filter, p)}
     SELECT strftime(CAST(ts AS DATE), '%Y-%m-%d') AS day, src_ip, phase, count(*) AS n
     FROM r GROUP BY ALL ORDER BY day, src_ip, phase`,
    p.values,
  );
  return rows.map((r) => ({
    day: str(r, 'day') ?? '',
    ip: str(r, 'src_ip') ?? '',
    phase: (str(r, 'phase') ?? 'scanning') as Phase,
    messages: num(r, 'n'),
  }));
}
