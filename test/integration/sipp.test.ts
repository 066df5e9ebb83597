/**
 * The sensor against sipp (a SIP test tool nobody here wrote) over UDP and
 * TCP: digest-authenticated REGISTER, a toll-fraud INVITE answered 100 then
 * the configured final response, and a ringing INVITE cancelled. The event
 * files must hold each of them with the dialed number and the password.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { REPO_ROOT } from '../helpers/shared.js';
import { freePort, runTool, startSensorProcess, type SensorProcess } from './sensor-process.js';

const SCENARIOS = join(REPO_ROOT, 'test', 'integration', 'sipp');
const PASSWORD = 'qwerty12';
const NUMBER = '0014972501234567';
const RINGING = '00972501234567';

async function sipp(s: SensorProcess, scenario: string, service: string, transport: 'u1' | 't1') {
  const args = [
    '-sf',
    join(SCENARIOS, scenario),
    '-s',
    service,
    '-key',
    'from_user',
    '100',
    '-au',
    '100',
    '-ap',
    PASSWORD,
    '-m',
    '1',
    '-t',
    transport,
    '-timeout',
    '20s',
    '-timeout_error',
    '-p',
    String(await freePort()),
    '-trace_err',
    `127.0.0.1:${s.port}`,
  ];
  return runTool('sipp', args, 30000, s.dir);
}

describe('sipp scenarios', () => {
  let s: SensorProcess;
  before(async () => {
    s = await startSensorProcess({
      extensions: [{ number: '100', password: PASSWORD }],
      dial: { default: 486, rules: [{ pattern: '^00972', response: 180 }] },
    });
  });
  after(async () => {
    await s.cleanup();
  });

  for (const transport of ['u1', 't1'] as const) {
    const name = transport === 'u1' ? 'UDP' : 'TCP';
    it(`REGISTER with digest authentication succeeds over ${name}`, async () => {
      const r = await sipp(s, 'register.xml', '100', transport);
      assert.equal(r.status, 0, r.out);
    });
    it(`an authenticated INVITE to an international number gets 100 then 486 over ${name}`, async () => {
      const r = await sipp(s, 'invite.xml', NUMBER, transport);
      assert.equal(r.status, 0, r.out);
    });
    it(`a ringing INVITE is cancelled with 487 over ${name}`, async () => {
      const r = await sipp(s, 'cancel.xml', RINGING, transport);
      assert.equal(r.status, 0, r.out);
    });
  }

  it('the event files hold the calls with the dialed number and the password', async () => {
    assert.equal(await s.stop(), 0);
    const evs = s.events();
    for (const transport of ['udp', 'tcp']) {
      const calls = evs.filter(
        (e) => e.transport === transport && e.method === 'INVITE' && e.dialed === NUMBER,
      );
      const authed = calls.find((e) => e.auth_ok === true);
      assert.ok(authed, `${transport}: authenticated INVITE recorded`);
      assert.equal(authed.response, 486);
      assert.equal(authed.password_guess, PASSWORD);
      assert.equal(authed.auth_user, '100');
      assert.ok(
        calls.some((e) => e.response === 401),
        `${transport}: challenge recorded`,
      );
      const reg = evs.find(
        (e) => e.transport === transport && e.method === 'REGISTER' && e.auth_ok === true,
      );
      assert.equal(reg?.response, 200);
      assert.ok(
        evs.some((e) => e.transport === transport && e.method === 'CANCEL' && e.dialed === null),
      );
      assert.ok(
        evs.some(
          (e) =>
            e.transport === transport &&
            e.method === 'INVITE' &&
            e.dialed === RINGING &&
            e.response === 180,
        ),
      );
    }
    const legacy = readFileSync(join(s.dir, 'legacy.log'), 'utf8');
    assert.match(
      legacy,
      new RegExp(
        `method: INVITE, from: "100", to: "${NUMBER}", resp: 486, user-agent: "sipsnare-sipp-invite"`,
      ),
    );
  });
});
