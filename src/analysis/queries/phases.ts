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

/** Per UTC day and phase: sources in that phase that sent its messages that day, and those messages. */
export interface DailyPhase {
  day: string;
  phase: Phase;
  sources: number;
  messages: number;
}

/**
 * Which phases a source reached, as bits (scanning 1, enumeration 2,
 * brute_force 4, abuse 8), plus 16 when its brute force was seen only as
 * repeated bare REGISTERs (legacy logs): then its enumeration-class messages
 * count as brute force unless it also enumerated.
 */
export const PHASE_BITS = {
  scanning: 1,
  enumeration: 2,
  brute_force: 4,
  abuse: 8,
  legacy_brute: 16,
} as const;

function classified(filter: ReportFilter, p: SqlParams): string {
  return `r AS MATERIALIZED (
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

/**
 * Counts per source over the whole scope. Distinct users per source are
 * counted by grouping on 64-bit hashes of (source, user), several times
 * faster than grouping on the strings; a collision would need two of the
 * store's (source, user) pairs to share a 64-bit hash.
 */
export async function querySourceActivity(
  db: Queryable,
  filter: ReportFilter,
): Promise<SourceActivity[]> {
  const p = new SqlParams();
  const rows = await db.all(
    `WITH ${classified(filter, p)},
     s AS (
       SELECT src_ip, hash(src_ip) AS hs, any_value(src_cc) AS cc, count(*) AS requests,
              count(*) FILTER (WHERE phase = 'scanning') AS scan_requests,
              count(*) FILTER (WHERE phase = 'brute_force') AS auth_attempts,
              count(DISTINCT password_guess) AS password_guesses,
              count(*) FILTER (WHERE phase = 'abuse') AS external_invites,
              min(ts) AS first_ts, max(ts) AS last_ts
       FROM r GROUP BY src_ip),
     t AS (
       SELECT hs, count(*) AS enum_targets, max(regs) AS max_regs FROM (
         SELECT hash(src_ip) AS hs, hash(target) AS ht,
                count(*) FILTER (WHERE method = 'REGISTER') AS regs
         FROM r WHERE phase = 'enumeration' GROUP BY ALL) GROUP BY hs),
     a AS (
       SELECT hs, max(n) AS m FROM (
         SELECT hash(src_ip) AS hs, hash(coalesce(auth_user, target)) AS hu, count(*) AS n
         FROM r WHERE phase = 'brute_force' GROUP BY ALL) GROUP BY hs)
     SELECT s.* EXCLUDE (hs), coalesce(t.enum_targets, 0) AS enum_targets,
            coalesce(a.m, 0) AS max_attempts_one_user, coalesce(t.max_regs, 0) AS max_registers_one_user
     FROM s LEFT JOIN t USING (hs) LEFT JOIN a USING (hs) ORDER BY src_ip`,
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

/**
 * Daily series for the classified sources: the classification (from
 * analysis/phases.ts) travels as two bound lists, addresses and phase bits,
 * so the day x source detail never leaves the database.
 */
export async function queryDailyPhases(
  db: Queryable,
  filter: ReportFilter,
  ips: readonly string[],
  bits: readonly number[],
): Promise<DailyPhase[]> {
  if (ips.length === 0) return [];
  const p = new SqlParams();
  const cte = classified(filter, p);
  const ipList = p.add(ips);
  const bitList = p.add(bits);
  const rows = await db.all(
    `WITH ${cte},
     q AS (SELECT unnest(${ipList}::VARCHAR[]) AS ip, unnest(${bitList}::INTEGER[]) AS bits),
     g AS (SELECT CAST(ts AS DATE) AS d, src_ip, phase, count(*) AS n FROM r GROUP BY ALL),
     x AS (
       SELECT g.d, g.src_ip, g.n, q.bits,
              CASE WHEN g.phase = 'enumeration' AND (q.bits & 16) <> 0 AND (q.bits & 2) = 0
                   THEN 'brute_force' ELSE g.phase END AS phase
       FROM g JOIN q ON q.ip = g.src_ip)
     SELECT strftime(d, '%Y-%m-%d') AS day, phase, count(DISTINCT src_ip) AS sources, sum(n) AS n
     FROM x
     WHERE (phase = 'scanning' AND (bits & 1) <> 0) OR (phase = 'enumeration' AND (bits & 2) <> 0)
        OR (phase = 'brute_force' AND (bits & 4) <> 0) OR (phase = 'abuse' AND (bits & 8) <> 0)
     GROUP BY ALL ORDER BY day, phase`,
    p.values,
  );
  return rows.map((r) => ({
    day: str(r, 'day') ?? '',
    phase: (str(r, 'phase') ?? 'scanning') as Phase,
    sources: num(r, 'sources'),
    messages: num(r, 'n'),
  }));
}
