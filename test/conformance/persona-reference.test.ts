/**
 * @module
 * Replays every recorded request of the real Asterisk reference through the
 * persona, configured like that Asterisk, and compares each answer with the
 * recorded one byte for byte after normalising what differs per run (To
 * tags, nonces, Date). Digests are re-signed with the persona's nonce and
 * the known password (or a wrong one when the recorded digest was wrong).
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it, after } from 'node:test';
import type { PersonaPreset } from '../../src/config/types.js';
import { createAsteriskPersona } from '../../src/sensor/persona/index.js';
import type { InboundContext, OutboundMessage } from '../../src/sensor/persona/index.js';
import { referenceConfig, seededRandom } from '../fixtures/sip/persona-config.js';
import { REPO_ROOT, testdata } from '../helpers/shared.js';
import { paramIn, resign, stepsOf } from './replay.js';

const RUNS: { dir: string; preset: PersonaPreset; aar: boolean }[] = [
  { dir: 'alwaysauthreject_no', preset: 'chan_sip_leaky', aar: false },
  { dir: 'alwaysauthreject_yes', preset: 'chan_sip', aar: true },
  { dir: 'extras_alwaysauthreject_yes', preset: 'chan_sip', aar: true },
];

/** Replaces what legitimately differs per run, and checks its format while doing so. */
export function normalise(text: string): string {
  return text
    .replace(/tag=as[0-9a-f]{8}/g, 'tag=asXXXXXXXX')
    .replace(/nonce="[0-9a-f]{8}"/g, 'nonce="NNNNNNNN"')
    .replace(
      /^Date: (Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT\r$/m,
      'Date: DATE\r',
    );
}

const totals = { compared: 0, matched: 0 };
after(() => {
  const share = totals.compared === 0 ? 0 : (100 * totals.matched) / totals.compared;
  console.log(
    `persona vs reference: ${totals.matched}/${totals.compared} responses match (${share.toFixed(1)}%)`,
  );
});

for (const run of RUNS) {
  describe(`persona replays the reference run ${run.dir}`, () => {
    const root = testdata('asterisk-reference', run.dir);
    const persona = createAsteriskPersona(referenceConfig(run.preset, run.aar), {
      random: seededRandom(run.dir.length),
    });
    const probes = readdirSync(join(root, 'raw')).sort();
    for (const probe of probes) {
      it(`answers ${probe} like the recorded Asterisk`, () => {
        const transcript = readFileSync(join(root, `${probe}.txt`), 'latin1');
        const clientPort = Number(/client_port=(\d+)/.exec(transcript)?.[1] ?? '5060');
        const transport = /transport=TCP/.test(transcript) ? 'tcp' : 'udp';
        const steps = stepsOf(join(root, 'raw', probe));
        const ours: OutboundMessage[] = [];
        let recordedNonce: string | null = null;
        let ourNonce: string | null = null;
        for (const step of steps) {
          if (step.dir === 'recv') {
            recordedNonce = paramIn(step.bytes, 'nonce') ?? recordedNonce;
            continue;
          }
          const ctx: InboundContext = {
            transport,
            srcIp: '127.0.0.1',
            srcPort: clientPort,
            dstIp: '127.0.0.1',
            dstPort: 25060,
            now: new Date('2026-11-25T02:23:37Z'),
          };
          const result = persona.handle(
            resign(
              step.bytes,
              { nonce: recordedNonce, opaque: null },
              { nonce: ourNonce, opaque: null },
            ),
            ctx,
          );
          for (const r of result.replies) {
            ourNonce = paramIn(r.data, 'nonce') ?? ourNonce;
            ours.push(r);
          }
        }
        // Recorded answers (responses only; Asterisk's own qualify OPTIONS is out of scope),
        // with timer retransmissions collapsed into one.
        const recorded: { text: string; retransmitted: boolean }[] = [];
        for (const s of steps) {
          if (s.dir !== 'recv' || !s.bytes.toString('latin1').startsWith('SIP/2.0')) continue;
          const text = s.bytes.toString('latin1');
          const last = recorded[recorded.length - 1];
          if (last?.text === text) last.retransmitted = true;
          else recorded.push({ text, retransmitted: false });
        }
        assert.equal(ours.length, recorded.length, `answer count for ${probe}`);
        recorded.forEach((rec, i) => {
          const mine = ours[i]!;
          totals.compared++;
          assert.equal(
            normalise(mine.data.toString('latin1')),
            normalise(rec.text),
            `answer ${i + 1}`,
          );
          if (rec.retransmitted)
            assert.ok(mine.retransmitKey, `answer ${i + 1} should be retransmitted until ACK`);
          totals.matched++;
        });
      });
    }
  });
}

describe("docs/persona.md's figure", () => {
  it('is the count of answers compared and matched above', () => {
    const doc = readFileSync(join(REPO_ROOT, 'docs', 'persona.md'), 'utf8');
    const m = /\*\*(\d+) of (\d+) answers\s+match \(100 %\)\*\*/.exec(doc);
    assert.ok(m, 'docs/persona.md states "N of N answers match (100 %)"');
    assert.equal(totals.compared, Number(m[2]));
    assert.equal(totals.matched, Number(m[1]));
  });
});

describe('a fingerprinting attacker learns nothing static', () => {
  const persona = createAsteriskPersona(referenceConfig('chan_sip', true), {
    random: seededRandom(99),
  });
  const ctx: InboundContext = {
    transport: 'udp',
    srcIp: '203.0.113.5',
    srcPort: 5060,
    dstIp: '192.0.2.1',
    dstPort: 5060,
    now: new Date('2026-05-01T00:00:00Z'),
  };
  const probe = (method: string, i: number): Buffer =>
    Buffer.from(
      `${method} sip:${100 + i}@192.0.2.1 SIP/2.0\r\n` +
        `Via: SIP/2.0/UDP 203.0.113.5:5060;branch=z9hG4bK-${i}x;rport\r\n` +
        `From: "sipvicious"<sip:${100 + i}@1.1.1.1>;tag=${6162 + i}\r\n` +
        `To: "sipvicious"<sip:${100 + i}@1.1.1.1>\r\n` +
        `Call-ID: scan-${i}\r\nCSeq: ${i + 1} ${method}\r\nUser-Agent: friendly-scanner\r\nContent-Length: 0\r\n\r\n`,
      'latin1',
    );

  it('uses a fresh as%08x To tag per dialog and a fresh nonce per challenge', () => {
    const tags = new Set<string>();
    const nonces = new Set<string>();
    for (let i = 0; i < 30; i++) {
      const opt = persona.handle(probe('OPTIONS', i), ctx).replies[0]!.data.toString('latin1');
      const reg = persona.handle(probe('REGISTER', i), ctx).replies[0]!.data.toString('latin1');
      tags.add(/^To: .*;tag=(as[0-9a-f]{8})\r$/m.exec(opt)?.[1] ?? 'missing');
      nonces.add(paramIn(Buffer.from(reg, 'latin1'), 'nonce') ?? 'missing');
    }
    assert.equal(tags.size, 30);
    assert.equal(nonces.size, 30);
    assert.ok(![...nonces].some((n) => !/^[0-9a-f]{8}$/.test(n)));
  });

  it('echoes Via, From, Call-ID and CSeq exactly, names the configured Server, and sends no body', () => {
    const res = persona.handle(probe('OPTIONS', 77), ctx).replies[0]!.data.toString('latin1');
    assert.match(res, /^SIP\/2\.0 404 Not Found\r\n/);
    assert.ok(
      res.includes(
        'Via: SIP/2.0/UDP 203.0.113.5:5060;branch=z9hG4bK-77x;received=203.0.113.5;rport=5060\r\n',
      ),
    );
    assert.ok(res.includes('From: "sipvicious"<sip:177@1.1.1.1>;tag=6239\r\n'));
    assert.ok(
      res.includes('Call-ID: scan-77\r\nCSeq: 78 OPTIONS\r\nServer: Asterisk PBX 18.26.4\r\n'),
    );
    assert.ok(res.endsWith('Content-Length: 0\r\n\r\n'));
  });

  it('stays silent for garbage, keepalives, stray responses and a request without Via', () => {
    const inputs = [
      Buffer.from('\x00\x01garbage\xff'),
      Buffer.from('\r\n\r\n'),
      Buffer.from('SIP/2.0 200 OK\r\nCall-ID: x\r\nCSeq: 1 OPTIONS\r\n\r\n'),
      Buffer.from(
        probe('OPTIONS', 1)
          .toString('latin1')
          .replace(/^Via:.*\r\n/m, ''),
        'latin1',
      ),
    ];
    for (const b of inputs) assert.deepEqual(persona.handle(b, ctx).replies, []);
  });
});
