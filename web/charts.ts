// Charts and the world map, drawn by Observable Plot into SVG. Labels and
// tooltips (SVG <title>) are text nodes Plot creates: attacker strings stay text.
import * as Plot from '@observablehq/plot';
import { feature } from 'topojson-client';
import type { GeometryCollection, Topology } from 'topojson-specification';
import countries110 from 'world-atlas/countries-110m.json';
import isoCountries from 'i18n-iso-countries';

const PHASES = ['scanning', 'enumeration', 'brute_force', 'abuse'];
const COLORS = ['#7aa6d8', '#f2b04c', '#d9614c', '#7b2d8e'];

export interface HourPhase {
  hour: string;
  phase: string;
  messages: number;
}

function wrap(svg: Element): HTMLElement {
  const d = document.createElement('div');
  d.className = 'chart';
  d.append(svg);
  return d;
}

export function hourlyChart(rows: HourPhase[]): HTMLElement {
  const data = rows.map((r) => ({ ...r, date: new Date(r.hour) }));
  return wrap(
    Plot.plot({
      width: 1000,
      height: 260,
      marginLeft: 60,
      x: { type: 'utc', label: 'hour (UTC)' },
      y: { label: 'messages', grid: true },
      color: { domain: PHASES, range: COLORS, legend: true },
      marks: [
        Plot.rectY(
          data,
          Plot.stackY({
            x1: 'date',
            x2: (d: { date: Date }) => new Date(d.date.getTime() + 3600_000),
            y: 'messages',
            fill: 'phase',
            order: PHASES,
            title: (d: HourPhase) => `${d.hour} ${d.phase}: ${d.messages}`,
          }),
        ),
        Plot.ruleY([0]),
      ],
    }),
  );
}

export function barChart(rows: { label: string; count: number }[], what: string): HTMLElement {
  return wrap(
    Plot.plot({
      width: 700,
      height: Math.max(80, rows.length * 18 + 40),
      marginLeft: 200,
      x: { label: what, grid: true },
      y: { label: null },
      marks: [
        Plot.barX(rows, {
          x: 'count',
          y: 'label',
          sort: { y: '-x' },
          fill: '#5b7fbf',
          title: (d: { label: string; count: number }) => `${d.label}: ${d.count}`,
        }),
        Plot.ruleX([0]),
      ],
    }),
  );
}

const topo = countries110 as unknown as Topology<{
  countries: GeometryCollection<{ name: string }>;
}>;
const land = feature(topo, topo.objects.countries);

export function worldMap(
  counts: { cc: string | null; count: number }[],
  what: string,
): HTMLElement {
  const byNumeric = new Map<string, number>();
  for (const c of counts) {
    if (c.cc === null) continue;
    const n = isoCountries.alpha2ToNumeric(c.cc);
    if (n !== undefined) byNumeric.set(n, (byNumeric.get(n) ?? 0) + c.count);
  }
  return wrap(
    Plot.plot({
      width: 700,
      height: 360,
      projection: 'equal-earth',
      color: { type: 'log', scheme: 'reds', legend: true, label: what, unknown: '#eee' },
      marks: [
        Plot.geo(land.features, {
          fill: (f: { id?: string | number }) => byNumeric.get(String(f.id)),
          stroke: '#999',
          strokeWidth: 0.3,
          title: (f: { id?: string | number; properties: { name: string } }) =>
            `${f.properties.name}: ${byNumeric.get(String(f.id)) ?? 0}`,
        }),
      ],
    }),
  );
}
