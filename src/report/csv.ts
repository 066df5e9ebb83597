/**
 * @module
 * CSV per section: one file per table, or all tables concatenated with a
 * `# section: ID` line before each. Every cell goes through csvCell, which
 * quotes and neutralises spreadsheet formulas.
 */
import type { Report } from '../analysis/types.js';
import { csvCell } from './escape.js';
import { reportTables, type Table } from './tables.js';

/** One table as CSV text (header row, CRLF line ends as RFC 4180 asks). */
export function tableCsv(table: Table): string {
  const lines = [table.columns.map((c) => csvCell(c.header))];
  for (const row of table.rows) lines.push(table.columns.map((_c, n) => csvCell(row[n] ?? null)));
  return lines.map((l) => l.join(',')).join('\r\n') + '\r\n';
}

/** Every section as `{ name: "ID.csv", text }`, for `--out DIR`. */
export function renderCsvFiles(r: Report, top: number): { name: string; text: string }[] {
  return reportTables(r, top).map((t) => ({ name: `${t.id}.csv`, text: tableCsv(t) }));
}

/** Every section in one stream, each introduced by `# section: ID`. */
export function renderCsv(r: Report, top: number): string {
  return reportTables(r, top)
    .map((t) => `# section: ${t.id}\r\n${tableCsv(t)}`)
    .join('\r\n');
}
