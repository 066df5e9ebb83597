/**
 * @module enrich/ip-lookup
 * IP address -> source country (RIR-derived, @ip-location-db/geo-whois-asn-country)
 * and ASN + AS name (@ip-location-db/asn), offline, IPv4 and IPv6. Users can
 * point at newer files of the same "-num" CSV layout. IPv6 tables load on the
 * first IPv6 lookup, since most honeypot traffic is IPv4. Lookups never throw:
 * masked or invalid addresses (`210.184.X.Y`) and addresses of the IANA
 * special-purpose registries (private, shared, documentation...) give
 * all-null answers.
 */
import { statSync } from 'node:fs';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { splitCsvLine } from '../csv.js';
import { parseIp } from './ip-address.js';
import { isSpecialPurpose } from './special-ranges.js';
import { compactRanges4, compactRanges6, value4, value6, type Breaks6 } from './range-breaks.js';
import { parseRanges4Bytes, readRangeBytes, readRangeBytesSync } from './range-table.js';
import { parseRanges6Bytes } from './range-table6.js';

/** What the data says about one address; null where it says nothing. */
export interface IpInfo {
  readonly cc: string | null;
  readonly asn: number | null;
  readonly as_name: string | null;
}

export interface IpLookup {
  lookup(ip: string): IpInfo;
  /** Date of the data (YYYY-MM-DD): reports show it, since RIR data ages. */
  readonly dataDate: string;
}

/** Paths of the four data files; each defaults to the bundled npm package file. */
export interface IpLookupOptions {
  readonly countryV4?: string;
  readonly countryV6?: string;
  readonly asnV4?: string;
  readonly asnV6?: string;
}

const NONE: IpInfo = Object.freeze({ cc: null, asn: null, as_name: null });
const require = createRequire(import.meta.url);

function packageFile(pkg: string, file: string): string {
  return join(dirname(require.resolve(`${pkg}/package.json`)), file);
}

/** The bundled data's date, from the package version (`2.3.2026061719` -> 2026-06-17). */
function bundledDataDate(): string {
  try {
    const pj = JSON.parse(
      readFileSync(packageFile('@ip-location-db/asn', 'package.json'), 'utf8'),
    ) as { version?: unknown };
    const m = /\.(\d{4})(\d{2})(\d{2})\d*$/.exec(String(pj.version));
    if (m) return `${m[1] ?? ''}-${m[2] ?? ''}-${m[3] ?? ''}`;
  } catch {
    /* fall through to unknown */
  }
  return 'unknown';
}

function fileDate(path: string): string {
  try {
    return statSync(path).mtime.toISOString().slice(0, 10);
  } catch {
    return 'unknown';
  }
}

/** Interns country codes so a row stores a small integer. */
class CountryCodes {
  readonly codes: string[] = [];
  private readonly index = new Map<string, number>();
  readonly parse = (rest: string): number => {
    const cc = rest.trim().toUpperCase();
    if (!/^[A-Z]{2}$/.test(cc)) return -1;
    let i = this.index.get(cc);
    if (i === undefined) {
      i = this.codes.length;
      this.codes.push(cc);
      this.index.set(cc, i);
    }
    return i;
  };
  /** Code index per two-byte key, filled on first sight: most rows cost one array read. */
  private readonly byKey = new Int32Array(65536).fill(-2);
  readonly parseBytes = (bytes: Uint8Array, from: number, to: number): number => {
    if (to - from !== 2) return this.parse(utf8.decode(bytes.subarray(from, to)));
    const key = (bytes[from] ?? 0) * 256 + (bytes[from + 1] ?? 0);
    let i = this.byKey[key] ?? -1;
    if (i === -2) {
      i = this.parse(String.fromCharCode(bytes[from] ?? 0, bytes[from + 1] ?? 0));
      this.byKey[key] = i;
    }
    return i;
  };
}

const utf8 = new TextDecoder('utf-8');
const utf8Encoder = new TextEncoder();

/**
 * The first CSV field of bytes[from..to) as one flat string. A name without
 * quotes is decoded from its bytes alone; a quoted one (about one name in
 * five: `"Cloudflare, Inc."`) is unquoted by the CSV reader, whose string
 * is built a character at a time: V8 keeps such a string as a chain of one
 * 32-byte node per character until something flattens it, which made the
 * 84,000 names of the bundled table some 12 MB of heap for life. Encoding
 * and decoding it again gives a flat copy (the chain becomes garbage).
 */
function firstCsvField(bytes: Uint8Array, from: number, to: number): string {
  let end = from;
  while (end < to && bytes[end] !== 44 && bytes[end] !== 34) end++;
  if (end === to || bytes[end] === 44) return utf8.decode(bytes.subarray(from, end));
  const field = splitCsvLine(utf8.decode(bytes.subarray(from, to)))[0] ?? '';
  return utf8.decode(utf8Encoder.encode(field));
}

/**
 * The ASes of the ASN tables: a row stores a code, and the code gives its
 * ASN and the first name seen for it. Once a table is loaded (`seal`) the
 * names are kept end to end in one string with their offsets in a typed
 * array: 2.8 MB for the 84,000 names of the bundled IPv4 table, against
 * 7.1 MB as a Map of ASN to name (a string and a map entry each). Loading
 * another table (IPv6, on its first lookup) opens them again.
 */
