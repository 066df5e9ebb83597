import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { formatIpv6Groups, parseIp } from './ip-address.js';
import { loadIpLookup, type IpLookup } from './ip-lookup.js';
import { SPECIAL_V4, SPECIAL_V6, isSpecialPurpose } from './special-ranges.js';

const NONE = { cc: null, asn: null, as_name: null };

function v4Text(n: number): string {
  return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');
}

/** First and last address of an IPv4 block, as text. */
function ends4(cidr: string): [string, string] {
  const [addr = '', bits = ''] = cidr.split('/');
  const ip = parseIp(addr);
  assert.ok(ip?.family === 4);
  const size = 2 ** (32 - Number(bits));
  const first = ip.v4 - (ip.v4 % size);
  return [v4Text(first), v4Text(first + size - 1)];
}

/** First and last address of an IPv6 block, as text. */
function ends6(cidr: string): [string, string] {
  const [addr = '', bits = ''] = cidr.split('/');
  const ip = parseIp(addr);
  assert.ok(ip?.family === 6);
  const groups = ip.words.flatMap((w) => [Math.floor(w / 65536), w % 65536]);
  const last = groups.map((g, i) => {
    const keep = Math.max(0, Math.min(16, Number(bits) - i * 16));
    const hostMask = keep === 16 ? 0 : 0xffff >>> keep;
    return g | hostMask;
  });
  return [formatIpv6Groups(groups), formatIpv6Groups(last)];
}

describe('special-purpose address blocks get no country and no AS', () => {
  let ip: IpLookup;
  before(async () => {
    ip = await loadIpLookup();
  });

  for (const r of SPECIAL_V4) {
    it(`IPv4 ${r.cidr} (${r.name}, ${r.rfc})`, () => {
      for (const a of ends4(r.cidr)) {
        assert.deepEqual(ip.lookup(a), NONE, a);
        assert.deepEqual(ip.lookup(`::ffff:${a}`), NONE, `::ffff:${a}`);
      }
    });
  }

  for (const r of SPECIAL_V6) {
    it(`IPv6 ${r.cidr} (${r.name}, ${r.rfc})`, () => {
      for (const a of ends6(r.cidr)) assert.deepEqual(ip.lookup(a), NONE, a);
    });
  }

  it('the addresses the fault trials saw with countries now have none', () => {
    for (const a of ['192.168.1.5', '172.17.0.1', '198.51.100.7', '2001:db8::1']) {
      assert.deepEqual(ip.lookup(a), NONE, a);
    }
  });

  it('public neighbours of the blocks keep their country', () => {
    // Just outside 172.16.0.0/12, 192.168.0.0/16 and 2001:db8::/32.
    for (const a of ['8.8.8.8', '172.32.0.1', '192.169.0.1', '2001:4860:4860::8888']) {
      assert.equal(isSpecialPurpose(parseIp(a) ?? assert.fail(a)), false, a);
    }
    assert.equal(ip.lookup('8.8.8.8').cc, 'US');
    assert.equal(ip.lookup('2001:4860:4860::8888').cc, 'US');
  });
});
