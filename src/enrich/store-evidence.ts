/**
 * @module enrich/store-evidence
 * Store-wide evidence: a string its own burst cannot resolve (or that reads
 * only as a bare number with no prefix, the weakest reading) takes a number
 * that other sources in the store dialled in full, when its digits are
 * that number's national part (with or without the national trunk prefix:
 * `5515550123` for `+15515550123`, `02079460000` for `+442079460000`), or
 * when they end with that number after unknown digits (a tail-search
 * reading the store confirms). A national part shared by two stored numbers
 * decides nothing. Pure; bounded by what the caller passes.
 */
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import type { DialedResolution } from './resolution.js';

/** A number the store holds as dialled in full (with an exit code or '+'). */
export interface FullNumber {
  readonly e164: string;
  readonly cc: string | null;
  readonly type: string | null;
  /** How many distinct sources dialled it in full. */
  readonly sources: number;
  /** One of them: when it is the only one, it must not be the string's own source. */
  readonly someSource: string;
}

/** Most numbers one index holds: a store of a year has some ten thousand. */
export const MAX_FULL_NUMBERS = 1_000_000;

const MIN_TAIL = 7;
const MAX_TAIL = 15;

export class StoreEvidence {
  /** National digits (both forms) -> the numbers they are the national part of. */
  private readonly national = new Map<string, FullNumber[]>();
  private readonly full = new Map<string, FullNumber>();

  constructor(numbers: Iterable<FullNumber>) {
    for (const n of numbers) {
      if (this.full.size >= MAX_FULL_NUMBERS) break;
      if (n.e164.includes('X') || this.full.has(n.e164)) continue;
      this.full.set(n.e164, n);
      const p = parsePhoneNumberFromString(n.e164);
      if (p === undefined) continue;
      const forms = new Set([p.nationalNumber, p.formatNational().replace(/\D/g, '')]);
      for (const f of forms) {
        if (f.length < MIN_TAIL) continue;
        const list = this.national.get(f) ?? [];
        list.push(n);
        this.national.set(f, list);
      }
    }
  }

  get size(): number {
    return this.full.size;
  }

  /** True when `n` was dialled in full by a source other than `src`. */
  private byOthers(n: FullNumber, src: string): boolean {
    return n.sources > 1 || n.someSource !== src;
  }

  /**
   * The stored number the digits of one string of source `src` point to, or
   * null. `current` is what the string resolved to so far (for its steps, and
   * a bare reading the store itself confirms is kept).
   */
  match(digits: string, src: string, current: DialedResolution): DialedResolution | null {
    if (!/^\d+$/.test(digits)) return null;
    if (current.e164 !== null && this.full.has(current.e164)) return null;
    const nat = (this.national.get(digits) ?? []).filter((n) => this.byOthers(n, src));
    if (nat.length > 1) return null;
    const [byNational] = nat;
    if (byNational !== undefined) {
      const why = `store: "${digits}" is the national part of ${byNational.e164}, which ${byNational.sources} source(s) in the store dialled in full`;
      return adopt(byNational, '', current, why);
    }
    if (current.kind !== 'invalid') return null;
    for (let len = Math.min(MAX_TAIL, digits.length - 1); len >= MIN_TAIL; len--) {
      const n = this.full.get(`+${digits.slice(-len)}`);
      if (n === undefined || !this.byOthers(n, src)) continue;
      const prefix = digits.slice(0, digits.length - len);
      const why = `store: ends with ${n.e164}, which ${n.sources} source(s) in the store dialled in full; "${prefix}" taken as unknown digits`;
      return adopt(n, prefix, current, why);
    }
    return null;
  }
}

function adopt(
  n: FullNumber,
  prefix: string,
  current: DialedResolution,
  why: string,
): DialedResolution {
  return {
    kind: 'external',
    e164: n.e164,
    cc: n.cc,
    type: n.type,
    prefix,
    method: 'store',
    steps: [...current.steps, why],
  };
}
