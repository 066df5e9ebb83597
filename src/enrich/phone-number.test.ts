import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { testdata } from '../../test/helpers/shared.js';
import { heapAfterGc } from '../testing/heap.js';
import { NumberResolver, resolveBurst, resolveDialed } from './phone-number.js';

// The article's Figure 2, with the five masked digits filled in (Israeli mobile +972 52 345 6586).
const TAIL = '972523456586';
const FIGURE_2 = [
  `0014${TAIL}`,
  `00014${TAIL}`,
  `0015${TAIL}`,
  `0021${TAIL}`,
  `0021${TAIL}`,
  `0031${TAIL}`,
  TAIL,
  `0021${TAIL}`,
  `0021${TAIL}`,
  `0021${TAIL}`,
];

describe('resolveDialed', () => {
  it('unifies every Figure 2 variant to the same Israeli mobile number', () => {
    for (const s of FIGURE_2) {
      const r = resolveDialed(s);
      assert.equal(r.kind, 'external', s);
      assert.equal(r.e164, `+${TAIL}`, s);
      assert.equal(r.cc, 'IL');
      assert.equal(r.type, 'MOBILE');
    }
    assert.equal(resolveDialed(`00014${TAIL}`).prefix, '00014');
  });

  it('reads the toll-fraud strings of the fail2ban Asterisk log', () => {
    const log = readFileSync(testdata('pbx-logs', 'fail2ban', 'asterisk.log'), 'utf8');
    const dialed = [...log.matchAll(/to extension '([^']+)' rejected/g)].map((m) => m[1] ?? '');
    assert.ok(dialed.includes('0972598285108') && dialed.includes('9011+442037690237'));
    const il = resolveDialed('0972598285108');
    assert.deepEqual([il.e164, il.cc, il.type, il.prefix], ['+972598285108', 'IL', 'MOBILE', '0']);
    const gb = resolveDialed('9011+442037690237');
    assert.deepEqual([gb.e164, gb.cc, gb.prefix], ['+442037690237', 'GB', '9011']);
  });

  it('keeps masked digits of the Honeynet 2010 log as X but still finds country and type', () => {
    const log = readFileSync(
      testdata('attack-traffic', 'honeynet-fc4-2010-voip', 'logs_v3.txt'),
      'utf8',
    );
    const users = [...log.matchAll(/^INVITE sip:([^@]+)@/gm)].map((m) => m[1] ?? '');
    const got = new Map(users.map((u) => [u, resolveDialed(u)]));
    const at = got.get('900114382089XXXX');
    const sl = got.get('00112322228XXXX');
    const so = got.get('00112524021XXXX');
    assert.ok(at && sl && so, 'the three INVITE targets are in the log');
    assert.deepEqual([at.e164, at.cc, at.type], ['+4382089XXXX', 'AT', 'SHARED_COST']);
    assert.deepEqual([sl.e164, sl.cc], ['+2322228XXXX', 'SL']);
    assert.deepEqual([so.e164, so.cc], ['+2524021XXXX', 'SO']);
    assert.ok(at.steps.some((s) => s.includes('masked')));
  });

  it('prefers +1 212 over a carrier-12 reading that is not a valid number', () => {
    const r = resolveDialed('0012125551234');
    assert.equal(r.e164, '+12125551234');
    assert.equal(r.cc, 'US');
  });

  it('gives the calling code as cc for non-geographic numbers', () => {
    const r = resolveDialed('0080012345678');
    assert.equal(r.e164, '+80012345678');
    assert.equal(r.cc, '800');
    assert.equal(r.type, 'TOLL_FREE');
  });

  it('classifies short strings as extensions and junk as invalid', () => {
    assert.equal(resolveDialed('100').kind, 'extension');
    assert.equal(resolveDialed('*97').kind, 'extension');
    assert.equal(resolveDialed('admin').kind, 'invalid');
    assert.equal(resolveDialed('').kind, 'invalid');
    assert.equal(resolveDialed('1'.repeat(40)).kind, 'invalid');
    assert.equal(resolveDialed('0000000000').kind, 'invalid');
  });

  it('reads SIP URIs, percent-escaped plus signs and visual separators', () => {
    assert.equal(resolveDialed('sip:%2B442037690237@10.0.0.1;user=phone').e164, '+442037690237');
    assert.equal(resolveDialed('00 44 (20) 3769-0237').e164, '+442037690237');
    assert.equal(resolveDialed('011442037690237#').e164, '+442037690237');
  });

  it('also reads national numbers (with a Brazilian carrier code) when a region is given', () => {
    const r = new NumberResolver({ region: 'BR' }).resolveDialed('02121987654321');
    assert.equal(r.kind, 'external');
    assert.equal(r.cc, 'BR');
    assert.equal(r.e164, '+5521987654321');
  });

  it('treats configured extensions as internal calls', () => {
    const r = new NumberResolver({ extensions: ['12345678'] }).resolveDialed('12345678');
    assert.equal(r.kind, 'extension');
  });

  it('never throws on hostile input', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (s) => {
        const r = resolveDialed(s);
        assert.ok(['external', 'extension', 'invalid'].includes(r.kind));
        if (r.kind !== 'external') assert.equal(r.e164, null);
      }),
      { numRuns: 2000 },
    );
    assert.equal(resolveDialed(null as unknown as string).kind, 'invalid');
  });
});

