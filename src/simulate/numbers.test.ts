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
import { resolveBurst } from '../enrich/phone-number.js';
import {
  anchorString,
  classify,
  DIAL_SHAPES,
  dialString,
  NumberFactory,
  pickShape,
  shapedString,
  WANTED_TYPES,
} from './numbers.js';
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

describe('dial shapes beyond Figure 2', () => {
  const regions = ['GB', 'US', 'IL', 'RU', 'DE', 'PS', 'LT', 'CZ', 'NG', 'FR', 'BR', 'AU'];

  it('writes each shape as its description says, the number as the tail', () => {
    const rng = new Rng('shapes');
    const n = { e164: '+442079460000', cc: 'GB', type: 'FIXED_LINE' };
    assert.match(shapedString(rng, n, 'carrier_access'), /^1010\d{3}011442079460000$/);
    assert.match(shapedString(rng, n, 'junk_810'), /^\d{2,3}810442079460000$/);
    assert.match(shapedString(rng, n, 'service_00'), /^\d{5}00442079460000$/);
    assert.match(shapedString(rng, n, 'odd_exit'), /^(700|760000|00\d{3})442079460000$/);
    assert.equal(shapedString(rng, n, 'bare_national'), '2079460000');
  });

  it('gives the bare national shape only to numbers other sources dial in full', () => {
    const rng = new Rng('pick');
    for (let i = 0; i < 2000; i++) assert.notEqual(pickShape(rng, false), 'bare_national');
  });

  it('writes bursts that number resolution finds (the share is stated)', () => {
    const rng = new Rng('bursts');
    const f = new NumberFactory(new Rng('burst-numbers'));
    for (const shape of DIAL_SHAPES) {
      if (shape === 'bare_national') continue;
      let found = 0;
      let n = 0;
      for (let i = 0; i < 60; i++) {
        const d = f.make(rng.pick(regions), 'MOBILE');
        if (!d) continue;
        n++;
        const burst = Array.from({ length: 5 }, () => shapedString(rng, d, shape));
        if (resolveBurst(burst).every((r) => r.e164 === d.e164)) found++;
      }
      assert.ok(n >= 50, `${shape}: only ${n} numbers`);
      assert.ok(found / n >= 0.8, `${shape}: ${found} of ${n} bursts resolved`);
    }
  });
});
