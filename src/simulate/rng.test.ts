/**
 * @module
 * Tests of the seeded generator: same seed, same stream; forks independent;
 * draws stay in their ranges.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Rng } from './rng.js';

describe('Rng', () => {
  it('repeats its stream for a seed and differs for another', () => {
    const draw = (seed: string): number[] => {
      const r = new Rng(seed);
      return Array.from({ length: 20 }, () => r.next());
    };
    assert.deepEqual(draw('a'), draw('a'));
    assert.notDeepEqual(draw('a'), draw('b'));
    assert.notDeepEqual(Rng.fork('a', 'x').next(), Rng.fork('a', 'y').next());
  });

  it('keeps draws in range and random strings in [A-Za-z0-9]{20}', () => {
    const r = new Rng('range');
    for (let i = 0; i < 2000; i++) {
      const n = r.int(3, 7);
      assert.ok(n >= 3 && n <= 7 && Number.isInteger(n));
      const x = r.logUniform(5, 500);
      assert.ok(x >= 5 && x <= 500);
    }
    assert.match(r.alnum(20), /^[A-Za-z0-9]{20}$/);
    const counts = [0, 0];
    for (let i = 0; i < 4000; i++) counts[r.weighted([1, 3])]! += 1;
    assert.ok((counts[1] ?? 0) > 2 * (counts[0] ?? 0), counts.join(','));
  });
});
