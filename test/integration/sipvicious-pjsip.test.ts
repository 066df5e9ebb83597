/**
 * The `pjsip` preset against sipvicious 0.3.3 (svmap, svwar, svcrack), run
 * as real processes on loopback, compared with what the same tools got
 * from the recorded Asterisk 20.20.1 with res_pjsip
 * (asterisk-reference-pjsip/default/sv*.txt): svmap reads the Server of a
 * 401; svwar gives up at its baseline in all three modes (and finds
 * nothing with --force); svcrack cracks a known extension, every wrong
 * word getting another 401, and finds nothing for an unknown one.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { testdata } from '../helpers/shared.js';
import { freePort, runTool, suiteSensor } from './sensor-process.js';

const SERVER = 'Asterisk PBX 20.20.1';
const EXTENSIONS = [
  { number: '100', password: 'qwerty12' },
  { number: '101', password: 'Xk9#mQ2!vL7p-long' },
  { number: '120', password: 's3cret' },
];
const RECORDING = testdata('asterisk-reference-pjsip', 'default');
const WORDLIST = `${RECORDING}/svcrack_wordlist.txt`;
const recorded = (file: string): string => readFileSync(`${RECORDING}/${file}`, 'latin1');

/** Extension numbers from an svwar or svcrack result table (`| 100 | reqauth |`). */
function tableRows(out: string): string[] {
  return [...out.matchAll(/^\|\s*(\d+)\s*\|\s*(\S+)\s*\|$/gm)].map((m) => m[1] ?? '');
}

const sleep = (ms: number): Promise<void> => new Promise((res) => setTimeout(res, ms));

describe('sipvicious against the pjsip preset (as against Asterisk 20 with res_pjsip)', () => {
  const sensor = suiteSensor({
    persona: { server: SERVER, preset: 'pjsip', always_auth_reject: true },
    extensions: EXTENSIONS,
  });
  const port = (): string => String(sensor().port);
  const tool = async (cmd: string, ...args: string[]) =>
    runTool(cmd, [...args, '-p', port(), '-P', String(await freePort()), '127.0.0.1'], 60000);
  const since = (n: number) => sensor().events().slice(n);

  it('svmap fingerprints it from the Server header of a 401', async () => {
    const before = sensor().events().length;
    const r = await tool('svmap');
    assert.equal(r.status, 0, r.out);
    assert.match(recorded('svmap.txt'), /\| 127\.0\.0\.1:25070 \| Asterisk PBX 20\.20\.1 \|/);
    assert.match(
      r.out,
      new RegExp(`\\| 127\\.0\\.0\\.1:${port()} \\| Asterisk PBX 20\\.20\\.1 \\|`),
    );
    await sleep(300);
    const options = since(before).filter((e) => e.method === 'OPTIONS');
    assert.ok(options.length >= 1, 'the OPTIONS probe is recorded');
    assert.ok(options.every((e) => e.response === 401));
  });

  for (const mode of ['REGISTER', 'OPTIONS', 'INVITE']) {
    it(`svwar -m ${mode} gives up at its baseline and finds nothing`, async () => {
      const before = sensor().events().length;
      const r = await tool('svwar', '-e100-130', '-m', mode);
      assert.equal(r.status, 0, r.out);
      const ref = mode === 'REGISTER' ? 'svwar.txt' : `svwar_${mode.toLowerCase()}.txt`;
      for (const text of [recorded(ref), r.out]) {
        assert.match(text, /authentication request for an unknown extension/);
        assert.match(text, /found nothing/);
      }
      assert.deepEqual(tableRows(r.out), []);
      await sleep(300);
      const probes = since(before).filter((e) => e.method === mode);
      assert.ok(probes.length >= 1, 'the baseline request is recorded');
      assert.ok(
        probes.every((e) => e.response === 401),
        JSON.stringify(probes.map((e) => e.response)),
      );
    });
  }

  it('svwar --force meets a 401 for every extension and finds nothing', async () => {
    const r = await tool('svwar', '--force', '-e100-130');
    assert.equal(r.status, 0, r.out);
    for (const text of [recorded('svwar_force.txt'), r.out]) {
      assert.match(text, /Bad user = SIP\/2\.0 401/);
      assert.match(text, /found nothing/);
    }
    assert.deepEqual(tableRows(r.out), []);
  });

  it('svcrack cracks 100: every wrong word gets another 401, the right one 200', async () => {
    const before = sensor().events().length;
    const r = await tool('svcrack', '-u', '100', '-d', WORDLIST);
    assert.equal(r.status, 0, r.out);
    assert.match(recorded('svcrack.txt'), /\|\s*100\s*\|\s*qwerty12\s*\|/);
    assert.match(r.out, /\|\s*100\s*\|\s*qwerty12\s*\|/, r.out);
    await sleep(300);
    const tries = since(before).filter((e) => e.method === 'REGISTER' && e.auth_user === '100');
    const right = tries.filter((e) => e.auth_ok === true);
    const wrong = tries.filter((e) => e.auth_ok === false);
    assert.equal(right.length, 1, JSON.stringify(tries.map((e) => e.response)));
    const hit = right[0];
    assert.ok(hit);
    assert.equal(hit.response, 200);
    assert.equal(hit.password_guess, 'qwerty12');
    assert.ok(wrong.length >= 7, String(wrong.length));
    assert.ok(
      wrong.every((e) => e.response === 401),
      'a wrong digest gets 401 again, never 403',
    );
    for (const w of ['password', '123456', 'admin'])
      assert.ok(
        wrong.some((e) => e.password_guess === w),
        `guess ${w} recovered`,
      );
  });

  it('svcrack finds nothing for an unknown extension, every word getting a 401', async () => {
    const before = sensor().events().length;
    const r = await tool('svcrack', '-u', '999', '-d', WORDLIST);
    assert.equal(r.status, 0, r.out);
    for (const text of [recorded('svcrack_unknown_user.txt'), r.out])
      assert.match(text, /found nothing/);
    assert.deepEqual(tableRows(r.out), []);
    await sleep(300);
    const tries = since(before).filter((e) => e.method === 'REGISTER');
    const words = readFileSync(WORDLIST, 'latin1')
      .split('\n')
      .filter((w) => w.trim() !== '');
    assert.ok(tries.length > words.length, `${tries.length} REGISTERs for ${words.length} words`);
    assert.ok(tries.every((e) => e.response === 401));
  });
});
