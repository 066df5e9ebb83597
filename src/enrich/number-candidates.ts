/**
 * @module enrich/number-candidates
 * Every valid reading of one cleaned dialed string: strip each outside-line
 * + international prefix combination of dial-prefixes.ts, validate what is
 * left as country code + national number with libphonenumber's full
 * metadata. Pure and memoised (bounded); never throws on attacker input.
 */
import {
  getCountries,
  getCountryCallingCode,
  parsePhoneNumberFromString,
  type CountryCode,
} from 'libphonenumber-js/max';
import { BoundedCache } from './bounded-cache.js';
import {
  BRAZIL_CARRIERS,
  CARRIER_ACCESS_RULES,
  INTERNATIONAL_RULES,
  OUTSIDE_LINE_RULES,
  type OutsideLineRule,
} from './dial-prefixes.js';
import type { CleanDialed } from './dialed-text.js';
import type { Candidate, NumberFacts, TriedReading } from './resolution.js';
import { tailReadings } from './tail-search.js';

/**
 * Every calling code the metadata knows (geographic and non-geographic).
 * Calling codes are prefix-free, so one of 1-3 leading digits decides; a
 * rest that starts with no calling code is rejected without a parse.
 */
const CALLING_CODES: ReadonlySet<string> = new Set([
  ...getCountries().map((c) => getCountryCallingCode(c)),
  '800',
  '808',
  '870',
  '878',
  '881',
  '882',
  '883',
  '888',
  '979',
]);

/** True when `rest` opens with a calling code in use. */
function hasCallingCode(rest: string): boolean {
  return (
    CALLING_CODES.has(rest.slice(0, 1)) ||
    CALLING_CODES.has(rest.slice(0, 2)) ||
    CALLING_CODES.has(rest.slice(0, 3))
  );
}

export type { Candidate, NumberFacts, TriedReading } from './resolution.js';

/** Substitutes tried for masked digits: any valid one proves the shape. */
export const MASK_SUBSTITUTES = ['5', '0', '1', '2', '7', '9'];
/** Validated readings one generator keeps. */
export const VALIDATED_READINGS_CACHE = 200_000;

/** Generates and validates readings; keeps a bounded memo of validations. */
export class CandidateGenerator {
  private readonly validated: BoundedCache<string, NumberFacts | null>;
  /** Set for the duration of one explained `generate` call. */
  private trace: TriedReading[] | undefined;

  /** `cacheEntries`: validated readings kept (default VALIDATED_READINGS_CACHE). */
  constructor(
    private readonly region: CountryCode | undefined,
    cacheEntries = VALIDATED_READINGS_CACHE,
  ) {
    this.validated = new BoundedCache(cacheEntries);
  }

  /** Validated readings kept now. */
  get cachedReadings(): number {
    return this.validated.size;
  }

  /**
   * Every reading, best prior first, one per number. `possibleOnly`: accept
   * numbers of a possible length instead of valid ones (masked strings whose
   * real digits are unknowable; see docs/enrichment.md).
   */
  generate(clean: CleanDialed, possibleOnly: boolean, trace?: TriedReading[]): Candidate[] {
    this.trace = trace;
    try {
      return this.readings(clean, possibleOnly);
    } finally {
      this.trace = undefined;
    }
  }

  /**
   * The tail search's readings (unknown digits + exit code + number): kept
   * apart from `generate`'s, since only a burst or the store can confirm them.
   */
  tail(clean: CleanDialed, trace?: TriedReading[]): Candidate[] {
    return tailReadings(
      clean.plusAt >= 0 ? '' : clean.digits,
      (rest) => this.validate(rest),
      trace,
    );
  }

