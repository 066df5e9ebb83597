/**
 * @module
 * The enrichment step as the store sees it: one call per distinct source
 * address, per distinct User-Agent and per burst of INVITEs, never per event.
 * `loadEnricher` binds it to the enrichment modules (src/enrich);
 * `NO_ENRICHMENT` leaves the columns null (tests that do not need them).
 *
 * Must never throw on hostile input: each call is guarded and a failure
 * leaves that value's columns null.
 */
import { isIP } from 'node:net';
import { classifyUserAgent, loadIpLookup, NumberResolver, resolveBurst } from '../enrich/index.js';

export interface IpEnrichment {
  readonly src_cc: string | null;
  readonly src_asn: number | null;
  readonly src_as_name: string | null;
}

export interface UaEnrichment {
  readonly ua_label: string | null;
  readonly ua_family: string | null;
  readonly ua_category: string | null;
}

export interface NumberEnrichment {
  readonly dialed_number: string | null;
  readonly dst_cc: string | null;
  readonly number_type: string | null;
  readonly number_kind: string | null;
  /** How the number was found: alone | burst | tail | store (docs/enrichment.md). */
  readonly number_method?: string | null;
}

/** Per-distinct-value enrichment; each part is optional. */
export interface Enricher {
  /** Date of the geo data (YYYY-MM-DD), recorded in `meta` as `geo_data_date`. */
  readonly dataDate: string | null;
  /** Only called for well-formed IPv4/IPv6 text (masked addresses are skipped). */
  readonly ip?: (ip: string) => IpEnrichment;
  /** '' stands for an absent or empty User-Agent. */
  readonly userAgent?: (ua: string) => UaEnrichment;
  /** The dialed strings of one burst, in time order; returns one result per string. */
  readonly burst?: (dialed: readonly string[]) => readonly NumberEnrichment[];
}

/** No enrichment at all (tests that do not need it). */
export const NO_ENRICHMENT: Enricher = { dataDate: null };

/** True for addresses worth a lookup (not masked like `210.184.X.Y`). */
export function isLookupAddress(ip: string): boolean {
  return isIP(ip) !== 0;
}

/** Empty text is no value: the columns hold null, as for an unknown one. */
function orNull(v: string | null): string | null {
  return v === '' ? null : v;
}

export interface EnricherOptions {
  /**
   * Dialed strings whose analysis the number resolver keeps (its own
   * resolver, NumberOptions.cacheEntries); by default the shared resolver,
   * whose caches are sized for imports. Its analyses keep no explanation
   * steps (NumberOptions.keepSteps): the columns hold none.
   */
  readonly numberCacheEntries?: number;
}

/**
 * Binds the enrichment modules (src/enrich): the geo-IP and ASN tables,
 * the User-Agent rules and the number resolver. A failure to load the
 * tables (a broken install) is an error, not silently empty columns.
 */
export async function loadEnricher(opts: EnricherOptions = {}): Promise<Enricher> {
  const lookup = await loadIpLookup();
  const entries = opts.numberCacheEntries;
  const resolver =
    entries === undefined ? null : new NumberResolver({ cacheEntries: entries, keepSteps: false });
  return {
    dataDate: lookup.dataDate,
    ip: (addr) => {
      const r = lookup.lookup(addr);
      return { src_cc: orNull(r.cc), src_asn: r.asn, src_as_name: orNull(r.as_name) };
    },
    userAgent: (ua) => {
      const r = classifyUserAgent(ua === '' ? null : ua);
      return {
        ua_label: orNull(r.label),
        ua_family: orNull(r.family),
        ua_category: orNull(r.category),
      };
    },
    burst: (dialed) => {
      const out = resolver ? resolver.resolveBurst(dialed) : resolveBurst(dialed);
      return dialed.map((_, i) => {
        const r = out[i];
        return {
          dialed_number: orNull(r?.e164 ?? null),
          dst_cc: orNull(r?.cc ?? null),
          number_type: orNull(r?.type ?? null),
          number_kind: orNull(r?.kind ?? null),
          number_method: orNull(r?.method ?? null),
        };
      });
    },
  };
}
