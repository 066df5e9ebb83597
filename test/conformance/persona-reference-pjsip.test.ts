/**
 * @module
 * Replays every recorded request of the real Asterisk 20.20.1 (res_pjsip)
 * reference through the `pjsip` preset, configured like that PBX, and
 * compares each probe's answers three ways: the status sequence, the
 * header names in order, and the whole text after normalising what differs
 * per run (UUID To tags, nonces, opaques, Date). Digests are re-signed with
 * the preset's nonce and opaque, right or wrong as recorded.
 *
 * Prints the figures (`node scripts/run-tests.mjs persona-reference-pjsip`)
 * and fails when a probe that matches today stops matching.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { computeDigestResponse, parseDigest } from '../../src/sip/digest.js';
import { createAsteriskPersona } from '../../src/sensor/persona/index.js';
import type { InboundContext, OutboundMessage } from '../../src/sensor/persona/index.js';
import {
  REFERENCE_PASSWORDS,
  referenceConfig,
  seededRandom,
} from '../fixtures/sip/persona-config.js';
import { testdata } from '../helpers/shared.js';

const RUNS = ['default', 'extras', 'extras_authenticated'];

/** Probes whose answers match the recording today, per measure: a regression guard. */
const MATCHING: Record<'status' | 'headers' | 'text', readonly string[]> = {
  status: [
    'default/03_register_100_noauth',
    'default/04_register_unknown_user',
    'default/06_register_100_right_digest',
    'default/07_invite_from_100_noauth',
    'default/07b_invite_from_unknown_noauth',
    'default/08_invite_100_right_digest_busy',
    'default/08b_invite_100_right_digest_no_ack',
    'default/10_bye_unknown_callid',
    'default/10b_bye_unknown_callid_with_totag',
    'default/10c_cancel_unknown_callid',
    'default/11_subscribe_presence',
    'default/11b_subscribe_message_summary',
    'default/13_method_MESSAGE',
    'default/14a_malformed_garbage',
    'default/14c_malformed_no_via',
    'default/14d_malformed_bad_version',
    'default/14g_crlf_keepalive',
    'default/14i_malformed_response_no_request',
    'default/15b_tcp_register_100_right_digest',
    'default/15c_tcp_register_unknown_user',
    'default/16_unregister_100',
    'extras/23_register_100_expires_30_too_brief',
    'extras/24_register_100_expires_99999',
    'extras/25_asterisk_originated_options_qualify',
    'extras/27_register_unknown_user_again',
    'extras_authenticated/31_subscribe_presence_with_digest',
    'extras_authenticated/31b_subscribe_message_summary_with_digest',
    'extras_authenticated/33_method_MESSAGE_with_digest',
    'extras_authenticated/34_bye_unknown_callid_with_digest',
  ],
  headers: [
    'default/03_register_100_noauth',
    'default/04_register_unknown_user',
    'default/07_invite_from_100_noauth',
    'default/07b_invite_from_unknown_noauth',
    'default/10_bye_unknown_callid',
    'default/10b_bye_unknown_callid_with_totag',
    'default/10c_cancel_unknown_callid',
    'default/11_subscribe_presence',
    'default/11b_subscribe_message_summary',
    'default/13_method_MESSAGE',
    'default/14a_malformed_garbage',
    'default/14c_malformed_no_via',
    'default/14d_malformed_bad_version',
    'default/14g_crlf_keepalive',
    'default/14i_malformed_response_no_request',
    'default/15c_tcp_register_unknown_user',
    'extras/27_register_unknown_user_again',
    'extras_authenticated/31_subscribe_presence_with_digest',
    'extras_authenticated/31b_subscribe_message_summary_with_digest',
    'extras_authenticated/33_method_MESSAGE_with_digest',
    'extras_authenticated/34_bye_unknown_callid_with_digest',
  ],
  text: [
    'default/10_bye_unknown_callid',
    'default/10b_bye_unknown_callid_with_totag',
    'default/10c_cancel_unknown_callid',
    'default/14a_malformed_garbage',
    'default/14c_malformed_no_via',
    'default/14d_malformed_bad_version',
    'default/14g_crlf_keepalive',
    'default/14i_malformed_response_no_request',
    'extras_authenticated/34_bye_unknown_callid_with_digest',
  ],
};

