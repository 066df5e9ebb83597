/**
 * @module enrich/range-breaks
 * IPv4 and IPv6 range tables (range-table.ts, range-table6.ts) kept for
 * lookups in less memory: the start of each range with its value, and the
 * first address after a range that the next one does not start at, with
 * no value. An address has the value of the last start at or below it;
 * the `ends` array goes. Values fit the narrowest typed array that holds
 * them (a country index a byte). The bundled IPv4 tables (746,334 rows,
 * 12 bytes each) take 5.4 MB instead of 9.0 MB; the IPv6 ones, loaded on
 * the first IPv6 lookup, add 7.9 MiB instead of 11.0 MiB of array buffers
 * (docs/benchmarks.md).
 * Answers as find4 and find6 on the table it came from, overlapping rows
 * included (only the last start counts there too).
 */
import type { Ranges4 } from './range-table.js';
import { compare128, type Ranges6, type Words128 } from './range-table6.js';

/** Address a has values[i] for the last i with starts[i] <= a; `none` stands for no value. */
export interface Breaks4 {
  readonly starts: Uint32Array;
  readonly values: Uint8Array | Uint16Array | Int32Array;
  readonly none: number;
}

/** IPv6 twin of Breaks4: four uint32 words per start (entry i at [4i, 4i+4), most significant first). */
export interface Breaks6 {
  readonly starts: Uint32Array;
  readonly values: Uint8Array | Uint16Array | Int32Array;
  readonly none: number;
}

/** Room for `n` values in the narrowest typed array that holds them all and a `none`. */
function valueArray(
  values: Int32Array,
  n: number,
): { values: Uint8Array | Uint16Array | Int32Array; none: number } {
  let max = 0;
  for (const v of values) max = Math.max(max, v);
  if (max < 0xff) return { values: new Uint8Array(n), none: 0xff };
  if (max < 0xffff) return { values: new Uint16Array(n), none: 0xffff };
  return { values: new Int32Array(n), none: -1 };
}

/** The breakpoints of a sorted table (parseRanges4Bytes); rows with a negative value are gaps. */
export function compactRanges4(t: Ranges4): Breaks4 {
  const n = t.starts.length;
  const { values, none } = valueArray(t.values, 2 * n);
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

/** The breakpoints of a sorted IPv6 table (parseRanges6Bytes), as compactRanges4. */
export function compactRanges6(t: Ranges6): Breaks6 {
  const n = t.values.length;
  const { values, none } = valueArray(t.values, 2 * n);
  const starts = new Uint32Array(8 * n);
  const after = new Uint32Array(4);
  let k = 0;
  for (let i = 0; i < n; i++) {
    if (k > 0 && compare128(starts, 4 * (k - 1), t.starts, 4 * i) === 0) k--;
    starts.set(t.starts.subarray(4 * i, 4 * i + 4), 4 * k);
    values[k] = (t.values[i] ?? -1) < 0 ? none : (t.values[i] ?? none);
    k++;
    // The address after the range's end (none when the end is the last address).
    let carry = 1;
    for (let w = 3; w >= 0; w--) {
      const sum = (t.ends[4 * i + w] ?? 0) + carry;
      after[w] = sum >>> 0;
      carry = sum > 0xffffffff ? 1 : 0;
    }
    if (carry === 1) continue;
    if (i + 1 < n && compare128(after, 0, t.starts, 4 * (i + 1)) >= 0) continue;
    starts.set(after, 4 * k);
    values[k] = none;
    k++;
  }
  return { starts: starts.slice(0, 4 * k), values: values.slice(0, k), none };
}

/** The value of `ip` (four words, most significant first), or -1. */
export function value6(t: Breaks6, ip: Words128): number {
  let lo = 0;
  let hi = t.values.length - 1;
  let best = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if (compare128(t.starts, mid * 4, ip, 0) <= 0) {
      best = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  if (best < 0) return -1;
  const v = t.values[best] ?? t.none;
  return v === t.none ? -1 : v;
}
