/**
 * The live feed's rogue-candidate finding follows the report's rule
 * (analysis/rogue.ts): on the same calls the live detector flags exactly
 * the sources scoreRogueServers lists, both when a hub stands out and when
 * many callers reach many countries (no outlier: none flagged); it judges
 * each source against the callers seen so far.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { emptyEvent, type SnareEvent } from '../events/catalog.js';
import { ROGUE_DEFAULTS, scoreRogueServers, type CallerSpread } from '../analysis/rogue.js';
import {
  CALLER_TABLE_BOUND_BYTES,
  CallerCountries,
  FINDINGS_NUMBER_CACHE,
  FindingDetector,
  MAX_SOURCES,
} from './findings.js';
import { bytesPerItem, heapAfterGc, nthAddress } from '../testing/heap.js';

/** Dial strings of nine countries, as an attacker dials them (international prefix 00). */
const BY_COUNTRY: Readonly<Record<string, string>> = {
  FR: '0033123456789',
  DE: '0049301234567',
  ES: '0034912345678',
  IT: '0039061234567',
  NL: '0031201234567',
  CH: '0041441234567',
  IL: '00972599123456',
  SE: '0046812345678',
  PL: '0048221234567',
};
const COUNTRIES = Object.keys(BY_COUNTRY);

let seq = 0;
function invite(ip: string, cc: string): SnareEvent {
  seq++;
  return {
    ...emptyEvent(),
    event: 'sip.request',
    method: 'INVITE',
    src_ip: ip,
    sensor: 's1',
    transport: 'udp',
    event_id: `e${seq}`,
    ts: '2026-01-01T00:00:00.000Z',
    dialed: BY_COUNTRY[cc] ?? null,
  };
}

/**
 * Callers as `[ip, countries called]`, each calling each of its countries
 * twice; `lockstep` false: one caller after the other (the callers already
 * seen are the population a newcomer is compared with), true: round-robin,
 * every caller's count growing at once.
 */
function run(
  callers: readonly (readonly [string, number])[],
  lockstep = false,
): { live: string[]; report: string[] } {
  const detector = new FindingDetector();
  const live: string[] = [];
  const calls: [string, string][] = [];
  const rounds = Math.max(...callers.map(([, k]) => 2 * k));
  if (lockstep) {
    for (let r = 0; r < rounds; r++) {
      for (const [ip, k] of callers) {
        if (r < 2 * k) calls.push([ip, COUNTRIES[Math.floor(r / 2)] ?? 'FR']);
      }
    }
  } else {
    for (const [ip, k] of callers) {
      for (let r = 0; r < 2 * k; r++) calls.push([ip, COUNTRIES[Math.floor(r / 2)] ?? 'FR']);
    }
  }
  for (const [ip, cc] of calls) {
    for (const f of detector.inspect(invite(ip, cc))) {
      if (f.kind === 'rogue_candidate') live.push(f.src_ip);
    }
  }
  const spread: CallerSpread[] = callers.map(([ip, k]) => ({
    ip,
    cc: null,
    calls: 2 * k,
    per_country: new Array<number>(k).fill(2),
  }));
  const report = scoreRogueServers(spread, ROGUE_DEFAULTS).candidates.map((c) => c.ip);
  return { live: live.sort(), report: report.sort() };
}

describe('the live rogue-candidate finding', () => {
  it('flags the sources the report lists: the outlier, not a 4- or 6-country caller', () => {
    const callers: [string, number][] = [];
    for (let i = 0; i < 40; i++) callers.push([`192.0.2.${i + 1}`, 1 + (i % 2)]);
    callers.push(['198.51.100.1', 4], ['198.51.100.2', 6], ['198.51.100.3', 9]);
    const { live, report } = run(callers);
    // Median 2, MAD 1: z = 0.6745 (k - 2), so 6 countries score 2.7 and 9 score 4.7.
    assert.deepEqual(report, ['198.51.100.3']);
    assert.deepEqual(live, report);
  });

  it('flags nobody when many callers reach five or more countries (no outlier)', () => {
    const callers: [string, number][] = [];
    for (let i = 0; i < 12; i++) callers.push([`203.0.113.${i + 1}`, 5 + (i % 3)]);
    callers.push(['198.51.100.8', 8]);
    const { live, report } = run(callers);
    assert.deepEqual(report, []);
    assert.deepEqual(live, []);
  });

  it('judges with the callers seen so far: the first to stand out is flagged, as docs/api.md says', () => {
    const callers: [string, number][] = [];
    for (let i = 0; i < 12; i++) callers.push([`203.0.113.${i + 1}`, 5 + (i % 3)]);
    const { live, report } = run(callers, true);
    // Growing in lockstep, the first callers to reach 5 countries stand out at that moment;
    // the report, over all calls at once, lists nobody.
    assert.deepEqual(report, []);
    assert.ok(live.length > 0 && live.length < callers.length, live.join(' '));
  });

  it('names the countries and the score of a candidate', () => {
    const detector = new FindingDetector();
    for (let i = 0; i < 10; i++) detector.inspect(invite(`192.0.2.${i + 1}`, 'FR'));
    const found = COUNTRIES.slice(0, 5).flatMap((cc) =>
      detector.inspect(invite('198.51.100.9', cc)).filter((f) => f.kind === 'rogue_candidate'),
    );
    assert.equal(found.length, 1);
    assert.equal(found[0]?.detail, 'DE ES FR IT NL (robust z 8.8)');
  });
});

