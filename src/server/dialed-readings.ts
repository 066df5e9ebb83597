/**
 * @module
 * What the dashboard's findings need of a dialed string: whether it is an
 * external number, which, and its country; kept for the latest strings
 * in a bounded cache of that alone. A resolver's analysis (readings,
 * candidates, cleaned digits) takes some 1.1 KB even without its steps; a
 * reading here 250-320 bytes, the string included (findings.test.ts), so
 * the strings of a flood of distinct numbers hold 0.6 MB instead of 2 MB.
 * The resolver behind keeps a few analyses for strings that come back at
 * once.
 */
import { BoundedCache } from '../enrich/bounded-cache.js';
import { MAX_DIALED_TEXT } from '../enrich/dialed-text.js';
import { NumberResolver } from '../enrich/phone-number.js';

/** A dialed string as the findings read it. */
export interface DialedReading {
  /** An external number (toll fraud when dialed through the persona). */
  readonly external: boolean;
  readonly e164: string | null;
  /** Destination country (ISO region, or calling code for non-geographic numbers). */
  readonly cc: string | null;
}

const NOT_EXTERNAL: DialedReading = { external: false, e164: null, cc: null };
/** Analyses the resolver behind keeps. */
const RESOLVER_ENTRIES = 64;

export class DialedReadings {
  private readonly readings: BoundedCache<string, DialedReading>;
  private readonly resolver = new NumberResolver({
    cacheEntries: RESOLVER_ENTRIES,
    keepSteps: false,
  });

  /** `entries`: strings whose reading is kept. */
  constructor(entries: number) {
    this.readings = new BoundedCache(entries);
  }

  /** Strings whose reading is kept now (at most `entries`). */
  get size(): number {
    return this.readings.size;
  }

  /**
   * The reading of `dialed`, kept unless the string is longer than the
   * MAX_DIALED_TEXT characters read (event fields hold up to 1,024: the
   * cache stays bounded in bytes, not only in entries).
   */
  read(dialed: string): DialedReading {
    const hit = this.readings.get(dialed);
    if (hit !== undefined) return hit;
    const r = this.resolver.resolveDialed(dialed);
    const reading =
      r.kind === 'external' ? { external: true, e164: r.e164, cc: r.cc } : NOT_EXTERNAL;
    if (dialed.length <= MAX_DIALED_TEXT) this.readings.set(dialed, reading);
    return reading;
  }
}
