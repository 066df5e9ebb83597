import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FIELD_NAMES, validateEvent, type SnareEvent } from './catalog.js';
import { EventLog } from './event-log.js';
import type { EventSink } from './sink.js';

function capture(): EventSink & { events: SnareEvent[] } {
  const events: SnareEvent[] = [];
  return {
    name: 'c',
    events,
    write: (e) => events.push(e),
    flush: () => Promise.resolve(),
    close: () => Promise.resolve(),
  };
}

describe('EventLog', () => {
  it('builds events with every schema field, in schema order, and valid', () => {
    const sink = capture();
    const log = new EventLog('hp01', sink);
    const at = new Date('2026-03-01T10:00:00.123Z');
    const a = log.emit(
      {
        event: 'sensor.rate_limited',
        transport: null,
        src_ip: '192.0.2.1',
        reason: 'source_rate',
        dropped: 5,
      },
      at,
    );
    const b = log.emitMessage(
      'sip.request',
      { transport: 'udp', srcIp: '192.0.2.2', srcPort: 5060, dstIp: '127.0.0.1', dstPort: 5070 },
      { method: 'INVITE', dialed: '0015551234', response: 486 },
      700,
      null,
      at,
    );
    for (const ev of [a, b]) {
      assert.deepEqual(Object.keys(ev), FIELD_NAMES);
      assert.ok(validateEvent(JSON.parse(JSON.stringify(ev))).ok);
      assert.equal(ev.sensor, 'hp01');
      assert.equal(ev.ts, '2026-03-01T10:00:00.123Z');
    }
    assert.equal(a.dropped, 5);
    assert.equal(b.size, 700);
    assert.equal(b.dialed, '0015551234');
    assert.equal(b.response, null, 'the response actually sent wins over the persona’s');
    assert.ok(a.event_id < b.event_id);
    assert.equal(log.counts.get('sip.request'), 1);
    assert.equal(sink.events.length, 2);
  });
});
