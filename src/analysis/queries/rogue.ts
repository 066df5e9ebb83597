/**
 * @module
 * Per-source spread of calls over destination countries: the input of the
 * rogue VoIP server score (analysis/rogue.ts).
 */
import { num, str, type Queryable } from '../../store/queryable.js';
import { callsCte, SqlParams, type ReportFilter } from '../filter.js';
import type { CallerSpread } from '../rogue.js';

/** One entry per calling source with its calls per destination country. */
export async function queryCallerSpread(
  db: Queryable,
  filter: ReportFilter,
): Promise<CallerSpread[]> {
  const p = new SqlParams();
  const rows = await db.all(
    `WITH ${callsCte(filter, p)},
     pc AS (SELECT src_ip, dst_cc, count(*) AS n, mode(src_cc) AS cc FROM c GROUP BY src_ip, dst_cc)
     SELECT src_ip, mode(cc) AS cc, sum(n) AS calls, list(n ORDER BY n DESC) FILTER (WHERE dst_cc IS NOT NULL) AS per_country
     FROM pc GROUP BY src_ip ORDER BY src_ip`,
    p.values,
  );
  return rows.map((r) => {
    const raw = r['per_country'];
    const list = typeof raw === 'string' ? (JSON.parse(raw) as unknown[]) : [];
    return {
      ip: str(r, 'src_ip') ?? '',
      cc: str(r, 'cc'),
      calls: num(r, 'calls'),
      per_country: list.map((v) => Number(v)),
    };
  });
}