describe('resolveBurst', () => {
  it('decides an ambiguous string by the number the burst shares', () => {
    // Alone, 0014 + 972... could be +1 4972... or +49 72...; two plain variants settle it.
    const burst = [`0014${TAIL}`, `9${TAIL}`, `00${TAIL}`];
    const out = resolveBurst(burst);
    assert.equal(out.length, 3);
    for (const r of out) assert.equal(r.e164, `+${TAIL}`);
  });

  it('overrides the standalone reading when the burst disagrees with it', () => {
    // Alone, 9 1268 464 1234 reads as the Indian +91 268...; the burst says Antigua +1 268.
    const tail = '12684641234';
    assert.equal(resolveDialed(`9${tail}`).e164, `+9${tail}`);
    const burst = resolveBurst([`9${tail}`, `011${tail}`, `00${tail}`]);
    assert.ok(burst.every((r) => r.e164 === `+${tail}`));
    const [first] = burst;
    assert.ok(first);
    assert.equal(first.cc, 'AG');
    assert.equal(first.prefix, '9');
    assert.ok(first.steps.some((s) => s.startsWith('burst:')));
  });

  it('reads a string with an unknown prefix by the number its burst resolves to', () => {
    const alone = resolveDialed('100972598285108');
    assert.equal(alone.kind, 'invalid');
    const out = resolveBurst(['00972598285108', '100972598285108', '9011972598285108']);
    assert.deepEqual(
      out.map((r) => [r.e164, r.cc, r.prefix]),
      [
        ['+972598285108', 'IL', '00'],
        ['+972598285108', 'IL', '100'],
        ['+972598285108', 'IL', '9011'],
      ],
    );
    // Any unknown prefix (carrier and service codes can be long), but only a number the
    // burst resolves to, never an extension.
    const apart = resolveBurst(['00972598285108', '1234567972598285108', '100442037690237', '105']);
    assert.deepEqual(
      apart.map((r) => [r.kind, r.method]),
      [
        ['external', 'alone'],
        ['external', 'burst'],
        ['invalid', null],
        ['extension', null],
      ],
    );
  });

  it('keeps distinct numbers of one burst apart, in input order', () => {
    const out = resolveBurst(['00442037690237', '100', `0021${TAIL}`]);
    assert.deepEqual(
      out.map((r) => r.e164),
      ['+442037690237', null, `+${TAIL}`],
    );
  });
});

describe('NumberResolver caches', () => {
  it('keep at most cacheEntries analyses and twice as many readings, and answer the same', () => {
    const small = new NumberResolver({ cacheEntries: 16 });
    const large = new NumberResolver();
    for (let i = 0; i < 400; i += 4) {
      const burst = [0, 1, 2, 3].map((k) => `00972${500000000 + i + k}`);
      assert.deepEqual(small.resolveBurst(burst), large.resolveBurst(burst));
    }
    assert.ok(small.cachedStrings <= 16, `${small.cachedStrings} strings`);
    assert.ok(small.cachedReadings <= 32, `${small.cachedReadings} readings`);
    assert.equal(large.cachedStrings, 400);
    // A string seen again is answered the same from the cache.
    assert.deepEqual(small.resolveDialed('00972500000399'), large.resolveDialed('00972500000399'));
  });

  it('without steps, answer the same numbers, in half the heap', () => {
    const full = new NumberResolver({ cacheEntries: 2048 });
    const lean = new NumberResolver({ cacheEntries: 2048, keepSteps: false });
    const numbers = (r: NumberResolver) => (d: readonly string[]) =>
      r.resolveBurst(d).map(({ steps: _, ...rest }) => rest);
    for (const burst of [FIGURE_2, ['0033123456789', '0044203769023', '*97', 'abc']]) {
      assert.deepEqual(numbers(lean)(burst), numbers(full)(burst));
      assert.deepEqual(numbers(lean)(burst), numbers(full)(burst), 'from the caches');
    }
    assert.deepEqual(lean.resolveDialed('0033123456789').steps, []);
    assert.ok(full.resolveDialed('0033123456789').steps.length > 0);

    const held = (r: NumberResolver): number => {
      const h0 = heapAfterGc();
      for (let i = 0; i < 6000; i++) r.resolveDialed(`00972${510000000 + i}`);
      return (heapAfterGc() - h0) / r.cachedStrings;
    };
    const withSteps = held(new NumberResolver({ cacheEntries: 2048 }));
    const without = held(new NumberResolver({ cacheEntries: 2048, keepSteps: false }));
    assert.ok(
      without < 0.6 * withSteps,
      `${without.toFixed(0)} B against ${withSteps.toFixed(0)} B`,
    );
  });

  it('keep no analysis of a string longer than what is read, so their bytes are bounded', () => {
    const r = new NumberResolver({ cacheEntries: 2048 });
    const long = (i: number): string => `0033123${String(100000 + i)}` + '1'.repeat(1000);
    assert.equal(r.resolveDialed('0033123456789' + ' '.repeat(1000)).e164, '+33123456789');
    const h0 = heapAfterGc();
    // 4,096 strings of 1,012 characters: 6-12 MB in 2,048 analyses kept (half a KB for a short one).
    for (let i = 0; i < 4096; i++) r.resolveDialed(long(i));
    const grown = (heapAfterGc() - h0) / 1024 / 1024;
    assert.ok(grown < 2, `the heap grew by ${grown.toFixed(1)} MB`);
    assert.equal(r.cachedStrings, 0);
    assert.equal(r.resolveDialed(long(7)).kind, 'invalid', 'still analysed (more than 22 digits)');
  });
});
