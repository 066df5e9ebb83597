/**
 * @module
 * Figure 5 of the article (the AfterGlow link graph): one source IP and the
 * destination countries it called, with the calls on each edge.
 */
import { num, str, type Queryable } from '../../store/queryable.js';
import { callsCte, SqlParams, type ReportFilter } from '../filter.js';
import type { SourceGraph } from '../types.js';

/** The graph of each given source IP (IPs without calls give an empty graph). */
export async function querySourceGraphs(
  db: Queryable,
  filter: ReportFilter,
  ips: readonly string[],
): Promise<SourceGraph[]> {
  const out: SourceGraph[] = [];
  for (const ip of ips) {
    const p = new SqlParams();
    const cte = callsCte(filter, p);
    const ipParam = p.add(ip);
    const rows = await db.all(
      `WITH ${cte}
       SELECT dst_cc, count(*) AS n, mode(src_cc) AS cc FROM c WHERE src_ip = ${ipParam}
       GROUP BY dst_cc ORDER BY n DESC, dst_cc NULLS LAST`,
      p.values,
    );
    out.push({
      ip,
      cc: rows.map((r) => str(r, 'cc')).find((c) => c !== null) ?? null,
      calls: rows.reduce((a, r) => a + num(r, 'n'), 0),
      edges: rows.map((r) => ({ destination: str(r, 'dst_cc'), count: num(r, 'n') })),
    });
  }
  return out;
}
