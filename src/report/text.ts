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

/** Widest a text column gets before it is cut with an ellipsis. */
export const MAX_TEXT_WIDTH = 40;
const BAR_WIDTH = 12;

function cellText(col: Column, v: TableCell): string {
  if (v === null) return '-';
  if (typeof v === 'number') {
    if (col.kind === 'share') return percent(v);
    if (col.kind === 'float') return v.toFixed(2);
    if (col.kind === 'int') return thousands(v);
    return String(v);
  }
  const safe = terminalSafe(v);
  return safe.length > MAX_TEXT_WIDTH ? `${safe.slice(0, MAX_TEXT_WIDTH - 1)}…` : safe;
}

/** One table as aligned text; the first share column also gets a bar. */
export function renderTable(table: Table): string {
  const cols = table.columns;
  const barCol = cols.findIndex((c) => c.kind === 'share');
  const body = table.rows.map((row) => cols.map((c, n) => cellText(c, row[n] ?? null)));
  const widths = cols.map((c, n) =>
    Math.max(c.header.length, ...body.map((r) => (r[n] ?? '').length)),
  );
  const fmt = (cells: string[], row?: readonly TableCell[]): string => {
    const parts = cells.map((cell, n) => {
      const w = widths[n] ?? 0;
      return cols[n]?.kind === 'text' ? cell.padEnd(w) : cell.padStart(w);
    });
    let line = parts.join('  ');
    if (row && barCol >= 0) {
      const v = row[barCol];
      if (typeof v === 'number') line += `  ${bar(v, BAR_WIDTH)}`;
    }
    return line.trimEnd();
  };
  const out = [table.title, '='.repeat(table.title.length)];
  if (table.note !== undefined) out.push(terminalSafe(table.note));
  if (table.rows.length === 0) {
    out.push('(none)');
  } else {
    out.push(fmt(cols.map((c) => c.header)));
    out.push(widths.map((w) => '-'.repeat(w)).join('  '));
    table.rows.forEach((row, n) => out.push(fmt(body[n] ?? [], row)));
  }
  return out.join('\n');
}

/** The whole report for a terminal. */
export function renderText(r: Report, top: number): string {
  const header = [
    'sipsnare report',
    `generated ${r.meta.generated_at}; scope: from ${r.meta.filter.from ?? 'start'} to ${r.meta.filter.to ?? 'end'}` +
      (r.meta.filter.sensor !== null ? `, sensor ${terminalSafe(r.meta.filter.sensor)}` : '') +
      '; shares are of unified INVITEs unless noted',
  ].join('\n');
  const tables = reportTables(r, top).filter((tb) => tb.id !== 'phase_daily' && tb.id !== 'graph');
  return [header, ...tables.map(renderTable)].join('\n\n') + '\n';
}
