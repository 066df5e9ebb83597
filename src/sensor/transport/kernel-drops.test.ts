import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dropsIn, procAddressHex } from './kernel-drops.js';

describe('kernel drops', () => {
  it('writes addresses as /proc/net/udp does (host-order words)', () => {
    assert.equal(procAddressHex('127.0.0.1'), '0100007F');
    assert.equal(procAddressHex('0.0.0.0'), '00000000');
    assert.equal(procAddressHex('::1'), '00000000000000000000000001000000');
    assert.equal(procAddressHex('::'), '0'.repeat(32));
  });

  it('finds the drops column of the socket by address and port', () => {
    const text = [
      '   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops',
      '  123: 0100007F:13C4 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 1001 2 0000000000000000 0',
      '  456: 0100007F:13C5 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 1002 2 0000000000000000 149808',
    ].join('\n');
    assert.equal(dropsIn(text, '127.0.0.1', 0x13c5), 149808);
    assert.equal(dropsIn(text, '127.0.0.1', 0x13c4), 0);
    assert.equal(dropsIn(text, '127.0.0.2', 0x13c5), null);
  });
});
