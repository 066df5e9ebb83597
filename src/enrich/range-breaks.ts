/**
 * @module enrich/range-breaks
 * IPv4 range tables (range-table.ts) kept for lookups in less memory: the
 * start of each range with its value, and the first address after a range
 * that the next one does not start at, with no value. An address has the
 * value of the last start at or below it; the `ends` array goes. Values
 * fit the narrowest typed array that holds them (a country index a byte).
 * The bundled IPv4 tables (746,334 rows, 12 bytes each) take 5.4 MB
 * instead of 9.0 MB (docs/benchmarks.md). Answers as find4 on the table it
 * came from, overlapping rows included (only the last start counts there
 * too).
 */
import type { Ranges4 } from './range-table.js';

/** Address a has values[i] for the last i with starts[i] <= a; `none` stands for no value. */
export interface Breaks4 {
  readonly starts: Uint32Array;
  readonly values: Uint8Array | Uint16Array | Int32Array;
  readonly none: number;
}

/** The breakpoints of a sorted table (parseRanges4Bytes); rows with a negative value are gaps. */
export function compactRanges4(t: Ranges4): Breaks4 {
  const n = t.starts.length;
  let max = 0;
  for (const v of t.values) max = Math.max(max, v);
  const values =
    max < 0xff
      ? new Uint8Array(2 * n)
      : max < 0xffff
        ? new Uint16Array(2 * n)
        : new Int32Array(2 * n);
  const none = max < 0xff ? 0xff : max < 0xffff ? 0xffff : -1;
  const starts = new Uint32Array(2 * n);
  let k = 0;
  for (let i = 0; i < n; i++) {
    const start = t.starts[i] ?? 0;
    const end = t.ends[i] ?? 0;
    const v = t.values[i] ?? -1;
    // A row starting where the previous gap mark is replaces that mark.
    if (k > 0 && starts[k - 1] === start) k--;
    starts[k] = start;
    values[k] = v < 0 ? none : v;
    k++;
    const next = i + 1 < n ? (t.starts[i + 1] ?? 0) : 0x100000000;
    if (end < 0xffffffff && end + 1 < next) {
      starts[k] = end + 1;
      values[k] = none;
      k++;
    }
  }
  return { starts: starts.slice(0, k), values: values.slice(0, k), none };
}

/** The value of `ip` (a uint32), or -1. */
export function value4(t: Breaks4, ip: number): number {
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
  if (best < 0) return -1;
  const v = t.values[best] ?? t.none;
  return v === t.none ? -1 : v;
}
