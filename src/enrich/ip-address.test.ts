import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { formatIpv6Groups, parseIp, parseIpv4 } from './ip-address.js';

describe('parseIp', () => {
  it('parses dotted-quad IPv4 and rejects shorthand, leading zeros and masks', () => {
    assert.equal(parseIpv4('1.2.3.4'), 0x01020304);
    assert.equal(parseIpv4('255.255.255.255'), 0xffffffff);
    for (const s of ['1.2.3', '01.2.3.4', '1.2.3.4.5', '210.184.X.Y', '1..2.3', '256.0.0.1']) {
      assert.equal(parseIpv4(s), null, s);
    }
  });

  it('parses IPv6 with ::, zones, brackets and embedded IPv4', () => {
    const p = parseIp('[fe80::1%eth0]');
    assert.deepEqual(p, { family: 6, words: [0xfe800000, 0, 0, 1] });
    assert.deepEqual(parseIp('::ffff:1.2.3.4'), { family: 4, v4: 0x01020304 });
    const full = parseIp('2001:db8:0:0:0:0:0:1');
    assert.deepEqual(full, parseIp('2001:db8::1'));
    for (const s of ['1::2::3', '12345::', ':::', '2001:db8::g', 'honey.pot.IP.removed']) {
      assert.equal(parseIp(s), null, s);
    }
  });

  it('never throws, whatever the text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (s) => {
        parseIp(s);
      }),
      { numRuns: 5000 },
    );
  });
});

describe('formatIpv6Groups', () => {
  it('writes RFC 5952 text: lower case, the first longest run of two or more zero groups as ::', () => {
    const cases: [number[], string][] = [
      [[0x2001, 0xdb8, 0, 0, 0, 0, 0, 1], '2001:db8::1'],
      [[0, 0, 0, 0, 0, 0, 0, 0], '::'],
      [[0, 0, 0, 0, 0, 0, 0, 1], '::1'],
      [[1, 0, 0, 0, 0, 0, 0, 0], '1::'],
      [[1, 0, 2, 3, 4, 5, 6, 7], '1:0:2:3:4:5:6:7'],
      [[1, 0, 0, 2, 0, 0, 3, 0xabcd], '1::2:0:0:3:abcd'],
      [[1, 0, 0, 2, 0, 0, 0, 3], '1:0:0:2::3'],
    ];
    for (const [groups, text] of cases) assert.equal(formatIpv6Groups(groups), text);
  });
});
