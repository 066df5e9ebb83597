/**
 * The sensor against nmap, run as a real process on loopback: service
 * detection over UDP, and its SIP scripts (methods, extension enumeration
 * by REGISTER). nmap's UDP scans need root, as an attacker's would; the
 * suite is skipped, with the reason, for other users.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runTool, suiteSensor } from './sensor-process.js';

const SERVER = 'Asterisk PBX 1.8.32.3';
const EXTENSIONS = [
  { number: '100', password: 'qwerty12' },
  { number: '117', password: 's3cret' },
  { number: '129', password: null },
  { number: '300', password: 'outside' },
];
const skip = process.getuid?.() === 0 ? false : 'nmap UDP scans need root';

/** nmap against the sensor's UDP port, SIP scripts forced onto the unusual port. */
function nmap(port: number, ...args: string[]): string {
  const r = runTool('nmap', ['-n', '-Pn', '-sU', '-p', String(port), ...args, '127.0.0.1'], 120000);
  assert.equal(r.status, 0, r.out);
  return r.out;
}

/** Lets the sensor's event lines reach their file (appended within ~50 ms). */
const settle = () => new Promise((r) => setTimeout(r, 300));

/** `NNN: Auth required` / `NNN: No auth` lines of sip-enum-users. */
function accounts(out: string): string[] {
  return [...out.matchAll(/^\|\s+(\d+): (?:Auth required|No auth)/gm)]
    .map((m) => m[1] ?? '')
    .sort();
}

const ENUM_ARGS = [
  '--script',
  '+sip-enum-users',
  '--script-args',
  'sip-enum-users.padding=0,sip-enum-users.minext=95,sip-enum-users.maxext=140',
];

describe('nmap against the leaky persona', { skip }, () => {
  const sensor = suiteSensor({
    persona: { server: SERVER, preset: 'chan_sip_leaky', always_auth_reject: false },
    extensions: EXTENSIONS,
  });

  it('service detection names the configured Asterisk', () => {
    const out = nmap(sensor().port, '-sV');
    assert.match(out, new RegExp(`open\\s+sip\\S*\\s+${SERVER.replace(/\./g, '\\.')}`), out);
  });

  it('sip-methods lists the methods of the Allow header', () => {
    const out = nmap(sensor().port, '--script', '+sip-methods');
    assert.match(out, /sip-methods: INVITE, ACK, CANCEL, OPTIONS, BYE, REFER/, out);
  });

  it('sip-enum-users finds exactly the configured extensions in the range', async () => {
    const out = nmap(sensor().port, ...ENUM_ARGS);
    await settle();
    assert.deepEqual(accounts(out), ['100', '117', '129'], out);
    assert.match(out, /129: No auth/, out);
    // Every guess is an event: 46 extensions, each a REGISTER from nmap.
    const registers = sensor()
      .events()
      .filter((e) => e.method === 'REGISTER');
    assert.ok(registers.length >= 46, `${registers.length} REGISTER events`);
  });
});

describe('nmap against alwaysauthreject', { skip }, () => {
  const sensor = suiteSensor({
    persona: { server: SERVER, preset: 'chan_sip', always_auth_reject: true },
    extensions: EXTENSIONS,
  });

  it('sip-enum-users cannot tell the configured extensions from the others', async () => {
    const out = nmap(sensor().port, ...ENUM_ARGS);
    await settle();
    // Its probe of a random number gets the same 401 as a real extension, so it lists nothing.
    assert.deepEqual(accounts(out), [], out);
    const answers = sensor()
      .events()
      .map((e) => `${e.method} ${e.response}`);
    assert.ok(answers.includes('REGISTER 401'), answers.join());
  });
});
