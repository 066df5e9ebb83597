/**
 * @module
 * Destination numbers and the ways attackers dial them. True numbers are
 * valid under libphonenumber's full (`max`) metadata; the country and type it
 * reports are the truth of `dst_cc` and `number_type` (for non-geographic
 * numbers such as +800 the country is the calling code). Dial strings wrap
 * the international digits in the prefixes of the article's Figure 2.
 */
import examples from 'libphonenumber-js/examples.mobile.json';
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import type { Rng } from './rng.js';

/** A true destination number. */
export interface DestNumber {
  /** E.164 with the plus: `+972501234586`. */
  readonly e164: string;
  /** ISO region, or the calling code for non-geographic numbers ('800'). */
  readonly cc: string;
  /** libphonenumber type: MOBILE, FIXED_LINE, TOLL_FREE, PREMIUM_RATE... */
  readonly type: string;
}

/** Number types a campaign may ask for. */
export const WANTED_TYPES = ['MOBILE', 'FIXED_LINE', 'TOLL_FREE', 'PREMIUM_RATE'] as const;
export type WantedType = (typeof WANTED_TYPES)[number];

const MOBILE_EXAMPLES = examples as unknown as Record<string, string>;

/** Regions with a mobile example: the destinations a rogue server can reach. */
export const DEST_REGIONS: readonly string[] = Object.keys(MOBILE_EXAMPLES).sort();

/** Non-geographic calling codes and a national pattern that validates. */
const NON_GEO: Record<string, { len: number; first: string[] }> = {
  '800': { len: 8, first: ['1', '2', '3', '4', '5', '6', '7', '8', '9'] },
  '870': { len: 9, first: ['773', '776'] },
};

/** Calling code of a region, from its mobile example. */
function callingCodeOf(region: string): string | undefined {
  const example = MOBILE_EXAMPLES[region];
  if (example === undefined) return undefined;
  const p = parsePhoneNumberFromString(example, region as never);
  return p?.countryCallingCode;
}

/** Classifies `+digits`; undefined when libphonenumber says it is not valid. */
export function classify(e164: string): DestNumber | undefined {
  const p = parsePhoneNumberFromString(e164);
  if (!p?.isValid()) return undefined;
  const type = p.getType() ?? 'UNKNOWN';
  return {
    e164: `+${p.countryCallingCode}${p.nationalNumber}`,
    cc: p.country ?? p.countryCallingCode,
    type,
  };
}

/** Makes fresh valid numbers of a region and type, deterministic for the generator. */
export class NumberFactory {
  private readonly codes = new Map<string, string | undefined>();
  constructor(private readonly rng: Rng) {}

  private code(region: string): string | undefined {
    if (!this.codes.has(region)) this.codes.set(region, callingCodeOf(region));
    return this.codes.get(region);
  }

  /**
   * A valid number of `region` whose type is `type` when one can be found in
   * a bounded number of tries; mobile falls back on the example's shape.
   * Returns undefined when the region has no such numbers (some have no
   * premium range).
   */
  make(region: string, type: WantedType): DestNumber | undefined {
    if (region in NON_GEO) return this.makeNonGeo(region);
    const example = MOBILE_EXAMPLES[region];
    const code = this.code(region);
    if (example === undefined || code === undefined) return undefined;
    const tries = type === 'MOBILE' ? 40 : 300;
    for (let i = 0; i < tries; i++) {
      let national: string;
      if (type === 'MOBILE') {
        const keep = Math.max(1, example.length - Math.min(5, example.length - 2));
        national = example.slice(0, keep) + this.rng.digits(example.length - keep);
      } else {
        const len = example.length + this.rng.int(-1, 1);
        const lead =
          type === 'FIXED_LINE'
            ? String(this.rng.int(1, 9))
            : this.rng.pick(['800', '80', '1800', '900', '90', '1900', '89', '0800']);
        if (len <= lead.length + 3) continue;
        national = lead + this.rng.digits(len - lead.length);
      }
      const n = classify(`+${code}${national}`);
      if (!n || n.cc !== region) continue;
      if (
        n.type === type ||
        (n.type === 'FIXED_LINE_OR_MOBILE' && type !== 'TOLL_FREE' && type !== 'PREMIUM_RATE')
      )
        return n;
    }
    return undefined;
  }

