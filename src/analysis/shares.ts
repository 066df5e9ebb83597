/**
 * @module
 * Pure helpers for shares, ranking and the dispersion statistics the
 * analyses use (median, MAD, robust z-score, Shannon entropy). No I/O.
 */

/** `count / total` as a fraction in 0..1; 0 when the total is 0. */
export function share(count: number, total: number): number {
  return total > 0 ? count / total : 0;
}

/** Median of a list of numbers; 0 for an empty list. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] ?? 0) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
}

/** Median absolute deviation from the median. */
export function mad(values: readonly number[]): number {
  const m = median(values);
  return median(values.map((v) => Math.abs(v - m)));
}

/**
 * Robust z-score (Iglewicz and Hoaglin's modified z): `0.6745 (x - median) / MAD`.
 * When MAD is 0 (most callers reach the same number of countries) it falls
 * back to the mean absolute deviation (`x - median) / (1.2533 · meanAD)`, and
 * when that is 0 too, any value above the median is infinitely far out.
 */
export function robustZ(x: number, values: readonly number[]): number {
  return robustZFrom(x, spreadOf(values));
}

/** Median, MAD and mean absolute deviation of a list: compute once, score many. */
export interface Spread {
  readonly median: number;
  readonly mad: number;
  readonly meanAd: number;
}

/** The Spread of `values`. */
export function spreadOf(values: readonly number[]): Spread {
  const m = median(values);
  return {
    median: m,
    mad: mad(values),
    meanAd:
      values.length === 0 ? 0 : values.reduce((a, v) => a + Math.abs(v - m), 0) / values.length,
  };
}

/** The weighted median of `pairs` ([value, count], sorted by value); 0 when the counts sum to 0. */
function medianOfPairs(pairs: readonly (readonly [number, number])[]): number {
  const n = pairs.reduce((a, [, c]) => a + c, 0);
  if (n === 0) return 0;
  const at = (i: number): number => {
    let seen = 0;
    for (const [v, c] of pairs) {
      seen += c;
      if (i < seen) return v;
    }
    return pairs[pairs.length - 1]?.[0] ?? 0;
  };
  const mid = Math.floor(n / 2);
  return n % 2 === 1 ? at(mid) : (at(mid - 1) + at(mid)) / 2;
}

/**
 * The Spread of a list given as a histogram: `counts[v]` values equal to
 * `v` (so spreadOfCounts([2, 0, 1]) is spreadOf([0, 0, 2])). Costs
 * O(counts.length log counts.length) whatever the number of values: what a
 * live detector keeps for a population it cannot hold as a list.
 */
export function spreadOfCounts(counts: readonly number[]): Spread {
  const pairs = counts.flatMap((c, v) => (c > 0 ? [[v, c] as const] : []));
  const n = pairs.reduce((a, [, c]) => a + c, 0);
  const m = medianOfPairs(pairs);
  const dev = new Map<number, number>();
  for (const [v, c] of pairs) dev.set(Math.abs(v - m), (dev.get(Math.abs(v - m)) ?? 0) + c);
  const devPairs = [...dev.entries()].sort((a, b) => a[0] - b[0]);
  return {
    median: m,
    mad: medianOfPairs(devPairs),
    meanAd: n === 0 ? 0 : pairs.reduce((a, [v, c]) => a + c * Math.abs(v - m), 0) / n,
  };
}

/** robustZ with the spread computed beforehand. */
export function robustZFrom(x: number, spread: Spread): number {
  const { median: m, mad: d, meanAd } = spread;
  if (d > 0) return (0.6745 * (x - m)) / d;
  if (meanAd > 0) return (x - m) / (1.2533 * meanAd);
  if (x === m) return 0;
  return x > m ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
}

/** Shannon entropy in bits of a distribution given as counts. */
export function entropyBits(counts: readonly number[]): number {
  const total = counts.reduce((a, b) => a + b, 0);
  if (total <= 0) return 0;
  let h = 0;
  for (const c of counts) {
    if (c > 0) {
      const p = c / total;
      h -= p * Math.log2(p);
    }
  }
  return h;
}
