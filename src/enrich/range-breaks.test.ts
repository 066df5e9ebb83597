import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import fc from 'fast-check';
import { loadIpLookup } from './ip-lookup.js';
import { compactRanges4, compactRanges6, value4, value6 } from './range-breaks.js';
import { find4, parseRanges4Bytes } from './range-table.js';
import { find6, parseRanges6Bytes, type Words128 } from './range-table6.js';

const byteIndex = (bytes: Uint8Array, from: number, to: number): number =>
  to > from ? Number(new TextDecoder().decode(bytes.subarray(from, to))) : -1;
const parseRanges4 = (text: string) => parseRanges4Bytes(new TextEncoder().encode(text), byteIndex);
const parseRanges6 = (text: string) => parseRanges6Bytes(new TextEncoder().encode(text), byteIndex);
const LAST6 = (1n << 128n) - 1n;
const words = (v: bigint): Words128 => [
  Number((v >> 96n) & 0xffffffffn),
  Number((v >> 64n) & 0xffffffffn),
  Number((v >> 32n) & 0xffffffffn),
  Number(v & 0xffffffffn),
];

describe('IPv4 range breakpoints', () => {
  it('answer as find4 on the table, with gaps, adjacent, overlapping and repeated rows', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            fc.integer({ min: 0, max: 0xffffffff }),
            fc.integer({ min: 0, max: 300 }),
            fc.integer({ min: 0, max: 70_000 }),
          ),
          { minLength: 1, maxLength: 50 },
        ),
        fc.array(fc.integer({ min: 0, max: 0xffffffff }), { maxLength: 40 }),
        fc.constantFrom(200, 60_000, 70_000),
        (rows, probes, cap) => {
          const text = rows
            .map(
              ([s, len, v]) =>
                `${String(s)},${String(Math.min(s + len, 0xffffffff))},${String(v % cap)}`,
            )
            .join('\n');
          const t = parseRanges4(text);
          const b = compactRanges4(t);
          const edges = [...t.starts, ...t.ends].flatMap((a) => [a - 1, a, a + 1]);
          for (const p of [...probes, ...edges, 0, 0xffffffff]) {
            if (p < 0 || p > 0xffffffff) continue;
            const i = find4(t, p);
            assert.equal(value4(b, p), i < 0 ? -1 : (t.values[i] ?? -1), `address ${String(p)}`);
          }
        },
      ),
    );
  });

  it('answer as find6 on an IPv6 table, across word boundaries and up to the last address', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            fc.oneof(
              fc.bigInt({ min: 0n, max: LAST6 }),
              fc.bigInt({ min: (1n << 64n) - 300n, max: (1n << 64n) + 300n }),
              fc.bigInt({ min: LAST6 - 300n, max: LAST6 }),
            ),
            fc.bigInt({ min: 0n, max: 300n }),
            fc.integer({ min: 0, max: 70_000 }),
          ),
          { minLength: 1, maxLength: 40 },
        ),
        fc.array(fc.bigInt({ min: 0n, max: LAST6 }), { maxLength: 20 }),
        fc.constantFrom(200, 70_000),
        (rows, probes, cap) => {
          const bounds = rows.map(
            ([s, len, v]) => [s, s + len > LAST6 ? LAST6 : s + len, v] as const,
          );
          const text = bounds
            .map(([s, e, v]) => `${String(s)},${String(e)},${String(v % cap)}`)
            .join('\n');
          const t = parseRanges6(text);
          const b = compactRanges6(t);
          const edges = bounds.flatMap(([s, e]) => [s - 1n, s, s + 1n, e - 1n, e, e + 1n]);
          for (const p of [...probes, ...edges, 0n, LAST6]) {
            if (p < 0n || p > LAST6) continue;
            const i = find6(t, words(p));
            assert.equal(
              value6(b, words(p)),
              i < 0 ? -1 : (t.values[i] ?? -1),
              `address ${String(p)}`,
            );
          }
        },
      ),
    );
  });

  it('keep the bundled IPv4 tables in under 7 MB of array buffers (9.4 MB as start, end and value per row)', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    gc();
    const before = process.memoryUsage().arrayBuffers;
    const ip = await loadIpLookup();
    for (let i = 0; i < 3; i++) {
      gc();
      await new Promise((r) => setTimeout(r, 20));
    }
    const held = process.memoryUsage().arrayBuffers - before;
    assert.ok(held < 7 * 1024 * 1024, `${(held / 1048576).toFixed(2)} MiB`);
    assert.deepEqual(ip.lookup('8.8.8.8'), { cc: 'US', asn: 15169, as_name: 'Google LLC' });
  });
});
