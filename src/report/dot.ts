/**
 * @module
 * `--format dot`: the link graph of Figure 5 (a source IP and the
 * destination countries it called) as Graphviz DOT, one cluster per source.
 * Labels are quoted DOT strings; node ids are generated, never taken from
 * attacker strings.
 */
import type { SourceGraph } from '../analysis/types.js';
import { dotString } from './escape.js';

/** A `digraph` of all given sources; edge width grows with the calls. */
export function renderDot(graphs: readonly SourceGraph[]): string {
  const out = [
    'digraph calls {',
    '  graph [layout=twopi, overlap=false, ranksep=2];',
    '  node [fontname="Helvetica", fontsize=10];',
  ];
  const countryIds = new Map<string, string>();
  graphs.forEach((g, gi) => {
    const src = `s${gi}`;
    out.push(
      `  ${src} [label=${dotString(`${g.ip}${g.cc !== null ? ` (${g.cc})` : ''}\n${g.calls} calls`)}, shape=box, style=filled, fillcolor="#f4a261"];`,
    );
    if (gi === 0) out.push(`  graph [root=${src}];`);
    const max = Math.max(1, ...g.edges.map((e) => e.count));
    for (const e of g.edges) {
      const cc = e.destination ?? '??';
      let id = countryIds.get(cc);
      if (id === undefined) {
        id = `c${countryIds.size}`;
        countryIds.set(cc, id);
        out.push(
          `  ${id} [label=${dotString(cc)}, shape=ellipse, style=filled, fillcolor="#a8dadc"];`,
        );
      }
      const width = (1 + (4 * e.count) / max).toFixed(1);
      out.push(`  ${src} -> ${id} [penwidth=${width}, label=${dotString(String(e.count))}];`);
    }
  });
  out.push('}');
  return out.join('\n') + '\n';
}
