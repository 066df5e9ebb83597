import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Retransmitter } from './retransmit.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('Retransmitter', () => {
  it('resends at T1, 2*T1, 4*T1... until the deadline of 64*T1', async () => {
    const r = new Retransmitter({ maxEntries: 10, t1Ms: 10, t2Ms: 40 });
    const times: number[] = [];
    const t0 = Date.now();
    r.add('k', () => times.push(Date.now() - t0));
    await sleep(64 * 10 + 150);
    // 10, 30, 70, 110, 150 ... up to 640 ms: T2 caps the interval at 40 ms
    assert.ok(times.length >= 12 && times.length <= 18, String(times.length));
    assert.ok((times[0] ?? 0) >= 9);
    assert.ok((times[1] ?? 0) - (times[0] ?? 0) >= 18);
    assert.equal(r.size, 0);
    r.close();
  });

  it('stops when the key is named (ACK received)', async () => {
    const r = new Retransmitter({ maxEntries: 10, t1Ms: 10 });
    let n = 0;
    r.add('k', () => n++);
    await sleep(15);
    r.stop('k');
    const seen = n;
    await sleep(60);
    assert.equal(n, seen);
    assert.equal(seen, 1);
    r.close();
  });

  it('stops when the response budget refuses a resend', async () => {
    const r = new Retransmitter({ maxEntries: 10, t1Ms: 5 });
    let n = 0;
    r.add(
      'k',
      () => n++,
      () => n < 2,
    );
    await sleep(100);
    assert.equal(n, 2);
    assert.equal(r.size, 0);
  });

  it('keeps at most maxEntries, dropping the oldest', () => {
    const r = new Retransmitter({ maxEntries: 3, t1Ms: 1000 });
    for (let i = 0; i < 10; i++) r.add(`k${i}`, () => undefined);
    assert.equal(r.size, 3);
    assert.ok(r.has('k9') && !r.has('k0'));
    r.close();
    assert.equal(r.size, 0);
  });
});
