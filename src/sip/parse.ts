/**
 * @module
 * bytes -> SipMessage. Structural parsing only: start line, header lines
 * (folding, compact names), Content-Length and body. It never throws on any
 * input: every failure is a `{ ok: false, reason }` with a snake_case reason.
 * Semantic checks (required headers, CSeq) are in validate.ts, because a
 * PBX answers those with 400 while structural garbage is dropped in silence.
 *
 * Header text is decoded as latin1 (one char per byte), so that echoing a
 * header back writes the very bytes received; use `textOf` for human text.
 */
import { isUtf8 } from 'node:buffer';
import { canonicalName } from './headers.js';
import type { SipHeader, SipMessage } from './message.js';

/** Why a message did not parse. Stable: they become `reason` in sip.malformed events. */
export const PARSE_FAILURES = [
  'empty',
  'keepalive',
  'too_large',
  'bad_request_line',
  'bad_status_line',
  'bad_version',
  'bad_header_line',
  'too_many_headers',
  'bad_content_length',
  'body_length_mismatch',
] as const;
export type ParseFailure = (typeof PARSE_FAILURES)[number];

export interface ParseOptions {
  /** Larger inputs fail with `too_large` before any work. Default 65535. */
  readonly maxBytes?: number;
  /** More header lines fail with `too_many_headers`. Default 256. */
  readonly maxHeaders?: number;
  /**
   * `lenient` (default, what Asterisk does over UDP): a body shorter than
   * Content-Length is taken as it is. `strict`: that fails with
   * `body_length_mismatch`.
   */
  readonly bodyLength?: 'lenient' | 'strict';
}

export type ParseResult =
  | {
      readonly ok: true;
      readonly message: SipMessage;
      /** Bytes used; trailing bytes after the body (RFC 4475 dblreq) are ignored. */
      readonly consumed: number;
      /** true when the body was shorter than Content-Length (lenient mode). */
      readonly truncatedBody: boolean;
    }
  | { readonly ok: false; readonly reason: ParseFailure; readonly detail: string };

export const DEFAULT_MAX_BYTES = 65535;
export const DEFAULT_MAX_HEADERS = 256;

const TOKEN_RE = /^[A-Za-z0-9\-.!%*_+`'~]+$/;
const VERSION_RE = /^SIP\/(\d+)\.(\d+)$/i;

/**
 * Human text of a latin1-decoded header value: its bytes re-read as UTF-8
 * when they are valid UTF-8, else kept as Latin-1 (one character per byte),
 * so that no byte is lost to U+FFFD and `Buffer.from(text, 'latin1')` gives
 * the bytes back.
 */
export function textOf(latin1: string): string {
  // eslint-disable-next-line no-control-regex
  if (!/[^\x00-\x7f]/.test(latin1)) return latin1;
  const bytes = Buffer.from(latin1, 'latin1');
  return isUtf8(bytes) ? bytes.toString('utf8') : latin1;
}

/** Index just after the blank line ending the headers (CRLFCRLF or LFLF, or the mixed forms), or -1. */
export function findHeaderEnd(bytes: Uint8Array, from = 0): number {
  const buf = Buffer.isBuffer(bytes)
    ? bytes
    : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  // Native search for the common case first; the byte loop below handles bare LFs.
  const crlf = buf.indexOf('\r\n\r\n', from, 'latin1');
  const lf = buf.indexOf('\n\n', from, 'latin1');
  if (lf < 0 && crlf >= 0 && buf.indexOf('\n\r\n', from, 'latin1') === crlf + 1) return crlf + 4;
  const end = crlf < 0 ? buf.length : crlf + 4;
  for (let i = from; i < end; i++) {
    if (buf[i] !== 0x0a) continue;
    if (buf[i + 1] === 0x0a) return i + 2;
    if (buf[i + 1] === 0x0d && buf[i + 2] === 0x0a) return i + 3;
  }
  return -1;
}

function fail(reason: ParseFailure, detail: string): ParseResult {
  return { ok: false, reason, detail };
}

/** Characters String.prototype.trimEnd removes that can occur in latin1 text. */
function isTrimmable(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d) || c === 0xa0;
}

/** RFC 3261 token characters. */
const TOKEN_CHARS = new Uint8Array(128);
for (const ch of "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-.!%*_+`'~")
  TOKEN_CHARS[ch.charCodeAt(0)] = 1;

/** Same as TOKEN_RE.test, without a regular expression. */
function isToken(text: string): boolean {
  if (text.length === 0) return false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 128 || TOKEN_CHARS[c] !== 1) return false;
  }
  return true;
}

function isWs(b: number | undefined): boolean {
  return b === 0x20 || b === 0x09 || b === 0x0d || b === 0x0a;
}

/**
 * Parses one SIP message. Any input ends as a message or a failure with its
 * reason; a throw is a bug in the parser, never a verdict on the input, and
 * is left to the caller's boundary (the sensor records it as
 * `internal_error` and logs it).
 */
