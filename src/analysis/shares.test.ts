import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { entropyBits, mad, median, robustZ, share, spreadOf, spreadOfCounts } from './shares.js';

describe('shares and dispersion statistics', () => {
  it('share is a fraction and 0 for an empty total', () => {
    assert.equal(share(1, 4), 0.25);
    assert.equal(share(3, 0), 0);
  });
  it('median and MAD of odd and even lists', () => {
    assert.equal(median([5, 1, 3]), 3);
    assert.equal(median([4, 1, 3, 2]), 2.5);
    assert.equal(mad([1, 1, 2, 2, 4, 6, 9]), 1);
  });
  it('robust z uses MAD, then mean deviation, then infinity', () => {
    assert.ok(Math.abs(robustZ(9, [1, 1, 2, 2, 4, 6, 9]) - 0.6745 * 7) < 1e-9);
    assert.ok(Math.abs(robustZ(8, [1, 1, 1, 8]) - 7 / (1.2533 * 1.75)) < 1e-9);
    assert.equal(robustZ(2, [1, 1, 1]), Number.POSITIVE_INFINITY);
    assert.equal(robustZ(1, [1, 1, 1]), 0);
  });
  it('entropy of n equal buckets is log2(n) and never exceeds it', () => {
    assert.equal(entropyBits([5, 5, 5, 5]), 2);
    assert.equal(entropyBits([7]), 0);
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 1000 }), { minLength: 1, maxLength: 50 }),
        (xs) => {
          const h = entropyBits(xs);
          return h >= 0 && h <= Math.log2(xs.length) + 1e-9;
        },
      ),
    );
  });
  it('the spread of a histogram equals the spread of the list it counts', () => {
    assert.deepEqual(spreadOfCounts([2, 0, 1]), spreadOf([0, 0, 2]));
    assert.deepEqual(spreadOfCounts([]), spreadOf([]));
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 12 }), { maxLength: 80 }), (xs) => {
        const hist = new Array<number>(13).fill(0);
        for (const x of xs) hist[x] = (hist[x] ?? 0) + 1;
        const a = spreadOfCounts(hist);
        const b = spreadOf(xs);
        return a.median === b.median && a.mad === b.mad && Math.abs(a.meanAd - b.meanAd) < 1e-9;
      }),
    );
  });
});
