import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KEY_WORDS, addressKey, keyDigest } from './address-key.js';
import { AddressTable } from './address-table.js';
import { LruMap } from './lru-map.js';
import { bytesPerItem, nthAddress } from './testing/heap.js';

const key = (ip: string): number[] => {
  const k = new Uint32Array(KEY_WORDS);
  addressKey(ip, k, 0);
  return [...k];
};

describe('addressKey', () => {
  it('reads IPv4 as its IPv4-mapped IPv6 form, and IPv6 in any spelling', () => {
    assert.deepEqual(key('192.0.2.1'), [0, 0, 0xffff, 0xc0000201]);
    assert.deepEqual(key('::ffff:192.0.2.1'), key('192.0.2.1'));
    assert.deepEqual(key('2001:db8::1'), [0x20010db8, 0, 0, 1]);
    assert.deepEqual(key('2001:0db8:0:0:0:0:0:1'), key('2001:db8::1'));
    assert.deepEqual(key('::'), [0, 0, 0, 0]);
    assert.deepEqual(key('::1'), [0, 0, 0, 1]);
    assert.deepEqual(key('fe80::'), [0xfe800000, 0, 0, 0]);
    assert.deepEqual(key('1:2:3:4:5:6:7:8'), [0x10002, 0x30004, 0x50006, 0x70008]);
    assert.deepEqual(key('255.255.255.255'), [0, 0, 0xffff, 0xffffffff]);
  });

  it('keys any other text by a hash under ffff:ffff::/32', () => {
    for (const text of [
      'fe80::1%eth0',
      'a',
      '',
      '1.2.3',
      '1.2.3.256',
      '1::2::3',
      '12345::',
      ':1',
    ]) {
      const k = key(text);
      assert.equal(k[0], 0xffffffff, text);
      assert.deepEqual(key(text), k, 'the same text, the same key');
    }
    assert.notDeepEqual(key('a'), key('b'));
  });

  it('digests an IPv4 address to itself', () => {
    const k = new Uint32Array(KEY_WORDS);
    addressKey('10.0.0.7', k, 0);
    assert.equal(keyDigest(k, 0), 0x0a000007);
  });
});

describe('AddressTable', () => {
  it('finds what it holds, and forgets the least recently used beyond max', () => {
    const t = new AddressTable({ max: 3, f64PerSlot: 1 });
    for (const ip of ['192.0.2.1', '192.0.2.2', '192.0.2.3']) {
      assert.equal(t.find(ip), -1);
      t.f64[t.add(ip)] = 7;
    }
    assert.ok(t.find('192.0.2.1') >= 0, 'now the most recently used');
    const s = t.add('192.0.2.4');
    assert.equal(t.f64[s], 0, 'a new entry starts at zero');
    assert.equal(t.find('192.0.2.2'), -1, 'the least recently used went');
    assert.ok(t.find('192.0.2.1') >= 0);
    assert.ok(t.find('192.0.2.3') >= 0);
    assert.equal(t.size, 3);
  });

  it('tells the owner which slot it reuses, and keys the new address whatever the owner reads', () => {
    const evicted: string[] = [];
    const t: AddressTable = new AddressTable({
      max: 2,
      onEvict: (slot) => {
        // Looking up another address here must not change the one being added.
        evicted.push(t.find('192.0.2.1') === slot ? 'first' : String(slot));
      },
    });
    t.add('192.0.2.1');
    t.add('192.0.2.2');
    t.add('192.0.2.3');
    assert.deepEqual(evicted, ['first']);
    assert.equal(t.find('192.0.2.1'), -1);
    assert.ok(t.find('192.0.2.3') >= 0);
    assert.ok(t.find('192.0.2.2') >= 0);
  });

  it('behaves as an LruMap under a long random run (growth, eviction, probing)', () => {
    let seed = 12345;
    const rnd = (n: number): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed % n;
    };
    for (const max of [1, 7, 300, 5000]) {
      const t = new AddressTable({ max, u32PerSlot: 1 });
      const ref = new LruMap<string, number>(max);
      for (let i = 0; i < 40_000; i++) {
        const ip =
          rnd(3) === 0
            ? `2001:db8::${rnd(2 * max + 5).toString(16)}`
            : nthAddress(rnd(2 * max + 5));
        const slot = t.find(ip);
        const want = ref.get(ip);
        assert.equal(slot >= 0 ? t.u32[slot] : undefined, want, `${ip} at step ${i}`);
        if (slot < 0) {
          const s = t.add(ip);
          t.u32[s] = i;
          ref.set(ip, i);
        }
        assert.equal(t.size, ref.size);
      }
    }
  });

  it('holds some 50 bytes a source with two doubles each (an LruMap of strings and objects: 180)', () => {
    const per = bytesPerItem(
      () => new AddressTable({ max: 100_000, f64PerSlot: 2 }),
      (t, n) => {
        for (let i = 0; i < n; i++) {
          const ip = nthAddress(i);
          if (t.find(ip) < 0) t.f64[2 * t.add(ip)] = i;
        }
      },
      100_000,
    );
    assert.ok(per < 64, `${per.toFixed(1)} bytes a source`);
  });
});