export function parse(bytes: Uint8Array, options: ParseOptions = {}): ParseResult {
  return parseUnsafe(bytes, options);
}

function parseUnsafe(bytes: Uint8Array, options: ParseOptions): ParseResult {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  if (bytes.length > maxBytes) return fail('too_large', `${bytes.length} > ${maxBytes} bytes`);
  // RFC 3261 §7.5: ignore CRLFs before the start line.
  let start = 0;
  while (start < bytes.length && isWs(bytes[start])) start++;
  if (start === bytes.length) {
    return bytes.length === 0 ? fail('empty', 'no bytes') : fail('keepalive', 'whitespace only');
  }
  let headerEnd = findHeaderEnd(bytes, start);
  // A datagram whose headers run to its end without the blank line (RFC 4475 baddn) is read as is.
  const bodyStart = headerEnd < 0 ? bytes.length : headerEnd;
  if (headerEnd < 0) headerEnd = bytes.length;
  const head = Buffer.from(bytes.buffer, bytes.byteOffset + start, headerEnd - start).toString(
    'latin1',
  );
  const lines = readHead(head, options.maxHeaders ?? DEFAULT_MAX_HEADERS);
  if ('ok' in lines) return lines;
  const contentLength = contentLengthOf(lines.headers);
  if (contentLength !== null && typeof contentLength === 'object') return contentLength;
  const available = bytes.length - bodyStart;
  let bodyLen = contentLength ?? available;
  let truncatedBody = false;
  if (bodyLen > available) {
    if (options.bodyLength === 'strict')
      return fail('body_length_mismatch', `Content-Length ${bodyLen}, ${available} bytes present`);
    bodyLen = available;
    truncatedBody = true;
  }
  const body = bytes.slice(bodyStart, bodyStart + bodyLen);
  const startLine = parseStartLine(lines.first);
  if (!('kind' in startLine)) return fail(startLine.failure, startLine.detail);
  const message = messageOf(startLine, lines.headers, body);
  return { ok: true, message, consumed: bodyStart + bodyLen, truncatedBody };
}

/** The start line and header lines of a message's head (latin1, without the blank line). */
function readHead(
  head: string,
  maxHeaders: number,
): { readonly first: string; readonly headers: SipHeader[] } | ParseResult {
  const lines = hasBareCr(head) ? splitLines(head) : null;
  if (lines !== null) {
    const first = (lines.shift() ?? '').replace(/\r$/, '');
    const headers = readHeaderLines(lines, maxHeaders);
    return Array.isArray(headers) ? { first, headers } : headers;
  }
  // Common case: lines end at LF or CRLF and no other CR appears. Names and values are
  // cut straight from the head, without a string per line.
  let end = head.length;
  while (end > 0 && head.charCodeAt(end - 1) === 0x0a) {
    end--;
    if (end > 0 && head.charCodeAt(end - 1) === 0x0d) end--;
  }
  let nl = head.indexOf('\n');
  if (nl < 0 || nl > end) nl = end;
  const first = head.slice(0, lineEnd(head, 0, nl));
  const headers = scanHeaders(head, nl + 1, end, maxHeaders);
  return Array.isArray(headers) ? { first, headers } : headers;
}

/** The Content-Length the headers state (null: none); every value must agree (RFC 4475 mcl01). */
function contentLengthOf(headers: readonly SipHeader[]): number | null | ParseResult {
  let contentLength: number | null = null;
  for (const h of headers) {
    if (h.name !== 'Content-Length') continue;
    if (!/^\d{1,10}$/.test(h.value))
      return fail('bad_content_length', h.value.slice(0, 20) || 'empty');
    const n = Number(h.value);
    if (contentLength !== null && n !== contentLength)
      return fail('bad_content_length', 'conflicting values');
    contentLength = n;
  }
  return contentLength;
}

/** The message of a parsed start line. */
function messageOf(
  startLine: Exclude<StartLine, { failure: ParseFailure }>,
  headers: SipHeader[],
  body: Uint8Array,
): SipMessage {
  // Literals, not spreads of startLine: one hidden class per kind instead of a new one per message.
  return startLine.kind === 'request'
    ? {
        kind: 'request',
        method: startLine.method,
        uri: startLine.uri,
        version: startLine.version,
        headers,
        body,
      }
    : {
        kind: 'response',
        version: startLine.version,
        status: startLine.status,
        reason: startLine.reason,
        headers,
        body,
      };
}

/** End of the line [start, nl) without the CR of a CRLF. */
function lineEnd(head: string, start: number, nl: number): number {
  return nl > start && head.charCodeAt(nl - 1) === 0x0d ? nl - 1 : nl;
}

/** true when `head` holds a CR that is not followed by LF. */
function hasBareCr(head: string): boolean {
  for (let i = head.indexOf('\r'); i >= 0; i = head.indexOf('\r', i + 1)) {
    if (head.charCodeAt(i + 1) !== 0x0a) return true;
  }
  return false;
}

