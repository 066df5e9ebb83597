import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { find4, parseRanges4Bytes } from './range-table.js';
import { find6, parseRanges6Bytes } from './range-table6.js';

const byteIndex = (bytes: Uint8Array, from: number, to: number): number =>
  to > from ? Number(new TextDecoder().decode(bytes.subarray(from, to))) : -1;
const encode = (text: string): Uint8Array => new TextEncoder().encode(text);
const parseRanges4 = (text: string) => parseRanges4Bytes(encode(text), byteIndex);
const parseRanges6 = (text: string) => parseRanges6Bytes(encode(text), byteIndex);

describe('range tables', () => {
  it('find4 agrees with a linear scan over random disjoint ranges', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 0, max: 0xfffffff0 }), { minLength: 1, maxLength: 60 }),
        fc.array(fc.integer({ min: 0, max: 0xffffffff }), { maxLength: 40 }),
        (cuts, probes) => {
          const sorted = [...cuts].sort((a, b) => a - b);
          // Every other gap between cuts is a range, so some addresses fall outside.
          const rows: [number, number][] = [];
          for (let i = 0; i + 1 < sorted.length; i += 2) {
            rows.push([sorted[i] ?? 0, (sorted[i + 1] ?? 0) - 1]);
          }
          const text = rows
            .map(([s, e], i) => `${String(s)},${String(e)},${String(i)}`)
            .reverse()
            .join('\n');
          const t = parseRanges4(text);
          for (const p of [...probes, ...sorted]) {
            const want = rows.findIndex(([s, e]) => s <= p && p <= e);
            const got = find4(t, p);
            assert.equal(got < 0 ? -1 : t.values[got], want);
          }
        },
      ),
    );
  });

  it('find6 finds 128-bit ranges across 32-bit word boundaries, up to 2^128 - 1', () => {
    const big = (1n << 64n) + 5n;
    const text = `0,9,0\n${String(big)},${String(big + 10n)},1\n${String((1n << 128n) - 2n)},${String((1n << 128n) - 1n)},2\n`;
    const t = parseRanges6(text);
    const at = (v: bigint): number => {
      const w = (k: bigint): number => Number((v >> (32n * k)) & 0xffffffffn);
      const i = find6(t, [w(3n), w(2n), w(1n), w(0n)]);
      return i < 0 ? -1 : (t.values[i] ?? -1);
    };
    assert.equal(at(3n), 0);
    assert.equal(at(10n), -1);
    assert.equal(at(big + 10n), 1);
    assert.equal(at(big + 11n), -1);
    assert.equal(at((1n << 128n) - 1n), 2);
    assert.equal(at((1n << 128n) - 3n), -1);
  });

  it('parseRanges6 agrees with BigInt arithmetic on random 128-bit bounds', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: (1n << 128n) - 1n }), (v) => {
        const t = parseRanges6(`${String(v)},${String(v)},7\n`);
        const w = (k: bigint): number => Number((v >> (32n * k)) & 0xffffffffn);
        assert.equal(find6(t, [w(3n), w(2n), w(1n), w(0n)]), 0);
        assert.deepEqual([...t.starts], [w(3n), w(2n), w(1n), w(0n)]);
      }),
    );
    assert.equal(parseRanges6(`${String(1n << 128n)},${String(1n << 128n)},1\n`).values.length, 0);
  });

  it('skips malformed rows instead of failing', () => {
    const text = 'x,y,1\n5,3,2\n1,2\n10,20,3\r\n99999999999,5,4\n,,\n';
    const t = parseRanges4(text);
    assert.equal(t.starts.length, 1);
    assert.equal(find4(t, 15), 0);
    assert.equal(t.values[0], 3);
    const t6 = parseRanges6('x,1,1\n5,3,2\n1,2\n10,20,3\r\n');
    assert.equal(t6.values.length, 1);
    assert.equal(find6(t6, [0, 0, 0, 15]), 0);
  });
});
