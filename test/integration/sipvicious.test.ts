/**
 * The sensor against the attack tools of the article's era (sipvicious
 * 0.3.3: svmap, svwar, svcrack), run as real processes on loopback. Each
 * tool gets its own local port (-P) so nothing collides with port 5060.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { testdata } from '../helpers/shared.js';
import { freePort, runTool, suiteSensor } from './sensor-process.js';

const SERVER = 'Asterisk PBX 11.25.3';
const EXTENSIONS = [
  { number: '100', password: 'qwerty12' },
  { number: '101', password: 'Xk9#mQ2!vL7p-long' },
  { number: '120', password: 's3cret' },
];
const WORDLIST = testdata('asterisk-reference', 'alwaysauthreject_no', 'svcrack_wordlist.txt');

/** Extension numbers from an svwar result table (`| 100 | reqauth |`). */
function tableExtensions(out: string): string[] {
  return [...out.matchAll(/^\|\s*(\d+)\s*\|\s*(\S+)\s*\|$/gm)].map((m) => m[1] ?? '');
}

/** svwar over extensions 100-130 of the sensor at `port`, with extra options (`-m INVITE`). */
async function svwar(port: number, ...options: string[]): Promise<ReturnType<typeof runTool>> {
  return runTool(
    'svwar',
    ['-e100-130', ...options, '-p', String(port), '-P', String(await freePort()), '127.0.0.1'],
    60000,
  );
}

describe('sipvicious against the leaky persona (alwaysauthreject=no)', () => {
  const sensor = suiteSensor({
    persona: { server: SERVER, preset: 'chan_sip_leaky', always_auth_reject: false },
    extensions: EXTENSIONS,
  });

  it('svmap fingerprints the configured Server string', async () => {
    const r = runTool(
      'svmap',
      ['-p', String(sensor().port), '-P', String(await freePort()), '127.0.0.1'],
      30000,
    );
    assert.equal(r.status, 0, r.out);
    assert.match(
      r.out,
      new RegExp(`\\| 127\\.0\\.0\\.1:${sensor().port} \\| ${SERVER.replace(/\./g, '\\.')} \\|`),
    );
  });

  it('svwar finds exactly the configured extensions in 100-130', async () => {
    const r = await svwar(sensor().port);
    assert.equal(r.status, 0, r.out);
    assert.deepEqual(tableExtensions(r.out), ['100', '101', '120'], r.out);
    assert.match(r.out, /\|\s*100\s*\|\s*reqauth\s*\|/);
  });

  // The real Asterisk answered svwar's OPTIONS scan with 404 for every
  // extension, and its INVITE scan's random baseline with an authentication
  // request, so svwar found nothing either way (asterisk-reference README).
  it('svwar -m OPTIONS finds nothing, as against a real Asterisk', async () => {
    const r = await svwar(sensor().port, '-m', 'OPTIONS');
    assert.equal(r.status, 0, r.out);
    assert.match(r.out, /found nothing/);
    assert.deepEqual(tableExtensions(r.out), []);
  });

  it('svwar -m INVITE gives up at its baseline, as against a real Asterisk', async () => {
    const before = sensor().events().length;
    const r = await svwar(sensor().port, '-m', 'INVITE');
    assert.equal(r.status, 0, r.out);
    assert.match(r.out, /authentication request for an unknown extension/);
    assert.match(r.out, /found nothing/);
    assert.deepEqual(tableExtensions(r.out), []);
    await new Promise((res) => setTimeout(res, 300));
    const invites = sensor()
      .events()
      .slice(before)
      .filter((e) => e.method === 'INVITE');
    assert.ok(invites.length >= 1, 'the baseline INVITE is recorded');
    assert.ok(invites.every((e) => e.response === 401 || e.response === 403));
  });

  it('svcrack cracks the weak password, and the events keep every guess', async () => {
    const r = runTool(
      'svcrack',
      [
        '-u',
        '100',
        '-d',
        WORDLIST,
        '-p',
        String(sensor().port),
        '-P',
        String(await freePort()),
        '127.0.0.1',
      ],
      60000,
    );
    assert.equal(r.status, 0, r.out);
    assert.match(r.out, /\|\s*100\s*\|\s*qwerty12\s*\|/, r.out);
    await new Promise((res) => setTimeout(res, 300)); // events reach the file within ~100 ms
    const guesses = sensor()
      .events()
      .filter((e) => e.method === 'REGISTER' && e.password_guess !== null);
    const words = new Set(guesses.map((e) => e.password_guess));
    for (const w of ['password', '123456', 'admin', 'qwerty12'])
      assert.ok(words.has(w), `guess ${w} recorded`);
    const right = guesses.find((e) => e.password_guess === 'qwerty12');
    assert.equal(right?.auth_ok, true);
    assert.equal(right.auth_user, '100');
    assert.equal(guesses.find((e) => e.password_guess === 'admin')?.auth_ok, false);
  });

  it('records every probe with the shared fields and a scanner user agent', async () => {
    await new Promise((res) => setTimeout(res, 200));
    const evs = sensor().events();
    assert.ok(evs.length > 40, String(evs.length));
    for (const e of evs) {
      assert.equal(e.sensor, 'it01');
      assert.equal(e.dst_port, sensor().port);
      assert.equal(e.src_ip, '127.0.0.1');
    }
    assert.ok(evs.some((e) => e.method === 'OPTIONS' && e.user_agent === 'friendly-scanner'));
  });
});

describe('sipvicious against alwaysauthreject=yes', () => {
  const sensor = suiteSensor({
    persona: { server: SERVER, preset: 'chan_sip', always_auth_reject: true },
    extensions: EXTENSIONS,
  });

  it('svwar gives up as it does against a real Asterisk', async () => {
    const r = await svwar(sensor().port);
    assert.equal(r.status, 0, r.out);
    assert.match(r.out, /authentication request for an unknown extension/);
    assert.match(r.out, /found nothing/);
    assert.deepEqual(tableExtensions(r.out), []);
  });

  it('svcrack still cracks a known extension', async () => {
    const r = runTool(
      'svcrack',
      [
        '-u',
        '100',
        '-d',
        WORDLIST,
        '-p',
        String(sensor().port),
        '-P',
        String(await freePort()),
        '127.0.0.1',
      ],
      60000,
    );
    assert.match(r.out, /\|\s*100\s*\|\s*qwerty12\s*\|/, r.out);
  });
});
