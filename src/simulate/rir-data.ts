/**
 * @module
 * Reads the RIR-derived range files shipped with `@ip-location-db/*` and
 * intersects the country ranges with the ASN ranges. Every segment this
 * returns lies inside exactly one country range and one ASN range of those
 * files, so an address picked from it has a known country and ASN: that is
 * the simulator's ground truth for `src_cc` and `src_asn`.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

/** Address segments of one ASN inside one country. Starts and ends inclusive. */
export interface AsnSegments {
  readonly asn: number;
  readonly name: string;
  readonly starts: bigint[];
  readonly ends: bigint[];
  /** Addresses covered (capped at 2^32 for IPv6 so weights stay numbers). */
  size: number;
}

/** Country code -> ASN -> segments. */
export type RangeIndex = Map<string, Map<number, AsnSegments>>;

const require = createRequire(import.meta.url);

/** Path of a data file of an installed `@ip-location-db` package. */
export function dataFile(pkg: 'asn' | 'geo-whois-asn-country', file: string): string {
  return require.resolve(`@ip-location-db/${pkg}/${file}`);
}

/**
 * One CSV row. Bounds are compared as numbers (IPv4) or as decimal strings
 * padded to 39 digits (IPv6), which order like the numbers: no BigInt is
 * made for the hundreds of thousands of rows that overlap nothing.
 */
interface Row {
  lo: number | string;
  hi: number | string;
  value: string;
  /** Offsets of the name field in the file text, parsed only when needed. */
  nameFrom: number;
  nameTo: number;
}

function bound(text: string, family: 4 | 6): number | string {
  return family === 4 ? Number(text) : text.padStart(39, '0');
}

/** Parses `start,end,value[,name]` lines, keeping rows whose value passes `keep`. */
function readRows(text: string, family: 4 | 6, keep: (value: string) => boolean): Row[] {
  const rows: Row[] = [];
  let pos = 0;
  while (pos < text.length) {
    let nl = text.indexOf('\n', pos);
    if (nl < 0) nl = text.length;
    const c1 = text.indexOf(',', pos);
    const c2 = c1 < 0 ? -1 : text.indexOf(',', c1 + 1);
    if (c1 < 0 || c2 < 0 || c2 > nl) {
      pos = nl + 1;
      continue;
    }
    let c3 = text.indexOf(',', c2 + 1);
    if (c3 < 0 || c3 > nl) c3 = nl;
    const value = text.slice(c2 + 1, c3);
    if (keep(value)) {
      rows.push({
        lo: bound(text.slice(pos, c1), family),
        hi: bound(text.slice(c1 + 1, c2), family),
        value,
        nameFrom: Math.min(c3 + 1, nl),
        nameTo: nl,
      });
    }
    pos = nl + 1;
  }
  return rows;
}

/** The AS name of a row; quoted names may hold commas and doubled quotes. */
function nameOf(text: string, row: Row): string {
  const name = text.slice(row.nameFrom, row.nameTo).trim();
  return name.startsWith('"') && name.endsWith('"') ? name.slice(1, -1).replace(/""/g, '"') : name;
}

const CAP = 4294967296n;

/**
 * Indexes already built in this process, by family and country set. The
 * index is never mutated after it is built, so runs in one process (tests)
 * share it instead of re-reading about 100 MB of CSV.
 */
const built = new Map<string, RangeIndex>();

/**
 * Builds the index for the given countries (IPv4 or IPv6). Both files are
 * sorted by start and their ranges do not overlap, so one merge pass finds
 * every overlap of a country range with an ASN range.
 */
export function loadRangeIndex(countries: ReadonlySet<string>, family: 4 | 6): RangeIndex {
  const key = `${family}:${[...countries].sort().join(',')}`;
  const cached = built.get(key);
  if (cached) return cached;
  const index = buildRangeIndex(countries, family);
  built.set(key, index);
  return index;
}

function buildRangeIndex(countries: ReadonlySet<string>, family: 4 | 6): RangeIndex {
  const suffix = family === 4 ? 'ipv4-num.csv' : 'ipv6-num.csv';
  const geoText = readFileSync(
    dataFile('geo-whois-asn-country', `geo-whois-asn-country-${suffix}`),
    'utf8',
  );
  const geo = readRows(geoText, family, (cc) => countries.has(cc));
  const asnText = readFileSync(dataFile('asn', `asn-${suffix}`), 'utf8');
  const asn = readRows(asnText, family, () => true);
  const index: RangeIndex = new Map();
  let j = 0;
  for (const g of geo) {
    while (j < asn.length && (asn[j] as Row).hi < g.lo) j++;
    for (let k = j; k < asn.length; k++) {
      const a = asn[k] as Row;
      if (a.lo > g.hi) break;
      const lo = a.lo > g.lo ? a.lo : g.lo;
      const hi = a.hi < g.hi ? a.hi : g.hi;
      if (lo > hi) continue;
      const number = Number(a.value);
      if (!Number.isInteger(number) || number <= 0) continue;
      let byAsn = index.get(g.value);
      if (!byAsn) index.set(g.value, (byAsn = new Map<number, AsnSegments>()));
      let seg = byAsn.get(number);
      if (!seg) {
        seg = { asn: number, name: nameOf(asnText, a), starts: [], ends: [], size: 0 };
        byAsn.set(number, seg);
      }
      const start = BigInt(lo);
      const end = BigInt(hi);
      seg.starts.push(start);
      seg.ends.push(end);
      const span = end - start + 1n;
      seg.size += Number(span > CAP ? CAP : span);
    }
  }
  return index;
}
