/**
 * @module enrich/range-table
 * Loads the `start,end,value...` CSV layout of the ip-location-db IPv4
 * "-num" files (decimal uint32 bounds; IPv6 is in range-table6.ts) into
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
 * Parses an IPv4 "-num" CSV (`start,end,value...`, decimal addresses) given
 * as bytes. Rows with bad numbers are skipped; unsorted input is sorted.
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

/** Synchronous byte reader, for lazily loaded tables (IPv6) read inside a lookup. */
export function readRangeBytesSync(path: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new SnareError('SNARE_ERR_IO', `enrich: cannot read range file ${path}`, { cause: err });
  }
}

export function grow<T extends Uint32Array | Int32Array>(a: T, cap: number): T {
  const b = new (a.constructor as new (n: number) => T)(cap);
  b.set(a);
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
