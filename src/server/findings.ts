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
 * Must stay bounded: the per-source state lives in LRU maps, a source's
 * countries in a set of at most MAX_COUNTRIES, and the callers with their
 * sets within CALLER_BUDGET_BYTES (estimated): a flood from many addresses
 * each calling many countries forgets the least recently seen callers
 * first.
 */
import type { SnareEvent } from '../events/catalog.js';
import { NumberResolver } from '../enrich/phone-number.js';
import { LruMap } from '../lru-map.js';
import { ROGUE_DEFAULTS, type RogueOptions } from '../analysis/rogue.js';
import { robustZFrom, spreadOfCounts } from '../analysis/shares.js';

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
 * Dialed strings whose analysis the detector's number resolver keeps. The
 * shared resolver's caches are sized for imports (100,000 analyses of 1-2
 * KB each): fed every INVITE of a flood, they held 15 MB 9 s into the UDP
 * bench's mix with INVITEs (8,000 distinct numbers), and grow to some 100
 * MB with more distinct numbers (docs/benchmarks.md).
 */
export const FINDINGS_NUMBER_CACHE = 2048;
/** Destination countries kept per source: far above any threshold worth setting. */
const MAX_COUNTRIES = 64;
/**
 * What the callers' table may hold, estimated as CALLER_BYTES per caller
 * and COUNTRY_BYTES per destination country in its set. Measured as the
 * heap's growth: some 200 bytes per caller with one country, 1.4-1.6 KB
 * with 64; bounded by entries alone (MAX_SOURCES), 100,000 callers of 64
 * countries each held some 140-160 MB (docs/benchmarks.md). 16 MB keeps
 * some 70,000 callers of one country, or 9,000 of 64.
 */
export const CALLER_BUDGET_BYTES = 16 * 1024 * 1024;
const CALLER_BYTES = 240;
const COUNTRY_BYTES = 22;

/**
 * The callers seen, with their destination countries, and how many callers
 * have each count of countries (the population of the rogue rule).
 */
export class CallerCountries {
  private readonly callers = new LruMap<string, Set<string>>(MAX_SOURCES);
  /** `hist[k]`: tracked callers with k destination countries. */
  private readonly hist: number[] = new Array<number>(MAX_COUNTRIES + 1).fill(0);
  /** Estimated bytes held (CALLER_BYTES, COUNTRY_BYTES), at most CALLER_BUDGET_BYTES. */
  private bytes = 0;

  /** Callers tracked now. */
  get size(): number {
    return this.callers.size;
  }

  /** Estimated bytes of the callers tracked now. */
  get estimatedBytes(): number {
    return this.bytes;
  }

  /** Notes a call from `ip` to `cc` (null: unknown country); returns the caller's countries. */
  add(ip: string, cc: string | null): { countries: ReadonlySet<string>; grew: boolean } {
    let set = this.callers.get(ip);
    if (set === undefined) {
      this.evictWhile(() => this.callers.size >= MAX_SOURCES);
      set = new Set();
      this.callers.set(ip, set);
      this.bump(0, 1);
      this.bytes += CALLER_BYTES;
    }
    let grew = false;
    if (cc !== null && !set.has(cc) && set.size < MAX_COUNTRIES) {
      this.bump(set.size, -1);
      set.add(cc);
      this.bump(set.size, 1);
      this.bytes += COUNTRY_BYTES;
      grew = true;
    }
    // The caller just used is the most recent: the least recently seen go first.
    this.evictWhile(() => this.bytes > CALLER_BUDGET_BYTES && this.callers.size > 1);
    return { countries: set, grew };
  }

  /** How many countries `ip` was seen calling (undefined: not tracked); marks it as seen. */
  countriesOf(ip: string): number | undefined {
    return this.callers.get(ip)?.size;
  }

  /** Robust z of `k` among the tracked callers' counts. */
  zOf(k: number): number {
    return robustZFrom(k, spreadOfCounts(this.hist));
  }

  private bump(k: number, d: number): void {
    this.hist[k] = (this.hist[k] ?? 0) + d;
  }

  /** Forgets the least recently seen callers while `more()` holds. */
  private evictWhile(more: () => boolean): void {
    while (more()) {
      const oldest = this.callers.oldestKey();
      if (oldest === undefined) return;
      const set = this.callers.get(oldest);
      if (set !== undefined) {
        this.bump(set.size, -1);
        this.bytes -= CALLER_BYTES + COUNTRY_BYTES * set.size;
      }
      this.callers.delete(oldest);
    }
  }
}

export class FindingDetector {
  private readonly seen = new LruMap<string, true>(MAX_SOURCES);
  private readonly callers = new CallerCountries();
  private readonly rogue = new LruMap<string, true>(MAX_SOURCES);
  private readonly numbers = new NumberResolver({ cacheEntries: FINDINGS_NUMBER_CACHE });

  constructor(private readonly rogueRule: RogueOptions = ROGUE_DEFAULTS) {}

  /** Callers tracked for the rogue rule, and their estimated bytes (at most CALLER_BUDGET_BYTES). */
  get callerTable(): { readonly callers: number; readonly bytes: number } {
    return { callers: this.callers.size, bytes: this.callers.estimatedBytes };
  }

  /** Dialed strings whose analysis is kept now (at most FINDINGS_NUMBER_CACHE). */
  get cachedNumbers(): number {
    return this.numbers.cachedStrings;
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
    if (this.seen.get(ev.src_ip) === undefined) {
      this.seen.set(ev.src_ip, true);
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
    const r = this.numbers.resolveDialed(ev.dialed ?? '');
    if (r.kind !== 'external') return;
    out.push({ ...base, kind: 'toll_fraud_invite', user: ev.dialed, detail: r.e164 });
    const { countries, grew } = this.callers.add(ev.src_ip, r.cc);
    const k = countries.size;
    if (!grew || k < this.rogueRule.minCountries) return;
    if (this.rogue.get(ev.src_ip) !== undefined) return;
    const z = this.callers.zOf(k);
    if (z < this.rogueRule.minZ) return;
    this.rogue.set(ev.src_ip, true);
    const zText = Number.isFinite(z) ? z.toFixed(1) : 'inf';
    out.push({
      ...base,
      kind: 'rogue_candidate',
      user: null,
      detail: `${[...countries].sort().join(' ')} (robust z ${zText})`,
    });
  }
}
