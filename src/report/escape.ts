/**
 * @module
 * Escaping for each output format. Attacker strings (user agents, numbers,
 * usernames, passwords, imported addresses) reach every renderer; these are
 * the only functions that let them out.
 */
import { quoteCsv } from '../csv.js';

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
 * stay numbers (a negative number is data, not a formula). Control
 * characters are escaped first (escapeControls), so no cell holds a raw
 * control byte or line break. Cells with a comma or quote are quoted,
 * quotes doubled.
 */
export function csvCell(value: string | number | null): string {
  if (value === null) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  let s = escapeControls(value);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return quoteCsv(s);
}

/**
 * A Graphviz DOT quoted string: line breaks become a space, other control
 * characters `\\u{NN}` (escapeControls, written with a doubled backslash so
 * DOT shows it as text), quotes and backslashes escaped.
 */
export function dotString(text: string): string {
  return `"${escapeControls(text.replace(/[\r\n]+/g, ' '))
    .replace(/\\/g, '\\\\')
    .replace(/"/g, '\\"')}"`;
}

/**
 * Control characters (C0, DEL, C1: escape sequences could rewrite a
 * terminal or hide in a spreadsheet cell) and bidi overrides (they reorder
 * what is shown) become `\u{NN}`. Every text output passes attacker strings
 * through this: terminal tables, CSV cells, DOT labels.
 */
export function escapeControls(text: string): string {
  return text.replace(
    // eslint-disable-next-line no-control-regex
    /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g,
    (c) => `\\u{${c.charCodeAt(0).toString(16)}}`,
  );
}

/** Makes text safe for one terminal cell (see escapeControls). */
export function terminalSafe(text: string): string {
  return escapeControls(text);
}
