/**
 * @module
 * Findings worth telling the moment they happen, read from the live event
 * stream: a source seen for the first time, an extension cracked (a digest
 * that matched the configured password), a toll-fraud INVITE (an INVITE for
 * an external number), and a new rogue-server candidate (a source whose
 * calls reach at least ROGUE_DEFAULTS.minCountries destination countries;
 * the report adds the outlier test over all callers, which needs the whole
 * population).
 *
 * Must stay bounded: the per-source state lives in LRU maps.
 */
import type { SnareEvent } from '../events/catalog.js';
import { resolveDialed } from '../enrich/phone-number.js';
import { LruMap } from '../lru-map.js';
import { ROGUE_DEFAULTS } from '../analysis/rogue.js';

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

const MAX_SOURCES = 100_000;

export class FindingDetector {
  private readonly seen = new LruMap<string, true>(MAX_SOURCES);
  private readonly countries = new LruMap<string, Set<string>>(MAX_SOURCES);
  private readonly rogue = new LruMap<string, true>(MAX_SOURCES);

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
    const r = resolveDialed(ev.dialed ?? '');
    if (r.kind !== 'external') return;
    out.push({ ...base, kind: 'toll_fraud_invite', user: ev.dialed, detail: r.e164 });
    if (r.cc === null || this.rogue.get(ev.src_ip) !== undefined) return;
    let set = this.countries.get(ev.src_ip);
    if (set === undefined) {
      set = new Set();
      this.countries.set(ev.src_ip, set);
    }
    if (set.size < 64) set.add(r.cc);
    if (set.size >= ROGUE_DEFAULTS.minCountries) {
      this.rogue.set(ev.src_ip, true);
      out.push({ ...base, kind: 'rogue_candidate', user: null, detail: [...set].sort().join(' ') });
    }
  }
}
