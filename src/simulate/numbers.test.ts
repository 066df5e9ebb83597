/**
 * @module
 * Tests of destination numbers and dial strings: made numbers are valid for
 * libphonenumber with the region and type the truth records, and every dial
 * string ends with the number's international digits (the burst's common
 * tail that normalisation relies on).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { anchorString, classify, dialString, NumberFactory, WANTED_TYPES } from './numbers.js';
import { Rng } from './rng.js';

describe('NumberFactory', () => {
  it('makes valid numbers whose region and type libphonenumber confirms', () => {
    const f = new NumberFactory(new Rng('n'));
    let made = 0;
    for (const region of ['IL', 'CZ', 'US', 'GB', 'DE', 'ZW', 'RU', 'BR', '800']) {
      for (const type of WANTED_TYPES) {
        const n = f.make(region, type);
        if (!n) continue;
        made++;
        const p = parsePhoneNumberFromString(n.e164);
        if (!p?.isValid()) assert.fail(`invalid ${n.e164}`);
        assert.equal(p.country ?? p.countryCallingCode, n.cc);
        assert.equal(p.getType(), n.type);
        assert.equal(n.cc, region);
      }
    }
    assert.ok(made >= 20, `only ${made} numbers made`);
  });

  it('is deterministic for a seed', () => {
    const a = new NumberFactory(new Rng('same'));
    const b = new NumberFactory(new Rng('same'));
    assert.deepEqual(a.make('IL', 'MOBILE'), b.make('IL', 'MOBILE'));
  });

  it('classifies +800 as a non-geographic toll-free number of calling code 800', () => {
    assert.deepEqual(classify('+80012345678'), {
      e164: '+80012345678',
      cc: '800',
      type: 'TOLL_FREE',
    });
    assert.equal(classify('+9721'), undefined);
  });
});

describe('dial strings', () => {
  it('always end with the international digits and use known prefixes', () => {
    const rng = new Rng('d');
    const n = { e164: '+972501234586', cc: 'IL', type: 'MOBILE' };
    const seen = new Set<string>();
    for (let i = 0; i < 500; i++) {
      const s = dialString(rng, n);
      assert.ok(s.endsWith('972501234586'), s);
      seen.add(s.slice(0, s.length - 12));
    }
    assert.ok(seen.has('0014') && seen.has('') && seen.has('011'), [...seen].join(','));
    assert.equal(anchorString(n), '00972501234586');
  });
});
