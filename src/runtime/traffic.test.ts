import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { emptyEvent, type SnareEvent } from '../events/catalog.js';
import { bytesPerItem, nthAddress } from '../testing/heap.js';
import { DistinctSources } from './distinct-sources.js';
import { MAX_SOURCES_COUNTED, TrafficCounter } from './traffic.js';

function request(ip: string, method = 'OPTIONS'): SnareEvent {
  return { ...emptyEvent(), event: 'sip.request', method, src_ip: ip, sensor: 's1' };
}

describe('TrafficCounter', () => {
  it('counts the messages, calls and distinct sources of an interval', () => {
    const t = new TrafficCounter();
    for (const ip of ['192.0.2.1', '192.0.2.2', '192.0.2.1', '::ffff:192.0.2.2', '2001:db8::1'])
      t.write(request(ip));
    t.write(request('2001:db8:0::1', 'INVITE'));
    t.write(request('0.0.0.0'));
    t.write(request('0.0.0.0'));
    const c = t.take();
    assert.equal(c.messages, 8);
    assert.equal(c.calls, 1);
    assert.equal(c.sources, 4, '192.0.2.1, 192.0.2.2, 2001:db8::1, 0.0.0.0');
    assert.equal(t.take().sources, 0, 'a fresh interval');
  });

  it('counts IPv4 sources exactly, up to MAX_SOURCES_COUNTED', () => {
    const t = new TrafficCounter();
    for (let i = 0; i < MAX_SOURCES_COUNTED + 500; i++) t.write(request(nthAddress(i)));
    for (let i = 0; i < 1000; i++) t.write(request(nthAddress(i)));
    assert.equal(t.take().sources, MAX_SOURCES_COUNTED);
    for (let i = 0; i < 70_000; i++) t.write(request(nthAddress(3 * i)));
    assert.equal(t.take().sources, 70_000);
  });

  it('holds under 16 bytes a distinct source (a Set of strings: 58)', () => {
    const per = bytesPerItem(
      () => new TrafficCounter(),
      (t, n) => {
        for (let i = 0; i < n; i++) t.write(request(nthAddress(i)));
      },
      100_000,
    );
    assert.ok(per < 16, `${per.toFixed(1)} bytes a source`);
  });
});

describe('DistinctSources', () => {
  it('counts IPv6 sources by digest: none missed among 50,000 here', () => {
    const d = new DistinctSources(1_000_000);
    for (let i = 0; i < 50_000; i++)
      d.add(`2001:db8::${(i >>> 16).toString(16)}:${(i & 0xffff).toString(16)}`);
    assert.equal(d.size, 50_000);
    d.clear();
    assert.equal(d.size, 0);
  });
});
