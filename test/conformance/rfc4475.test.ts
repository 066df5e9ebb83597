/**
 * @module
 * RFC 4475 torture messages, one test per file of the shared set: valid
 * messages parse with the fields the RFC describes; invalid ones are
 * dropped or answered with an error by the persona (the exact answer is
 * pinned, with the RFC's expectation beside it where the persona follows
 * Asterisk instead); nothing throws.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { getHeader, parse, parseNameAddr, parseUri, validateMessage } from '../../src/sip/index.js';
import { createAsteriskPersona } from '../../src/sensor/persona/index.js';
import { referenceConfig, seededRandom } from '../fixtures/sip/persona-config.js';
import { testdata } from '../helpers/shared.js';

interface ManifestRow {
  readonly file: string;
  readonly category: string;
  readonly expected: string;
}

const manifest: ManifestRow[] = readFileSync(testdata('rfc4475', 'MANIFEST.tsv'), 'utf8')
  .trim()
  .split('\n')
  .slice(1)
  .map((line) => {
    const cols = line.split('\t');
    return { file: cols[0] ?? '', category: cols[3] ?? '', expected: cols[4] ?? '' };
  });

/** What the RFC says each valid message contains (start line and a few fields). */
const VALID: Record<
  string,
  {
    start: string;
    callId?: string;
    fromUser?: string | null;
    display?: string | null;
    bodyBytes?: number;
  }
> = {
  'wsinv.dat': {
    start: 'INVITE sip:vivekg@chair-dnrc.example.com;unknownparam',
    callId: 'wsinv.ndaksdj@192.0.2.1',
    fromUser: 'jdrosen',
    display: 'J Rosenberg \\"',
    bodyBytes: 150,
  },
  'intmeth.dat': {
    start: "!interesting-Method0123456789_*+`.%indeed'~",
    display: "token1~` token2'+_ token3*%!.-",
  },
  'esc01.dat': {
    start: 'INVITE sip:sips%3Auser%40example.com@example.net',
    fromUser: 'I have spaces',
  },
  'escnull.dat': { start: 'REGISTER sip:example.com', fromUser: 'null-\u0000-null' },
  'esc02.dat': { start: 'RE%47IST%45R sip:registrar.example.com', display: '%Z%45' },
  'lwsdisp.dat': { start: 'OPTIONS sip:user@example.com', display: 'caller', fromUser: 'caller' },
  'longreq.dat': { start: 'INVITE sip:user@example.com', bodyBytes: 150 },
  'dblreq.dat': { start: 'REGISTER sip:example.com', bodyBytes: 0 },
  'semiuri.dat': { start: 'OPTIONS sip:user;par=u%40example.net@example.com' },
  'transports.dat': { start: 'OPTIONS sip:user@example.com' },
  'mpart01.dat': { start: 'MESSAGE sip:kumiko@example.org', bodyBytes: 553 },
  'unreason.dat': { start: '200' },
  'noreason.dat': { start: '100' },
  'inv2543.dat': { start: 'INVITE sip:UserB@example.com', fromUser: '+13035551111' },
};

/**
 * What the persona (chan_sip_leaky, like Asterisk 1.6 with an empty default
 * context) answers each non-valid message: a status code, or null for
 * silence. The comment gives the RFC's expectation where it differs.
 */
