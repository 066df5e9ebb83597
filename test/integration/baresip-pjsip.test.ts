/**
 * A real softphone (baresip) against the `pjsip` preset: its digest
 * answers the qop="auth" challenge (cnonce, nc), it registers and dials
 * out over UDP and TCP and gets `486 Busy Here` (with its Q.850 Reason),
 * and with a wrong password it meets 401 after 401, never 403, as
 * against Asterisk 20 with res_pjsip.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SnareEvent } from '../../src/events/catalog.js';
import { baresip } from './baresip-run.js';
import { suiteSensor } from './sensor-process.js';

const SERVER = 'Asterisk PBX 20.20.1';
const NUMBER = '00972501234567';

const settle = () => new Promise((r) => setTimeout(r, 300));
const fromBaresip = (events: SnareEvent[], transport: string) =>
  events.filter((e) => e.transport === transport && (e.user_agent ?? '').startsWith('baresip'));

describe('baresip against the pjsip preset', () => {
  const sensor = suiteSensor({
    persona: { server: SERVER, preset: 'pjsip', always_auth_reject: true },
    extensions: [{ number: '100', password: 'qwerty12' }],
  });

  for (const transport of ['udp', 'tcp'] as const) {
    it(`registers with a qop digest and dials out, getting 486 (${transport})`, async () => {
      const before = sensor().events().length;
      const out = await baresip(sensor().port, transport, 'qwerty12', NUMBER);
      assert.match(out, /200 OK \(Asterisk PBX 20\.20\.1\)/, out);
      assert.match(out, /100 Trying/, out);
      assert.match(out, /486 Busy Here/, out);
      await settle();
      const ev = fromBaresip(sensor().events().slice(before), transport);
      const registered = ev.filter((e) => e.method === 'REGISTER' && e.response === 200);
      assert.ok(registered.length >= 1, JSON.stringify(ev));
      assert.ok(registered.every((e) => e.auth_ok === true && e.auth_user === '100'));
      const invites = ev.filter((e) => e.method === 'INVITE');
      assert.deepEqual(
        invites.map((e) => [e.response, e.dialed, e.auth_ok ?? null]),
        [
          [401, NUMBER, null],
          [486, NUMBER, true],
        ],
      );
      // baresip ACKs the 401 and the 486; nothing was ever accepted.
      assert.equal(ev.filter((e) => e.method === 'ACK').length, 2);
      assert.ok(ev.every((e) => e.response !== 403));
    });
  }

  it('a wrong password meets 401 after 401, never 403', async () => {
    const before = sensor().events().length;
    const out = await baresip(sensor().port, 'udp', 'letmein', null);
    assert.match(out, /401 Unauthorized \(Asterisk PBX 20\.20\.1\)/, out);
    assert.doesNotMatch(out, /403/, out);
    await settle();
    const ev = fromBaresip(sensor().events().slice(before), 'udp');
    const tries = ev.filter((e) => e.method === 'REGISTER' && e.password_guess === 'letmein');
    assert.ok(tries.length >= 1, JSON.stringify(ev));
    assert.ok(tries.every((e) => e.response === 401 && e.auth_ok === false));
    assert.ok(
      ev.every((e) => e.response === 401),
      'every answer is a 401',
    );
  });
});
