/**
 * @module
 * The single-file HTML report: opens offline (no scripts, fonts, images or
 * styles from anywhere), charts as inline SVG, tables below them. A
 * Content-Security-Policy meta forbids every script, so even a mistake in
 * escaping could not run one; and every attacker string is escaped anyway.
 */
import { PHASES, type Report } from '../analysis/types.js';
import { escapeHtml } from './escape.js';
import { percent, thousands } from './format.js';
import { graphSvg } from './graph-svg.js';
import { barChart, dayRange, heatmap, PALETTE, timeSeries, type Series } from './svg.js';
import { reportTables, type Table, type TableCell } from './tables.js';

/** Scripts, frames, connections, fonts: none. Inline styles and data: images only. */
export const CSP =
  "default-src 'none'; script-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src 'none'; connect-src 'none'; frame-src 'none'; object-src 'none'; base-uri 'none'; form-action 'none'";

const STYLE = `
body{font-family:system-ui,sans-serif;margin:0;color:#222;background:#fafafa}
header{background:#1d3557;color:#fff;padding:18px 28px}
header h1{margin:0 0 4px;font-size:22px}
main{padding:8px 28px 40px;max-width:1200px}
section{background:#fff;border:1px solid #e3e3e3;border-radius:8px;padding:14px 18px;margin:18px 0}
h2{font-size:18px;margin:4px 0 10px;color:#1d3557}
.cards{display:flex;flex-wrap:wrap;gap:12px}
.card{background:#f1f5f9;border-radius:6px;padding:10px 14px;min-width:140px}
.card b{display:block;font-size:22px}
.note{color:#555;font-size:13px;margin:6px 0}
.charts{display:flex;flex-wrap:wrap;gap:18px;align-items:flex-start}
svg.chart{max-width:100%;height:auto}
table{border-collapse:collapse;font-size:13px;margin:8px 0}
th,td{border-bottom:1px solid #eee;padding:3px 8px;text-align:left;vertical-align:top}
td.n{text-align:right;font-variant-numeric:tabular-nums}
td.t{max-width:360px;overflow-wrap:anywhere}
details summary{cursor:pointer;color:#1b6ca8;margin:6px 0}
footer{color:#666;font-size:12px;padding:0 28px 30px}
`;

function cell(v: TableCell, kind: string): string {
  if (v === null) return '<td class="t">-</td>';
  if (typeof v === 'number') {
    const text =
      kind === 'share'
        ? percent(v)
        : kind === 'float'
          ? v.toFixed(2)
          : kind === 'int'
            ? thousands(v)
            : String(v);
    return `<td class="n">${escapeHtml(text)}</td>`;
  }
  return `<td class="t">${escapeHtml(v)}</td>`;
}

/** One table as escaped HTML; tables longer than `open` rows are folded in a <details>. */
export function tableHtml(t: Table, open = 15): string {
  const head = `<tr>${t.columns.map((c) => `<th>${escapeHtml(c.header)}</th>`).join('')}</tr>`;
  const rows = t.rows.map(
    (r) => `<tr>${t.columns.map((c, n) => cell(r[n] ?? null, c.kind)).join('')}</tr>`,
  );
  const note = t.note !== undefined ? `<p class="note">${escapeHtml(t.note)}</p>` : '';
  if (t.rows.length === 0) return `${note}<p class="note">${escapeHtml(t.title)}: none.</p>`;
  const table = `<table id="t-${escapeHtml(t.id)}">${head}${rows.join('')}</table>`;
  return t.rows.length > open
    ? `${note}<details><summary>${escapeHtml(t.title)}: ${t.rows.length} rows</summary>${table}</details>`
    : `${note}${table}`;
}

function section(id: string, title: string, body: string): string {
  return `<section id="${id}"><h2>${escapeHtml(title)}</h2>${body}</section>`;
}

/** A table of the report as HTML by its id ('' when the report has none). */
type TableById = (id: string) => string;

