import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Retransmitter, type RetransmitOptions } from './retransmit.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A table whose entries' targets are functions: `send` calls it, `allow` asks `allow`. */
const table = (opts: RetransmitOptions, allow: () => boolean = () => true) =>
  new Retransmitter<() => void>(opts, {
    send: (to) => {
      to();
    },
    allow,
  });

describe('Retransmitter', () => {
  it('resends at T1, 2*T1, 4*T1... until the deadline of 64*T1', async () => {
    const r = table({ maxEntries: 10, t1Ms: 10, t2Ms: 40 });
    const times: number[] = [];
    const t0 = Date.now();
    r.add('k', () => times.push(Date.now() - t0), 'response');
    await sleep(64 * 10 + 150);
    // 10, 30, 70, 110, 150 ... up to 640 ms: T2 caps the interval at 40 ms
    assert.ok(times.length >= 12 && times.length <= 18, String(times.length));
    assert.ok((times[0] ?? 0) >= 9);
    assert.ok((times[1] ?? 0) - (times[0] ?? 0) >= 18);
    assert.equal(r.size, 0);
    r.close();
  });

  it('stops when the key is named (ACK received)', async () => {
    const r = table({ maxEntries: 10, t1Ms: 10 });
    let n = 0;
    r.add('k', () => n++, 'response');
    await sleep(15);
    r.stop('k');
    const seen = n;
    await sleep(60);
    assert.equal(n, seen);
    assert.equal(seen, 1);
    r.close();
  });

  it('stops when the response budget refuses a resend', async () => {
    let n = 0;
    const r = table({ maxEntries: 10, t1Ms: 5 }, () => n < 2);
    r.add('k', () => n++, 'response');
    await sleep(100);
    assert.equal(n, 2);
    assert.equal(r.size, 0);
  });

  it('keeps at most maxEntries, dropping the oldest', () => {
    const r = table({ maxEntries: 3, t1Ms: 1000 });
    for (let i = 0; i < 10; i++) r.add(`k${i}`, () => undefined, 'response');
    assert.equal(r.size, 3);
    assert.ok(r.has('k9') && !r.has('k0'));
    r.close();
    assert.equal(r.size, 0);
  });

  it('keeps at most maxBytes of responses, dropping the oldest; a larger one is not kept', () => {
    const r = table({ maxEntries: 100, maxBytes: 10_000, t1Ms: 1000 });
    for (let i = 0; i < 10; i++) r.add(`k${i}`, () => undefined, 'x'.repeat(3000));
    assert.equal(r.size, 3);
    assert.equal(r.bytes, 9000);
    assert.ok(r.has('k9') && r.has('k7') && !r.has('k6'));
    r.add('huge', () => undefined, 'x'.repeat(10_001));
    assert.ok(!r.has('huge'));
    assert.equal(r.size, 3);
    r.stop('k9');
    assert.equal(r.bytes, 6000);
    r.close();
    assert.equal(r.bytes, 0);
  });

  it('resends each of many entries on its own schedule, with one timer', async () => {
    const r = table({ maxEntries: 100, t1Ms: 20, t2Ms: 80 });
    const first = new Map<number, number>();
    const added = new Map<number, number>();
    const counts = new Map<number, number>();
    for (let i = 0; i < 20; i++) {
      added.set(i, performance.now());
      r.add(
        `k${i}`,
        () => {
          counts.set(i, (counts.get(i) ?? 0) + 1);
          if (!first.has(i)) first.set(i, performance.now());
        },
        'response',
      );
      // Half of them acknowledged before their first resend.
      if (i % 2 === 0)
        setTimeout(() => {
          r.stop(`k${i}`);
        }, 5);
      await sleep(3);
    }
    await sleep(200);
    for (let i = 0; i < 20; i++) {
      if (i % 2 === 0) assert.equal(counts.get(i), undefined, `k${i} was stopped`);
      else {
        const wait = (first.get(i) ?? 0) - (added.get(i) ?? 0);
        assert.ok(wait >= 19, `k${i} first resent after ${wait.toFixed(1)} ms`);
        // 20, 60, 140 ms after its add (then every 80 ms): three or four resends by now.
        assert.ok((counts.get(i) ?? 0) >= 2, `k${i} resent ${counts.get(i)} times`);
      }
    }
    assert.equal(r.size, 10);
    r.close();
  });

  it('forgets the acknowledged entries it still has queued once they pile up', () => {
    const r = table({ maxEntries: 10_000, t1Ms: 1000 });
    for (let i = 0; i < 50_000; i++) {
      r.add(`k${i}`, () => undefined, 'response');
      r.stop(`k${i}`);
    }
    assert.equal(r.size, 0);
    const slots = (r as unknown as { slots: number }).slots;
    assert.ok(slots <= 2048 + 2, `${slots} queue slots held`);
    r.close();
  });
});
