/**
 * @module
 * Replays every recorded request of the real Asterisk 20.20.1 (res_pjsip)
 * reference through the `pjsip` preset, configured like that PBX, and
 * compares each probe's answers three ways: the status sequence (with
 * which final answers are retransmitted until the ACK), the
 * header names in order, and the whole text after normalising what differs
 * per run (UUID To tags, numbered per probe so a dialog keeps one, nonces,
 * opaques, Date). Digests are re-signed with the preset's nonce and opaque,
 * right or wrong as recorded; the clock follows the recording (the time in
 * its nonces and the transcripts' offsets), so the registrar's countdowns
 * can be compared.
 *
 * Prints the three figures (`node scripts/run-tests.mjs
 * persona-reference-pjsip`) and fails when any probe not listed in
 * EXCEPTIONS differs on any of them.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { createAsteriskPersona } from '../../src/sensor/persona/index.js';
import type { InboundContext } from '../../src/sensor/persona/index.js';
import { referenceConfig, seededRandom } from '../fixtures/sip/persona-config.js';
import { REPO_ROOT, testdata } from '../helpers/shared.js';
import { paramIn, resign, stepsOf, type Challenge, type Step } from './replay.js';

const RUNS = ['default', 'extras', 'extras_authenticated'];

/**
 * Probes allowed to differ from the recording, per measure, each named and
 * justified in docs/persona.md. Every other probe must match all three: the
 * matched set may grow, never shrink.
 */
const EXCEPTIONS: Record<'status' | 'headers' | 'text', readonly string[]> = {
  status: [],
  headers: [],
  text: [],
};

