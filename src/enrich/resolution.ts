/**
 * @module enrich/resolution
 * What resolving a dialed string gives: its kind, the E.164 number with
 * country and type, and how the number was found (the confidence the
 * report shows), and the readings behind it. Types only.
 */

/** What libphonenumber says about a number. */
export interface NumberFacts {
  /** `+` and digits; masked digits stay 'X'. */
  readonly e164: string;
  /** ISO region, or the calling code ('800') for non-geographic numbers. */
  readonly cc: string;
  readonly type: string;
}

/** One valid reading of a dialed string. */
export interface Candidate extends NumberFacts {
  /** Digits stripped in front of the country code. */
  readonly prefix: string;
  /** Prior plausibility of the prefix combination (higher is likelier). */
  readonly score: number;
  /** Which rules produced it, for humans. */
  readonly rule: string;
}

/** One reading tried, valid or not: what `sipsnare number` shows. */
export interface TriedReading {
  readonly prefix: string;
  readonly rule: string;
  /** The digits read as country code + number (or as a national number). */
  readonly rest: string;
  readonly result: NumberFacts | null;
}

export const DIALED_KINDS = ['external', 'extension', 'invalid'] as const;
export type DialedKind = (typeof DIALED_KINDS)[number];

/**
 * How a number was found, from the most direct evidence to the least:
 * - `alone`: the string reads as this number by itself (prefix tables);
 * - `burst`: its burst chose between its readings, or it ends with a number
 *   other strings of its burst resolve to (unknown digits in front);
 * - `tail`: no string of its burst resolved alone; the tail that several
 *   different strings end with is a valid number;
 * - `store`: other sources in the store dialled this number in full, and
 *   the string is its national part.
 */
export const NUMBER_METHODS = ['alone', 'burst', 'tail', 'store'] as const;
export type NumberMethod = (typeof NUMBER_METHODS)[number];

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
  /** How the number was found; null when there is none. */
  readonly method: NumberMethod | null;
  /** Human explanation, step by step. */
  readonly steps: readonly string[];
}