const ANSWERS: Record<string, number | null> = {
  'badinv01.dat': 400,
  'clerr.dat': 403, // RFC: 400 over UDP; Asterisk processes a short body over UDP (reference 14f), then refuses the unknown caller
  'ncl.dat': null,
  'scalar02.dat': 400,
  'scalarlg.dat': null,
  'quotbal.dat': 400,
  'ltgtruri.dat': 400,
  'lwsruri.dat': null,
  'lwsstart.dat': 403, // RFC: may reject; read liberally, then the unknown caller is refused
  'trws.dat': 404, // RFC: may reject; read liberally, OPTIONS get 404 from the empty context
  'escruri.dat': 403, // RFC: 400 or ignore the escaped headers; ignored
  'baddate.dat': 403, // RFC: may reject; Date is not checked
  'regbadct.dat': 404, // RFC: 400 or infer <>; inferred, unknown user
  'badaspec.dat': 404, // RFC: 400; read liberally
  'baddn.dat': 404, // RFC: 400; read liberally
  'badvers.dat': null, // RFC: 505; Asterisk drops other versions (reference 14d)
  'mismatch01.dat': 400,
  'mismatch02.dat': 400,
  'bigcode.dat': null,
  'badbranch.dat': 404,
  'insuf.dat': 400,
  'unkscm.dat': 416,
  'novelsc.dat': 416,
  'unksm2.dat': 404, // a registrar may reject; unknown user
  'bext01.dat': 404, // RFC: 420; chan_sip checks Require on INVITE only
  'invut.dat': 403, // RFC: 415; chan_sip authenticates the caller first
  'regaut01.dat': 404, // RFC: 401; leaky Asterisk tells the user does not exist (chan_sip preset: 401)
  'multi01.dat': 400,
  'mcl01.dat': null, // RFC: 400; conflicting Content-Length values make the body unknowable: dropped
  'bcast.dat': null,
  'zeromf.dat': 404,
  'cparam01.dat': 404,
  'cparam02.dat': 404,
  'regescrt.dat': 404,
  'sdp01.dat': 403, // RFC: 406; the unknown caller is refused first
  'test.dat': null,
};

const statusOf = (data: Buffer): number => Number(data.toString('latin1').slice(8, 11));

describe('RFC 4475 torture messages', () => {
  it('covers every file of the manifest', () => {
    for (const row of manifest) {
      const isValid = row.category === 'valid' || row.category === 'valid (legacy)';
      assert.ok(
        isValid ? row.file in VALID : row.file in ANSWERS,
        `no expectation for ${row.file}`,
      );
    }
  });

  for (const row of manifest) {
    const bytes = readFileSync(testdata('rfc4475', row.file));
    const isValid = row.category === 'valid' || row.category === 'valid (legacy)';
    const want = VALID[row.file];
    if (isValid && want) {
      it(`parses valid ${row.file} (${row.expected})`, () => {
        const r = parse(bytes);
        assert.ok(r.ok, r.ok ? '' : `${r.reason}: ${r.detail}`);
        const m = r.message;
        const start = m.kind === 'request' ? `${m.method} ${m.uri}` : String(m.status);
        assert.ok(start.startsWith(want.start), start);
        assert.deepEqual(validateMessage(m), []);
        if (want.callId !== undefined) assert.equal(getHeader(m, 'Call-ID'), want.callId);
        const from = parseNameAddr(getHeader(m, 'From') ?? '');
        assert.ok(from, 'From readable');
        if (want.fromUser !== undefined) assert.equal(from.uri?.user, want.fromUser);
        if (want.display !== undefined) assert.equal(from.display, want.display);
        if (want.bodyBytes !== undefined) assert.equal(m.body.length, want.bodyBytes);
        if (m.kind === 'request') assert.ok(parseUri(m.uri), 'Request-URI readable');
      });
    } else {
      const expected = ANSWERS[row.file];
      it(`handles ${row.category} ${row.file} with ${expected ?? 'silence'} (RFC: ${row.expected})`, () => {
        const persona = createAsteriskPersona(referenceConfig('chan_sip_leaky', false), {
          random: seededRandom(7),
        });
        const result = persona.handle(bytes, {
          transport: 'udp',
          srcIp: '192.0.2.9',
          srcPort: 5060,
          dstIp: '192.0.2.1',
          dstPort: 5060,
          now: new Date('2026-01-01T00:00:00Z'),
        });
        if (expected === null || expected === undefined) {
          assert.equal(result.replies.length, 0);
          assert.equal(result.fields.response ?? null, null);
        } else {
          assert.equal(result.replies.length, 1);
          const status = statusOf(result.replies[0]!.data);
          assert.equal(status, expected);
          assert.ok(status >= 400, 'never accepted');
          assert.equal(result.fields.response, expected);
        }
      });
    }
  }
});
