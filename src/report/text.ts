/**
 * @module
 * The terminal report: aligned tables with small unicode bar charts for the
 * shares. Attacker strings are made terminal-safe (no control characters or
 * escape sequences) and cut to a column width.
 */
import type { Report } from '../analysis/types.js';
import { terminalSafe } from './escape.js';
import { bar, percent, thousands } from './format.js';
import { reportTables, type Column, type Table, type TableCell } from './tables.js';
import { cutToWidth, displayWidth, padToWidth, wrapToWidth } from './text-width.js';

/** Widest a text column gets before it is cut with an ellipsis. */
export const MAX_TEXT_WIDTH = 40;
/** Every line of the text report fits this many terminal columns. */
export const LINE_WIDTH = 120;
const BAR_WIDTH = 12;
/** Narrowest a text column is squeezed to when a table is too wide. */
const MIN_TEXT_WIDTH = 6;
const GAP = 2;

function cellText(col: Column, v: TableCell): string {
  if (v === null) return '-';
  if (typeof v === 'number') {
    if (col.kind === 'share') return percent(v);
    if (col.kind === 'float') return v.toFixed(2);
    if (col.kind === 'int') return thousands(v);
    return String(v);
  }
  return terminalSafe(v);
}

/**
 * Column widths that fit LINE_WIDTH: each column as wide as its widest
 * cell (text columns at most MAX_TEXT_WIDTH, a wrapped last column as wide
 * as what is left), then the widest text columns narrowed until the line fits.
 */
function fitWidths(table: Table, body: readonly string[][], extra: number): number[] {
  const cols = table.columns;
  const wrapCol = table.wrap === true ? cols.length - 1 : -1;
  const widths = cols.map((c, n) => {
    const w = Math.max(displayWidth(c.header), ...body.map((r) => displayWidth(r[n] ?? '')));
    return c.kind === 'text' && n !== wrapCol ? Math.min(w, MAX_TEXT_WIDTH) : w;
  });
  const total = (): number => widths.reduce((a, b) => a + b, 0) + GAP * (cols.length - 1) + extra;
  if (wrapCol >= 0) {
    const others = total() - (widths[wrapCol] ?? 0);
    widths[wrapCol] = Math.max(MIN_TEXT_WIDTH, Math.min(widths[wrapCol] ?? 0, LINE_WIDTH - others));
  }
  while (total() > LINE_WIDTH) {
    let widest = -1;
    cols.forEach((c, n) => {
      const w = widths[n] ?? 0;
      if (c.kind === 'text' && w > MIN_TEXT_WIDTH && (widest < 0 || w > (widths[widest] ?? 0))) {
        widest = n;
      }
    });
    if (widest < 0) break;
    widths[widest] = (widths[widest] ?? 0) - 1;
  }
  return widths;
}

/** Wrapped `text` under an underline, at most LINE_WIDTH wide. */
function heading(title: string): string[] {
  const lines = wrapToWidth(terminalSafe(title), LINE_WIDTH);
  return [...lines, '='.repeat(Math.max(...lines.map(displayWidth)))];
}

/**
 * One table as aligned text within LINE_WIDTH columns; the first share
 * column also gets a bar. Text cells too wide are cut with an ellipsis;
 * in a `wrap` table the last column wraps instead, and a first-column
 * value repeated from the row above is left blank.
 */
export function renderTable(table: Table): string {
  const cols = table.columns;
  const barCol = cols.findIndex((c) => c.kind === 'share');
  const body = table.rows.map((row) => cols.map((c, n) => cellText(c, row[n] ?? null)));
  const widths = fitWidths(table, body, barCol >= 0 ? GAP + BAR_WIDTH : 0);
  const wrapCol = table.wrap === true ? cols.length - 1 : -1;
  const fmt = (cells: readonly string[], row?: readonly TableCell[]): string[] => {
    const wrapped = cells.map((cell, n) => {
      const w = widths[n] ?? 0;
      return n === wrapCol ? wrapToWidth(cell, w) : [cutToWidth(cell, w)];
    });
    const height = Math.max(...wrapped.map((l) => l.length));
    const lines: string[] = [];
    for (let i = 0; i < height; i++) {
      let line = wrapped
        .map((ls, n) => padToWidth(ls[i] ?? '', widths[n] ?? 0, cols[n]?.kind !== 'text'))
        .join(' '.repeat(GAP));
      if (i === 0 && row && barCol >= 0) {
        const v = row[barCol];
        if (typeof v === 'number') line += `${' '.repeat(GAP)}${bar(v, BAR_WIDTH)}`;
      }
      lines.push(line.trimEnd());
    }
    return lines;
  };
  const out = heading(table.title);
  if (table.note !== undefined) out.push(...wrapToWidth(terminalSafe(table.note), LINE_WIDTH));
  if (table.rows.length === 0) {
    out.push('(none)');
  } else {
    out.push(...fmt(cols.map((c) => c.header)));
    out.push(widths.map((w) => '-'.repeat(w)).join(' '.repeat(GAP)));
    body.forEach((cells, n) => {
      const shown =
        wrapCol >= 0 && n > 0 && cells[0] === body[n - 1]?.[0] ? ['', ...cells.slice(1)] : cells;
      out.push(...fmt(shown, table.rows[n]));
    });
  }
  return out.join('\n');
}

/** The whole report for a terminal. */
export function renderText(r: Report, top: number): string {
  const header = [
    'sipsnare report',
    ...wrapToWidth(
      `generated ${r.meta.generated_at}; scope: from ${r.meta.filter.from ?? 'start'} to ${r.meta.filter.to ?? 'end'}` +
        (r.meta.filter.sensor !== null ? `, sensor ${terminalSafe(r.meta.filter.sensor)}` : '') +
        '; shares are of unified INVITEs unless noted',
      LINE_WIDTH,
    ),
  ].join('\n');
  const tables = reportTables(r, top).filter((tb) => tb.id !== 'phase_daily' && tb.id !== 'graph');
  return [header, ...tables.map(renderTable)].join('\n\n') + '\n';
}
