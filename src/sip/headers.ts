/**
 * @module
 * Header names and values: canonical long forms (from compact and any-case
 * spellings), lookup in an ordered header list, and splitting of
 * comma-joined values that respects quoted strings and `<...>`.
 * Pure string work; never throws on attacker input.
 */
import type { SipHeader, SipMessage } from './message.js';

/** RFC 3261 §7.3.3 and later RFCs: compact form -> long form. */
export const COMPACT_FORMS: Readonly<Record<string, string>> = {
  i: 'Call-ID',
  m: 'Contact',
  e: 'Content-Encoding',
  l: 'Content-Length',
  c: 'Content-Type',
  f: 'From',
  s: 'Subject',
  k: 'Supported',
  t: 'To',
  v: 'Via',
  o: 'Event',
  u: 'Allow-Events',
  r: 'Refer-To',
  b: 'Referred-By',
  x: 'Session-Expires',
  j: 'Reject-Contact',
  a: 'Accept-Contact',
  d: 'Request-Disposition',
  y: 'Identity',
  n: 'Identity-Info',
};

/** Well-known long names, keyed by lower case, in their conventional spelling. */
const KNOWN_NAMES: ReadonlyMap<string, string> = new Map(
  [
    'Accept',
    'Accept-Contact',
    'Accept-Encoding',
    'Accept-Language',
    'Alert-Info',
    'Allow',
    'Allow-Events',
    'Authentication-Info',
    'Authorization',
    'Call-ID',
    'Call-Info',
    'Contact',
    'Content-Disposition',
    'Content-Encoding',
    'Content-Language',
    'Content-Length',
    'Content-Type',
    'CSeq',
    'Date',
    'Error-Info',
    'Event',
    'Expires',
    'From',
    'Identity',
    'Identity-Info',
    'In-Reply-To',
    'Max-Forwards',
    'MIME-Version',
    'Min-Expires',
    'Organization',
    'P-Asserted-Identity',
    'Priority',
    'Proxy-Authenticate',
    'Proxy-Authorization',
    'Proxy-Require',
    'Record-Route',
    'Refer-To',
    'Referred-By',
    'Reject-Contact',
    'Reply-To',
    'Request-Disposition',
    'Require',
    'Retry-After',
    'Route',
    'Server',
    'Session-Expires',
    'Subject',
    'Supported',
    'Timestamp',
    'To',
    'Unsupported',
    'User-Agent',
    'Via',
    'Warning',
    'WWW-Authenticate',
  ].map((n) => [n.toLowerCase(), n]),
);

/** Canonical names already computed, by name as sent (bounded: attacker names are many). */
const CANONICAL_CACHE = new Map<string, string>();
export const CANONICAL_CACHE_MAX = 1024;

/**
 * The canonical name of a header as sent: compact forms expand, known names
 * take their usual spelling, unknown names keep the case sent. Lookups then
 * compare canonical names case-insensitively.
 */
export function canonicalName(raw: string): string {
  const cached = CANONICAL_CACHE.get(raw);
  if (cached !== undefined) return cached;
  const lower = raw.toLowerCase();
  const name = lower.length === 1 ? (COMPACT_FORMS[lower] ?? raw) : (KNOWN_NAMES.get(lower) ?? raw);
  if (CANONICAL_CACHE.size < CANONICAL_CACHE_MAX) CANONICAL_CACHE.set(raw, name);
  return name;
}

/** Lower-cased canonical names of the names callers look up (bounded like the cache above). */
const LOOKUP_CACHE = new Map<string, { canonical: string; lower: string }>();

function lookupKey(name: string): { canonical: string; lower: string } {
  let k = LOOKUP_CACHE.get(name);
  if (k === undefined) {
    const canonical = canonicalName(name);
    k = { canonical, lower: canonical.toLowerCase() };
    if (LOOKUP_CACHE.size < CANONICAL_CACHE_MAX) LOOKUP_CACHE.set(name, k);
  }
  return k;
}

/** Whether header name `have` is `want` (canonical, and its lower case), ignoring case. */
function sameName(have: string, want: { canonical: string; lower: string }): boolean {
  return (
    have === want.canonical ||
    (have.length === want.lower.length && have.toLowerCase() === want.lower)
  );
}

