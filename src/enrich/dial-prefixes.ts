/**
 * @module enrich/dial-prefixes
 * The ordered tables of dialing prefixes that attackers put in front of a
 * number (the article's Figure 2 "redundancy"): outside-line digits a PBX
 * dialplan may expect, then an international (IDD) prefix. Data only: the
 * weights rank the readings of a string seen alone; a burst of strings
 * overrides them with evidence. Never parses or validates numbers itself.
 */

/** Strings of at most this many digits (and no '+') are extensions, not public numbers. */
export const MAX_EXTENSION_DIGITS = 6;
/** Longest digit string considered: 15 (E.164) + up to 7 prefix digits. Longer is invalid. */
export const MAX_DIALED_DIGITS = 22;

/** Outside-line ("trunk access") digits; `penalty` is subtracted from the IDD weight. */
export interface OutsideLineRule {
  readonly digits: string;
  readonly penalty: number;
  readonly note: string;
}

/**
 * Outside-line digits, tried first. PBX dialplans commonly ask for 9 (North
 * America, much of Asia) or 0 (Europe, Brazil) before an external number;
 * attackers who do not know the dialplan try several. A reading that needs
 * fewer guessed digits is likelier, hence the penalties.
 */
export const OUTSIDE_LINE_RULES: readonly OutsideLineRule[] = [
  { digits: '', penalty: 0, note: 'no outside-line digit' },
  // North American and many Asterisk/FreePBX dialplans.
  { digits: '9', penalty: 8, note: 'outside line 9' },
  // European and Brazilian PBXs.
  { digits: '0', penalty: 8, note: 'outside line 0' },
  // Attackers stacking both guesses, in either order.
  { digits: '90', penalty: 14, note: 'outside line 9 then 0' },
  { digits: '09', penalty: 14, note: 'outside line 0 then 9' },
  // PBXs that want a second 9 for international trunks.
  { digits: '99', penalty: 16, note: 'outside line 99' },
];

/**
 * An international-prefix reading. `digits` is what is stripped; the special
 * value '00NN' means 00 followed by a two-digit carrier code.
 */
export interface InternationalRule {
  readonly digits: string;
  readonly id: string;
  /** Prior plausibility when a string is seen alone: higher wins. */
  readonly weight: number;
  readonly note: string;
}

/**
 * Brazilian long-distance carrier codes (CSP) seen in front of 00: 12 Algar,
 * 14 Oi (ex Brasil Telecom), 15 Vivo, 17 Transit, 21 Claro (Embratel),
 * 23 TIM (ex Intelig), 25 GVT, 31 Oi (ex Telemar), 41 TIM, 43 Sercomtel,
 * 65 CGB... The article's Figure 2 shows 14, 15, 21 and 31.
 */
export const BRAZIL_CARRIERS: ReadonlySet<string> = new Set([
  '12',
  '14',
  '15',
  '17',
  '21',
  '23',
  '25',
  '31',
  '32',
  '35',
  '36',
  '37',
  '38',
  '41',
  '43',
  '45',
  '47',
  '49',
  '51',
  '53',
  '55',
  '56',
  '57',
  '58',
  '61',
  '63',
  '65',
  '67',
  '71',
  '72',
  '75',
  '76',
  '81',
  '85',
  '87',
  '89',
  '91',
  '98',
  '99',
]);

/**
 * International prefixes, in the order explanations list them; ranking uses
 * the weights. Each row says who dials it.
 */
