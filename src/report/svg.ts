/**
 * @module
 * Inline SVG charts for the HTML report: horizontal bar chart, heat-map
 * matrix and a daily time series. Deterministic (same input, same bytes), no
 * scripts, every label escaped.
 */
import { escapeHtml } from './escape.js';
import { percent, thousands } from './format.js';

export interface BarItem {
  readonly label: string;
  readonly value: number;
  readonly share?: number;
}

const FONT = 'font-family="system-ui, sans-serif" font-size="12"';
export const PALETTE = ['#1b6ca8', '#e76f51', '#2a9d8f', '#e9c46a', '#8d5fd3', '#6c757d'] as const;

function cut(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** Horizontal bars, largest first as given; the label column cuts long strings (full text in a tooltip). */
export function barChart(
  items: readonly BarItem[],
  title: string,
  color: string = PALETTE[0],
): string {
  const rowH = 22;
  const labelW = 260;
  const barW = 380;
  const width = labelW + barW + 110;
  const height = 30 + rowH * Math.max(items.length, 1);
  const max = Math.max(1, ...items.map((i) => i.value));
  const rows = items.map((it, n) => {
    const y = 24 + n * rowH;
    const w = Math.max(1, (barW * it.value) / max);
    const value = `${thousands(it.value)}${it.share !== undefined ? ` (${percent(it.share, 1)})` : ''}`;
    return (
      `<g class="bar"><title>${escapeHtml(it.label)}: ${escapeHtml(value)}</title>` +
      `<text x="${labelW - 6}" y="${y + 14}" text-anchor="end" ${FONT}>${escapeHtml(cut(it.label, 36))}</text>` +
      `<rect x="${labelW}" y="${y + 2}" width="${w.toFixed(1)}" height="${rowH - 6}" rx="2" fill="${color}"/>` +
      `<text x="${(labelW + w + 6).toFixed(1)}" y="${y + 14}" ${FONT} fill="#333">${escapeHtml(value)}</text></g>`
    );
  });
  return (
    `<svg class="chart" role="img" aria-label="${escapeHtml(title)}" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" xmlns="http://www.w3.org/2000/svg">` +
    `<text x="0" y="14" ${FONT} font-weight="bold">${escapeHtml(title)}</text>` +
    (items.length === 0 ? `<text x="0" y="40" ${FONT}>(no data)</text>` : rows.join('')) +
    `</svg>`
  );
}

export interface Cell3 {
  readonly row: string;
  readonly col: string;
  readonly value: number;
}

/** A matrix of rows x columns, colour by value (log scale so a few big pairs do not wash out the rest). */
export function heatmap(
  cells: readonly Cell3[],
  rows: readonly string[],
  cols: readonly string[],
  title: string,
): string {
  const cw = 34;
  const ch = 22;
  const left = 50;
  const top = 46;
  const width = Math.max(380, left + cw * Math.max(cols.length, 1) + 10);
  const height = top + ch * Math.max(rows.length, 1) + 10;
  const values = new Map(cells.map((c) => [`${c.row}\u0000${c.col}`, c.value]));
  const max = Math.max(1, ...cells.map((c) => c.value));
  const parts: string[] = [];
  cols.forEach((c, x) => {
    parts.push(
      `<text x="${left + x * cw + cw / 2}" y="${top - 6}" text-anchor="middle" ${FONT}>${escapeHtml(cut(c, 5))}</text>`,
    );
  });
  rows.forEach((r, y) => {
    parts.push(
      `<text x="${left - 6}" y="${top + y * ch + 15}" text-anchor="end" ${FONT}>${escapeHtml(cut(r, 5))}</text>`,
    );
    cols.forEach((c, x) => {
      const v = values.get(`${r}\u0000${c}`) ?? 0;
      const t = v > 0 ? Math.log1p(v) / Math.log1p(max) : 0;
      const light = Math.round(97 - 60 * t);
      const fill = v > 0 ? `hsl(14, 80%, ${light}%)` : '#f4f4f4';
      parts.push(
        `<g class="cell"><title>${escapeHtml(r)} → ${escapeHtml(c)}: ${thousands(v)}</title>` +
          `<rect x="${left + x * cw}" y="${top + y * ch}" width="${cw - 2}" height="${ch - 2}" fill="${fill}"/>` +
          (v > 0
            ? `<text x="${left + x * cw + cw / 2 - 1}" y="${top + y * ch + 14}" text-anchor="middle" font-family="system-ui, sans-serif" font-size="9" fill="${light < 60 ? '#fff' : '#333'}">${v >= 1000 ? `${Math.round(v / 1000)}k` : v}</text>`
            : '') +
          `</g>`,
      );
    });
  });
  return (
    `<svg class="chart" role="img" aria-label="${escapeHtml(title)}" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" xmlns="http://www.w3.org/2000/svg">` +
    `<text x="0" y="14" ${FONT} font-weight="bold">${escapeHtml(title)}</text>` +
    `<text x="0" y="30" ${FONT} fill="#555">rows: source country, columns: destination country</text>` +
    parts.join('') +
    `</svg>`
  );
}

export interface Series {
  readonly name: string;
  readonly points: ReadonlyMap<string, number>;
}

/** Lines over days (x: every day from the first to the last, y: value), one colour per series. */
export function timeSeries(
  days: readonly string[],
  series: readonly Series[],
  title: string,
): string {
  const width = 760;
  const height = 260;
  const left = 50;
  const right = 130;
  const top = 28;
  const bottom = 36;
  const plotW = width - left - right;
  const plotH = height - top - bottom;
  const max = Math.max(1, ...series.flatMap((s) => [...s.points.values()]));
  const x = (n: number): number =>
    left + (days.length <= 1 ? plotW / 2 : (plotW * n) / (days.length - 1));
  const y = (v: number): number => top + plotH - (plotH * v) / max;
  const parts: string[] = [
    `<line x1="${left}" y1="${top + plotH}" x2="${left + plotW}" y2="${top + plotH}" stroke="#999"/>`,
    `<line x1="${left}" y1="${top}" x2="${left}" y2="${top + plotH}" stroke="#999"/>`,
    `<text x="${left - 6}" y="${top + 4}" text-anchor="end" ${FONT}>${thousands(max)}</text>`,
    `<text x="${left - 6}" y="${top + plotH}" text-anchor="end" ${FONT}>0</text>`,
  ];
  if (days.length > 0) {
    parts.push(`<text x="${left}" y="${height - 14}" ${FONT}>${escapeHtml(days[0] ?? '')}</text>`);
    parts.push(
      `<text x="${left + plotW}" y="${height - 14}" text-anchor="end" ${FONT}>${escapeHtml(days[days.length - 1] ?? '')}</text>`,
    );
  }
  series.forEach((s, k) => {
    const color = PALETTE[k % PALETTE.length] ?? '#333';
    const pts = days.map((d, n) => `${x(n).toFixed(1)},${y(s.points.get(d) ?? 0).toFixed(1)}`);
    if (days.length === 1) {
      parts.push(
        `<circle cx="${x(0)}" cy="${y(s.points.get(days[0] ?? '') ?? 0).toFixed(1)}" r="4" fill="${color}"/>`,
      );
    } else if (pts.length > 1) {
      parts.push(
        `<polyline class="series" fill="none" stroke="${color}" stroke-width="2" points="${pts.join(' ')}"/>`,
      );
    }
    const ly = top + 10 + k * 18;
    parts.push(
      `<rect x="${left + plotW + 14}" y="${ly - 9}" width="12" height="12" fill="${color}"/>` +
        `<text x="${left + plotW + 32}" y="${ly + 1}" ${FONT}>${escapeHtml(s.name)}</text>`,
    );
  });
  return (
    `<svg class="chart" role="img" aria-label="${escapeHtml(title)}" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" xmlns="http://www.w3.org/2000/svg">` +
    `<text x="0" y="14" ${FONT} font-weight="bold">${escapeHtml(title)}</text>` +
    parts.join('') +
    `</svg>`
  );
}

/** Every UTC day from `first` to `last` (inclusive), so gaps show as zeros. */
export function dayRange(first: string, last: string, maxDays = 3660): string[] {
  const out: string[] = [];
  const d = new Date(`${first}T00:00:00Z`);
  const end = new Date(`${last}T00:00:00Z`);
  while (d <= end && out.length < maxDays) {
    out.push(d.toISOString().slice(0, 10));
    d.setUTCDate(d.getUTCDate() + 1);
  }
  return out;
}
