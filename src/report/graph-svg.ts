/**
 * @module
 * Figure 5 as inline SVG: the source in the centre, the destination
 * countries it called on rings around it (most called first, clockwise from
 * the top), edges as wide as their share of the calls. A fixed layout, no
 * randomness, no external service.
 */
import type { SourceGraph } from '../analysis/types.js';
import { escapeHtml } from './escape.js';
import { thousands } from './format.js';

/** Nodes per ring before a new, wider ring starts. */
export const RING_CAPACITY = [24, 40, 60, 80] as const;

export interface PlacedNode {
  readonly label: string;
  readonly count: number;
  readonly x: number;
  readonly y: number;
}

/** Positions of the destination nodes around (0, 0), in edge order. */
export function radialLayout(graph: SourceGraph, baseRadius = 150, ringGap = 70): PlacedNode[] {
  const out: PlacedNode[] = [];
  let start = 0;
  let ring = 0;
  while (start < graph.edges.length) {
    const cap = RING_CAPACITY[Math.min(ring, RING_CAPACITY.length - 1)] ?? 80;
    const slice = graph.edges.slice(start, start + cap);
    const r = baseRadius + ring * ringGap;
    const offset = ring % 2 === 1 ? Math.PI / slice.length : 0;
    slice.forEach((e, n) => {
      const a = -Math.PI / 2 + offset + (2 * Math.PI * n) / slice.length;
      out.push({
        label: e.destination ?? '??',
        count: e.count,
        x: r * Math.cos(a),
        y: r * Math.sin(a),
      });
    });
    start += cap;
    ring++;
  }
  return out;
}

/** One source's link graph as an SVG element. */
export function graphSvg(graph: SourceGraph): string {
  const nodes = radialLayout(graph);
  const extent = Math.max(160, ...nodes.map((n) => Math.hypot(n.x, n.y))) + 40;
  const size = Math.ceil(extent * 2);
  const c = size / 2;
  const max = Math.max(1, ...nodes.map((n) => n.count));
  const edges = nodes.map(
    (n) =>
      `<line x1="${c}" y1="${c}" x2="${(c + n.x).toFixed(1)}" y2="${(c + n.y).toFixed(1)}" stroke="#1b6ca8" stroke-opacity="0.45" stroke-width="${(0.8 + (5 * n.count) / max).toFixed(1)}"/>`,
  );
  const dots = nodes.map(
    (n) =>
      `<g class="node"><title>${escapeHtml(n.label)}: ${thousands(n.count)} calls</title>` +
      `<circle cx="${(c + n.x).toFixed(1)}" cy="${(c + n.y).toFixed(1)}" r="15" fill="#a8dadc" stroke="#457b9d"/>` +
      `<text x="${(c + n.x).toFixed(1)}" y="${(c + n.y + 4).toFixed(1)}" text-anchor="middle" font-family="system-ui, sans-serif" font-size="10">${escapeHtml(n.label.slice(0, 4))}</text></g>`,
  );
  const label = `${graph.ip}${graph.cc !== null ? ` (${graph.cc})` : ''}`;
  return (
    `<svg class="chart graph" role="img" aria-label="${escapeHtml(`calls from ${label}`)}" viewBox="0 0 ${size} ${size}" width="${size}" height="${size}" xmlns="http://www.w3.org/2000/svg">` +
    edges.join('') +
    dots.join('') +
    `<g class="source"><rect x="${c - 70}" y="${c - 18}" width="140" height="36" rx="6" fill="#f4a261" stroke="#9c4a1a"/>` +
    `<text x="${c}" y="${c - 2}" text-anchor="middle" font-family="system-ui, sans-serif" font-size="11" font-weight="bold">${escapeHtml(label.slice(0, 24))}</text>` +
    `<text x="${c}" y="${c + 12}" text-anchor="middle" font-family="system-ui, sans-serif" font-size="10">${thousands(graph.calls)} calls, ${nodes.length} countries</text></g>` +
    `</svg>`
  );
}
