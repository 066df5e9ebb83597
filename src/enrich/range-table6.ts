/**
 * @module enrich/range-table6
 * IPv6 twin of range-table.ts: loads the ip-location-db IPv6 "-num" CSV
 * layout (decimal 128-bit bounds) from bytes into typed arrays of four
 * uint32 words per bound, and finds the range holding an address by binary
 * search. No BigInt on the load path: decimal text becomes words by
 * long multiplication in plain numbers. Never throws on a lookup.
 */
import { grow, type ByteValueParser } from './range-table.js';

/**
 * IPv6 ranges: 128-bit bounds as four uint32 words each (row i at
 * [4i, 4i+4), most significant first), sorted by start.
 */
export interface Ranges6 {
  readonly starts: Uint32Array;
  readonly ends: Uint32Array;
  readonly values: Int32Array;
}

/** Four uint32 words, most significant first. */
export type Words128 = readonly [number, number, number, number];

const TWO32 = 4294967296;

/**
 * Decimal digits bytes[from..to) (at most 39) -> four uint32 words written
 * at out[at..at+4), four digits at a time. False if not a 128-bit number.
 */
function decimalToWords(
  bytes: Uint8Array,
  from: number,
  to: number,
  out: Uint32Array,
  at: number,
): boolean {
  const n = to - from;
  if (n <= 0 || n > 39) return false;
  let w0 = 0; // most significant
  let w1 = 0;
  let w2 = 0;
  let w3 = 0;
  const first = n % 4 || 4;
  for (let i = from; i < to;) {
    const len = i === from ? first : 4;
    let chunk = 0;
    for (let j = 0; j < len; j++) {
      const c = (bytes[i + j] ?? 0) - 48;
      if (c < 0 || c > 9) return false;
      chunk = chunk * 10 + c;
    }
    const mul = len === 4 ? 10000 : 10 ** len;
    let t = w3 * mul + chunk;
    w3 = t % TWO32;
    let carry = Math.floor(t / TWO32);
    t = w2 * mul + carry;
    w2 = t % TWO32;
    carry = Math.floor(t / TWO32);
    t = w1 * mul + carry;
    w1 = t % TWO32;
    carry = Math.floor(t / TWO32);
    t = w0 * mul + carry;
    if (t >= TWO32) return false; // past 128 bits
    w0 = t;
    i += len;
  }
  out[at] = w0;
  out[at + 1] = w1;
  out[at + 2] = w2;
  out[at + 3] = w3;
  return true;
}

/** Compares words at a[ai..] with b[bi..]: negative, 0 or positive. */
export function compare128(
  a: ArrayLike<number>,
  ai: number,
  b: ArrayLike<number>,
  bi: number,
): number {
  for (let k = 0; k < 4; k++) {
    const d = (a[ai + k] ?? 0) - (b[bi + k] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** Parses an IPv6 "-num" CSV given as bytes. Bad rows are skipped; unsorted input is sorted. */
export function parseRanges6Bytes(bytes: Uint8Array, parseValue: ByteValueParser): Ranges6 {
  let cap = 1024;
  let starts = new Uint32Array(cap * 4);
  let ends = new Uint32Array(cap * 4);
  let values = new Int32Array(cap);
  let n = 0;
  let sorted = true;
  const len = bytes.length;
  let pos = 0;
  while (pos < len) {
    let nl = bytes.indexOf(10, pos);
    if (nl < 0) nl = len;
    const lineEnd = nl > pos && bytes[nl - 1] === 13 ? nl - 1 : nl;
    const c1 = bytes.indexOf(44, pos);
    const c2 = c1 < 0 || c1 >= lineEnd ? -1 : bytes.indexOf(44, c1 + 1);
    if (c2 > 0 && c2 < lineEnd) {
      if (n === cap) {
        cap *= 2;
        starts = grow(starts, cap * 4);
        ends = grow(ends, cap * 4);
        values = grow(values, cap);
      }
      const ok =
        decimalToWords(bytes, pos, c1, starts, n * 4) &&
        decimalToWords(bytes, c1 + 1, c2, ends, n * 4) &&
        compare128(starts, n * 4, ends, n * 4) <= 0;
      const v = ok ? parseValue(bytes, c2 + 1, lineEnd) : -1;
      if (v >= 0) {
        if (n > 0 && compare128(starts, (n - 1) * 4, starts, n * 4) > 0) sorted = false;
        values[n] = v;
        n++;
      }
    }
    pos = nl + 1;
  }
  const table: Ranges6 = {
    starts: starts.slice(0, n * 4),
    ends: ends.slice(0, n * 4),
    values: values.slice(0, n),
  };
  return sorted ? table : sort6(table);
}

function sort6(t: Ranges6): Ranges6 {
  const idx = Array.from(t.values.keys()).sort((a, b) =>
    compare128(t.starts, a * 4, t.starts, b * 4),
  );
  const starts = new Uint32Array(t.starts.length);
  const ends = new Uint32Array(t.ends.length);
  idx.forEach((from, to) => {
    starts.set(t.starts.subarray(from * 4, from * 4 + 4), to * 4);
    ends.set(t.ends.subarray(from * 4, from * 4 + 4), to * 4);
  });
  return { starts, ends, values: Int32Array.from(idx, (i) => t.values[i] ?? -1) };
}

/** Index of the IPv6 range holding the address, or -1. */
export function find6(t: Ranges6, ip: Words128): number {
  let a = 0;
  let b = t.values.length - 1;
  let best = -1;
  while (a <= b) {
    const mid = (a + b) >>> 1;
    if (compare128(t.starts, mid * 4, ip, 0) <= 0) {
      best = mid;
      a = mid + 1;
    } else b = mid - 1;
  }
  return best >= 0 && compare128(ip, 0, t.ends, best * 4) <= 0 ? best : -1;
}
