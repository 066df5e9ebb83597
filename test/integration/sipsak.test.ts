/**
 * The sensor against sipsak (Debian's sipsak), the SIP swiss army knife
 * that scanners and admins both use: an OPTIONS probe of the bare host,
 * and registration with a digest (its usrloc mode), with the right and a
 * wrong password. sipsak's exit status says whether it got what it wanted.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runTool, suiteSensor } from './sensor-process.js';

const SERVER = 'Asterisk PBX 11.25.3';

/** Lets the sensor's event lines reach their file. */
const settle = () => new Promise((r) => setTimeout(r, 300));

describe('sipsak against the sensor', () => {
  const sensor = suiteSensor({
    persona: { server: SERVER, preset: 'chan_sip_leaky', always_auth_reject: false },
    extensions: [{ number: '100', password: 'qwerty12' }],
  });
  const sipsak = (...args: string[]) => runTool('sipsak', args, 30000);

  it('OPTIONS to the bare host: 404 from the configured Asterisk, as the reference answers', () => {
    const r = sipsak('-vv', '-s', `sip:127.0.0.1:${sensor().port}`);
    assert.match(r.out, /SIP\/2\.0 404 Not Found/, r.out);
    assert.ok(r.out.includes(`Server: ${SERVER}`), r.out);
    // sipsak exits 1 for a final answer that is not 2xx.
    assert.equal(r.status, 1, r.out);
  });

  it('registers with the right password, and is refused with a wrong one whose guess is recovered', async () => {
    const reg = (password: string) =>
      sipsak(
        '-U',
        '-C',
        'sip:100@127.0.0.1:5999',
        '-a',
        password,
        '-u',
        '100',
        '-s',
        `sip:100@127.0.0.1:${sensor().port}`,
      );
    const ok = reg('qwerty12');
    assert.equal(ok.status, 0, ok.out);
    const bad = reg('letmein');
    assert.equal(bad.status, 1, bad.out);
    assert.match(bad.out, /didn't received '200 OK' on register/, bad.out);
    await settle();
    const regs = sensor()
      .events()
      .filter((e) => e.method === 'REGISTER' && (e.user_agent ?? '').startsWith('sipsak'));
    assert.deepEqual(
      regs.map((e) => [e.response, e.auth_ok ?? null, e.password_guess ?? null]),
      [
        [401, null, null],
        [200, true, 'qwerty12'],
        [401, null, null],
        [403, false, 'letmein'],
      ],
    );
  });
});
