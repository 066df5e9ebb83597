/**
 * @module
 * Reads `--labels numbers.csv`: `number,label` rows naming called numbers
 * (a bank's card service, a prepaid platform...). Accepts RFC 4180 quoting,
 * CRLF or LF, a BOM, an optional header row, `#` comment lines and blank
 * lines. Numbers are matched after the same light cleanup the report shows
 * (E.164 with `+`).
 *
 * Never evaluates anything from the file; labels are data like any other
 * string and are escaped by each renderer.
 */
import { parseCsv } from '../csv.js';

/** `+` and digits only: "+1 (800) 432-1000" -> "+18004321000"; "" when no digit. */
export function normaliseLabelNumber(raw: string): string {
  const t = raw.trim();
  const digits = t.replace(/\D/g, '');
  if (digits === '') return '';
  if (t.startsWith('+')) return `+${digits}`;
  if (t.startsWith('00')) return `+${digits.slice(2)}`;
  return `+${digits}`;
}

/** Number -> label. Later rows win; rows without a number or a label are skipped. */
export function parseLabels(text: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const row of parseCsv(text)) {
    const [rawNumber = '', rawLabel = ''] = row;
    if (rawNumber.trim().startsWith('#')) continue;
    const number = normaliseLabelNumber(rawNumber);
    const label = rawLabel.trim();
    if (number === '' || label === '') continue;
    map.set(number, label);
  }
  return map;
}
