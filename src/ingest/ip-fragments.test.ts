import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  IpReassembler,
  MAX_DATAGRAM_BYTES,
  MAX_PENDING,
  TIMEOUT_MS,
  type DroppedDatagram,
} from './ip-fragments.js';

const bytes = (text: string): Buffer => Buffer.from(text, 'latin1');

describe('IpReassembler', () => {
  it('joins fragments in any order, and later bytes win where they overlap', () => {
    const t = new IpReassembler();
    assert.equal(t.add('k', 17, 1, 0, 16, false, bytes('QRSTUVWX')), null);
    assert.equal(t.add('k', 17, 2, 0, 0, true, bytes('ABCDEFGH')), null);
    assert.equal(t.pending, 1);
    const whole = t.add('k', 17, 3, 0, 8, true, bytes('IJKLMNOPxx'));
    assert.equal(whole?.toString('latin1'), 'ABCDEFGHIJKLMNOPxxSTUVWX');
    assert.equal(t.pending, 0);
  });

  it('keeps datagrams apart by key', () => {
    const t = new IpReassembler();
    t.add('a', 17, 1, 0, 0, true, bytes('aaaaaaaa'));
    t.add('b', 17, 2, 0, 0, true, bytes('bbbbbbbb'));
    assert.equal(t.add('b', 17, 3, 0, 8, false, bytes('B'))?.toString(), 'bbbbbbbbB');
    assert.equal(t.add('a', 17, 4, 0, 8, false, bytes('A'))?.toString(), 'aaaaaaaaA');
  });

  it('holds at most MAX_PENDING datagrams, giving up the oldest with what it had', () => {
    const dropped: DroppedDatagram[] = [];
    const t = new IpReassembler((d) => dropped.push(d));
    for (let i = 0; i <= MAX_PENDING; i++) t.add(`k${i}`, 17, i + 1, 0, 0, true, bytes('12345678'));
    assert.equal(t.pending, MAX_PENDING);
    assert.deepEqual(
      dropped.map((d) => [d.frame, d.head.toString()]),
      [[1, '12345678']],
    );
  });

  it('gives up a datagram still incomplete TIMEOUT_MS of capture time later', () => {
    const dropped: DroppedDatagram[] = [];
    const t = new IpReassembler((d) => dropped.push(d));
    t.add('old', 17, 1, 1_000, 8, true, bytes('tail....'));
    t.add('new', 17, 2, 1_000 + TIMEOUT_MS + 1, 0, true, bytes('head....'));
    assert.deepEqual(
      dropped.map((d) => [d.frame, d.head.length]),
      [[1, 0]],
    );
    assert.equal(t.pending, 1);
    t.flush();
    assert.equal(t.pending, 0);
    assert.deepEqual(
      dropped.map((d) => d.frame),
      [1, 2],
    );
  });

  it('ignores fragments beyond the largest datagram and floods of tiny fragments', () => {
    const t = new IpReassembler();
    assert.equal(t.add('big', 17, 1, 0, MAX_DATAGRAM_BYTES - 4, false, bytes('12345678')), null);
    assert.equal(t.pending, 0);
    for (let i = 0; i < 1000; i++) t.add('tiny', 17, i + 1, 0, 8 + i * 8, true, bytes('x'));
    // The list is full (256 fragments): even the fragment that would end it is ignored.
    assert.equal(t.add('tiny', 17, 1001, 0, 0, false, bytes('y')), null);
    assert.equal(t.pending, 1);
  });
});
