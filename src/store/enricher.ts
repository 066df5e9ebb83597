/**
 * @module
 * The enrichment step as the store sees it: one call per distinct source
 * address, per distinct User-Agent and per burst of INVITEs, never per event.
 * `loadEnricher` binds it to the enrichment modules (src/enrich) when they
 * provide the functions, and degrades to "no enrichment" (columns left null,
 * `ua_label` from the raw header) when they do not, so an import never fails
 * for want of geo data.
 *
 * Must never throw on hostile input: each call is guarded and a failure
 * leaves that value's columns null.
 */
import { isIP } from 'node:net';

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

/** No enrichment at all: what tests and a missing module give. */
export const NO_ENRICHMENT: Enricher = { dataDate: null };

/** True for addresses worth a lookup (not masked like `210.184.X.Y`). */
export function isLookupAddress(ip: string): boolean {
  return isIP(ip) !== 0;
}

type Fn = (...args: never[]) => unknown;
function fn(mod: Record<string, unknown>, name: string): Fn | null {
  const f = mod[name];
  return typeof f === 'function' ? (f as Fn) : null;
}
function str(v: unknown): string | null {
  return typeof v === 'string' && v !== '' ? v : null;
}
function int(v: unknown): number | null {
  return typeof v === 'number' && Number.isInteger(v) ? v : null;
}
function rec(v: unknown): Record<string, unknown> {
  return typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : {};
}

/**
 * Binds the enrichment modules' published API (`loadIpLookup`,
 * `classifyUserAgent`, `resolveBurst`), each when present. The import is
 * dynamic so the store builds and runs before those modules land.
 */
export async function loadEnricher(): Promise<Enricher> {
  let mod: Record<string, unknown>;
  try {
    mod = { ...(await import('../enrich/index.js')) };
  } catch {
    return NO_ENRICHMENT;
  }
  let ip: Enricher['ip'];
  let dataDate: string | null = null;
  const loadIp = fn(mod, 'loadIpLookup');
  if (loadIp) {
    try {
      const lookup = rec(await (loadIp as () => Promise<unknown>)());
      const f = lookup['lookup'];
      if (typeof f === 'function') {
        dataDate = str(lookup['dataDate']);
        ip = (addr) => {
          const r = rec((f as (a: string) => unknown).call(lookup, addr));
          return { src_cc: str(r['cc']), src_asn: int(r['asn']), src_as_name: str(r['as_name']) };
        };
      }
    } catch {
      ip = undefined;
    }
  }
  const classify = fn(mod, 'classifyUserAgent') as ((ua: string | null) => unknown) | null;
  const userAgent: Enricher['userAgent'] = classify
    ? (ua) => {
        const r = rec(classify(ua === '' ? null : ua));
        return {
          ua_label: str(r['label']),
          ua_family: str(r['family']),
          ua_category: str(r['category']),
        };
      }
    : undefined;
  const resolve = fn(mod, 'resolveBurst') as ((d: readonly string[]) => unknown) | null;
  const burst: Enricher['burst'] = resolve
    ? (dialed) => {
        const out = resolve(dialed);
        const list = Array.isArray(out) ? (out as unknown[]) : [];
        return dialed.map((_, i) => {
          const r = rec(list[i]);
          return {
            dialed_number: str(r['e164']),
            dst_cc: str(r['cc']),
            number_type: str(r['type']),
            number_kind: str(r['kind']),
            number_method: str(r['method']),
          };
        });
      }
    : undefined;
  return {
    dataDate,
    ...(ip ? { ip } : {}),
    ...(userAgent ? { userAgent } : {}),
    ...(burst ? { burst } : {}),
  };
}
