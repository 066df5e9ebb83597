/**
 * @module enrich/phone-number
 * Dialed string -> normalised E.164 number, destination country and number
 * type: the article's redundancy heuristic (Figure 2). Candidate readings
 * come from number-candidates.ts; here they are ranked: alone by the prefix
 * priors, in a burst by how many strings of the burst share the reading
 * (their common tail), then the prior. Pure and cached (bounded); attacker
 * strings never throw from here.
 */
import type { CountryCode } from 'libphonenumber-js/max';
import { BoundedCache } from './bounded-cache.js';
import { MAX_DIALED_DIGITS, MAX_EXTENSION_DIGITS } from './dial-prefixes.js';
import { cleanDialed, type CleanDialed } from './dialed-text.js';
import { CandidateGenerator, type Candidate, type TriedReading } from './number-candidates.js';

export type { Candidate, TriedReading } from './number-candidates.js';

export const DIALED_KINDS = ['external', 'extension', 'invalid'] as const;
export type DialedKind = (typeof DIALED_KINDS)[number];

/** How one dialed string resolves. */
export interface DialedResolution {
  readonly kind: DialedKind;
  /** `+` and digits; masked digits stay as 'X' (unverifiable, see docs/enrichment.md). */
  readonly e164: string | null;
  /** ISO region, or the calling code ('800') for non-geographic numbers. */
  readonly cc: string | null;
  /** libphonenumber type (MOBILE, FIXED_LINE, TOLL_FREE, ...), UNKNOWN when it gives none. */
  readonly type: string | null;
  /** The digits stripped in front of the country code ('0014', '9011', ''); null if none applies. */
  readonly prefix: string | null;
  /** Human explanation, step by step. */
  readonly steps: readonly string[];
}

export interface NumberOptions {
  /** ISO region of the dialling PBX: also try strings as national numbers there. */
  readonly region?: string;
  /** Configured extensions: dialling one is an internal call. */
  readonly extensions?: readonly string[];
}

interface Analysis {
  readonly clean: CleanDialed;
  readonly alone: DialedResolution;
  readonly candidates: readonly Candidate[];
}

/** A resolver with its own bounded caches; keep one per import or per sensor. */
export class NumberResolver {
  private readonly analysed = new BoundedCache<string, Analysis>(100_000);
  private readonly generator: CandidateGenerator;
  private readonly extensions: ReadonlySet<string>;

  constructor(opts: NumberOptions = {}) {
    const region = opts.region?.toUpperCase() as CountryCode | undefined;
    this.generator = new CandidateGenerator(region);
    this.extensions = new Set(opts.extensions ?? []);
  }

  /** Resolves one string on its own: prefix priors break ties between valid readings. */
  resolveDialed(dialed: string): DialedResolution {
    return this.analyse(dialed).alone;
  }

  /**
   * Resolves one string and records every reading tried, valid or not
   * (for `sipsnare number`). Not cached: it is for humans, not for import.
   */
  explain(dialed: string): {
    resolution: DialedResolution;
    candidates: readonly Candidate[];
    tried: readonly TriedReading[];
  } {
    const tried: TriedReading[] = [];
    const a = this.analyseUncached(typeof dialed === 'string' ? dialed : '', tried);
    return { resolution: a.alone, candidates: a.candidates, tried };
  }

  /** Every valid reading of one string, best prior first (for `sipsnare number`). */
  candidates(dialed: string): readonly Candidate[] {
    return this.analyse(dialed).candidates;
  }

  /**
   * Resolves the strings of one burst (one source, INVITEs close in time),
   * same order as given: each string takes the reading shared by the most
   * strings of the burst; the prior decides between equally shared ones.
   */
  resolveBurst(dialed: readonly string[]): DialedResolution[] {
    const analyses = dialed.map((d) => this.analyse(d));
    const support = new Map<string, number>();
    for (const a of analyses) {
      for (const e164 of new Set(a.candidates.map((c) => c.e164))) {
        support.set(e164, (support.get(e164) ?? 0) + 1);
      }
    }
    // The burst's readings by number, made when a string needs them.
    let known: Map<string, Candidate> | null = null;
    return analyses.map((a) => {
      if (a.alone.kind === 'invalid' && analyses.length > 1) {
        known ??= new Map(analyses.flatMap((b) => b.candidates.map((c) => [c.e164, c] as const)));
        return adoptTail(a, known, support) ?? a.alone;
      }
      if (a.candidates.length < 2 || analyses.length < 2) return a.alone;
      let best = a.candidates[0];
      let bestSupport = best === undefined ? 0 : (support.get(best.e164) ?? 0);
      for (const c of a.candidates) {
        const s = support.get(c.e164) ?? 0;
        if (s > bestSupport) {
          best = c;
          bestSupport = s;
        }
      }
      if (best === undefined || best.e164 === a.alone.e164) return a.alone;
      const why = `burst: ${best.e164} is shared by ${bestSupport} of ${analyses.length} strings, more than ${a.alone.e164 ?? '-'}; choosing it`;
      return { ...external(best), steps: [...a.alone.steps, why] };
    });
  }