  private readings(clean: CleanDialed, possibleOnly: boolean): Candidate[] {
    const byNumber = new Map<string, Candidate>();
    const add = (c: Candidate | null): void => {
      if (c === null) return;
      const old = byNumber.get(c.e164);
      if (old === undefined || c.score > old.score) byNumber.set(c.e164, c);
    };
    const { digits, plusAt } = clean;
    if (plusAt >= 0) {
      // An explicit '+' is the caller saying "country code follows": it wins.
      const before = digits.slice(0, plusAt);
      const rule = before === '' ? '+' : `${before} then +`;
      add(this.candidate(digits.slice(plusAt), before, 12, rule, possibleOnly));
      if (byNumber.size > 0) return [...byNumber.values()];
    }
    for (const outside of outsideLines(digits)) {
      const after = digits.slice(outside.digits.length);
      const outsideNote = outside.digits === '' ? '' : `${outside.note} + `;
      for (const rule of INTERNATIONAL_RULES) {
        if (rule.digits === '+') continue;
        let intl = rule.digits;
        if (intl === '00NN') {
          const carrier = after.slice(2, 4);
          if (!after.startsWith('00') || !/^[1-9]\d$/.test(carrier)) continue;
          if ((rule.id === '00-br-carrier') !== BRAZIL_CARRIERS.has(carrier)) continue;
          intl = `00${carrier}`;
        } else if (!after.startsWith(intl)) continue;
        const note = `${outsideNote}${rule.note}`;
        const score = rule.weight - outside.penalty;
        add(
          this.candidate(
            after.slice(intl.length),
            outside.digits + intl,
            score,
            note,
            possibleOnly,
          ),
        );
      }
      if (this.region !== undefined && !possibleOnly) {
        const note = `${outsideNote}national number in ${this.region}`;
        add(this.national(after, outside.digits, 3 - outside.penalty, note));
      }
    }
    return [...byNumber.values()].sort((a, b) => b.score - a.score);
  }

  private candidate(
    rest: string,
    prefix: string,
    score: number,
    rule: string,
    possibleOnly: boolean,
  ): Candidate | null {
    // E.164: at most 15 digits, country codes never start with 0.
    if (rest.length < 7 || rest.length > 15 || rest.startsWith('0') || rest.startsWith('X')) {
      return null;
    }
    const facts = possibleOnly ? possibleMasked(rest) : this.validate(rest);
    this.trace?.push({ prefix, rule, rest, result: facts });
    return facts === null ? null : { ...facts, prefix, score, rule };
  }

  private national(rest: string, prefix: string, score: number, rule: string): Candidate | null {
    if (rest.length < 7 || rest.includes('X') || this.region === undefined) return null;
    const p = parsePhoneNumberFromString(rest, this.region);
    const valid = p?.isValid() === true;
    const facts =
      p !== undefined && valid
        ? { e164: p.number, cc: p.country ?? p.countryCallingCode, type: p.getType() ?? 'UNKNOWN' }
        : null;
    this.trace?.push({ prefix, rule, rest, result: facts });
    return facts === null ? null : { ...facts, prefix, score, rule };
  }

  /** Validates `rest` as country code + number (memoised). */
  validate(rest: string): NumberFacts | null {
    if (!hasCallingCode(rest)) return null;
    const hit = this.validated.get(rest);
    if (hit !== undefined) return hit;
    let out: NumberFacts | null = null;
    if (!rest.includes('X')) {
      const p = parsePhoneNumberFromString(`+${rest}`);
      if (p?.isValid()) {
        out = {
          e164: p.number,
          cc: p.country ?? p.countryCallingCode,
          type: p.getType() ?? 'UNKNOWN',
        };
      }
    } else {
      // Masked digits: the number itself is unverifiable; validate its shape with substitutes.
      for (const sub of MASK_SUBSTITUTES) {
        const p = parsePhoneNumberFromString(`+${rest.replaceAll('X', sub)}`);
        if (p?.isValid()) {
          out = {
            e164: `+${rest}`,
            cc: p.country ?? p.countryCallingCode,
            type: p.getType() ?? 'UNKNOWN',
          };
          break;
        }
      }
    }
    this.validated.set(rest, out);
    return out;
  }
}

/** The outside-line rules `digits` opens with, then any carrier-access code it opens with. */
function outsideLines(digits: string): OutsideLineRule[] {
  const out = OUTSIDE_LINE_RULES.filter((o) => digits.startsWith(o.digits));
  for (const cac of CARRIER_ACCESS_RULES) {
    const m = cac.pattern.exec(digits);
    if (m !== null) out.push({ digits: m[0], penalty: cac.penalty, note: cac.note });
  }
  return out;
}

/** A masked number whose country code exists and whose length is possible there. */
function possibleMasked(rest: string): NumberFacts | null {
  const p = parsePhoneNumberFromString(`+${rest.replaceAll('X', '5')}`);
  if (!p?.isPossible()) return null;
  return { e164: `+${rest}`, cc: p.country ?? p.countryCallingCode, type: 'UNKNOWN' };
}
