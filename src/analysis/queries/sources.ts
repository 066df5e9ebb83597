/**
 * @module
 * Figure 4 and Table 3 of the article: where calls come from. Source
 * countries of unified INVITEs, and the top source IPs with their country,
 * AS, how many destination countries they called and their usual user agent.
 */
import { num, str, type Queryable } from '../../store/queryable.js';
import { callsCte, SqlParams, type ReportFilter } from '../filter.js';
import { share } from '../shares.js';
import type { CountryShare, TopSource } from '../types.js';

/**
 * Calls per country of one side: `src_cc` (RIR data of the source address)
 * or `dst_cc` (the number's ISO region or non-geographic calling code); `cc`
 * null for unknown or masked values. The column is one of two literals,
 * never caller text.
 */
export async function queryCountryShares(
  db: Queryable,
  filter: ReportFilter,
  column: 'src_cc' | 'dst_cc',
): Promise<CountryShare[]> {
  const p = new SqlParams();
  const rows = await db.all(
    `WITH ${callsCte(filter, p)}
     SELECT ${column} AS cc, count(*) AS n FROM c GROUP BY ${column} ORDER BY n DESC, cc NULLS LAST`,
    p.values,
  );
  const total = rows.reduce((a, r) => a + num(r, 'n'), 0);
  return rows.map((r) => ({
    cc: str(r, 'cc'),
    count: num(r, 'n'),
    share: share(num(r, 'n'), total),
  }));
}

/** Calls per source country (RIR data); `cc` null for unknown or masked addresses. */
export function querySourceCountries(db: Queryable, filter: ReportFilter): Promise<CountryShare[]> {
  return queryCountryShares(db, filter, 'src_cc');
}

/**
 * The `top` source IPs by unified INVITEs. `user_agent` is the label of most
 * of its calls; `destination_countries` counts distinct destination country
 * codes (the article's IDD column).
 */
export async function queryTopSources(
  db: Queryable,
  filter: ReportFilter,
  top: number,
): Promise<TopSource[]> {
  const p = new SqlParams();
  const limit = p.add(top);
  const rows = await db.all(
    `WITH ${callsCte(filter, p)},
     tot AS (SELECT count(*) AS n FROM c),
     per_cc AS (SELECT src_cc, count(*) AS n FROM c GROUP BY src_cc),
     t AS (
       SELECT src_ip, count(*) AS n, sum(invites) AS invites,
              mode(src_cc) AS cc, mode(src_asn) AS asn,
              count(DISTINCT dst_cc) AS dcc,
              mode(coalesce(ua_label, 'undefined')) AS ua,
              min(first_ts) AS first_ts, max(last_ts) AS last_ts
       FROM c GROUP BY src_ip ORDER BY n DESC, src_ip LIMIT CAST(${limit} AS BIGINT)
     ),
     asn AS (
       SELECT src_asn, mode(src_as_name) AS as_name FROM events
       WHERE src_asn IN (SELECT asn FROM t) AND src_as_name IS NOT NULL GROUP BY src_asn
     )
     SELECT t.*, asn.as_name, tot.n AS total, per_cc.n AS cc_total
     FROM t CROSS JOIN tot
     LEFT JOIN asn ON asn.src_asn = t.asn
     LEFT JOIN per_cc ON per_cc.src_cc IS NOT DISTINCT FROM t.cc
     ORDER BY t.n DESC, t.src_ip`,
    p.values,
  );
  return rows.map((r) => {
    const asn = r['asn'];
    return {
      ip: str(r, 'src_ip') ?? '',
      count: num(r, 'n'),
      share: share(num(r, 'n'), num(r, 'total')),
      share_of_country: share(num(r, 'n'), num(r, 'cc_total')),
      cc: str(r, 'cc'),
      asn: typeof asn === 'number' ? asn : null,
      as_name: str(r, 'as_name'),
      destination_countries: num(r, 'dcc'),
      user_agent: str(r, 'ua'),
      invites: num(r, 'invites'),
      first_ts: str(r, 'first_ts') ?? '',
      last_ts: str(r, 'last_ts') ?? '',
    };
  });
}
