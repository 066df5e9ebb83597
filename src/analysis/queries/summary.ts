/**
 * @module
 * Table 1 of the article: how much reached the sensors. Message counts come
 * from `events`, the unified INVITE count from `calls`, and the geo data date
 * from `meta`.
 */
import { num, str, type Queryable } from '../../store/queryable.js';
import { callsWhere, eventsWhere, SqlParams, type ReportFilter } from '../filter.js';
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

/** Counts for Table 1. Days are distinct UTC dates with at least one event. */
export async function querySummary(db: Queryable, filter: ReportFilter): Promise<Summary> {
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