/** The whole report as one HTML document. */
export function renderHtml(r: Report, top: number): string {
  const tables = new Map(reportTables(r, top).map((t) => [t.id, t]));
  const tb: TableById = (id) => {
    const t = tables.get(id);
    return t ? tableHtml(t) : '';
  };
  const body = [
    summarySection(r.summary, tb),
    section('cracked', 'Extensions cracked', tb('cracked')),
    userAgentSection(r, tb),
    sourcesSection(r, top, tb),
    section('rogue', 'Rogue VoIP server candidates', tb('rogue_servers')),
    section(
      'graph',
      'Destination countries per source (Figure 5)',
      `<div class="charts">${r.graph.map((g) => graphSvg(g)).join('')}</div>` + tb('graph'),
    ),
    destinationsSection(r, top, tb),
    countryPairsSection(r, tb),
    phasesSection(r.phases, tb),
    storiesSection(tables.get('source_stories')),
    section('credentials', 'Credentials tried', tb('usernames') + tb('passwords')),
  ];
  return page(r, body);
}

function summarySection(s: Report['summary'], tb: TableById): string {
  const cards = [
    ['REGISTER messages', s.register_messages],
    ['INVITE messages', s.invite_messages],
    ['Unified INVITEs', s.unified_invites],
    ['Unique IPs', s.unique_ips],
    ['Unique ASNs', s.unique_asns],
    ['Source countries', s.unique_source_countries],
    ['Days', s.days],
  ] as const;
  return section(
    'summary',
    'Summary (Table 1)',
    `<div class="cards">${cards.map(([k, v]) => `<div class="card"><b>${thousands(v)}</b>${escapeHtml(k)}</div>`).join('')}</div>` +
      tb('summary'),
  );
}

function userAgentSection(r: Report, tb: TableById): string {
  const ua = r.user_agent_breakdown;
  const uaItems = ua.labels.map((l) => ({ label: l.label, value: l.count, share: l.share }));
  if (ua.other.count > 0)
    uaItems.push({
      label: `(${ua.other.labels} other labels)`,
      value: ua.other.count,
      share: ua.other.share,
    });
  const requests = r.user_agents_all_traffic.reduce((a, u) => a + u.count, 0);
  const traffic = r.user_agents_all_traffic.map((u) => ({
    label: u.label,
    value: u.count,
    share: requests > 0 ? u.count / requests : 0,
  }));
  return section(
    'user-agents',
    'User agents: of calls (Figure 3) and of all traffic',
    `<div class="charts">${barChart(uaItems, 'Unified INVITEs per user agent')}${barChart(
      traffic,
      'Requests per user agent (all traffic)',
      PALETTE[3],
    )}${barChart(
      ua.categories.map((c) => ({ label: c.name, value: c.count, share: c.share })),
      'Calls by category',
      PALETTE[2],
    )}</div>` +
      tb('user_agents') +
      tb('user_agent_categories') +
      tb('user_agents_all_traffic'),
  );
}

/** One small table per source of the stories table, under its address. */
function storiesSection(t: Table | undefined): string {
  if (t === undefined) return '';
  const ips = [...new Set(t.rows.map((row) => String(row[0])))];
  const parts = ips.map((ip, n) =>
    tableHtml(
      {
        id: `${t.id}-${n}`,
        title: ip,
        columns: t.columns.slice(1),
        rows: t.rows.filter((row) => row[0] === ip).map((row) => row.slice(1)),
      },
      50,
    ),
  );
  const heads = ips.map((ip) => `<h3>${escapeHtml(ip)}</h3>`);
  return section(
    'stories',
    t.title,
    `<p class="note">${escapeHtml(t.note ?? '')}</p>` +
      (ips.length === 0
        ? '<p class="note">none.</p>'
        : parts.map((p, n) => `${heads[n] ?? ''}${p}`).join('')),
  );
}

function sourcesSection(r: Report, top: number, tb: TableById): string {
  return section(
    'sources',
    'Where calls come from (Figure 4, Table 3)',
    `<div class="charts">${barChart(
      r.source_countries
        .slice(0, top)
        .map((c) => ({ label: c.cc ?? '??', value: c.count, share: c.share })),
      'Unified INVITEs per source country',
      PALETTE[1],
    )}${barChart(
      r.top_sources.map((x) => ({
        label: `${x.ip} (${x.cc ?? '??'})`,
        value: x.count,
        share: x.share,
      })),
      'Top source IPs',
      PALETTE[4],
    )}</div>` + tb('top_sources'),
  );
}

