/**
 * @module
 * Escaping for each output format. Attacker strings (user agents, numbers,
 * usernames, passwords, imported addresses) reach every renderer; these are
 * the only functions that let them out.
 */

const HTML: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes text for HTML element content and quoted attribute values (and SVG). */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML[c] ?? c);
}

/**
 * One CSV cell (RFC 4180). Text starting with `=`, `+`, `-`, `@`, TAB or CR
 * is what spreadsheets run as a formula, so it gets a leading `'`; numbers
 * stay numbers (a negative number is data, not a formula). Cells with a
 * comma, quote or line break are quoted, quotes doubled.
 */
export function csvCell(value: string | number | null): string {
  if (value === null) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  let s = value;
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  if (/[",\r\n]/.test(s) || s !== s.trim()) s = `"${s.replace(/"/g, '""')}"`;
  return s;
}

/** A Graphviz DOT quoted string: quotes and backslashes escaped, line breaks removed. */
export function dotString(text: string): string {
  return `"${text
    .replace(/\\/g, '\\\\')
    .replace(/"/g, '\\"')
    .replace(/[\r\n]+/g, ' ')}"`;
}

/**
 * Makes text safe for one terminal cell: control characters (escape
 * sequences could rewrite the terminal) and bidi overrides become `\u{NN}`.
 */
export function terminalSafe(text: string): string {
  return text.replace(
    // eslint-disable-next-line no-control-regex
    /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g,
    (c) => `\\u{${c.charCodeAt(0).toString(16)}}`,
  );
}