  private makeNonGeo(code: string): DestNumber | undefined {
    const spec = NON_GEO[code];
    if (!spec) return undefined;
    for (let i = 0; i < 50; i++) {
      const lead = this.rng.pick(spec.first);
      const n = classify(`+${code}${lead}${this.rng.digits(spec.len - lead.length)}`);
      if (n) return n;
    }
    return undefined;
  }
}

/**
 * Prefixes seen in the wild (Figure 2 and public attack logs): international access
 * codes (00, 011, 810), outside-line digits (0, 9) and Brazilian carrier
 * selection codes (00+NN). The weight is how often a burst uses each.
 */
export const DIAL_PREFIXES: readonly (readonly [string, number])[] = [
  ['00', 10],
  ['000', 4],
  ['0014', 5],
  ['00014', 3],
  ['0015', 4],
  ['0021', 5],
  ['0031', 4],
  ['0041', 2],
  ['0012', 1],
  ['900', 4],
  ['9000', 1],
  ['011', 5],
  ['9011', 3],
  ['810', 2],
  ['', 4],
  ['+', 2],
];
const PREFIX_WEIGHTS = DIAL_PREFIXES.map(([, w]) => w);

/** One dialed string for the true number: a random prefix plus its international digits. */
export function dialString(rng: Rng, number: DestNumber): string {
  const prefix = DIAL_PREFIXES[rng.weighted(PREFIX_WEIGHTS)]?.[0] ?? '00';
  return prefix + number.e164.slice(1);
}

/**
 * Shapes real toll-fraud strings take beyond the prefixes above, each with
 * its weight among the bursts that use one (the share of such bursts is
 * SHAPED_BURST_SHARE): a US carrier-access code before 011 (`1010` + three
 * digits), two or three junk digits before 810 that change from string to
 * string, a carrier or service code before 00 (five digits), odd digits
 * around the exit code (`7` + `00`, `76` + `0000`, `00` + three stray
 * digits), and the bare national number (only for numbers other sources
 * dial in full: the evidence is theirs).
 */
export const DIAL_SHAPES = [
  'carrier_access',
  'junk_810',
  'service_00',
  'odd_exit',
  'bare_national',
] as const;
export type DialShape = (typeof DIAL_SHAPES)[number];
const SHAPE_WEIGHTS = [3, 3, 2, 3, 2];

/** Share of call bursts written in one of DIAL_SHAPES (docs/simulate.md says why). */
export const SHAPED_BURST_SHARE = 0.12;

/** A shape for a burst, or null for the Figure 2 prefixes. `shared`: other sources dial the number in full. */
export function pickShape(rng: Rng, shared: boolean): DialShape | null {
  if (!rng.chance(SHAPED_BURST_SHARE)) return null;
  const shape = DIAL_SHAPES[rng.weighted(SHAPE_WEIGHTS)] ?? 'carrier_access';
  return shape === 'bare_national' && !shared ? 'carrier_access' : shape;
}

/** Service codes seen before 00 (five digits). */
const SERVICE_CODES = ['11808', '10108', '11880', '10120'];

/** One dialed string of `shape` for the true number. */
export function shapedString(rng: Rng, number: DestNumber, shape: DialShape): string {
  const intl = number.e164.slice(1);
  switch (shape) {
    case 'carrier_access':
      return `1010${rng.digits(3)}011${intl}`;
    case 'junk_810':
      return `${rng.digits(rng.int(2, 3))}810${intl}`;
    case 'service_00':
      return `${rng.pick(SERVICE_CODES)}00${intl}`;
    case 'odd_exit':
      return `${rng.pick(['700', '760000', `00${rng.digits(3)}`])}${intl}`;
    case 'bare_national':
      return nationalOf(number) ?? `00${intl}`;
  }
}

/** The national significant number (no trunk prefix) of a geographic number. */
export function nationalOf(number: DestNumber): string | undefined {
  const p = parsePhoneNumberFromString(number.e164);
  return p?.country === undefined ? undefined : p.nationalNumber;
}

/** The plain international form (`00` + digits): an unambiguous anchor for a burst. */
export function anchorString(number: DestNumber): string {
  return `00${number.e164.slice(1)}`;
}

/** Internal extensions some attackers dial to test a PBX; never external numbers. */
export const INTERNAL_EXTENSIONS: readonly string[] = [
  '100',
  '101',
  '102',
  '200',
  '201',
  '1000',
  '1001',
  '2000',
  '500',
  '600',
];