function destinationsSection(r: Report, top: number, tb: TableById): string {
  return section(
    'destinations',
    'Who they are calling',
    `<div class="charts">${barChart(
      r.destination_countries
        .slice(0, top)
        .map((c) => ({ label: c.cc ?? '??', value: c.count, share: c.share })),
      'Calls per destination country',
      PALETTE[2],
    )}${barChart(
      r.number_types.map((n) => ({ label: n.type ?? 'unknown', value: n.count, share: n.share })),
      'Calls per number type',
      PALETTE[3],
    )}</div>` +
      tb('destinations') +
      tb('destination_countries') +
      tb('number_methods'),
  );
}

/** The country-pair heat-map: the top source countries by the top destination countries. */
export const HEATMAP_ROWS = 12;
export const HEATMAP_COLUMNS = 16;

function countryPairsSection(r: Report, tb: TableById): string {
  const pairs = r.country_pairs;
  const rowsCc = [...new Set(pairs.map((p) => p.source ?? '??'))].slice(0, HEATMAP_ROWS);
  const colsCc = [...new Set(r.destination_countries.map((d) => d.cc ?? '??'))].slice(
    0,
    HEATMAP_COLUMNS,
  );
  const heat = heatmap(
    pairs.map((p) => ({ row: p.source ?? '??', col: p.destination ?? '??', value: p.count })),
    rowsCc,
    colsCc,
    'Calls by source and destination country',
  );
  return section(
    'pairs',
    'Source -> destination countries (Table 4)',
    `<div class="charts">${heat}</div>` + tb('country_pairs'),
  );
}

function phasesSection(phases: Report['phases'], tb: TableById): string {
  const days = phases.daily.map((d) => d.day);
  const range = days.length > 0 ? dayRange(days[0] ?? '', days[days.length - 1] ?? '') : [];
  const series: Series[] = PHASES.map((ph) => ({
    name: ph.replace('_', ' '),
    points: new Map(phases.daily.filter((d) => d.phase === ph).map((d) => [d.day, d.sources])),
  }));
  const funnel = phases.funnel.map((f) => ({
    label: f.stage.replace('_', ' '),
    value: f.sources,
  }));
  const totals = PHASES.map((ph) => ({ label: ph.replace('_', ' '), value: phases.totals[ph] }));
  return section(
    'phases',
    'Attack phases',
    `<div class="charts">${barChart(totals, 'Sources per phase (any order)', PALETTE[0])}${barChart(funnel, 'Funnel: sources through every phase so far', PALETTE[1])}</div>` +
      `<div class="charts">${timeSeries(range, series, 'Active sources per day and phase')}</div>` +
      tb('phases') +
      tb('phase_sources') +
      tb('phase_daily'),
  );
}

/** The document around the sections: head with the CSP, header, footer with the data credits. */
function page(r: Report, body: readonly string[]): string {
  const scope =
    `from ${r.meta.filter.from ?? 'start'} to ${r.meta.filter.to ?? 'end'}` +
    (r.meta.filter.sensor !== null ? `, sensor ${r.meta.filter.sensor}` : '');
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(CSP)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>sipsnare report</title><style>${STYLE}</style></head>
<body><header><h1>sipsnare report</h1><div>${escapeHtml(`Generated ${r.meta.generated_at}; ${scope}. Shares are fractions of unified INVITEs unless noted.`)}</div></header>
<main>${body.join('\n')}</main>
<footer>${escapeHtml(`Geo-IP and ASN data ${r.summary.geo_data_date ?? 'date unknown'}: countries from RIR data (Number Resource Organization, nro.net), AS from RouteViews (routeviews.org) and DB-IP (db-ip.com), CC BY 4.0.`)}</footer>
</body></html>
`;
}