  private analyse(dialed: string): Analysis {
    const key = typeof dialed === 'string' ? dialed : '';
    const hit = this.analysed.get(key);
    if (hit) return hit;
    const a = this.analyseUncached(key);
    this.analysed.set(key, a);
    return a;
  }

  private analyseUncached(dialed: string, trace?: TriedReading[]): Analysis {
    const clean = cleanDialed(dialed);
    const shown =
      clean.plusAt >= 0
        ? `${clean.digits.slice(0, clean.plusAt)}+${clean.digits.slice(clean.plusAt)}`
        : clean.digits;
    const steps = [`cleaned ${JSON.stringify(dialed.slice(0, 64))} -> "${shown}"`, ...clean.notes];
    const verdict = (kind: DialedKind, why: string): Analysis => ({
      clean,
      candidates: [],
      alone: { kind, e164: null, cc: null, type: null, prefix: null, steps: [...steps, why] },
    });
    if (clean.featureCode) return verdict('extension', 'starts with * or #: a PBX feature code');
    if (this.extensions.has(dialed) || this.extensions.has(clean.digits)) {
      return verdict('extension', 'a configured extension');
    }
    if (clean.junk) return verdict('invalid', 'contains characters that cannot be dialled');
    if (clean.digits.length === 0) return verdict('invalid', 'no digits');
    if (clean.plusAt < 0 && clean.digits.length <= MAX_EXTENSION_DIGITS) {
      const n = clean.digits.length;
      return verdict('extension', `${n} digits: too short for a public number, an extension`);
    }
    if (clean.digits.length > MAX_DIALED_DIGITS) {
      return verdict('invalid', `longer than ${MAX_DIALED_DIGITS} digits`);
    }
    let candidates = this.generator.generate(clean, false, trace);
    if (candidates.length === 0 && clean.masked) {
      // Masked digits hide the real number, and numbering plans changed since old logs
      // were written: accept readings whose length is possible for their country.
      candidates = this.generator.generate(clean, true, trace);
      if (candidates.length > 0)
        steps.push('masked and no valid reading: accepting possible lengths');
    }
    const best = candidates[0];
    if (best === undefined) return verdict('invalid', 'no prefix reading gives a valid number');
    const others = candidates.slice(1).map((c) => `${c.e164} (${c.rule}, score ${c.score})`);
    steps.push(`prefix "${best.prefix}" (${best.rule}) -> ${best.e164}: ${best.type}, ${best.cc}`);
    if (others.length > 0) steps.push(`other valid readings: ${others.join(', ')}`);
    return { clean, candidates, alone: { ...external(best), steps } };
  }
}

/** Longest run of unknown digits in front of a number that a burst may explain. */
export const MAX_UNKNOWN_PREFIX_DIGITS = 6;

/**
 * A string no prefix rule explains (a routing prefix of some provider,
 * `100` + 00972...) that ends with a number other strings of its burst
 * resolve to: that number, the leading digits taken as an unknown prefix.
 * The most supported number wins, then the longest (the shortest prefix).
 */
function adoptTail(
  a: Analysis,
  known: ReadonlyMap<string, Candidate>,
  support: ReadonlyMap<string, number>,
): DialedResolution | null {
  if (a.clean.junk) return null;
  const digits = a.clean.digits;
  let best: Candidate | undefined;
  let bestSupport = 0;
  for (let extra = 1; extra <= MAX_UNKNOWN_PREFIX_DIGITS && extra < digits.length; extra++) {
    const c = known.get(`+${digits.slice(extra)}`);
    const n = c === undefined ? 0 : (support.get(c.e164) ?? 0);
    if (c !== undefined && n > bestSupport) [best, bestSupport] = [c, n];
  }
  if (best === undefined) return null;
  const prefix = digits.slice(0, digits.length - (best.e164.length - 1));
  const why = `burst: ends with ${best.e164}, which ${bestSupport} other string(s) of the burst resolve to; "${prefix}" taken as an unknown prefix`;
  return { ...external(best), prefix, steps: [...a.alone.steps, why] };
}

function external(c: Candidate): Omit<DialedResolution, 'steps'> {
  return { kind: 'external', e164: c.e164, cc: c.cc, type: c.type, prefix: c.prefix };
}

const defaultResolver = new NumberResolver();
/** Resolvers (and their caches) per distinct options; few distinct options exist in practice. */
const resolvers = new BoundedCache<string, NumberResolver>(16);

function resolverFor(opts: NumberOptions | undefined): NumberResolver {
  if (opts === undefined || (opts.region === undefined && opts.extensions === undefined)) {
    return defaultResolver;
  }
  const key = JSON.stringify([opts.region ?? '', opts.extensions ?? []]);
  let r = resolvers.get(key);
  if (r === undefined) {
    r = new NumberResolver(opts);
    resolvers.set(key, r);
  }
  return r;
}

/** Resolves one dialed string alone (cached per distinct string and options). */
export function resolveDialed(dialed: string, opts?: NumberOptions): DialedResolution {
  return resolverFor(opts).resolveDialed(dialed);
}

/** Resolves a burst of dialed strings from one source, using the burst as evidence. */
export function resolveBurst(dialed: readonly string[], opts?: NumberOptions): DialedResolution[] {
  return resolverFor(opts).resolveBurst(dialed);
}
