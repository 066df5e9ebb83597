/**
 * @module enrich/tail-search
 * The tail search: a dialed string may carry a few unknown digits (junk,
 * dial-out digits, a service or carrier code) in front of an international
 * exit code. Each position where an exit code of dial-prefixes.ts starts,
 * after 1 to MAX_TAIL_JUNK_DIGITS digits, gives a reading of the rest as
 * `+CC...`; every valid one is kept with its evidence. These readings are
 * hypotheses: random digits contain exit codes too, so a string is not
 * resolved by a tail reading alone, only when its burst or the store
 * supports it (see phone-number.ts and burst-evidence.ts). Pure.
 */
import { EXIT_CODES, MAX_TAIL_JUNK_DIGITS } from './dial-prefixes.js';
import type { Candidate, NumberFacts, TriedReading } from './resolution.js';

/** Validates `rest` as country code + number (memoised by the caller). */
export type Validate = (rest: string) => NumberFacts | null;

/** The exit code starting at `digits[at]`, per EXIT_CODES order; every one that matches. */
function exitCodesAt(digits: string, at: number): string[] {
  const out: string[] = [];
  for (const code of EXIT_CODES) {
    if (code === '00NN') {
      if (digits.startsWith('00', at) && /^[1-9]\d$/.test(digits.slice(at + 2, at + 4))) {
        out.push(digits.slice(at, at + 4));
      }
    } else if (digits.startsWith(code, at)) out.push(code);
  }
  return out;
}

/**
 * Every valid reading `junk + exit code + number`, one per number (the
 * shortest junk wins), shortest junk first. Masked strings are not searched.
 */
export function tailReadings(
  digits: string,
  validate: Validate,
  trace?: TriedReading[],
): Candidate[] {
  const byNumber = new Map<string, Candidate>();
  if (digits.includes('X')) return [];
  const last = Math.min(MAX_TAIL_JUNK_DIGITS, digits.length - 9);
  for (let at = 1; at <= last; at++) {
    const junk = digits.slice(0, at);
    for (const exit of exitCodesAt(digits, at)) {
      const rest = digits.slice(at + exit.length);
      if (rest.length < 7 || rest.length > 15 || rest.startsWith('0')) continue;
      const rule = `tail search: unknown "${junk}" + exit code ${exit}`;
      const facts = validate(rest);
      trace?.push({ prefix: junk + exit, rule, rest, result: facts });
      if (facts === null || byNumber.has(facts.e164)) continue;
      // Ranked among tail readings only: less junk, then the longer exit code.
      const score = -10 * at + exit.length;
      byNumber.set(facts.e164, { ...facts, prefix: junk + exit, score, rule });
    }
  }
  return [...byNumber.values()].sort((a, b) => b.score - a.score);
}
