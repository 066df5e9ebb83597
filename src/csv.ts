/**
 * @module
 * CSV (RFC 4180) read and written the one way: fields separated by commas,
 * a field holding a comma, quote or line break in double quotes with its
 * quotes doubled. Used by the enrichment tables (reading), the report's
 * labels (reading) and CSV output, and the simulator's label file (writing).
 * Escaping for a given destination (spreadsheet formulas, control
 * characters) is the caller's, on top of this.
 */

/** Splits CSV text into rows of fields: CRLF or LF line ends, a leading BOM skipped. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  for (; i < text.length; i++) {
    const c = text.charAt(i);
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

/** The fields of one CSV line (no line end): `1,"A, ""B"" C",x` -> `1`, `A, "B" C`, `x`. */
export function splitCsvLine(line: string): string[] {
  // The common case, no quotes, without the character loop (table loading).
  if (!line.includes('"')) return line.split(',');
  return parseCsv(line)[0] ?? [''];
}

/**
 * One field as CSV: in double quotes, quotes doubled, when it holds a
 * comma, a quote or a line break, or starts or ends with white space (which
 * some readers trim); as is otherwise.
 */
export function quoteCsv(text: string): string {
  return /[",\r\n]/.test(text) || text !== text.trim() ? `"${text.replace(/"/g, '""')}"` : text;
}
