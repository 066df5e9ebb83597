/**
 * The sensor against a real SIP user agent (baresip, headless, from
 * Debian's baresip-core): it registers with a digest, dials an
 * international number and gets the configured busy answer, over UDP and
 * TCP, as a fraudster's softphone would; a ringing number rings, then
 * answers busy. Each run gets its own config dir
 * and local port; baresip quits by itself after a few seconds.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SnareEvent } from '../../src/events/catalog.js';
import { baresip } from './baresip-run.js';
import { suiteSensor } from './sensor-process.js';

const SERVER = 'Asterisk PBX 13.38.3';
const NUMBER = '00972501234567';

/** Lets the sensor's event lines reach their file. */
const settle = () => new Promise((r) => setTimeout(r, 300));

const from = (events: SnareEvent[], transport: string, ua = 'baresip') =>
  events.filter((e) => e.transport === transport && (e.user_agent ?? '').startsWith(ua));

describe('baresip against the sensor', () => {
  const sensor = suiteSensor({
    persona: { server: SERVER, preset: 'chan_sip_leaky', always_auth_reject: false },
    extensions: [{ number: '100', password: 'qwerty12' }],
    dial: { default: 486, rules: [{ pattern: '^0044', response: 180 }], ring_seconds: 2 },
  });

  for (const transport of ['udp', 'tcp'] as const) {
    it(`registers with a digest and dials out, getting 486 (${transport})`, async () => {
      const out = await baresip(sensor().port, transport, 'qwerty12', NUMBER);
      assert.match(out, new RegExp(`200 OK \\(${SERVER.replace(/\./g, '\\.')}\\)`), out);
      assert.match(out, /100 Trying/, out);
      assert.match(out, /486 Busy Here/, out);
      await settle();
      const ev = from(sensor().events(), transport);
      const registered = ev.filter((e) => e.method === 'REGISTER' && e.response === 200);
      const reg = registered[0];
      assert.ok(reg, JSON.stringify(ev));
      assert.equal(reg.auth_user, '100');
      assert.equal(reg.auth_ok, true);
      assert.equal(reg.password_guess, 'qwerty12');
      const invites = ev.filter((e) => e.method === 'INVITE');
      assert.deepEqual(
        invites.map((e) => [e.response, e.dialed, e.auth_ok ?? null]),
        [
          [401, NUMBER, null],
          [486, NUMBER, true],
        ],
      );
      // baresip ACKs both final answers; nothing was ever accepted.
      assert.equal(ev.filter((e) => e.method === 'ACK').length, 2);
      assert.ok(ev.every((e) => e.method !== 'INVITE' || e.response !== 200));
    });
  }

  it('a ringing call ends with 486 after dial.ring_seconds, and baresip ACKs it', async () => {
    const before = sensor().events().length;
    const out = await baresip(sensor().port, 'udp', 'qwerty12', '00442079460000');
    assert.match(out, /180 Ringing/, out);
    assert.match(out, /486 Busy Here/, out);
    await settle();
    const ev = from(sensor().events().slice(before), 'udp');
    const invites = ev.filter((e) => e.method === 'INVITE' && e.auth_ok === true);
    assert.deepEqual(
      invites.map((e) => [e.response, e.dialed]),
      [[180, '00442079460000']],
    );
    // The ACK for the 486 (baresip also ACKs the 401 of the first INVITE).
    assert.equal(ev.filter((e) => e.method === 'ACK').length, 2);
  });

  it('a wrong password is refused, and the guess is recovered from the wordlist', async () => {
    const out = await baresip(sensor().port, 'udp', 'letmein', null);
    assert.match(out, /403 Forbidden/, out);
    await settle();
    const refused = from(sensor().events(), 'udp').filter(
      (e) => e.method === 'REGISTER' && e.password_guess === 'letmein',
    );
    assert.ok(refused.length >= 1);
    assert.ok(refused.every((e) => e.response === 403 && e.auth_ok === false));
  });
});