/** Replaces what legitimately differs per run, and checks its format while doing so. */
export function normalisePjsip(text: string): string {
  return text
    .replace(/tag=[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, 'tag=UUID')
    .replace(/nonce="\d{10}\/[0-9a-f]{32}"/g, 'nonce="NONCE"')
    .replace(/opaque="[0-9a-f]{16}"/g, 'opaque="OPAQUE"')
    .replace(
      /^Date: (Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT\r$/m,
      'Date: DATE\r',
    );
}

interface Step {
  readonly dir: 'sent' | 'recv';
  readonly bytes: Buffer;
}

function stepsOf(probeDir: string): Step[] {
  return readdirSync(probeDir)
    .filter((f) => f.endsWith('.bin'))
    .sort()
    .map((file) => ({
      dir: file.includes('_sent') ? ('sent' as const) : ('recv' as const),
      bytes: readFileSync(join(probeDir, file)),
    }));
}

const paramIn = (b: Buffer, name: string): string | null =>
  new RegExp(`${name}="([^"]+)"`).exec(b.toString('latin1'))?.[1] ?? null;

/** Re-signs an Authorization header with our nonce and opaque, keeping it right or wrong. */
function resign(sent: Buffer, recorded: Challenge, ours: Challenge): Buffer {
  const text = sent.toString('latin1');
  const m = /^Authorization: (.*)\r$/m.exec(text);
  if (!m || ours.nonce === null) return sent;
  const auth = parseDigest(m[1] ?? '');
  if (!auth?.username || !auth.uri || !auth.nonce) return sent;
  const method = /^(\S+)/.exec(text)?.[1] ?? '';
  const password = REFERENCE_PASSWORDS[auth.username] ?? 'unknown-user';
  const base = {
    username: auth.username,
    realm: auth.realm ?? '',
    method,
    uri: auth.uri,
    ...(auth.qop ? { qop: auth.qop } : {}),
    ...(auth.nc ? { nc: auth.nc } : {}),
    ...(auth.cnonce ? { cnonce: auth.cnonce } : {}),
  };
  const wasRight =
    recorded.nonce !== null &&
    computeDigestResponse({ ...base, password, nonce: recorded.nonce }) === auth.response;
  const response = computeDigestResponse({
    ...base,
    password: wasRight ? password : `${password}-wrong`,
    nonce: ours.nonce,
  });
  let line = (m[1] ?? '')
    .replace(/nonce="[^"]*"/, `nonce="${ours.nonce}"`)
    .replace(/response="[^"]*"/, `response="${response}"`);
  if (ours.opaque !== null) line = line.replace(/opaque="[^"]*"/, `opaque="${ours.opaque}"`);
  return Buffer.from(text.replace(m[0], `Authorization: ${line}\r`), 'latin1');
}

interface Challenge {
  nonce: string | null;
  opaque: string | null;
}

const statusOf = (text: string): string => /^SIP\/2\.0 (\d{3})/.exec(text)?.[1] ?? '?';
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

/** Our answers and the recorded ones (responses only, timer retransmissions collapsed). */
function replay(root: string, probe: string, persona: ReturnType<typeof createAsteriskPersona>) {
  const transcript = readFileSync(join(root, `${probe}.txt`), 'latin1');
  const clientPort = Number(/client_port=(\d+)/.exec(transcript)?.[1] ?? '5060');
  const transport = /transport=TCP/.test(transcript) ? 'tcp' : 'udp';
  const steps = stepsOf(join(root, 'raw', probe));
  const ours: OutboundMessage[] = [];
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
      now: new Date('2026-12-06T13:54:34Z'),
    };
    const result = persona.handle(resign(step.bytes, recorded, mine), ctx);
    for (const r of result.replies) {
      mine.nonce = paramIn(r.data, 'nonce') ?? mine.nonce;
      mine.opaque = paramIn(r.data, 'opaque') ?? mine.opaque;
      ours.push(r);
    }
  }
  const theirs: string[] = [];
  for (const s of steps) {
    const text = s.bytes.toString('latin1');
    if (s.dir !== 'recv' || !text.startsWith('SIP/2.0')) continue;
    if (theirs[theirs.length - 1] !== text) theirs.push(text);
  }
  return { ours: ours.map((r) => r.data.toString('latin1')), theirs };
}

for (const run of RUNS) {
  describe(`the pjsip preset replays the Asterisk 20 reference run ${run}`, () => {
    const root = testdata('asterisk-reference-pjsip', run);
    const config = referenceConfig('pjsip', true);
    const persona = createAsteriskPersona(
      { ...config, persona: { ...config.persona, server: 'Asterisk PBX 20.20.1' } },
      { random: seededRandom(run.length) },
    );
    for (const probe of readdirSync(join(root, 'raw')).sort()) {
      it(`answers ${probe}`, () => {
        const { ours, theirs } = replay(root, probe, persona);
        const id = `${run}/${probe}`;
        figures.probes++;
        const same = (f: (t: string) => string): boolean =>
          ours.map(f).join('|') === theirs.map(f).join('|');
        const verdict = {
          status: same(statusOf),
          headers: same((t) => `${statusOf(t)}:${headerNames(t)}`),
          text: same(normalisePjsip),
        };
        for (const k of ['status', 'headers', 'text'] as const) {
          if (verdict[k]) figures[k].push(id);
          if (MATCHING[k].includes(id)) assert.ok(verdict[k], `${k} of ${id} matched before`);
        }
      });
    }
  });
}
