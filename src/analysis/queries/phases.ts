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
 * The thresholds that turn counts into phases are in analysis/phase-rules.ts.
 */
import { num, str, type Queryable } from '../../store/queryable.js';
import { eventsWhere, SqlParams, type ReportFilter } from '../filter.js';
import type { Phase, PhaseDay, SourcePhases } from '../types.js';
import {
  activityOfRow,
  CLASS_COUNTS,
  rolledActivity,
  rolledDays,
  USER_COUNTS,
} from './phases-rollup.js';
import { rollupUse } from './rollup-scope.js';

/** Per-source counts, before thresholds: the report's SourcePhases without its phases. */
export type SourceActivity = Omit<SourcePhases, 'phases'>;

/** Per UTC day and phase: sources in that phase that sent its messages that day, and those messages. */
export type DailyPhase = PhaseDay;

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

export { PH_NAME, PH_SQL } from '../../store/phase-class.js';
import { PH_NAME, PH_SQL } from '../../store/phase-class.js';

/** Per-source activity and the daily series, from one call of queryPhases. */
export interface PhaseData {
  activity: SourceActivity[];
  daily: DailyPhase[];
}

/** Names of the per-call temporary tables: only this counter goes into the SQL text. */
let tempSeq = 0;

/**
 * Per-source counts and the daily series. `bitsOf` classifies a source
 * (analysis/phase-rules.ts phaseBits with the report's thresholds); the daily
 * series counts only the messages of the phases a source reached.
 *
 * Three aggregations, none of them on strings over the whole scope:
 *   1. (day, source hash, class) -> messages, first and last time: kept in a
 *      temporary table of the connection, it gives the per-source totals and,
 *      once the sources are classified, the daily series, without a second
 *      pass over the events;
 *   2. (source hash, class, user hash) for the two classes where users count
 *      (brute_force: attempts per user; enumeration: distinct users and
 *      REGISTERs per user), one count per group;
 *   3. source addresses and countries (grouped on the address: few groups),
 *      and distinct password guesses (rows with a guess only).
 * A collision would need two of the store's sources, or two users of one
 * source, to share a 64-bit hash.
 */
export async function queryPhases(
  db: Queryable,
  filter: ReportFilter,
  bitsOf: (a: SourceActivity) => number,
): Promise<PhaseData> {
  if ((await rollupUse(db, filter)) === 'all') {
    // The same three aggregations, kept by the store writer (phases-rollup.ts).
    const activity = await rolledActivity(db, filter);
    const p = new SqlParams();
    const days = rolledDays(filter, p);
    return { activity, daily: await dailyPhases(db, days, classified(activity, bitsOf), p) };
  }
  const days = await createDaysTable(db, filter);
  try {
    const activity = await sourceActivity(db, filter, days);
    const daily = await dailyPhases(db, days, classified(activity, bitsOf), new SqlParams());
    return { activity, daily };
  } finally {
    await db.all(`DROP TABLE IF EXISTS ${days}`);
  }
}

/** Aggregation 1: the temporary (day, source hash, class) table; the caller drops it. */
async function createDaysTable(db: Queryable, filter: ReportFilter): Promise<string> {
  const days = `sipsnare_phase_days_${process.pid}_${++tempSeq}`;
  const p0 = new SqlParams();
  await db.all(
    `CREATE TEMP TABLE ${days} AS
     SELECT CAST(ts AS DATE) AS d, hash(src_ip) AS hs, ${PH_SQL} AS ph,
            count(*) AS n, min(ts) AS f, max(ts) AS l
     FROM events WHERE event = 'sip.request' AND ${eventsWhere(filter, p0)}
     GROUP BY ALL`,
    p0.values,
  );
  return days;
}

/** Aggregations 2 and 3, joined with the totals of the days table: one row per source. */
async function sourceActivity(
  db: Queryable,
  filter: ReportFilter,
  days: string,
): Promise<SourceActivity[]> {
  const p = new SqlParams();
  const w1 = eventsWhere(filter, p);
  const w2 = eventsWhere(filter, p);
  const w3 = eventsWhere(filter, p);
  const rows = await db.all(
    `WITH u AS (
       SELECT hs, ph, hu, count_if(ph = 2 OR reg) AS c FROM (
         SELECT hash(src_ip) AS hs, ${PH_SQL} AS ph, method = 'REGISTER' AS reg,
                hash(coalesce(auth_user, nullif(to_user, ''), ruri_user)) AS hu
         FROM events WHERE event = 'sip.request' AND ${w1})
       WHERE ph IN (2, 4) GROUP BY ALL),
     us AS (
       SELECT hs, ${USER_COUNTS} FROM u GROUP BY hs),
     ds AS (
       SELECT hs, ${CLASS_COUNTS}, min(f) AS first_ts, max(l) AS last_ts
       FROM ${days} GROUP BY hs),
     nm AS (
       SELECT hash(src_ip) AS hs, min(src_ip) AS src_ip, any_value(cc) AS cc FROM (
         SELECT src_ip, any_value(src_cc) AS cc FROM events
         WHERE event = 'sip.request' AND ${w2} GROUP BY src_ip)
       GROUP BY hs),
     pw AS (
       SELECT hs, count(*) AS password_guesses FROM (
         SELECT DISTINCT hash(src_ip) AS hs, password_guess FROM events
         WHERE event = 'sip.request' AND password_guess IS NOT NULL AND ${w3})
       GROUP BY hs)
     SELECT nm.src_ip, nm.cc, ds.first_ts, ds.last_ts,
            coalesce(pw.password_guesses, 0) AS password_guesses,
            ds.requests, ds.scan_requests, ds.auth_attempts, ds.external_invites,
            coalesce(us.enum_targets, 0) AS enum_targets,
            coalesce(us.max_registers_one_user, 0) AS max_registers_one_user,
            coalesce(us.max_attempts_one_user, 0) AS max_attempts_one_user
     FROM nm JOIN ds USING (hs) LEFT JOIN us USING (hs) LEFT JOIN pw USING (hs)
     ORDER BY nm.src_ip`,
    p.values,
  );
  return rows.map(activityOfRow);
}

/** The sources `bitsOf` puts in a phase, as the two lists dailyPhases binds. */
function classified(
  activity: readonly SourceActivity[],
  bitsOf: (a: SourceActivity) => number,
): { ips: string[]; bits: number[] } {
  const out = { ips: [] as string[], bits: [] as number[] };
  for (const a of activity) {
    const bits = bitsOf(a);
    if (bits === 0) continue;
    out.ips.push(a.ip);
    out.bits.push(bits);
  }
  return out;
}

/**
 * Daily series for the classified sources, from the (day, source, class)
 * table: the classification travels as two bound lists, addresses and phase
 * bits, so the day x source detail never leaves the database.
 */
async function dailyPhases(
  db: Queryable,
  days: string,
  active: { ips: string[]; bits: number[] },
  p: SqlParams,
): Promise<DailyPhase[]> {
  if (active.ips.length === 0) return [];
  const ipList = p.add(active.ips);
  const bitList = p.add(active.bits);
  const rows = await db.all(
    `WITH q AS (SELECT hash(ip) AS hs, bits FROM (
             SELECT unnest(${ipList}::VARCHAR[]) AS ip, unnest(${bitList}::INTEGER[]) AS bits)),
     x AS (
       SELECT g.d, g.hs, g.n, q.bits,
              CASE WHEN g.ph = 4 AND (q.bits & 16) <> 0 AND (q.bits & 2) = 0 THEN 2 ELSE g.ph END AS ph
       FROM ${days} g JOIN q USING (hs))
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
