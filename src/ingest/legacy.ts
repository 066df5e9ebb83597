/**
 * @module
 * Reads one line of the article's listener log (its Figure 1):
 *
 *   2011-12-27 19:48:38 +0000: sip-honeyd.pl[4429]: IP: 41.1.2.19, method: REGISTER, from: "100", to: "100", resp: 200, user-agent: "X-Lite release 1006e stamp 34025"
 *
 * Any program name, with or without `[pid]`, any timezone offset
 * (converted to UTC; none means UTC), `resp:` optional
 * or `-`, the user-agent optional (empty = absent = null). Values written by
 * our sensor are escaped (\" \\ \n \r \t \xNN \uNNNN) and are unescaped here.
 * This is the hot path of a large import: plain `indexOf` and char codes, no
 * regex per line, and a one-entry cache for the timestamp (lines of one
 * second share it).
 *
 * Must never throw: a line that does not fit gives a reject reason.
 */
import { unescapeLegacy } from '../events/legacy-log.js';

/** Longest value kept; longer attacker text is cut. */
export const MAX_VALUE_CHARS = 1024;

export interface LegacyRecord {
  readonly tsMs: number;
  readonly ip: string;
  readonly method: string;
  readonly from: string | null;
  readonly to: string | null;
  /** The response the listener sent; null when none (`-` or missing). */
  readonly resp: number | null;
  /** null when the header was absent (empty or missing value). */
  readonly ua: string | null;
}

/** A line's time: epoch ms, and the index after the time part. */
interface LineTime {
  readonly ms: number;
  readonly end: number;
}

/** The last time read, by the line's first 25 characters (lines of one second share it). */
let cacheKey = '';
let cached: LineTime = { ms: 0, end: 0 };

function digits(s: string, at: number, n: number): number {
  let v = 0;
  for (let i = at; i < at + n; i++) {
    const c = s.charCodeAt(i) - 48; // NaN past the end of the line
    if (!(c >= 0 && c <= 9)) return -1;
    v = v * 10 + c;
  }
  return v;
}

/**
 * The time at the start of the line (epoch ms, and where it ends): `YYYY-MM-DD
 * HH:MM:SS` (or with `T`), optional fraction of a second (ignored: the
 * classic log has whole seconds), then optionally ` +HHMM` (the classic
 * log), `+HHMM`, `+HH:MM`, with or without the space, or `Z`; no offset
 * means UTC. Null when the line does not start with such a time.
 */
function legacyTime(line: string): LineTime | null {
  const key = line.slice(0, 25);
  if (key === cacheKey) return cached;
  const sep = line.charCodeAt(10);
  if (
    line.charCodeAt(4) !== 45 ||
    line.charCodeAt(7) !== 45 ||
    (sep !== 32 && sep !== 84) ||
    line.charCodeAt(13) !== 58 ||
    line.charCodeAt(16) !== 58
  ) {
    return null;
  }
  const y = digits(line, 0, 4);
  const mo = digits(line, 5, 2);
  const d = digits(line, 8, 2);
  const h = digits(line, 11, 2);
  const mi = digits(line, 14, 2);
  const s = digits(line, 17, 2);
  if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23) return null;
  if (mi < 0 || mi > 59 || s < 0 || s > 60) return null;
  let at = 19;
  if (line.charCodeAt(at) === 46) {
    // A fraction: 1 to 9 digits.
    let k = at + 1;
    while (k < at + 10 && digits(line, k, 1) >= 0) k++;
    if (k === at + 1) return null;
    at = k;
  }
  let off = 0;
  const space = line.charCodeAt(at) === 32 ? 1 : 0;
  const sign = line.charCodeAt(at + space);
  if (sign === 43 || sign === 45) {
    const o = at + space + 1;
    const colon = line.charCodeAt(o + 2) === 58 ? 1 : 0;
    const oh = digits(line, o, 2);
    const om = digits(line, o + 2 + colon, 2);
    if (oh < 0 || oh > 23 || om < 0 || om > 59) return null;
    off = (sign === 43 ? 1 : -1) * (oh * 60 + om) * 60_000;
    at = o + 4 + colon;
  } else if (sign === 90 && space === 0) {
    at += 1; // Z
  }
  const local = Date.UTC(y, mo - 1, d, h, mi, s);
  if (new Date(local).getUTCDate() !== d) return null; // 31 February
  const time = { ms: local - off, end: at };
  // Cached only when the key holds the whole time part.
  if (at <= 25) {
    cacheKey = key;
    cached = time;
  }
  return time;
}

function clip(s: string): string {
  return s.length > MAX_VALUE_CHARS ? s.slice(0, MAX_VALUE_CHARS) : s;
}

