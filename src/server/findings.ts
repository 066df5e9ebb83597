/**
 * @module
 * Findings worth telling the moment they happen, read from the live event
 * stream: a source seen for the first time, an extension cracked (a digest
 * that matched the configured password), a toll-fraud INVITE (an INVITE for
 * an external number), and a new rogue-server candidate.
 *
 * The rogue rule is the report's (analysis/rogue.ts, ROGUE_DEFAULTS): a
 * source whose calls reach at least `minCountries` destination countries
 * and whose count sits at least `minZ` (robust z-score) above those of all
 * callers. Here "all callers" are the sources this process saw place a call
 * to an external number (the most recent MAX_SOURCES of them), kept as a
 * histogram of their country counts, and a source is checked each time its
 * count grows, against the callers seen so far. The report applies the
 * rule to every caller of the store in scope at once (and resolves carrier
 * prefixes with the evidence of a whole burst of INVITEs): when the other
 * callers were seen first, both name the same sources; a source that stood
 * out when it crossed the threshold stays flagged here even if later
 * callers catch up (findings.test.ts shows both).
 *
 * Must stay bounded: the per-source state lives in AddressTables (typed
 * arrays, least recently seen forgotten first, MAX_SOURCES each), a
 * caller's countries in a 256-bit set of its own. Every entry has a fixed
 * size, so the entries bound is a bytes bound: some 35 bytes a source seen
 * and 70 a caller, whatever the callers dial (findings.test.ts; an LruMap
 * of address strings took 125 and a Set of countries per caller 190).
 */
import type { SnareEvent } from '../events/catalog.js';
import { AddressTable } from '../address-table.js';
import { ROGUE_DEFAULTS, type RogueOptions } from '../analysis/rogue.js';
import { robustZFrom, spreadOfCounts } from '../analysis/shares.js';
import { DialedReadings } from './dialed-readings.js';

export const FINDING_KINDS = [
  'new_source',
  'extension_cracked',
  'toll_fraud_invite',
  'rogue_candidate',
] as const;
export type FindingKind = (typeof FINDING_KINDS)[number];

export interface Finding {
  readonly kind: FindingKind;
  readonly ts: string;
  readonly src_ip: string;
  readonly sensor: string;
  readonly event_id: string;
  /** Extension (cracked), number dialed (toll fraud); null otherwise. */
  readonly user: string | null;
  /** Cracked: the password that worked; toll fraud: the E.164 number; rogue: the countries. */
  readonly detail: string | null;
  readonly user_agent: string | null;
}

export const MAX_SOURCES = 100_000;
/**
 * Dialed strings whose reading the detector keeps (dialed-readings.ts:
 * 250-320 bytes each, 0.5-0.6 MB when full). Fed every INVITE of a flood, the
 * shared resolver's caches, sized for imports (100,000 analyses of some 2
 * KB each), held 15 MB 9 s into the UDP bench's mix with INVITEs (8,000
 * distinct numbers) and grow to some 100 MB with more distinct numbers; a
 * resolver of 2,048 analyses 2-3.4 MB (docs/benchmarks.md).
 */
export const FINDINGS_NUMBER_CACHE = 2048;
/** Destination countries kept per source: far above any threshold worth setting. */
const MAX_COUNTRIES = 64;
/**
 * Distinct country codes the callers' sets can name: libphonenumber knows
 * 245 regions; a code beyond the first 256 seen is not counted.
 */
const MAX_COUNTRY_CODES = 256;
/** A caller's words: the set of country ids (256 bits), then its size. */
const SET_WORDS = MAX_COUNTRY_CODES / 32;
const CALLER_WORDS = SET_WORDS + 1;

/** What the callers' table holds at most (MAX_SOURCES callers): some 7 MB. */
export const CALLER_TABLE_BOUND_BYTES = 8 * 1024 * 1024;

/**
 * The callers seen, with their destination countries, and how many callers
 * have each count of countries (the population of the rogue rule). A
 * caller is 4 words of address, 2 of recency, 9 of countries and its index
 * positions: some 70 bytes (address-table.ts), so MAX_SOURCES callers hold
 * some 7 MB at most, however many countries each calls. (A Set of country
 * codes per caller took 190 bytes with one country and 1.4-1.6 KB with 64,
 * and needed a bytes bound of its own; docs/benchmarks.md.)
 */
export class CallerCountries {
  private readonly callers = new AddressTable({
    max: MAX_SOURCES,
    u32PerSlot: CALLER_WORDS,
    onEvict: (slot) => {
      this.bump(this.callers.u32[slot * CALLER_WORDS + SET_WORDS] ?? 0, -1);
    },
  });
  /** `hist[k]`: tracked callers with k destination countries. */
  private readonly hist: number[] = new Array<number>(MAX_COUNTRIES + 1).fill(0);
  private readonly codeIds = new Map<string, number>();
  private readonly codes: string[] = [];

  /** Callers tracked now. */
  get size(): number {
    return this.callers.size;
  }

  /** Bytes of the callers' table now. */
  get bytes(): number {
    return this.callers.bytes;
  }