/**
 * The lines of a head with bare CRs: lines end at LF or CRLF; a bare CR inside a line is
 * not a line end (RFC 3261 §7) and becomes a space, as folding does (a CR ending the text
 * stays). Trailing empty lines are dropped.
 */
function splitLines(head: string): string[] {
  const lines: string[] = [];
  for (let pos = 0; ;) {
    const nl = head.indexOf('\n', pos);
    const line = nl < 0 ? head.slice(pos) : head.slice(pos, lineEnd(head, pos, nl));
    lines.push(line.includes('\r') ? line.replace(/\r(?!$)/g, ' ') : line);
    if (nl < 0) break;
    pos = nl + 1;
  }
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** Index of the first character of [from, to) that trim() keeps, or `to`. */
function skipWs(text: string, from: number, to: number): number {
  while (from < to && isTrimmable(text.charCodeAt(from))) from++;
  return from;
}

/** Index after the last character of [from, to) that trim() keeps, or `from`. */
function backWs(text: string, from: number, to: number): number {
  while (to > from && isTrimmable(text.charCodeAt(to - 1))) to--;
  return to;
}

/** One header line [ls, le) of `text`; a failure, or the header (null: a folded continuation). */
function headerAt(
  text: string,
  ls: number,
  le: number,
  headers: SipHeader[],
  maxHeaders: number,
): ParseResult | null {
  const c0 = text.charCodeAt(ls);
  if (ls < le && (c0 === 0x20 || c0 === 0x09)) {
    // RFC 3261 §7.3.1 folding: continuation of the previous header.
    const prev = headers.pop();
    if (!prev) return fail('bad_header_line', 'continuation line before any header');
    const more = text.slice(skipWs(text, ls, le), backWs(text, ls, le));
    headers.push({ name: prev.name, rawName: prev.rawName, value: `${prev.value} ${more}`.trim() });
    return null;
  }
  let colon = text.indexOf(':', ls);
  if (colon >= le) colon = -1;
  if (colon <= ls)
    return fail('bad_header_line', `no colon: ${text.slice(ls, Math.min(le, ls + 40))}`);
  const rawName = text.slice(ls, backWs(text, ls, colon));
  if (!isToken(rawName)) return fail('bad_header_line', `bad name: ${rawName.slice(0, 40)}`);
  if (headers.length >= maxHeaders) return fail('too_many_headers', `more than ${maxHeaders}`);
  const vs = skipWs(text, colon + 1, le);
  headers.push({
    name: canonicalName(rawName),
    rawName,
    value: text.slice(vs, backWs(text, vs, le)),
  });
  return null;
}

/** The header lines of `head` from `pos` to `end` (no bare CR in it). */
function scanHeaders(
  head: string,
  pos: number,
  end: number,
  maxHeaders: number,
): SipHeader[] | ParseResult {
  const headers: SipHeader[] = [];
  while (pos < end) {
    let nl = head.indexOf('\n', pos);
    if (nl < 0 || nl > end) nl = end;
    const failed = headerAt(head, pos, lineEnd(head, pos, nl), headers, maxHeaders);
    if (failed) return failed;
    pos = nl + 1;
  }
  return headers;
}

/** The header lines already split (the rare heads with bare CRs). */
function readHeaderLines(lines: readonly string[], maxHeaders: number): SipHeader[] | ParseResult {
  const headers: SipHeader[] = [];
  for (const line of lines) {
    const failed = headerAt(line, 0, line.length, headers, maxHeaders);
    if (failed) return failed;
  }
  return headers;
}

type StartLine =
  | { kind: 'request'; method: string; uri: string; version: string }
  | { kind: 'response'; version: string; status: number; reason: string }
  | { failure: ParseFailure; detail: string };

function parseStartLine(line: string): StartLine {
  const excerpt = line.slice(0, 60);
  if (/^SIP\//i.test(line)) {
    const m = /^(\S+) (\d{3})(?: (.*))?$/s.exec(line);
    if (!m) return { failure: 'bad_status_line', detail: excerpt };
    const version = m[1] ?? '';
    if (!VERSION_RE.test(version)) return { failure: 'bad_status_line', detail: excerpt };
    if (version.toUpperCase() !== 'SIP/2.0') return { failure: 'bad_version', detail: version };
    const status = Number(m[2]);
    if (status < 100 || status > 699) return { failure: 'bad_status_line', detail: excerpt };
    return { kind: 'response', version, status, reason: m[3] ?? '' };
  }
  // Lenient about runs of spaces and trailing spaces (RFC 4475 lwsstart, trws), as Asterisk is.
  const parts = line.trim().split(/[ \t]+/);
  if (parts.length !== 3) return { failure: 'bad_request_line', detail: excerpt };
  const [method = '', uri = '', version = ''] = parts;
  if (!TOKEN_RE.test(method)) return { failure: 'bad_request_line', detail: excerpt };
  if (!VERSION_RE.test(version)) return { failure: 'bad_request_line', detail: excerpt };
  if (version.toUpperCase() !== 'SIP/2.0') return { failure: 'bad_version', detail: version };
  return { kind: 'request', method, uri, version };
}
