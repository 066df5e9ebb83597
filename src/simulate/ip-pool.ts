/**
 * @module
 * The population of source addresses. Countries are weighted like the
 * article's Figure 4 (US and CN on top); each country gets a quota of ASNs;
 * every address is drawn inside a segment whose country and ASN the RIR data
 * fix (see rir-data.ts), so the truth of `src_cc`/`src_asn` is known by
 * construction. Private, reserved and documentation ranges are never drawn.
 */
import { formatIpv6Groups } from '../enrich/ip-address.js';
import { loadRangeIndex, type AsnSegments, type RangeIndex } from './rir-data.js';
import type { Rng } from './rng.js';

/** One source address and what the RIR data say about it. */
export interface SourceHost {
  readonly ip: string;
  readonly cc: string;
  readonly asn: number;
  readonly asName: string;
}

/**
 * Source countries and their weight among sources. The first entries are the
 * countries the named actors of the scenario need (Table 3 and Table 4), so
 * they survive when a small run keeps fewer countries.
 */
export const SOURCE_COUNTRIES: readonly (readonly [string, number])[] = [
  ['US', 16],
  ['CN', 12],
  ['NL', 3],
  ['TH', 2],
  ['FR', 4],
  ['CA', 2],
  ['MD', 0.6],
  ['ID', 2],
  ['PS', 0.6],
  ['EG', 1],
  ['DE', 4],
  ['GB', 3],
  ['RU', 4],
  ['KR', 3],
  ['JP', 2],
  ['TW', 2],
  ['BR', 3],
  ['IN', 2.5],
  ['IT', 2],
  ['ES', 2],
  ['VN', 2],
  ['TR', 1.5],
  ['PL', 1.5],
  ['RO', 1.5],
  ['UA', 1.5],
  ['IL', 1],
  ['AR', 1],
  ['MX', 1],
  ['CO', 0.8],
  ['CL', 0.6],
  ['PE', 0.5],
  ['VE', 0.5],
  ['AU', 1],
  ['NZ', 0.3],
  ['ZA', 0.8],
  ['NG', 0.5],
  ['KE', 0.3],
  ['MA', 0.4],
  ['DZ', 0.3],
  ['TN', 0.3],
  ['SA', 0.6],
  ['AE', 0.5],
  ['IR', 0.8],
  ['PK', 0.6],
  ['BD', 0.4],
  ['MY', 0.8],
  ['SG', 0.8],
  ['PH', 0.6],
  ['HK', 1],
  ['SE', 0.6],
  ['NO', 0.4],
  ['DK', 0.4],
  ['FI', 0.3],
  ['BE', 0.6],
  ['CH', 0.5],
  ['AT', 0.5],
  ['CZ', 0.8],
  ['SK', 0.3],
  ['HU', 0.5],
  ['BG', 0.6],
  ['GR', 0.5],
  ['PT', 0.5],
  ['IE', 0.3],
  ['LT', 0.3],
  ['LV', 0.3],
  ['EE', 0.2],
  ['BY', 0.3],
  ['KZ', 0.3],
  ['GE', 0.2],
  ['AM', 0.2],
  ['AZ', 0.2],
  ['RS', 0.3],
  ['HR', 0.2],
  ['SI', 0.2],
  ['BA', 0.2],
  ['CY', 0.2],
  ['LB', 0.2],
  ['JO', 0.2],
  ['KW', 0.2],
  ['QA', 0.2],
  ['LK', 0.2],
  ['EC', 0.3],
  ['UY', 0.2],
  ['PA', 0.2],
  ['CR', 0.2],
  ['DO', 0.2],
];

/** Countries some of whose sources get IPv6 addresses. */
const V6_COUNTRIES = new Set(['US', 'DE', 'JP', 'FR', 'NL', 'GB', 'BR', 'CN']);

/** IPv4 ranges no real source may come from (RFC 6890 and multicast/reserved). */
const RESERVED_V4: readonly (readonly [number, number])[] = [
  [0x00000000, 0x00ffffff],
  [0x0a000000, 0x0affffff],
  [0x64400000, 0x647fffff],
  [0x7f000000, 0x7fffffff],
  [0xa9fe0000, 0xa9feffff],
  [0xac100000, 0xac1fffff],
  [0xc0000000, 0xc00000ff],
  [0xc0000200, 0xc00002ff],
  [0xc0a80000, 0xc0a8ffff],
  [0xc6120000, 0xc613ffff],
  [0xc6336400, 0xc63364ff],
  [0xcb007100, 0xcb0071ff],
  [0xe0000000, 0xffffffff],
];

