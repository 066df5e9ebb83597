/**
 * @module
 * Table 1 of the article: how much reached the sensors. Message counts come
 * from `events`, the unified INVITE count from `calls`, and the geo data date
 * from `meta`.
 */
import { num, str, type Queryable, type Row } from '../../store/queryable.js';
import { callsWhere, eventsWhere, SqlParams, type ReportFilter } from '../filter.js';
import { rollupUse, rollWhere } from './rollup-scope.js';
import type { Summary } from '../types.js';

/** `meta` keys that may hold the date of the geo-IP data, first match wins. */
export const GEO_DATE_KEYS = [
  'geo_data_date',
  'geoip_data_date',
  'geo_date',
  'geoip_date',
  'geo.data_date',
  'asn_data_date',
] as const;

/** The event counts of Table 1 from the rollups (no date range: the per-source table keeps none). */
async function rolledCounts(db: Queryable, filter: ReportFilter): Promise<Row> {
  const p = new SqlParams();
  const [h] = await db.all(
    `SELECT
       sum(n) FILTER (WHERE event = 'sip.request' AND method = 'REGISTER') AS register_messages,
       sum(n) FILTER (WHERE event = 'sip.request' AND method = 'INVITE') AS invite_messages,
       sum(n) FILTER (WHERE event = 'sip.request' AND method = 'OPTIONS') AS options_messages,
       sum(n) FILTER (WHERE event = 'sip.request') AS requests,
       sum(n) FILTER (WHERE event = 'sip.malformed') AS malformed,
       count(DISTINCT CAST(hr AS DATE)) AS days
     FROM roll_hour WHERE ${rollWhere(filter, p, 'hr')}`,
    p.values,
  );
  const ps = new SqlParams();
  const [s] = await db.all(
    `SELECT count(DISTINCT src_ip) AS unique_ips,
       count(DISTINCT src_asn) AS unique_asns,
       count(DISTINCT src_cc) AS unique_source_countries,
       min(first_ts) AS first_ts, max(last_ts) AS last_ts
     FROM source_rollup WHERE ${rollWhere(filter, ps, null)}`,
    ps.values,
  );
  return { ...h, ...s };
}

/** The event counts of Table 1 by a scan of `events`. */
async function scannedCounts(db: Queryable, filter: ReportFilter): Promise<Row | undefined> {
  const p = new SqlParams();
  const [ev] = await db.all(
    `SELECT
       count(*) FILTER (WHERE event = 'sip.request' AND method = 'REGISTER') AS register_messages,
       count(*) FILTER (WHERE event = 'sip.request' AND method = 'INVITE') AS invite_messages,
       count(*) FILTER (WHERE event = 'sip.request' AND method = 'OPTIONS') AS options_messages,
       count(*) FILTER (WHERE event = 'sip.request') AS requests,
       count(*) FILTER (WHERE event = 'sip.malformed') AS malformed,
       count(DISTINCT src_ip) AS unique_ips,
       count(DISTINCT src_asn) AS unique_asns,
       count(DISTINCT src_cc) AS unique_source_countries,
       count(DISTINCT CAST(ts AS DATE)) AS days,
       min(ts) AS first_ts,
       max(ts) AS last_ts
     FROM events WHERE ${eventsWhere(filter, p)}`,
    p.values,
  );
  return ev;
}

/**
 * Counts for Table 1. Days are distinct UTC dates with at least one event.
 * Read from the rollups when they are current and no date range is asked.
 */
export async function querySummary(db: Queryable, filter: ReportFilter): Promise<Summary> {
  const ev =
    (await rollupUse(db, filter)) === 'all'
      ? await rolledCounts(db, filter)
      : await scannedCounts(db, filter);
  const pc = new SqlParams();
  const [calls] = await db.all(
    `SELECT count(*) AS n FROM calls WHERE ${callsWhere(filter, pc)}`,
    pc.values,
  );
  const meta = await db.all(`SELECT key, value FROM meta`);
  const metaMap = new Map(meta.map((r) => [str(r, 'key'), str(r, 'value')]));
  let geo: string | null = null;
  for (const k of GEO_DATE_KEYS) {
    const v = metaMap.get(k);
    if (v !== undefined && v !== null) {
      geo = v;
      break;
    }
  }
  const row = ev ?? {};
  return {
    register_messages: num(row, 'register_messages'),
    invite_messages: num(row, 'invite_messages'),
    options_messages: num(row, 'options_messages'),
    requests: num(row, 'requests'),
    malformed: num(row, 'malformed'),
    unified_invites: num(calls ?? {}, 'n'),
    unique_ips: num(row, 'unique_ips'),
    unique_asns: num(row, 'unique_asns'),
    unique_source_countries: num(row, 'unique_source_countries'),
    days: num(row, 'days'),
    first_ts: str(row, 'first_ts'),
    last_ts: str(row, 'last_ts'),
    geo_data_date: geo,
  };
}
