/**
 * @module
 * Rogue VoIP server candidates (the article's Figure 5 hypothesis): sources
 * whose calls reach unusually many destination countries. Pure scoring over
 * per-source aggregates; the query lives in queries/rogue.ts.
 */
import { entropyBits, robustZFrom, spreadOf } from './shares.js';
import type { RogueSection, RogueServer } from './types.js';

/** Per-source input: calls and calls per destination country. */
export interface CallerSpread {
  ip: string;
  cc: string | null;
  calls: number;
  /** Calls per known destination country (calls to numbers of unknown country left out). */
  per_country: readonly number[];
}

export interface RogueOptions {
  /** A candidate calls at least this many distinct destination countries. */
  readonly minCountries: number;
  /** ... and sits at least this far out (robust z-score) among all callers. */
  readonly minZ: number;
}

/**
 * Defaults: 5 countries (a reseller or hub, not someone calling family
 * abroad) and a robust z of 3.5, the usual outlier cut-off for the modified
 * z-score.
 */
export const ROGUE_DEFAULTS: RogueOptions = { minCountries: 5, minZ: 3.5 } as const;

/**
 * Scores every caller and keeps the outliers, most countries first. The
 * robust z-score compares a source's distinct destination countries with the
 * median over all sources that placed calls, so a few hubs cannot hide
 * themselves by inflating the spread the way they would with a plain z-score.
 */
export function scoreRogueServers(
  callers: readonly CallerSpread[],
  opts: RogueOptions = ROGUE_DEFAULTS,
): RogueSection {
  const counts = callers.map((c) => c.per_country.length);
  const spread = spreadOf(counts);
  const med = spread.median;
  const m = spread.mad;
  const candidates: RogueServer[] = [];
  for (const c of callers) {
    const k = c.per_country.length;
    const z = robustZFrom(k, spread);
    if (k < opts.minCountries || z < opts.minZ) continue;
    const h = entropyBits(c.per_country);
    candidates.push({
      ip: c.ip,
      cc: c.cc,
      calls: c.calls,
      destination_countries: k,
      entropy_bits: h,
      robust_z: z,
      score_note:
        `${k} destination countries vs median ${med} of ${callers.length} callers ` +
        `(robust z ${Number.isFinite(z) ? z.toFixed(1) : 'inf'}); ` +
        `entropy ${h.toFixed(2)} of max ${Math.log2(Math.max(k, 1)).toFixed(2)} bits`,
    });
  }
  candidates.sort(
    (a, b) =>
      b.destination_countries - a.destination_countries ||
      b.calls - a.calls ||
      a.ip.localeCompare(b.ip),
  );
  return {
    candidates,
    callers: callers.length,
    median_countries: med,
    mad_countries: m,
    min_countries: opts.minCountries,
    min_z: opts.minZ,
  };
}