  /** Notes a call from `ip` to `cc` (null: unknown country); returns the caller's count of countries. */
  add(ip: string, cc: string | null): { count: number; grew: boolean } {
    let slot = this.callers.find(ip);
    if (slot < 0) {
      slot = this.callers.add(ip);
      this.bump(0, 1);
    }
    const words = this.callers.u32;
    const at = slot * CALLER_WORDS;
    const count = words[at + SET_WORDS] ?? 0;
    const id = cc === null ? -1 : this.idOf(cc);
    if (id < 0 || count >= MAX_COUNTRIES) return { count, grew: false };
    const bit = 1 << (id & 31);
    const w = at + (id >>> 5);
    if (((words[w] ?? 0) & bit) !== 0) return { count, grew: false };
    words[w] = (words[w] ?? 0) | bit;
    words[at + SET_WORDS] = count + 1;
    this.bump(count, -1);
    this.bump(count + 1, 1);
    return { count: count + 1, grew: true };
  }

  /** How many countries `ip` was seen calling (undefined: not tracked); marks it as seen. */
  countriesOf(ip: string): number | undefined {
    const slot = this.callers.find(ip);
    return slot < 0 ? undefined : this.callers.u32[slot * CALLER_WORDS + SET_WORDS];
  }

  /** The country codes `ip` was seen calling, sorted (empty: not tracked); marks it as seen. */
  countryCodes(ip: string): string[] {
    const slot = this.callers.find(ip);
    if (slot < 0) return [];
    const words = this.callers.u32;
    const out: string[] = [];
    for (let id = 0; id < this.codes.length; id++) {
      if ((((words[slot * CALLER_WORDS + (id >>> 5)] ?? 0) >>> (id & 31)) & 1) === 1)
        out.push(this.codes[id] ?? '');
    }
    return out.sort();
  }

  /** Robust z of `k` among the tracked callers' counts. */
  zOf(k: number): number {
    return robustZFrom(k, spreadOfCounts(this.hist));
  }

  /** The id of a country code, -1 once MAX_COUNTRY_CODES are taken. */
  private idOf(cc: string): number {
    let id = this.codeIds.get(cc);
    if (id === undefined) {
      if (this.codes.length >= MAX_COUNTRY_CODES) return -1;
      id = this.codes.length;
      this.codes.push(cc);
      this.codeIds.set(cc, id);
    }
    return id;
  }

  private bump(k: number, d: number): void {
    this.hist[k] = (this.hist[k] ?? 0) + d;
  }
}

export class FindingDetector {
  private readonly seen = new AddressTable({ max: MAX_SOURCES });
  private readonly callers = new CallerCountries();
  private readonly rogue = new AddressTable({ max: MAX_SOURCES });
  private readonly numbers = new DialedReadings(FINDINGS_NUMBER_CACHE);

  constructor(private readonly rogueRule: RogueOptions = ROGUE_DEFAULTS) {}

  /** Callers tracked for the rogue rule, and the bytes of their table. */
  get callerTable(): { readonly callers: number; readonly bytes: number } {
    return { callers: this.callers.size, bytes: this.callers.bytes };
  }

  /** Sources seen (for new_source), and the bytes of their table. */
  get seenTable(): { readonly sources: number; readonly bytes: number } {
    return { sources: this.seen.size, bytes: this.seen.bytes };
  }

  /** Dialed strings whose reading is kept now (at most FINDINGS_NUMBER_CACHE). */
  get cachedNumbers(): number {
    return this.numbers.size;
  }

  /** Findings `ev` brings, in order (often none). */
  inspect(ev: SnareEvent): Finding[] {
    const out: Finding[] = [];
    const base = {
      ts: ev.ts,
      src_ip: ev.src_ip,
      sensor: ev.sensor,
      event_id: ev.event_id,
      user_agent: ev.user_agent,
    };
    if (this.seen.find(ev.src_ip) < 0) {
      this.seen.add(ev.src_ip);
      out.push({ ...base, kind: 'new_source', user: null, detail: null });
    }
    if (ev.event !== 'sip.request') return out;
    if (ev.guess_source === 'configured' || (ev.auth_ok === true && ev.method === 'REGISTER')) {
      out.push({
        ...base,
        kind: 'extension_cracked',
        user: ev.auth_user ?? ev.from_user,
        detail: ev.password_guess,
      });
    }
    if (ev.method === 'INVITE' && ev.dialed !== null) this.invite(ev, base, out);
    return out;
  }

  private invite(
    ev: SnareEvent,
    base: Omit<Finding, 'kind' | 'user' | 'detail'>,
    out: Finding[],
  ): void {
    const r = this.numbers.read(ev.dialed ?? '');
    if (!r.external) return;
    out.push({ ...base, kind: 'toll_fraud_invite', user: ev.dialed, detail: r.e164 });
    const { count: k, grew } = this.callers.add(ev.src_ip, r.cc);
    if (!grew || k < this.rogueRule.minCountries) return;
    if (this.rogue.find(ev.src_ip) >= 0) return;
    const z = this.callers.zOf(k);
    if (z < this.rogueRule.minZ) return;
    this.rogue.add(ev.src_ip);
    const zText = Number.isFinite(z) ? z.toFixed(1) : 'inf';
    out.push({
      ...base,
      kind: 'rogue_candidate',
      user: null,
      detail: `${this.callers.countryCodes(ev.src_ip).join(' ')} (robust z ${zText})`,
    });
  }
}
