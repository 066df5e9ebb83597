/**
 * @module
 * Figure 3 of the article: which user agents placed the calls. Counts unified
 * INVITEs per user-agent label (`undefined`, `random`, or the string as sent),
 * per family and per category, and the share from customized or potentially
 * malicious software.
 */
import { num, str, type Queryable } from '../../store/queryable.js';
import { callsCte, SqlParams, type ReportFilter } from '../filter.js';
import { share } from '../shares.js';
import type { LabelShare, NamedShare, UserAgentSection } from '../types.js';

/**
 * Categories the report counts as "customized or potentially malicious"
 * (the article's 85 %): no User-Agent at all, random strings, scanner tools,
 * SDKs attackers build on, self-made or unknown agents, and PBX agents (fake,
 * or compromised servers relaying calls). Softphones are the only category
 * left out.
 */
export const CUSTOMIZED_CATEGORIES = [
  'undefined',
  'random',
  'scanner',
  'sdk',
  'custom',
  'pbx',
] as const;

/** Category of a call whose label was never classified: by label, else custom. */
function categoryOf(label: string | null, category: string | null): string {
  if (category !== null && category !== '') return category;
  if (label === null || label === 'undefined') return 'undefined';
  if (label === 'random') return 'random';
  return 'custom';
}

/** User agents of unified INVITEs; `top` labels listed, the rest summed as `other`. */
export async function queryUserAgents(
  db: Queryable,
  filter: ReportFilter,
  top: number,
): Promise<UserAgentSection> {
  const p = new SqlParams();
  const rows = await db.all(
    `WITH ${callsCte(filter, p)},
     fam AS (
       SELECT ua_label, arg_max(ua_family, n) AS ua_family FROM (
         SELECT ua_label, ua_family, count(*) AS n FROM events
         WHERE method = 'INVITE' AND ua_label IS NOT NULL AND ua_family IS NOT NULL
         GROUP BY ALL) GROUP BY ua_label
     )
     SELECT coalesce(c.ua_label, 'undefined') AS label, c.ua_category AS category,
            fam.ua_family AS family, count(*) AS n
     FROM c LEFT JOIN fam ON fam.ua_label = c.ua_label
     GROUP BY ALL ORDER BY n DESC, label`,
    p.values,
  );
  // A label can appear with several categories in odd data: merge by label.
  const byLabel = new Map<string, LabelShare>();
  const families = new Map<string, number>();
  const categories = new Map<string, number>();
  let total = 0;
  for (const r of rows) {
    const label = str(r, 'label') ?? 'undefined';
    const n = num(r, 'n');
    const cat = categoryOf(label, str(r, 'category'));
    const family = str(r, 'family');
    total += n;
    const prev = byLabel.get(label);
    if (prev) prev.count += n;
    else byLabel.set(label, { label, count: n, share: 0, family, category: cat });
    const famName = family ?? (label === 'undefined' || label === 'random' ? label : 'unknown');
    families.set(famName, (families.get(famName) ?? 0) + n);
    categories.set(cat, (categories.get(cat) ?? 0) + n);
  }
  const all = [...byLabel.values()]
    .map((l) => ({ ...l, share: share(l.count, total) }))
    .sort((a, b) => b.count - a.count || a.label.localeCompare(b.label));
  const listed = all.slice(0, top);
  const rest = all.slice(top);
  const otherCount = rest.reduce((a, l) => a + l.count, 0);
  const named = (m: Map<string, number>): NamedShare[] =>
    [...m.entries()]
      .map(([name, count]) => ({ name, count, share: share(count, total) }))
      .sort((a, b) => b.count - a.count || a.name.localeCompare(b.name));
  const customized = [...categories.entries()]
    .filter(([c]) => (CUSTOMIZED_CATEGORIES as readonly string[]).includes(c))
    .reduce((a, [, n]) => a + n, 0);
  return {
    labels: listed,
    other: { labels: rest.length, count: otherCount, share: share(otherCount, total) },
    families: named(families),
    categories: named(categories),
    customized_share: share(customized, total),
    customized_categories: CUSTOMIZED_CATEGORIES,
    total,
  };
}
