/**
 * @module enrich/range-table
 * Loads the `start,end,value...` CSV layout of the ip-location-db "-num"
 * files (IPv4 as decimal uint32, IPv6 as decimal 128-bit integers) into
 * typed arrays, and answers "which range holds this address" by binary
 * search. Pure data structure: reads only the file it is given, keeps no
 * global state, and never throws on a lookup.
 */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { SnareError } from '../errors.js';

/** IPv4 ranges: parallel arrays sorted by start; `values[i]` is the caller's code for row i. */
export interface Ranges4 {
  readonly starts: Uint32Array;
  readonly ends: Uint32Array;
  readonly values: Int32Array;
}

/** IPv6 ranges: 128-bit bounds split into 64-bit halves, sorted by start. */
export interface Ranges6 {
  readonly startHi: BigUint64Array;
  readonly startLo: BigUint64Array;
  readonly endHi: BigUint64Array;
  readonly endLo: BigUint64Array;
  readonly values: Int32Array;
}

/**
 * Turns the text after `start,end,` into a row code (an interned index, an
 * ASN...). Returns -1 for rows to skip.
 */
export type ValueParser = (rest: string) => number;

const MASK64 = (1n << 64n) - 1n;

/** Splits one CSV field list honouring double quotes (`"LLC ""X"""`). */
export function splitCsv(line: string): string[] {
  if (!line.includes('"')) return line.split(',');
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line.charAt(i);
    if (quoted) {
      if (c === '"') {
        if (line[i + 1] === '"') {
          cur += '"';
          i++;
        } else quoted = false;
      } else cur += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}

/**
 * Turns the bytes after `start,end,` (bytes[from..to), no line end) into a
 * row code; -1 skips the row. Works on bytes so that loading never decodes
 * the whole file to a string (half the load time of the IPv4 tables).
 */
export type ByteValueParser = (bytes: Uint8Array, from: number, to: number) => number;

/** Reads a range file as bytes; an unreadable file is an operational error naming the path. */
export async function readRangeBytes(path: string): Promise<Uint8Array> {
  try {
    return await readFile(path);
  } catch (err) {
    throw new SnareError('SNARE_ERR_IO', `enrich: cannot read range file ${path}`, { cause: err });
  }
}

/**
 * Parses an IPv4 "-num" CSV given as bytes; same rules as parseRanges4 (bad
 * rows skipped, unsorted input sorted).
 */
export function parseRanges4Bytes(bytes: Uint8Array, parseValue: ByteValueParser): Ranges4 {
  let cap = 1024;
  let starts = new Uint32Array(cap);
  let ends = new Uint32Array(cap);
  let values = new Int32Array(cap);
  let n = 0;
  let sorted = true;
  const len = bytes.length;
  let pos = 0;
  while (pos < len) {
    let nl = bytes.indexOf(10, pos);
    if (nl < 0) nl = len;
    const lineEnd = nl > pos && bytes[nl - 1] === 13 ? nl - 1 : nl;
    // start and end: decimal digits, each ended by a comma.
    let i = pos;
    let start = 0;
    let end = 0;
    let ok = true;
    for (let field = 0; field < 2 && ok; field++) {
      let v = 0;
      let digits = 0;
      while (i < lineEnd) {
        const c = bytes[i] ?? 0;
        if (c < 48 || c > 57) break;
        v = v * 10 + (c - 48);
        digits++;
        i++;
      }
      ok = digits > 0 && digits <= 10 && i < lineEnd && bytes[i] === 44;
      i++;
      if (field === 0) start = v;
      else end = v;
    }
    if (ok && start <= end && end <= 0xffffffff) {
      const value = parseValue(bytes, i, lineEnd);
      if (value >= 0) {
        if (n === cap) {
          cap *= 2;
          starts = grow(starts, cap);
          ends = grow(ends, cap);
          values = grow(values, cap);
        }
        if (n > 0 && start < (starts[n - 1] ?? 0)) sorted = false;
        starts[n] = start;
        ends[n] = end;
        values[n] = value;
        n++;
      }
    }
    pos = nl + 1;
  }
  const table = { starts: starts.slice(0, n), ends: ends.slice(0, n), values: values.slice(0, n) };
  return sorted ? table : sort4(table);
}

/** Reads a range file; an unreadable file is an operational error naming the path. */
export async function readRangeFile(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    throw new SnareError('SNARE_ERR_IO', `enrich: cannot read range file ${path}`, { cause: err });
  }
}

/** Synchronous twin of readRangeFile, for lazily loaded tables (IPv6). */
export function readRangeFileSync(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new SnareError('SNARE_ERR_IO', `enrich: cannot read range file ${path}`, { cause: err });
  }
}