/** True when an IPv4 address (as a number) lies in a private or reserved block. */
export function isReservedV4(n: number): boolean {
  for (const [lo, hi] of RESERVED_V4) if (n >= lo && n <= hi) return true;
  return false;
}

/** Dotted-quad text of an IPv4 address held as a number. */
export function formatV4(n: number): string {
  return `${(n >>> 24) & 255}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

/** RFC 5952 text of an IPv6 address given as a 128-bit number. */
export function formatV6(n: bigint): string {
  const groups: number[] = [];
  for (let i = 7; i >= 0; i--) groups.push(Number((n >> BigInt(i * 16)) & 0xffffn));
  return formatIpv6Groups(groups);
}

/** Sizing of a population: how many countries and ASNs sources come from. */
export interface PoolPlan {
  readonly countries: number;
  readonly asns: number;
  /** Share of generic draws that are IPv6 (where the country has IPv6 data). */
  readonly v6Share: number;
}

/**
 * Draws unique source hosts. Until every chosen ASN has a host, draws prefer
 * unused ASNs, so a population of at least `asns` hosts covers all of them
 * and the unique ASN and country counts come out as planned.
 */
export class SourcePool {
  private readonly used = new Set<string>();
  private readonly asnsByCc = new Map<string, AsnSegments[]>();
  private readonly unusedAsns: { cc: string; seg: AsnSegments }[] = [];
  private readonly v6: RangeIndex;
  readonly countries: readonly string[];
  private readonly weights: readonly number[];

  constructor(
    private readonly rng: Rng,
    plan: PoolPlan,
  ) {
    const chosen = SOURCE_COUNTRIES.slice(
      0,
      Math.max(1, Math.min(plan.countries, SOURCE_COUNTRIES.length)),
    );
    const v4 = loadRangeIndex(new Set(chosen.map(([cc]) => cc)), 4);
    this.v6 = plan.v6Share > 0 ? loadRangeIndex(V6_COUNTRIES, 6) : (new Map() as RangeIndex);
    const live = chosen.filter(([cc]) => (v4.get(cc)?.size ?? 0) > 0);
    const totalWeight = live.reduce((a, [, w]) => a + w, 0);
    const asnBudget = Math.max(plan.asns, live.length);
    const rest = new Map<string, AsnSegments[]>();
    const taken = new Set<number>();
    const takeOne = (cc: string): boolean => {
      // One ASN can hold space in several countries: count it once.
      const pool = (rest.get(cc) ?? []).filter((s) => !taken.has(s.asn) && s.size >= 256);
      rest.set(cc, pool);
      if (pool.length === 0) return false;
      const i = rng.weighted(pool.map((s) => Math.sqrt(s.size)));
      const seg = pool.splice(i, 1)[0] as AsnSegments;
      taken.add(seg.asn);
      this.asnsByCc.get(cc)?.push(seg);
      this.unusedAsns.push({ cc, seg });
      return true;
    };
    let total = 0;
    live.forEach(([cc, w], i) => {
      const all = [...(v4.get(cc) ?? new Map<number, AsnSegments>()).values()];
      all.sort((a, b) => a.asn - b.asn);
      rest.set(cc, all);
      this.asnsByCc.set(cc, []);
      // Every country keeps at least one ASN: the named actors need theirs.
      const later = live.length - 1 - i;
      const quota = Math.max(
        1,
        Math.min(Math.round((asnBudget * w) / totalWeight), asnBudget - total - later),
      );
      for (let k = 0; k < quota && takeOne(cc); k++) total++;
    });
    // Rounding and small countries leave the budget short: top up by weight.
    for (let round = 0; total < asnBudget && round < 1000; round++) {
      let grew = false;
      for (const [cc] of live) {
        if (total >= asnBudget) break;
        if (takeOne(cc)) [total, grew] = [total + 1, true];
      }
      if (!grew) break;
    }
    rng.shuffle(this.unusedAsns);
    const covered = live.filter(([cc]) => (this.asnsByCc.get(cc)?.length ?? 0) > 0);
    this.countries = covered.map(([cc]) => cc);
    this.weights = covered.map(([, w]) => w);
    this.v6Share = plan.v6Share;
  }

  private readonly v6Share: number;

  /**
   * A new unique host. `cc` forces the country; `firstOctet` asks (best
   * effort) for an IPv4 address starting with that number, like Table 3's.
   */
  draw(cc?: string, firstOctet?: number): SourceHost {
    let seg: AsnSegments | undefined;
    let country = cc;
    if (country === undefined && this.unusedAsns.length > 0) {
      const next = this.unusedAsns.pop();
      if (next) [country, seg] = [next.cc, next.seg];
    }
    country ??= this.countries[this.rng.weighted(this.weights)] ?? 'US';
    const segs = this.asnsByCc.get(country);
    if (!segs || segs.length === 0) throw new RangeError(`no address data for country ${country}`);
    if (!seg && firstOctet !== undefined) {
      const lo = BigInt(firstOctet) << 24n;
      const hi = lo + 0xffffffn;
      const fit = segs.filter((s) => s.starts.some((st, i) => st <= hi && (s.ends[i] ?? 0n) >= lo));
      if (fit.length > 0) seg = this.rng.pick(fit);
    }
    seg ??= this.pickSeg(country, segs);
    this.markUsed(country, seg);
    if (!cc && firstOctet === undefined && this.rng.chance(this.v6Share)) {
      const host = this.drawV6(country, seg.asn);
      if (host) return host;
    }
    for (let attempt = 0; attempt < 200; attempt++) {
      const n = this.addressIn(seg, firstOctet);
      if (n === undefined) continue;
      const ip = formatV4(n);
      if (this.used.has(ip)) continue;
      this.used.add(ip);
      return { ip, cc: country, asn: seg.asn, asName: seg.name };
    }
    throw new RangeError(`could not draw a fresh address in AS${seg.asn}`);
  }

  private pickSeg(country: string, segs: AsnSegments[]): AsnSegments {
    const pending = this.unusedAsns.findIndex((u) => u.cc === country);
    if (pending >= 0) return (this.unusedAsns[pending] as { seg: AsnSegments }).seg;
    // Zipf-like reuse: the first ASNs of a country (its big ISPs) get most hosts.
    return segs[
      Math.min(segs.length - 1, Math.floor(this.rng.logUniform(1, segs.length + 1) - 1))
    ] as AsnSegments;
  }

  private markUsed(country: string, seg: AsnSegments): void {
    const i = this.unusedAsns.findIndex((u) => u.cc === country && u.seg === seg);
    if (i >= 0) this.unusedAsns.splice(i, 1);
  }

  private addressIn(seg: AsnSegments, firstOctet?: number): number | undefined {
    const idx = this.rng.weighted(seg.starts.map((s, i) => Number((seg.ends[i] ?? s) - s + 1n)));
    let start = Number(seg.starts[idx] ?? 0n);
    let end = Number(seg.ends[idx] ?? 0n);
    if (firstOctet !== undefined) {
      start = Math.max(start, firstOctet * 0x1000000);
      end = Math.min(end, firstOctet * 0x1000000 + 0xffffff);
      if (start > end) [start, end] = [Number(seg.starts[idx] ?? 0n), Number(seg.ends[idx] ?? 0n)];
    }
    const n = start + Math.floor(this.rng.next() * (end - start + 1));
    const last = n & 255;
    if (last === 0 || last === 255 || isReservedV4(n)) return undefined;
    return n;
  }

  /** An IPv6 host of the same ASN, when the data have IPv6 space for it. */
  private drawV6(country: string, asn: number): SourceHost | undefined {
    const seg = this.v6.get(country)?.get(asn);
    if (!seg) return undefined;
    const i = this.rng.int(0, seg.starts.length - 1);
    const start = seg.starts[i] ?? 0n;
    const span = (seg.ends[i] ?? start) - start + 1n;
    const offset =
      (BigInt(this.rng.int(0, 0xffff)) << 64n) | (BigInt(this.rng.int(1, 0xffffff)) << 8n);
    const ip = formatV6(start + (offset % span));
    if (this.used.has(ip)) return undefined;
    this.used.add(ip);
    return { ip, cc: country, asn: seg.asn, asName: seg.name };
  }
}
