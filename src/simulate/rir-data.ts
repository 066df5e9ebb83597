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

interface Row {
  start: bigint;
  end: bigint;
  value: string;
  name: string;
}

/** Parses `start,end,value[,name]` lines; the name may be quoted with commas inside. */
function readRows(path: string, keep: (value: string) => boolean): Row[] {
  const rows: Row[] = [];
  const text = readFileSync(path, 'utf8');
  let pos = 0;
  while (pos < text.length) {
    let nl = text.indexOf('\n', pos);
    if (nl < 0) nl = text.length;
    const line = text.slice(pos, nl);
    pos = nl + 1;
    const c1 = line.indexOf(',');
    const c2 = line.indexOf(',', c1 + 1);
    if (c1 < 0 || c2 < 0) continue;
    let c3 = line.indexOf(',', c2 + 1);
    if (c3 < 0) c3 = line.length;
    const value = line.slice(c2 + 1, c3);
    if (!keep(value)) continue;
    let name = line.slice(c3 + 1).trim();
    if (name.startsWith('"') && name.endsWith('"')) name = name.slice(1, -1).replace(/""/g, '"');
    rows.push({
      start: BigInt(line.slice(0, c1)),
      end: BigInt(line.slice(c1 + 1, c2)),
      value,
      name,
    });
  }
  return rows;
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
  const geo = readRows(dataFile('geo-whois-asn-country', `geo-whois-asn-country-${suffix}`), (cc) =>
    countries.has(cc),
  );
  const asn = readRows(dataFile('asn', `asn-${suffix}`), () => true);
  const index: RangeIndex = new Map();
  let j = 0;
  for (const g of geo) {
    while (j < asn.length && (asn[j] as Row).end < g.start) j++;
    for (let k = j; k < asn.length; k++) {
      const a = asn[k] as Row;
      if (a.start > g.end) break;
      const start = a.start > g.start ? a.start : g.start;
      const end = a.end < g.end ? a.end : g.end;
      if (start > end) continue;
      const number = Number(a.value);
      if (!Number.isInteger(number) || number <= 0) continue;
      let byAsn = index.get(g.value);
      if (!byAsn) index.set(g.value, (byAsn = new Map<number, AsnSegments>()));
      let seg = byAsn.get(number);
      if (!seg)
        byAsn.set(number, (seg = { asn: number, name: a.name, starts: [], ends: [], size: 0 }));
      seg.starts.push(start);
      seg.ends.push(end);
      const span = end - start + 1n;
      seg.size += Number(span > CAP ? CAP : span);
    }
  }
  return index;
}
