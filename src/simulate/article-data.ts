/**
 * @module
 * The article's figures the scenario reproduces, as data: Table 1 volumes,
 * Table 3's top sources, Table 4's country pairs, the user-agent mix of
 * Figure 3 and the shared "famous" numbers. Facts only; the scenario turns
 * them into actors and sessions.
 */
import type { UaHabit } from './model.js';

/** Article year (Table 1), per 366 calendar days. */
export const YEAR = {
  register: 64_249_923,
  invite: 1_007_697,
  unified: 153_773,
  ips: 7_752,
  asns: 858,
  countries: 83,
  days: 358,
} as const;

/** OPTIONS probes per year (not in Table 1; scanning is a small share). */
export const OPTIONS_PER_YEAR = 3_000_000;
/** Table 3: country, first octet, count, IDDs, user agent. */
export const TABLE3: readonly (readonly [string, number, number, number, string | null])[] = [
  ['CN', 113, 19562, 142, null],
  ['NL', 83, 11027, 62, null],
  ['US', 71, 7553, 67, 'VaxSIPUserAgent/3.0'],
  ['US', 50, 7486, 27, null],
  ['TH', 49, 6412, 38, null],
  ['FR', 85, 5647, 2, null],
  ['TH', 122, 5343, 37, null],
  ['CA', 24, 4672, 6, null],
  ['MD', 194, 4640, 48, 'random'],
  ['ID', 202, 4234, 27, null],
];
/** Sum of Table 3 counts: the scale of its 44%. */
export const TABLE3_SUM = TABLE3.reduce((a, r) => a + r[2], 0);
/** Table 4 pairs given to dedicated sources: source cc, destination, share of unified INVITEs, UA, addresses. */
export const PAIRS: readonly (readonly [string, string, number, string | null, number])[] = [
  ['PS', 'IL', 0.042, 'random', 2],
  ['EG', 'EG', 0.035, null, 2],
  ['US', 'CZ', 0.026, 'Asterisk PBX 1.6.2.9', 1],
  ['US', 'IL', 0.012, 'VaxSIPUserAgent/3.0', 1],
  ['US', 'ZW', 0.011, null, 1],
  ['CA', 'CZ', 0.011, 'Zoiper rev.11137', 1],
  ['DE', 'CZ', 0.01, 'eyeBeam release 1004p stamp 31962', 1],
];
/** Destination countries of ordinary callers, with weights. */
export const POPULAR: readonly (readonly [string, number])[] = [
  ['IL', 5],
  ['CZ', 5],
  ['RU', 3],
  ['GB', 4],
  ['US', 4],
  ['ZW', 2],
  ['SO', 2],
  ['LT', 2],
  ['LV', 2],
  ['CU', 2],
  ['PS', 2],
  ['EG', 2],
  ['DE', 2],
  ['FR', 2],
  ['SN', 1],
  ['GN', 1],
  ['TN', 1],
  ['MA', 1],
  ['PK', 2],
  ['IN', 2],
  ['BD', 1],
  ['PH', 1],
  ['MX', 1],
  ['BR', 1],
  ['CN', 2],
  ['NG', 1],
  ['VN', 1],
  ['AF', 1],
  ['UA', 1],
  ['PL', 1],
  ['RO', 1],
  ['AU', 1],
  ['800', 1],
  ['SA', 1],
  ['AE', 1],
];
/** User-agent habits of ordinary callers, weighted so about 61% of calls have none (Figure 3). */
export const UA_MIX: readonly (readonly [UaHabit, number])[] = [
  [{ kind: 'none' }, 46],
  [{ kind: 'random' }, 8],
  [{ kind: 'fixed', value: 'VaxSIPUserAgent/3.0' }, 7],
  [{ kind: 'fixed', value: 'Asterisk PBX 1.6.2.9' }, 5],
  [{ kind: 'fixed', value: 'Asterisk PBX 1.8.4' }, 4],
  [{ kind: 'fixed', value: 'X-Lite release 1006e stamp 34025' }, 7],
  [{ kind: 'fixed', value: 'Zoiper rev.11137' }, 5],
  [{ kind: 'fixed', value: 'eyeBeam release 1004p stamp 31962' }, 4],
  [{ kind: 'fixed', value: '3CXPhone 5.0.14900.0' }, 3],
  [{ kind: 'fixed', value: 'Linphone/3.3.2 (eXosip2/3.3.0)' }, 2],
  [{ kind: 'fixed', value: 'sipcli/v1.8' }, 3],
  [{ kind: 'fixed', value: 'Grandstream GXP2000 1.1.6.16' }, 2],
  [{ kind: 'fixed', value: 'SJphone/1.65.377a (SJ Labs)' }, 2],
];
/** SIPVicious signature. */
export const SCANNER_UA: UaHabit = { kind: 'fixed', value: 'friendly-scanner' };

/** Labels and kinds of the shared "famous" numbers (customer services called by many sources). */
export const FAMOUS: readonly (readonly [string, 'TOLL_FREE' | 'FIXED_LINE', string])[] = [
  ['US', 'TOLL_FREE', 'Bank credit card customer service (simulated)'],
  ['US', 'TOLL_FREE', 'Bank customer service (simulated)'],
  ['US', 'FIXED_LINE', 'Prepaid calling card access (simulated)'],
  ['US', 'TOLL_FREE', 'E-commerce customer relations (simulated)'],
  ['800', 'TOLL_FREE', 'International freephone service (simulated)'],
];