class AsNames {
  /** ASN and name start per code, and the names end to end (sealed). */
  private asns = new Int32Array(0);
  private starts = new Uint32Array(1);
  private text = '';
  /** While a table loads: ASN and name per code, and the code of each ASN. */
  private loading: { asns: number[]; names: string[]; codes: Map<number, number> } | null = null;

  /** The ASN of a code. */
  asnOf(code: number): number {
    return this.asns[code] ?? -1;
  }

  /** The name of a code; null when no row named it. */
  nameOf(code: number): string | null {
    const from = this.starts[code] ?? 0;
    const to = this.starts[code + 1] ?? from;
    return to > from ? this.text.slice(from, to) : null;
  }

  /** Ends a table's load: the names go into one string. */
  seal(): void {
    const l = this.loading;
    if (l === null) return;
    this.asns = Int32Array.from(l.asns);
    this.starts = new Uint32Array(l.names.length + 1);
    let at = 0;
    l.names.forEach((name, code) => {
      at += name.length;
      this.starts[code + 1] = at;
    });
    this.text = l.names.join('');
    this.loading = null;
  }

  /** The load state, opened again from the sealed form when another table loads. */
  private open(): NonNullable<AsNames['loading']> {
    if (this.loading !== null) return this.loading;
    const asns = Array.from(this.asns);
    const names = asns.map((_, code) => this.nameOf(code) ?? '');
    this.loading = { asns, names, codes: new Map(asns.map((asn, code) => [asn, code])) };
    return this.loading;
  }

  /** Byte twin of `parse`: decodes a name only for an ASN not named before; returns the code. */
  readonly parseBytes = (bytes: Uint8Array, from: number, to: number): number => {
    let asn = 0;
    let i = from;
    while (i < to) {
      const c = bytes[i] ?? 0;
      if (c < 48 || c > 57) break;
      asn = asn * 10 + (c - 48);
      i++;
    }
    if (i === from || i - from > 10 || asn > 0x7fffffff) return -1;
    if (i < to && bytes[i] !== 44) return -1;
    const l = this.open();
    let code = l.codes.get(asn);
    if (code === undefined) {
      code = l.asns.length;
      l.asns.push(asn);
      l.names.push('');
      l.codes.set(asn, code);
    }
    if (i < to && l.names[code] === '') l.names[code] = firstCsvField(bytes, i + 1, to);
    return code;
  };
}

/**
 * Loads the IPv4 tables now and prepares the IPv6 ones for the first IPv6
 * lookup. Throws SnareError (SNARE_ERR_IO) if a data file cannot be read.
 */
export async function loadIpLookup(opts: IpLookupOptions = {}): Promise<IpLookup> {
  const countryV4 =
    opts.countryV4 ??
    packageFile('@ip-location-db/geo-whois-asn-country', 'geo-whois-asn-country-ipv4-num.csv');
  const countryV6 =
    opts.countryV6 ??
    packageFile('@ip-location-db/geo-whois-asn-country', 'geo-whois-asn-country-ipv6-num.csv');
  const asnV4 = opts.asnV4 ?? packageFile('@ip-location-db/asn', 'asn-ipv4-num.csv');
  const asnV6 = opts.asnV6 ?? packageFile('@ip-location-db/asn', 'asn-ipv6-num.csv');
  const custom = opts.countryV4 ?? opts.asnV4;
  const dataDate = custom === undefined ? bundledDataDate() : fileDate(custom);

  const ccs = new CountryCodes();
  const names = new AsNames();
  const [ccBytes, asnBytes] = await Promise.all([readRangeBytes(countryV4), readRangeBytes(asnV4)]);
  // Kept as breakpoints (range-breaks.ts): 5.4 MB instead of 9.0 MB for the bundled IPv4 tables.
  const cc4 = compactRanges4(parseRanges4Bytes(ccBytes, ccs.parseBytes));
  const asn4 = compactRanges4(parseRanges4Bytes(asnBytes, names.parseBytes));
  names.seal();
  let v6: { cc: Breaks6; asn: Breaks6 } | null = null;
  let v6Failed = false;

  const info = (ccIdx: number, asCode: number): IpInfo => {
    if (ccIdx < 0 && asCode < 0) return NONE;
    const asn = asCode < 0 ? -1 : names.asnOf(asCode);
    return {
      cc: ccIdx < 0 ? null : (ccs.codes[ccIdx] ?? null),
      asn: asn < 0 ? null : asn,
      as_name: asCode < 0 ? null : names.nameOf(asCode),
    };
  };

  return {
    dataDate,
    lookup(ip: string): IpInfo {
      const parsed = parseIp(ip);
      if (parsed === null || isSpecialPurpose(parsed)) return NONE;
      if (parsed.family === 4) {
        return info(value4(cc4, parsed.v4), value4(asn4, parsed.v4));
      }
      if (v6 === null) {
        if (v6Failed) return NONE;
        try {
          v6 = {
            cc: compactRanges6(parseRanges6Bytes(readRangeBytesSync(countryV6), ccs.parseBytes)),
            asn: compactRanges6(parseRanges6Bytes(readRangeBytesSync(asnV6), names.parseBytes)),
          };
        } catch {
          // An unreadable IPv6 file must not break IPv4 enrichment: answer unknown.
          v6Failed = true;
          return NONE;
        } finally {
          names.seal();
        }
      }
      const { words } = parsed;
      return info(value6(v6.cc, words), value6(v6.asn, words));
    },
  };
}