function value(raw: string): string {
  return clip(raw.includes('\\') ? unescapeLegacy(raw) : raw);
}

/** True when the char at `i` is preceded by an odd number of backslashes (escaped). */
function escapedAt(s: string, i: number): boolean {
  let n = 0;
  for (let j = i - 1; j >= 0 && s.charCodeAt(j) === 92; j--) n++;
  return (n & 1) === 1;
}

/** indexOf of a delimiter starting with a quote, skipping escaped quotes. */
function findQuoted(s: string, delim: string, from: number): number {
  let at = s.indexOf(delim, from);
  while (at >= 0 && escapedAt(s, at)) at = s.indexOf(delim, at + 1);
  return at;
}

function endsWithQuote(s: string): boolean {
  return s.charCodeAt(s.length - 1) === 34 && !escapedAt(s, s.length - 1);
}

/**
 * True when [from, to) can be the logger's tag: the program name, usually
 * with `[pid]` (1 to 128 characters, no control characters).
 */
function programName(s: string, from: number, to: number): boolean {
  if (to <= from || to - from > 128) return false;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (c < 32 || c === 127) return false;
  }
  return true;
}

const IP = ': IP: ';
const METHOD = ', method: ';
const FROM = ', from: "';
const TO = '", to: "';
const RESP = ', resp: ';
const UA = ', user-agent: "';

const BARE_UA = ', user-agent:';
const BARE_UA_SPACE = ', user-agent: ';

/** Parses one line; returns the record or a snake_case reason. */
export function parseLegacyLine(text: string): LegacyRecord | string {
  // A user-agent with nothing after its name (not even quotes) is absent too.
  let line = text;
  if (line.endsWith(BARE_UA)) line = line.slice(0, -BARE_UA.length);
  else if (line.endsWith(BARE_UA_SPACE)) line = line.slice(0, -BARE_UA_SPACE.length);
  if (line.length < 40) return line.trim() === '' ? 'empty_line' : 'not_legacy_line';
  const time = legacyTime(line);
  if (time === null) return 'bad_time';
  const t = time.end;
  if (line.charCodeAt(t) !== 58) return 'not_legacy_line';
  const ipAt = line.indexOf(IP, t + 1);
  if (ipAt < 0 || line.charCodeAt(t + 1) !== 32 || !programName(line, t + 2, ipAt)) {
    return 'not_legacy_line';
  }
  const mAt = line.indexOf(METHOD, ipAt + IP.length);
  if (mAt < 0) return 'no_method';
  const ip = line.slice(ipAt + IP.length, mAt);
  if (ip === '' || ip.length > 64 || ip.includes(' ')) return 'bad_ip';
  const fAt = line.indexOf(FROM, mAt + METHOD.length);
  if (fAt < 0) return 'no_from';
  const method = line.slice(mAt + METHOD.length, fAt);
  if (method === '' || method.length > 64) return 'bad_method';
  const tAt = findQuoted(line, TO, fAt + FROM.length);
  if (tAt < 0) return 'no_to';
  const from = value(line.slice(fAt + FROM.length, tAt));
  // The To value ends at the quote before `, resp:`, before `, user-agent:`, or at the line end.
  const toStart = tAt + TO.length;
  const rAt = findQuoted(line, '"' + RESP, toStart);
  let uAt = findQuoted(line, '"' + UA, toStart);
  let toEnd: number;
  if (rAt >= 0 && (uAt < 0 || rAt < uAt)) toEnd = rAt;
  else if (uAt >= 0) toEnd = uAt;
  else if (endsWithQuote(line) && line.length - 1 >= toStart) toEnd = line.length - 1;
  else return 'unterminated_to';
  const to = value(line.slice(toStart, toEnd));
  let resp: number | null = null;
  if (rAt === toEnd) {
    const rs = rAt + 1 + RESP.length;
    uAt = line.indexOf(UA, rs);
    const re = uAt >= 0 ? uAt : line.length;
    const r = line.slice(rs, re);
    if (r !== '-' && r !== '') {
      const n = digits(r, 0, r.length);
      if (n < 100 || n > 699) return 'bad_resp';
      resp = n;
    }
  } else {
    uAt = toEnd + 1;
  }
  let ua: string | null = null;
  if (uAt >= 0 && uAt < line.length) {
    const us = uAt + UA.length;
    if (!endsWithQuote(line) || line.length - 1 < us) return 'unterminated_user_agent';
    const raw = line.slice(us, line.length - 1);
    ua = raw === '' ? null : value(raw);
  }
  return {
    tsMs: time.ms,
    ip,
    method,
    from: from === '' ? null : from,
    to: to === '' ? null : to,
    resp,
    ua,
  };
}
