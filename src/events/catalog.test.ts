import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { emptyEvent, FIELD_NAMES, validateEvent } from './catalog.js';

/** The fields every event must have. */
const REQUIRED = {
  event: 'sip.request',
  event_id: 'x',
  ts: '2026-01-01T00:00:00.000Z',
  sensor: 's',
  src_ip: '192.0.2.1',
};

describe('event catalog', () => {
  it('accepts a complete event and rejects unknown keys and wrong types', () => {
    const ev = { ...emptyEvent(), ...REQUIRED, cseq: 1 };
    assert.equal(validateEvent(ev).ok, true);
    assert.equal(validateEvent({ ...ev, bogus: 1 }).ok, false);
    assert.equal(validateEvent({ ...ev, cseq: '1' }).ok, false);
    assert.equal(validateEvent({ ...ev, event: 'sip.nope' }).ok, false);
    const hostile = validateEvent({ ...ev, '\u001b[2J\nforged: line': 1 });
    assert.ok(!hostile.ok);
    assert.equal(hostile.error, 'unknown field "\\u001b[2J\\nforged: line"');
    const { sensor: _s, ...noSensor } = ev;
    assert.equal(validateEvent(noSensor).ok, false);
    // Names of Object.prototype are no fields either.
    for (const key of ['toString', 'constructor', '__proto__']) {
      const line = JSON.stringify(ev).replace(/}$/, `,"${key}":1}`);
      assert.equal(validateEvent(JSON.parse(line)).ok, false, key);
    }
  });
  it('completes a valid event with null for every absent field', () => {
    const v = validateEvent({ ...REQUIRED });
    assert.ok(v.ok);
    assert.deepEqual(Object.keys(v.event).sort(), [...FIELD_NAMES].sort());
    assert.equal(v.event.method, null);
  });
  it('refuses a src_ip or dst_ip that is not an IP address', () => {
    const ev = { ...emptyEvent(), ...REQUIRED };
    for (const ip of ['192.0.2.1', '2001:db8::1', '::ffff:192.0.2.1', '::']) {
      assert.equal(validateEvent({ ...ev, src_ip: ip, dst_ip: ip }).ok, true, ip);
    }
    for (const bad of ['\u001b[31mred\u0007', '210.184.X.Y', 'host.example', '', '1.2.3.4\u0000']) {
      const src = validateEvent({ ...ev, src_ip: bad });
      assert.deepEqual(src, { ok: false, error: 'field "src_ip" must be an IP address' }, bad);
      const dst = validateEvent({ ...ev, dst_ip: bad });
      assert.deepEqual(dst, { ok: false, error: 'field "dst_ip" must be an IP address' }, bad);
    }
  });
  it('an empty event has every field and only null values', () => {
    const ev = emptyEvent();
    assert.deepEqual(Object.keys(ev), FIELD_NAMES);
    assert.ok(Object.values(ev).every((v) => v === null));
  });
});
