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

/** Phase codes inside SQL (small integers group faster than strings). */
const PH_SQL = `CASE
    WHEN method = 'INVITE' AND (number_kind = 'external'
         OR (number_kind IS NULL AND dialed_number IS NOT NULL)) THEN 1
    WHEN auth_user IS NOT NULL THEN 2
    WHEN method = 'OPTIONS' OR coalesce(nullif(to_user, ''), nullif(ruri_user, '')) IS NULL THEN 3
    ELSE 4 END`;
const PH_NAME = `CASE ph WHEN 1 THEN 'abuse' WHEN 2 THEN 'brute_force' WHEN 3 THEN 'scanning' ELSE 'enumeration' END`;

/**
 * Requests in scope with their class code (1 abuse, 2 brute_force,
 * 3 scanning, 4 enumeration), a 64-bit hash of the source and of the user
 * the request aims at (the Authorization username, else To / Request-URI user).
 */
function classified(filter: ReportFilter, p: SqlParams): string {
  return `r AS NOT MATERIALIZED (
    SELECT src_ip, hash(src_ip) AS hs, src_cc, ts, password_guess, method = 'REGISTER' AS reg,
           ${PH_SQL} AS ph,
           CASE WHEN auth_user IS NOT NULL THEN hash(auth_user)
                ELSE hash(coalesce(nullif(to_user, ''), nullif(ruri_user, ''))) END AS hu
    FROM events WHERE event = 'sip.request' AND ${eventsWhere(filter, p)})`;
}

/**
 * Counts per source over the whole scope, in one grouping on
 * (source, class, user) hashes: several times faster than grouping on the
 * strings. A collision would need two of the store's sources, or two users
 * of one source, to share a 64-bit hash.
 */
export async function querySourceActivity(
  db: Queryable,
  filter: ReportFilter,
): Promise<SourceActivity[]> {
  const p = new SqlParams();
  const rows = await db.all(
    `WITH ${classified(filter, p)},
     g AS (SELECT hs, ph, hu, count(*) AS n, count(*) FILTER (WHERE reg) AS regs FROM r GROUP BY ALL),
     gs AS (
       SELECT hs, sum(n) AS requests,
              coalesce(sum(n) FILTER (WHERE ph = 3), 0) AS scan_requests,
              coalesce(sum(n) FILTER (WHERE ph = 2), 0) AS auth_attempts,
              coalesce(sum(n) FILTER (WHERE ph = 1), 0) AS external_invites,
              count(*) FILTER (WHERE ph = 4) AS enum_targets,
              coalesce(max(regs) FILTER (WHERE ph = 4), 0) AS max_registers_one_user,
              coalesce(max(n) FILTER (WHERE ph = 2), 0) AS max_attempts_one_user
       FROM g GROUP BY hs),
     s AS (
       SELECT hs, any_value(src_ip) AS src_ip, any_value(src_cc) AS cc, min(ts) AS first_ts,
              max(ts) AS last_ts, count(DISTINCT password_guess) AS password_guesses
       FROM r GROUP BY hs)
     SELECT s.* EXCLUDE (hs), gs.* EXCLUDE (hs) FROM s JOIN gs USING (hs) ORDER BY src_ip`,
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
     q AS (SELECT hash(ip) AS hs, bits FROM (
             SELECT unnest(${ipList}::VARCHAR[]) AS ip, unnest(${bitList}::INTEGER[]) AS bits)),
     g AS (SELECT CAST(ts AS DATE) AS d, hs, ph, count(*) AS n FROM r GROUP BY ALL),
     x AS (
       SELECT g.d, g.hs, g.n, q.bits,
              CASE WHEN g.ph = 4 AND (q.bits & 16) <> 0 AND (q.bits & 2) = 0 THEN 2 ELSE g.ph END AS ph
       FROM g JOIN q USING (hs))
     SELECT strftime(d, '%Y-%m-%d') AS day, ${PH_NAME} AS phase,
            count(DISTINCT hs) AS sources, sum(n) AS n
     FROM x
     WHERE (ph = 3 AND (bits & 1) <> 0) OR (ph = 4 AND (bits & 2) <> 0)
        OR (ph = 2 AND (bits & 4) <> 0) OR (ph = 1 AND (bits & 8) <> 0)
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
