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
import { cleanDialed, MAX_DIALED_TEXT } from './dialed-text.js';
import { CandidateGenerator, type Candidate, type TriedReading } from './number-candidates.js';
import { external, resolveAnalyses, type Analysis } from './burst-evidence.js';
import type { DialedKind, DialedResolution } from './resolution.js';

export type { Candidate, TriedReading } from './number-candidates.js';

export { DIALED_KINDS, NUMBER_METHODS } from './resolution.js';
export type { DialedKind, DialedResolution, NumberMethod } from './resolution.js';

export interface NumberOptions {
  /** ISO region of the dialling PBX: also try strings as national numbers there. */
  readonly region?: string;
  /** Configured extensions: dialling one is an internal call. */
  readonly extensions?: readonly string[];
  /**
   * Dialed strings whose analysis is kept (default RESOLVED_STRINGS_CACHE;
   * twice as many validated readings are kept beside them). An analysis
   * with its readings and the steps that explain it takes some 2 KB of
   * heap, 0.7-1.3 KB without the steps (`keepSteps`); strings longer than
   * MAX_DIALED_TEXT are not kept. The default, made for imports of millions
   * of events, holds some 100 MB once full. A process that records a flood
   * of distinct numbers for hours keeps a few thousand.
   */
  readonly cacheEntries?: number;
  /**
   * Keep the explanation steps of the analyses (default true). Without
   * them (`steps` holds only what a burst adds), a cached analysis takes
   * half the heap: for a process that records the numbers and never shows
   * how they were read (the live store sink, the dashboard's findings).
   */
  readonly keepSteps?: boolean;
}

/** Dialed strings whose analysis one resolver keeps. */
export const RESOLVED_STRINGS_CACHE = 100_000;

/** A resolver with its own bounded caches; keep one per import or per sensor. */
export class NumberResolver {
  private readonly analysed: BoundedCache<string, Analysis>;
  private readonly generator: CandidateGenerator;
  private readonly extensions: ReadonlySet<string>;
  private readonly keepSteps: boolean;

  constructor(opts: NumberOptions = {}) {
    const region = opts.region?.toUpperCase() as CountryCode | undefined;
    const entries = opts.cacheEntries ?? RESOLVED_STRINGS_CACHE;
    this.analysed = new BoundedCache(entries);
    this.generator = new CandidateGenerator(region, 2 * entries);
    this.extensions = new Set(opts.extensions ?? []);
    this.keepSteps = opts.keepSteps ?? true;
  }

  /** Dialed strings whose analysis is kept now (at most `cacheEntries`). */
  get cachedStrings(): number {
    return this.analysed.size;
  }

  /** Validated readings kept now (at most twice `cacheEntries`). */
  get cachedReadings(): number {
    return this.generator.cachedReadings;
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
    tail: readonly Candidate[];
    tried: readonly TriedReading[];
  } {
    const tried: TriedReading[] = [];
    const a = this.analyseUncached(typeof dialed === 'string' ? dialed : '', tried);
    return { resolution: a.alone, candidates: a.candidates, tail: a.tail, tried };
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
    return resolveAnalyses(analyses, (rest) => this.generator.validate(rest));
  }

  /**
   * The analysis of `dialed`, cached unless longer than MAX_DIALED_TEXT:
   * only that much is read, and an event field may hold 1,024 characters,
   * so a cache of long strings would be bounded in entries but not in
   * bytes (2,048 strings of 1,012 characters held 6-12 MB).
   */
  private analyse(dialed: string): Analysis {
    const key = typeof dialed === 'string' ? dialed : '';
    const hit = this.analysed.get(key);
    if (hit) return hit;
    let a = this.analyseUncached(key);
    if (!this.keepSteps) a = { ...a, alone: { ...a.alone, steps: [] } };
    if (key.length <= MAX_DIALED_TEXT) this.analysed.set(key, a);
    return a;
  }

  private analyseUncached(dialed: string, trace?: TriedReading[]): Analysis {
    const clean = cleanDialed(dialed);
    const shown =
      clean.plusAt >= 0
        ? `${clean.digits.slice(0, clean.plusAt)}+${clean.digits.slice(clean.plusAt)}`
        : clean.digits;
    const steps = [`cleaned ${JSON.stringify(dialed.slice(0, 64))} -> "${shown}"`, ...clean.notes];
    const verdict = (kind: DialedKind, why: string, tail: Candidate[] = []): Analysis => ({
      clean,
      candidates: [],
      tail,
      alone: {
        kind,
        e164: null,
        cc: null,
        type: null,
        prefix: null,
        method: null,
        steps: [...steps, why],
      },
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
    if (best === undefined) {
      const tail = this.generator.tail(clean, trace);
      for (const t of tail) {
        steps.push(`${t.rule} -> ${t.e164} (${t.type}, ${t.cc}): possible, unconfirmed`);
      }
      const why =
        tail.length === 0
          ? 'no prefix reading gives a valid number'
          : 'no prefix reading gives a valid number; a tail-search reading needs its burst or other sources to confirm it';
      return verdict('invalid', why, tail);
    }
    const others = candidates.slice(1).map((c) => `${c.e164} (${c.rule}, score ${c.score})`);
    steps.push(`prefix "${best.prefix}" (${best.rule}) -> ${best.e164}: ${best.type}, ${best.cc}`);
    if (others.length > 0) steps.push(`other valid readings: ${others.join(', ')}`);
    return { clean, candidates, tail: [], alone: { ...external(best, 'alone'), steps } };
  }
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
