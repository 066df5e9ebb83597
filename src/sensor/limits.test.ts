import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ConnectionLimiter,
  MAX_PENDING_REPORTS,
  OVERFLOW_SOURCE,
  ResponseLimiter,
  withinAmplification,
} from './limits.js';
import { bytesPerItem, nthAddress } from '../testing/heap.js';

const opts = { perSourcePerS: 10, perSourceBurst: 5, globalPerS: 1000, maxTrackedSources: 100 };

describe('ResponseLimiter', () => {
  it('allows a burst per source, then refills at the sustained rate', () => {
    const l = new ResponseLimiter(opts);
    for (let i = 0; i < 5; i++) assert.equal(l.take('192.0.2.1', 0), null);
    assert.equal(l.take('192.0.2.1', 0), 'source_rate');
    assert.equal(l.take('192.0.2.2', 0), null, 'another source has its own bucket');
    assert.equal(l.take('192.0.2.1', 100), null, '100 ms at 10/s refills one token');
    assert.equal(l.take('192.0.2.1', 100), 'source_rate');
  });

  it('caps all sources together', () => {
    const l = new ResponseLimiter({ ...opts, globalPerS: 3 });
    assert.equal(l.take('a', 0), null);
    assert.equal(l.take('b', 0), null);
    assert.equal(l.take('c', 0), null);
    assert.equal(l.take('d', 0), 'global_rate');
    assert.equal(l.take('d', 400), null);
  });

  it('forgets the least recently seen source beyond max_tracked_sources', () => {
    const l = new ResponseLimiter({ ...opts, maxTrackedSources: 3 });
    for (let i = 0; i < 1000; i++) l.take(`10.0.${i >> 8}.${i & 255}`, 0);
    assert.equal(l.trackedSources, 3);
  });

  it('keeps a forgotten source to a fresh burst, within the global budget', () => {
    const l = new ResponseLimiter({ ...opts, maxTrackedSources: 2, globalPerS: 8 });
    for (let i = 0; i < 5; i++) assert.equal(l.take('192.0.2.1', 0), null);
    assert.equal(l.take('192.0.2.1', 0), 'source_rate');
    l.take('192.0.2.2', 0);
    l.take('192.0.2.3', 0);
    // 192.0.2.1 was forgotten: a fresh burst, but only what the global bucket has left.
    assert.equal(l.take('192.0.2.1', 0), null);
    assert.equal(l.take('192.0.2.1', 0), 'global_rate');
  });

  it('holds under 48 bytes a source offered (an LruMap of strings and buckets: 120)', () => {
    // 100,000 addresses offered, 65,536 kept: some 31 bytes a source offered, 48 a source kept.
    const per = bytesPerItem(
      () => new ResponseLimiter({ ...opts, maxTrackedSources: 65_536 }),
      (l, n) => {
        for (let i = 0; i < n; i++) l.take(nthAddress(i), i);
      },
      100_000,
    );
    assert.ok(per < 48, `${per.toFixed(1)} bytes a source offered`);
  });

  it('aggregates withheld answers per source and reason, bounded', () => {
    const l = new ResponseLimiter(opts);
    l.recordDrop('a', 'source_rate');
    l.recordDrop('a', 'source_rate');
    l.recordDrop('b', 'amplification');
    assert.deepEqual(l.drainReports(), [
      { srcIp: 'a', reason: 'source_rate', dropped: 2 },
      { srcIp: 'b', reason: 'amplification', dropped: 1 },
    ]);
    assert.deepEqual(l.drainReports(), []);
    for (let i = 0; i < MAX_PENDING_REPORTS + 50; i++) l.recordDrop(`s${i}`, 'global_rate');
    assert.ok(l.pendingReports <= MAX_PENDING_REPORTS + 1);
    const overflow = l.drainReports().find((r) => r.srcIp === OVERFLOW_SOURCE);
    assert.equal(overflow?.dropped, 50);
  });
});

describe('withinAmplification', () => {
  it('refuses UDP answers more than three times the request', () => {
    assert.ok(withinAmplification(200, 600));
    assert.ok(!withinAmplification(200, 601));
  });
});

describe('ConnectionLimiter', () => {
  it('bounds connections per source and in total, and frees slots', () => {
    const c = new ConnectionLimiter(3, 2);
    assert.equal(c.acquire('a'), null);
    assert.equal(c.acquire('a'), null);
    assert.equal(c.acquire('a'), 'tcp_source_connections');
    assert.equal(c.acquire('b'), null);
    assert.equal(c.acquire('c'), 'tcp_connections');
    c.release('a');
    assert.equal(c.acquire('c'), null);
    assert.equal(c.open, 3);
  });
});