/** Headers are a list; this gives every one named `name` (any spelling), in order. */
export function getHeaders(headers: readonly SipHeader[], name: string): SipHeader[] {
  const want = lookupKey(name);
  const out: SipHeader[] = [];
  for (const h of headers) if (sameName(h.name, want)) out.push(h);
  return out;
}

/** How many headers are named `name` (any spelling). */
export function countHeaders(headers: readonly SipHeader[], name: string): number {
  const want = lookupKey(name);
  let n = 0;
  for (const h of headers) if (sameName(h.name, want)) n++;
  return n;
}

/** The first header named `name`, or undefined. */
export function getHeader(
  message: SipMessage | readonly SipHeader[],
  name: string,
): string | undefined {
  const list = 'headers' in message ? message.headers : message;
  const want = lookupKey(name);
  for (const h of list) if (sameName(h.name, want)) return h.value;
  return undefined;
}

/**
 * Splits a comma-joined header value (RFC 3261 §7.3.1) into its elements.
 * Commas inside quoted strings (with backslash escapes) and inside `<...>`
 * do not split. Empty elements are dropped; each element is trimmed.
 */
export function splitHeaderValues(value: string): string[] {
  const out: string[] = [];
  let start = 0;
  let inQuote = false;
  let inAngle = false;
  for (let i = 0; i < value.length; i++) {
    const ch = value[i];
    if (inQuote) {
      if (ch === '\\') i++;
      else if (ch === '"') inQuote = false;
    } else if (ch === '"') inQuote = true;
    else if (ch === '<') inAngle = true;
    else if (ch === '>') inAngle = false;
    else if (ch === ',' && !inAngle) {
      const part = value.slice(start, i).trim();
      if (part !== '') out.push(part);
      start = i + 1;
    }
  }
  const last = value.slice(start).trim();
  if (last !== '') out.push(last);
  return out;
}

/** Every element of every header named `name`, in order (Via stacks, Contact lists). */
export function getHeaderValues(headers: readonly SipHeader[], name: string): string[] {
  const want = lookupKey(name);
  const out: string[] = [];
  // Plain loops: flatMap goes through a slow runtime path for every element it adds.
  for (const h of headers) {
    if (!sameName(h.name, want)) continue;
    for (const v of splitHeaderValues(h.value)) out.push(v);
  }
  return out;
}

/**
 * The parameters of a value that has none: one shared, never-written map
 * (parsed values are read-only), so the common parameterless URI or
 * address costs no allocation.
 */
export const NO_PARAMS: ReadonlyMap<string, string> = new Map<string, string>();

/**
 * Parses `;name=value` parameters (the text after the first `;`). Quoted
 * values are kept with their quotes removed; names are lower-cased; a
 * parameter without `=` maps to the empty string. Separators inside quotes
 * are respected.
 */
export function parseParams(text: string): Map<string, string> {
  const params = new Map<string, string>();
  for (const part of splitOutsideQuotes(text, ';')) {
    const p = part.trim();
    if (p === '') continue;
    const eq = p.indexOf('=');
    const name = (eq < 0 ? p : p.slice(0, eq)).trim().toLowerCase();
    if (name === '' || params.has(name)) continue;
    params.set(name, eq < 0 ? '' : unquote(p.slice(eq + 1).trim()));
  }
  return params;
}

/** Splits on `sep` outside double quotes (backslash escapes honoured). */
export function splitOutsideQuotes(text: string, sep: string): string[] {
  const out: string[] = [];
  let start = 0;
  let inQuote = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (inQuote) {
      if (ch === '\\') i++;
      else if (ch === '"') inQuote = false;
    } else if (ch === '"') inQuote = true;
    else if (ch === sep) {
      out.push(text.slice(start, i));
      start = i + 1;
    }
  }
  out.push(text.slice(start));
  return out;
}

/** Removes surrounding double quotes and resolves backslash escapes; other text is returned as is. */
export function unquote(text: string): string {
  if (text.length < 2 || !text.startsWith('"') || !text.endsWith('"')) return text;
  const inner = text.slice(1, -1);
  // Most quoted strings hold no escape; a regexp replace always takes V8's slow path.
  return inner.includes('\\') ? inner.replace(/\\(.)/gs, '$1') : inner;
}