/** Replaces what legitimately differs per run, and checks its format while doing so. */
export function normalisePjsip(text: string, uuids: string[] = []): string {
  return text
    .replace(
      /tag=([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})/g,
      (_, id: string) => {
        if (!uuids.includes(id)) uuids.push(id);
        return `tag=UUID${uuids.indexOf(id) + 1}`;
      },
    )
    .replace(/nonce="\d{10}\/[0-9a-f]{32}"/g, 'nonce="NONCE"')
    .replace(/opaque="[0-9a-f]{16}"/g, 'opaque="OPAQUE"')
    .replace(
      /^Date: (Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT\r$/m,
      'Date: DATE\r',
    );
}

/**
 * When the probe ran, to the second: the time in the first nonce Asterisk
 * sent (`<seconds>/<hash>`), else `fallback` (the previous probe's). The
 * registrar's countdowns (`expires=58` one second after a 60 s binding)
 * need the probes' real spacing.
 */
function startOf(steps: readonly Step[], fallback: number): number {
  for (const s of steps) {
    const m = /nonce="(\d{10})\//.exec(s.bytes.toString('latin1'));
    if (s.dir === 'recv' && m?.[1]) return Number(m[1]) * 1000 - s.t * 1000;
  }
  return fallback;
}

const statusOf = (text: string): string => /^SIP\/2\.0 (\d{3})/.exec(text)?.[1] ?? '?';

/**
 * An answer and whether it is retransmitted until the ACK; `null`: cannot
 * tell (the recorded client ACKed it before T1, 500 ms, so Asterisk had no
 * time to resend it).
 */
interface Answer {
  readonly text: string;
  readonly rtx: boolean | null;
}
const headerNames = (text: string): string =>
  text
    .split('\r\n')
    .slice(1)
    .filter((l) => l !== '')
    .map((l) => l.slice(0, l.indexOf(':')))
    .join(',');

const figures = {
  probes: 0,
  status: [] as string[],
  headers: [] as string[],
  text: [] as string[],
};
after(() => {
  const n = figures.probes;
  console.log(
    `pjsip preset vs Asterisk 20 reference: ${n} probes; status sequence ${figures.status.length}/${n}, header order ${figures.headers.length}/${n}, formats (normalised text) ${figures.text.length}/${n}`,
  );
});

/**
 * Our answers and the recorded ones (responses only; Asterisk's own qualify
 * OPTIONS is out of scope), timer retransmissions collapsed into one answer
 * marked `rtx` (unknown for an answer the client ACKed within T1).
 */
function replay(
  root: string,
  probe: string,
  persona: ReturnType<typeof createAsteriskPersona>,
  clock: { start: number },
): { ours: Answer[]; theirs: Answer[] } {
  const transcript = readFileSync(join(root, `${probe}.txt`), 'latin1');
  const clientPort = Number(/client_port=(\d+)/.exec(transcript)?.[1] ?? '5060');
  const transport = /transport=TCP/.test(transcript) ? 'tcp' : 'udp';
  const steps = stepsOf(join(root, 'raw', probe), transcript);
  clock.start = startOf(steps, clock.start);
  const ours: Answer[] = [];
  const recorded: Challenge = { nonce: null, opaque: null };
  const mine: Challenge = { nonce: null, opaque: null };
  for (const step of steps) {
    if (step.dir === 'recv') {
      recorded.nonce = paramIn(step.bytes, 'nonce') ?? recorded.nonce;
      recorded.opaque = paramIn(step.bytes, 'opaque') ?? recorded.opaque;
      continue;
    }
    const ctx: InboundContext = {
      transport,
      srcIp: '127.0.0.1',
      srcPort: clientPort,
      dstIp: '127.0.0.1',
      dstPort: 25070,
      now: new Date(clock.start + Math.round(step.t * 1000)),
    };
    const result = persona.handle(resign(step.bytes, recorded, mine), ctx);
    for (const r of result.replies) {
      mine.nonce = paramIn(r.data, 'nonce') ?? mine.nonce;
      mine.opaque = paramIn(r.data, 'opaque') ?? mine.opaque;
      ours.push({ text: r.data.toString('latin1'), rtx: r.retransmitKey !== undefined });
    }
  }
  const theirs: { text: string; rtx: boolean | null }[] = [];
  steps.forEach((s, i) => {
    const text = s.bytes.toString('latin1');
    if (s.dir !== 'recv' || !text.startsWith('SIP/2.0')) return;
    const last = theirs[theirs.length - 1];
    if (last?.text === text) {
      last.rtx = true;
      return;
    }
    const ack = steps.slice(i + 1).find((n) => n.dir === 'sent');
    const acked =
      /^SIP\/2\.0 [2-6]\d\d .*\r\n(?:.*\r\n)*?CSeq: \d+ INVITE\r\n/.test(text) &&
      ack?.bytes.toString('latin1').startsWith('ACK ') === true &&
      ack.t - s.t < 0.5;
    theirs.push({ text, rtx: acked ? null : false });
  });
  return { ours, theirs };
}

for (const run of RUNS) {
  describe(`the pjsip preset replays the Asterisk 20 reference run ${run}`, () => {
    const root = testdata('asterisk-reference-pjsip', run);
    const config = referenceConfig('pjsip', true);
    const persona = createAsteriskPersona(
      { ...config, persona: { ...config.persona, server: 'Asterisk PBX 20.20.1' } },
      { random: seededRandom(run.length) },
    );
    const clock = { start: Date.parse('2026-12-06T13:54:34Z') };
    for (const probe of readdirSync(join(root, 'raw')).sort()) {
      it(`answers ${probe}`, () => {
        const { ours, theirs } = replay(root, probe, persona, clock);
        const id = `${run}/${probe}`;
        figures.probes++;
        const same = (f: (a: Answer, uuids: string[]) => string): boolean => {
          const [a, b] = [[] as string[], [] as string[]];
          return ours.map((x) => f(x, a)).join('|') === theirs.map((x) => f(x, b)).join('|');
        };
        const rtxAgree = ours.every((a, i) => theirs[i]?.rtx === null || theirs[i]?.rtx === a.rtx);
        const verdict = {
          status: rtxAgree && same((a) => statusOf(a.text)),
          headers: same((a) => `${statusOf(a.text)}:${headerNames(a.text)}`),
          text: same((a, uuids) => normalisePjsip(a.text, uuids)),
        };
        for (const k of ['status', 'headers', 'text'] as const) {
          if (verdict[k]) figures[k].push(id);
          if (!EXCEPTIONS[k].includes(id))
            assert.ok(
              verdict[k],
              `${k} of ${id}: ours ${ours.map((a) => statusOf(a.text)).join(',')}`,
            );
        }
      });
    }
  });
}

describe("docs/persona.md's pjsip figure", () => {
  it('is the count of probes replayed above, each matching on all three', () => {
    const doc = readFileSync(join(REPO_ROOT, 'docs', 'persona.md'), 'utf8');
    const m = /\*\*(\d+) of (\d+) probes match on all\s+three\*\*/.exec(doc);
    assert.ok(m, 'docs/persona.md states "N of N probes match on all three"');
    assert.equal(figures.probes, Number(m[2]));
    for (const k of ['status', 'headers', 'text'] as const)
      assert.equal(figures[k].length, Number(m[1]), k);
  });
});
