import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { getCountries, getExampleNumber, parsePhoneNumberFromString } from 'libphonenumber-js/max';
import examples from 'libphonenumber-js/examples.mobile.json';
import { REPO_ROOT } from '../../test/helpers/shared.js';
import { NumberResolver } from './phone-number.js';

/** Prefixes attackers put in front of a number (with and without outside-line digits). */
const PREFIXES = [
  '',
  '+',
  '00',
  '011',
  '0014',
  '0015',
  '0021',
  '0031',
  '0023',
  '9',
  '0',
  '90',
  '9011',
  '900',
  '000',
  '0000',
  '00014',
  '00015',
  '810',
  '0011',
  '001',
  '002',
  '09',
  '9 00 ',
  '+',
  '011',
] as const;

/** Seeded PRNG (mulberry32): the test is random but repeatable. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Valid E.164 numbers: each region's example mobile number plus variations of its last digits. */
function validNumbers(rand: () => number): string[] {
  const out: string[] = [];
  for (const region of getCountries()) {
    const ex = getExampleNumber(region, examples);
    if (ex === undefined) continue;
    out.push(ex.number);
    for (let i = 0; i < 4; i++) {
      const tail = String(Math.floor(rand() * 1000)).padStart(3, '0');
      const e164 = ex.number.slice(0, -3) + tail;
      if (parsePhoneNumberFromString(e164)?.isValid()) out.push(e164);
    }
  }
  return out;
}

function dialled(e164: string, rand: () => number): string {
  const p = PREFIXES[Math.floor(rand() * PREFIXES.length)] ?? '';
  const digits = e164.slice(1);
  return p === '+' ? `+${digits}` : `${p}${digits}`;
}

describe('number unification on generated numbers', () => {
  it('recovers >= 99% of numbers from bursts, and measures strings alone', (t) => {
    const rand = prng(20240601);
    const numbers = validNumbers(rand);
    assert.ok(numbers.length > 800, `only ${String(numbers.length)} numbers`);
    const resolver = new NumberResolver();
    let aloneOk = 0;
    let aloneTotal = 0;
    let burstOk = 0;
    let burstTotal = 0;
    for (const e164 of numbers) {
      const size = 3 + Math.floor(rand() * 4);
      const burst = Array.from({ length: size }, () => dialled(e164, rand));
      for (const s of burst) {
        aloneTotal++;
        if (resolver.resolveDialed(s).e164 === e164) aloneOk++;
      }
      for (const r of resolver.resolveBurst(burst)) {
        burstTotal++;
        if (r.e164 === e164) burstOk++;
      }
    }
    const alone = aloneOk / aloneTotal;
    const burst = burstOk / burstTotal;
    t.diagnostic(
      `${String(numbers.length)} numbers; alone ${(alone * 100).toFixed(2)}% of ${String(aloneTotal)} strings; burst ${(burst * 100).toFixed(2)}% of ${String(burstTotal)}`,
    );
    assert.ok(burst >= 0.99, `burst accuracy ${String(burst)}`);
    assert.ok(alone >= 0.9, `alone accuracy ${String(alone)}`);
    // The figures docs/enrichment.md gives for this seeded run.
    const doc = readFileSync(join(REPO_ROOT, 'docs', 'enrichment.md'), 'utf8').replace(/\s+/g, ' ');
    const documented = [
      /\((\d[\d,]*) numbers\)/.exec(doc)?.[1],
      /\*\*burst: ([\d.]+)%\*\* of ([\d,]+) strings/.exec(doc)?.slice(1),
      /\*\*alone: ([\d.]+)%\*\*/.exec(doc)?.[1],
    ].flat();
    const n = (x: number): string => x.toLocaleString('en-US');
    assert.deepEqual(documented, [
      n(numbers.length),
      (burst * 100).toFixed(2),
      n(burstTotal),
      (alone * 100).toFixed(2),
    ]);
  });
});