/** Parses an IPv4 "-num" CSV text. Rows with bad numbers are skipped; unsorted input is sorted. */
export function parseRanges4(text: string, parseValue: ValueParser): Ranges4 {
  let cap = 1024;
  let starts = new Uint32Array(cap);
  let ends = new Uint32Array(cap);
  let values = new Int32Array(cap);
  let n = 0;
  let sorted = true;
  let pos = 0;
  while (pos < text.length) {
    let nl = text.indexOf('\n', pos);
    if (nl < 0) nl = text.length;
    const c1 = text.indexOf(',', pos);
    const c2 = c1 < 0 ? -1 : text.indexOf(',', c1 + 1);
    if (c2 > 0 && c2 < nl) {
      const start = Number(text.slice(pos, c1));
      const end = Number(text.slice(c1 + 1, c2));
      const restEnd = text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
      const value = parseValue(text.slice(c2 + 1, restEnd));
      if (
        Number.isInteger(start) &&
        Number.isInteger(end) &&
        start <= end &&
        end <= 0xffffffff &&
        value >= 0
      ) {
        if (n === cap) {
          cap *= 2;
          starts = grow(starts, cap);
          ends = grow(ends, cap);
          values = grow(values, cap);
        }
        if (n > 0 && start < (starts[n - 1] ?? 0)) sorted = false;
        starts[n] = start;
        ends[n] = end;
        values[n] = value;
        n++;
      }
    }
    pos = nl + 1;
  }
  const table = { starts: starts.slice(0, n), ends: ends.slice(0, n), values: values.slice(0, n) };
  return sorted ? table : sort4(table);
}

function grow<T extends Uint32Array | Int32Array | BigUint64Array>(a: T, cap: number): T {
  const b = new (a.constructor as new (n: number) => T)(cap);
  b.set(a as never);
  return b;
}

function sort4(t: Ranges4): Ranges4 {
  const idx = Array.from(t.starts.keys()).sort((a, b) => (t.starts[a] ?? 0) - (t.starts[b] ?? 0));
  return {
    starts: Uint32Array.from(idx, (i) => t.starts[i] ?? 0),
    ends: Uint32Array.from(idx, (i) => t.ends[i] ?? 0),
    values: Int32Array.from(idx, (i) => t.values[i] ?? -1),
  };
}

/** Index of the range holding `ip`, or -1. */
export function find4(t: Ranges4, ip: number): number {
  let lo = 0;
  let hi = t.starts.length - 1;
  let best = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if ((t.starts[mid] ?? 0) <= ip) {
      best = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return best >= 0 && ip <= (t.ends[best] ?? -1) ? best : -1;
}

/** Parses an IPv6 "-num" CSV text (decimal 128-bit bounds). */
export function parseRanges6(text: string, parseValue: ValueParser): Ranges6 {
  const rows: { sh: bigint; sl: bigint; eh: bigint; el: bigint; v: number }[] = [];
  let pos = 0;
  while (pos < text.length) {
    let nl = text.indexOf('\n', pos);
    if (nl < 0) nl = text.length;
    const c1 = text.indexOf(',', pos);
    const c2 = c1 < 0 ? -1 : text.indexOf(',', c1 + 1);
    if (c2 > 0 && c2 < nl) {
      const a = text.slice(pos, c1);
      const b = text.slice(c1 + 1, c2);
      const restEnd = text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
      const v = parseValue(text.slice(c2 + 1, restEnd));
      if (v >= 0 && /^\d{1,39}$/.test(a) && /^\d{1,39}$/.test(b)) {
        const s = BigInt(a);
        const e = BigInt(b);
        if (s <= e && e >> 128n === 0n) {
          rows.push({ sh: s >> 64n, sl: s & MASK64, eh: e >> 64n, el: e & MASK64, v });
        }
      }
    }
    pos = nl + 1;
  }
  rows.sort((x, y) =>
    x.sh < y.sh ? -1 : x.sh > y.sh ? 1 : x.sl < y.sl ? -1 : x.sl > y.sl ? 1 : 0,
  );
  return {
    startHi: BigUint64Array.from(rows, (r) => r.sh),
    startLo: BigUint64Array.from(rows, (r) => r.sl),
    endHi: BigUint64Array.from(rows, (r) => r.eh),
    endLo: BigUint64Array.from(rows, (r) => r.el),
    values: Int32Array.from(rows, (r) => r.v),
  };
}

/** Index of the IPv6 range holding (hi, lo), or -1. */
export function find6(t: Ranges6, hi: bigint, lo: bigint): number {
  let a = 0;
  let b = t.startHi.length - 1;
  let best = -1;
  while (a <= b) {
    const mid = (a + b) >>> 1;
    const sh = t.startHi[mid] ?? 0n;
    const le = sh < hi || (sh === hi && (t.startLo[mid] ?? 0n) <= lo);
    if (le) {
      best = mid;
      a = mid + 1;
    } else b = mid - 1;
  }
  if (best < 0) return -1;
  const eh = t.endHi[best] ?? 0n;
  return hi < eh || (hi === eh && lo <= (t.endLo[best] ?? 0n)) ? best : -1;
}
