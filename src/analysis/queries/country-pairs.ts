/**
 * @module
 * Table 4 of the article: source country -> destination country of calls,
 * with each pair's share of all unified INVITEs.
 */
import { num, str, type Queryable } from '../../store/queryable.js';
import { callsCte, SqlParams, type ReportFilter } from '../filter.js';
import { share } from '../shares.js';
import type { CountryPair } from '../types.js';

/**
 * Every pair, most frequent first (the renderers cut the list and build the
 * heat-map from it); `limit` bounds the rows for very dispersed data.
 */
export async function queryCountryPairs(
  db: Queryable,
  filter: ReportFilter,
  limit = 10_000,
): Promise<CountryPair[]> {
  const p = new SqlParams();
  const lim = p.add(limit);
  const rows = await db.all(
    `WITH ${callsCte(filter, p)},
     tot AS (SELECT count(*) AS n FROM c)
     SELECT src_cc, dst_cc, count(*) AS n, any_value(tot.n) AS total
     FROM c CROSS JOIN tot GROUP BY src_cc, dst_cc
     ORDER BY n DESC, src_cc NULLS LAST, dst_cc NULLS LAST LIMIT CAST(${lim} AS BIGINT)`,
    p.values,
  );
  return rows.map((r) => ({
    source: str(r, 'src_cc'),
    destination: str(r, 'dst_cc'),
    count: num(r, 'n'),
    share: share(num(r, 'n'), num(r, 'total')),
  }));
}