describe('the live toll-fraud finding under a flood of distinct numbers', () => {
  it('keeps a bounded number of analyses, and still tells each call', () => {
    const detector = new FindingDetector();
    const n = FINDINGS_NUMBER_CACHE * 2;
    let told = 0;
    for (let i = 0; i < n; i++) {
      const ev = { ...invite('192.0.2.9', 'IL'), dialed: `00972${500000000 + i}` };
      if (detector.inspect(ev).some((f) => f.kind === 'toll_fraud_invite')) told++;
    }
    assert.equal(told, n);
    assert.ok(
      detector.cachedNumbers <= FINDINGS_NUMBER_CACHE,
      `${detector.cachedNumbers} analyses kept`,
    );
  });
});

describe('the dialed strings of the live toll-fraud finding', () => {
  const DIALS = Object.values(BY_COUNTRY);
  const flood = (d: FindingDetector, n: number, dial: (i: number) => string): number => {
    let told = 0;
    for (let i = 0; i < n; i++) {
      const ev = { ...invite('192.0.2.9', 'FR'), dialed: dial(i) };
      if (d.inspect(ev).some((f) => f.kind === 'toll_fraud_invite')) told++;
    }
    return told;
  };

  it('keeps under 500 bytes a string read (an analysis: 1,900, 1,100 without its steps)', () => {
    const distinct = (i: number): string =>
      (DIALS[i % DIALS.length] ?? '').slice(0, -4) + String(1000 + (i % 9000));
    const d = new FindingDetector();
    flood(d, 100, distinct); // the one source and caller, and warm code
    const h0 = heapAfterGc();
    assert.equal(flood(d, 10_000, distinct), 10_000);
    const per = (heapAfterGc() - h0) / d.cachedNumbers;
    assert.ok(per < 500, `${per.toFixed(0)} bytes for each of ${d.cachedNumbers} strings`);
  });

  it('keeps no reading of a string longer than what is read, and still tells each call', () => {
    const d = new FindingDetector();
    const long = (i: number): string => `0033123${String(100000 + i)}` + ' '.repeat(1000);
    const h0 = heapAfterGc();
    // 4,096 strings of 1,012 characters: 6-12 MB in 2,048 analyses kept.
    assert.equal(flood(d, 4096, long), 4096);
    const grown = (heapAfterGc() - h0) / 1024 / 1024;
    assert.ok(grown < 1, `the heap grew by ${grown.toFixed(1)} MB`);
    assert.equal(d.cachedNumbers, 0);
  });
});

describe('the callers of the rogue rule under a flood from many addresses', () => {
  it('holds a fixed size a caller, however many countries it calls', () => {
    const table = new CallerCountries();
    const codes = Array.from({ length: 64 }, (_, i) => `C${i}`);
    const h0 = heapAfterGc();
    // 40,000 callers of 64 countries each: 56 MB as a Set per caller, 16-32 MB within a bytes budget;
    // now 4.4 MB (the table grown to 65,536 slots).
    const n = 40_000;
    for (let i = 0; i < n; i++) {
      const ip = nthAddress(i);
      for (const cc of codes) table.add(ip, cc);
    }
    const grown = (heapAfterGc() - h0) / 1024 / 1024;
    assert.ok(grown < 6, `the heap grew by ${grown.toFixed(1)} MB for ${table.size} callers`);
    assert.equal(table.size, n);
    assert.equal(table.countriesOf(nthAddress(0)), 64);
    assert.equal(table.countryCodes(nthAddress(0)).length, 64);
  });

  it('keeps the latest MAX_SOURCES callers, within its bound in bytes', () => {
    const table = new CallerCountries();
    for (let i = 0; i < MAX_SOURCES + 10; i++) {
      table.add(nthAddress(i), 'FR');
      // The first caller keeps calling: it stays among the most recently seen.
      if (i % 1000 === 0) table.add('192.0.2.1', 'DE');
    }
    assert.equal(table.size, MAX_SOURCES);
    assert.ok(table.bytes <= CALLER_TABLE_BOUND_BYTES, `${table.bytes} bytes`);
    assert.equal(table.countriesOf('192.0.2.1'), 1, 'a caller seen lately is kept');
    assert.equal(table.countriesOf(nthAddress(0)), undefined, 'the least recently seen went first');
    assert.deepEqual(table.countryCodes(nthAddress(MAX_SOURCES + 9)), ['FR']);
  });

  it('holds under 100 bytes a caller of one country (a Set per caller: 190)', () => {
    const per = bytesPerItem(
      () => new CallerCountries(),
      (t, n) => {
        for (let i = 0; i < n; i++) t.add(nthAddress(i), COUNTRIES[i % COUNTRIES.length] ?? null);
      },
      100_000,
    );
    assert.ok(per < 100, `${per.toFixed(1)} bytes a caller`);
  });
});

describe('the sources seen (new_source) under a flood from many addresses', () => {
  it('tells each new source once, and holds under 48 bytes a source (an LruMap: 125)', () => {
    let told = 0;
    const per = bytesPerItem(
      () => new FindingDetector(),
      (d, n) => {
        for (let i = 0; i < n; i++) {
          const ev = { ...invite(nthAddress(i), 'FR'), method: 'OPTIONS', dialed: null };
          told += d.inspect(ev).filter((f) => f.kind === 'new_source').length;
        }
      },
      100_000,
    );
    assert.equal(told, 100_000);
    assert.ok(per < 48, `${per.toFixed(1)} bytes a source`);
  });
});