export const INTERNATIONAL_RULES: readonly InternationalRule[] = [
  // Explicit '+': handled before the table (it always wins), listed for explanations.
  { digits: '+', id: 'plus', weight: 100, note: "'+' (country code follows)" },
  // ITU-T recommended prefix: Europe, Africa, most of Asia and Latin America.
  { digits: '00', id: '00', weight: 60, note: 'international prefix 00' },
  // North American Numbering Plan: US, Canada, Caribbean.
  { digits: '011', id: '011', weight: 55, note: 'international prefix 011 (NANP)' },
  // Brazil: 00 + long-distance carrier code (CSP).
  { digits: '00NN', id: '00-br-carrier', weight: 45, note: '00 + Brazilian carrier code' },
  // Bare country code: dialplans that add the IDD themselves, or guessing attackers.
  { digits: '', id: 'none', weight: 40, note: 'bare country code' },
  // Russia and several CIS countries: 8, dial tone, 10.
  { digits: '810', id: '810', weight: 35, note: 'international prefix 8~10 (Russia, CIS)' },
  // Australia.
  { digits: '0011', id: '0011', weight: 35, note: 'international prefix 0011 (Australia)' },
  // Japan.
  { digits: '010', id: '010', weight: 30, note: 'international prefix 010 (Japan)' },
  // South Korea, Hong Kong, Thailand, Taiwan, Indonesia, Colombia: carrier-specific 00N.
  { digits: '001', id: '001', weight: 25, note: 'carrier international prefix 001 (Asia)' },
  { digits: '002', id: '002', weight: 25, note: 'carrier international prefix 002 (Asia)' },
  {
    digits: '005',
    id: '005',
    weight: 25,
    note: 'carrier international prefix 005 (Asia, Colombia)',
  },
  { digits: '006', id: '006', weight: 25, note: 'carrier international prefix 006 (Asia)' },
  {
    digits: '007',
    id: '007',
    weight: 25,
    note: 'carrier international prefix 007 (Asia, Colombia)',
  },
  { digits: '008', id: '008', weight: 25, note: 'carrier international prefix 008 (Asia)' },
  {
    digits: '009',
    id: '009',
    weight: 25,
    note: 'carrier international prefix 009 (Asia, Colombia)',
  },
  // Kenya, Tanzania, Uganda.
  { digits: '000', id: '000', weight: 25, note: 'international prefix 000 (East Africa)' },
  // Other carriers' 00 + two digits (Chile, Argentina, Brazil's less common CSPs).
  { digits: '00NN', id: '00-carrier', weight: 20, note: '00 + other carrier code' },
  // Israel: carrier-specific international prefixes.
  { digits: '012', id: '012', weight: 20, note: 'carrier international prefix 012 (Israel)' },
  { digits: '013', id: '013', weight: 20, note: 'carrier international prefix 013 (Israel)' },
  { digits: '014', id: '014', weight: 20, note: 'carrier international prefix 014 (Israel)' },
  { digits: '018', id: '018', weight: 20, note: 'carrier international prefix 018 (Israel)' },
  { digits: '019', id: '019', weight: 20, note: 'carrier international prefix 019 (Israel)' },
  // Cuba.
  { digits: '119', id: '119', weight: 15, note: 'international prefix 119 (Cuba)' },
];

/**
 * Carrier-access codes dialled before an international prefix: in the
 * NANP, `101` + a four-digit carrier identification code (`1010288` is
 * AT&T) selects a long-distance carrier for one call, so `1010288` `011`
 * `44...` is a full international call. Tried like outside-line digits.
 */
export interface CarrierAccessRule {
  readonly pattern: RegExp;
  readonly penalty: number;
  readonly note: string;
}

export const CARRIER_ACCESS_RULES: readonly CarrierAccessRule[] = [
  { pattern: /^101\d{4}/, penalty: 10, note: 'carrier access code 101XXXX (NANP)' },
];

/**
 * International exit codes the tail search looks for after unknown digits
 * (ITU-T E.164 Supplement: national dialling plans). '00NN' is 00 + any two
 * digits (the `001x`, `00xx` carrier forms); longer codes come first so that
 * explanations name the most specific one.
 */
export const EXIT_CODES: readonly string[] = [
  '0011',
  '00NN',
  '011',
  '810',
  '000',
  '001',
  '002',
  '005',
  '006',
  '007',
  '008',
  '009',
  '010',
  '012',
  '013',
  '014',
  '018',
  '019',
  '119',
  '00',
];

/**
 * Most unknown digits the tail search accepts before an exit code: junk,
 * dial-out digits and service codes seen in real logs are two to five
 * digits, a carrier-access code with its outside line up to eight.
 */
export const MAX_TAIL_JUNK_DIGITS = 8;
