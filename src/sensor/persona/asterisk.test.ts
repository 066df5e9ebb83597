import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { SensorConfig } from '../../config/types.js';
import { computeDigestResponse } from '../../sip/digest.js';
import { referenceConfig, seededRandom } from '../../../test/fixtures/sip/persona-config.js';
import { createAsteriskPersona } from './index.js';
import type { InboundContext, Persona, PersonaResult } from './types.js';

const ctx = (port = 5060, transport: InboundContext['transport'] = 'udp'): InboundContext => ({
  transport,
  srcIp: '198.51.100.7',
  srcPort: port,
  dstIp: '192.0.2.1',
  dstPort: 5060,
  now: new Date('2026-03-01T12:00:00Z'),
});

interface Req {
  method: string;
  ruri?: string;
  from?: string;
  to?: string;
  callId?: string;
  cseq?: number;
  branch?: string;
  /** A tag on the To header (a request inside a dialog). */
  toTag?: string;
  extra?: string[];
}

function request(r: Req): Buffer {
  const user = r.from ?? '100';
  const lines = [
    `${r.method} ${r.ruri ?? 'sip:192.0.2.1'} SIP/2.0`,
    `Via: SIP/2.0/UDP 198.51.100.7:5060;branch=${r.branch ?? `z9hG4bK-${Math.random()}`};rport`,
    `From: "${user}" <sip:${user}@192.0.2.1>;tag=abc123`,
    `To: <sip:${r.to ?? user}@192.0.2.1>${r.toTag === undefined ? '' : `;tag=${r.toTag}`}`,
    `Call-ID: ${r.callId ?? 'call-1'}`,
    `CSeq: ${r.cseq ?? 1} ${r.method}`,
    'User-Agent: friendly-scanner',
    'Contact: <sip:x@198.51.100.7:5060>',
    ...(r.extra ?? []),
    'Content-Length: 0',
    '',
    '',
  ];
  return Buffer.from(lines.join('\r\n'), 'latin1');
}

const text = (res: PersonaResult, i = 0): string => res.replies[i]?.data.toString('latin1') ?? '';
const status = (res: PersonaResult, i = 0): number => Number(text(res, i).slice(8, 11));
const nonceOf = (res: PersonaResult): string => /nonce="([^"]+)"/.exec(text(res))?.[1] ?? '';

function authHeader(
  user: string,
  password: string,
  nonce: string,
  method: string,
  uri: string,
): string {
  const response = computeDigestResponse({
    username: user,
    realm: 'asterisk',
    password,
    method,
    uri,
    nonce,
  });
  return `Authorization: Digest username="${user}", realm="asterisk", nonce="${nonce}", uri="${uri}", response="${response}", algorithm=MD5`;
}

function persona(config: SensorConfig = referenceConfig('chan_sip_leaky', false)): Persona {
  return createAsteriskPersona(config, { random: seededRandom(42) });
}

describe('Asterisk persona: REGISTER', () => {
  it('challenges a known user, accepts the right digest with Expires/Contact/Date, and records a crack', () => {
    const p = persona();
    const first = p.handle(request({ method: 'REGISTER', callId: 'r1' }), ctx());
    assert.equal(status(first), 401);
    assert.match(
      text(first),
      /^WWW-Authenticate: Digest algorithm=MD5, realm="asterisk", nonce="[0-9a-f]{8}"\r$/m,
    );
    const tag401 = /^To: .*;tag=(as[0-9a-f]{8})\r$/m.exec(text(first))?.[1];
    const ok = p.handle(
      request({
        method: 'REGISTER',
        callId: 'r1',
        cseq: 2,
        extra: [authHeader('100', 'qwerty12', nonceOf(first), 'REGISTER', 'sip:192.0.2.1')],
      }),
      ctx(),
    );
    assert.equal(status(ok), 200);
    assert.match(
      text(ok),
      /\r\nExpires: 120\r\nContact: <sip:x@198\.51\.100\.7:5060>;expires=120\r\nDate: Sun, 01 Mar 2026 12:00:00 GMT\r\nContent-Length: 0\r\n\r\n$/,
    );
    assert.ok(text(ok).includes(`;tag=${tag401}\r\n`), 'REGISTER keeps its To tag from 401 to 200');
    assert.equal(ok.fields.auth_ok, true);
    assert.equal(ok.fields.password_guess, 'qwerty12');
    assert.equal(ok.fields.guess_source, 'configured');
    assert.equal(ok.fields.auth_user, '100');
  });

  it('rejects a wrong digest with 403 and recovers the svcrack guess from the From tag', () => {
    const p = persona();
    const first = p.handle(request({ method: 'REGISTER', callId: 'r2' }), ctx());
    const tag = Buffer.from('100:letmein\x011234', 'latin1').toString('hex');
    const req = request({
      method: 'REGISTER',
      callId: 'r2',
      cseq: 2,
      extra: [authHeader('100', 'letmein', nonceOf(first), 'REGISTER', 'sip:192.0.2.1')],
    })
      .toString('latin1')
      .replace('tag=abc123', `tag=${tag}`);
    const res = p.handle(Buffer.from(req, 'latin1'), ctx());
    assert.equal(status(res), 403);
    assert.equal(res.fields.auth_ok, false);
    assert.deepEqual(
      [res.fields.password_guess, res.fields.guess_source],
      ['letmein', 'sipvicious_tag'],
    );
  });

  it('tells unknown users apart (404 Not found) unless always_auth_reject, then 401 and 403', () => {
    const leaky = persona().handle(request({ method: 'REGISTER', from: '999' }), ctx());
    assert.match(text(leaky), /^SIP\/2\.0 404 Not found\r\n/);
    const p = persona(referenceConfig('chan_sip_leaky', true));
    const first = p.handle(request({ method: 'REGISTER', from: '999', callId: 'u' }), ctx());
    assert.equal(status(first), 401);
    const second = p.handle(
      request({
        method: 'REGISTER',
        from: '999',
        callId: 'u',
        cseq: 2,
        extra: [authHeader('999', 'x', nonceOf(first), 'REGISTER', 'sip:192.0.2.1')],
      }),
      ctx(),
    );
    assert.equal(status(second), 403);
    assert.equal(second.fields.auth_ok, null);
  });

  it('registers an extension without a password at once, and unregisters with Expires 0', () => {
    const config = referenceConfig('chan_sip_leaky', false, {
      extensions: [{ number: '200', password: null }],
    });
    const p = persona(config);
    const reg = p.handle(
      request({ method: 'REGISTER', from: '200', extra: ['Expires: 99999'] }),
      ctx(),
    );
    assert.equal(status(reg), 200);
    assert.match(text(reg), /\r\nExpires: 3600\r\n/);
    const unreg = p.handle(
      request({ method: 'REGISTER', from: '200', callId: 'x', extra: ['Expires: 0'] }),
      ctx(),
    );
    assert.match(text(unreg), /\r\nExpires: 0\r\nDate: [^\r]+\r\nContent-Length: 0\r\n\r\n$/);
  });

  it('answers a retransmitted request with the same bytes (same tag, same nonce)', () => {
    const p = persona();
    const a = p.handle(
      request({ method: 'REGISTER', branch: 'z9hG4bK-same', callId: 'rt' }),
      ctx(),
    );
    const b = p.handle(
      request({ method: 'REGISTER', branch: 'z9hG4bK-same', callId: 'rt' }),
      ctx(),
    );
    assert.deepEqual(b.replies[0]?.data, a.replies[0]?.data);
    const c = p.handle(request({ method: 'REGISTER', callId: 'rt2' }), ctx());
    assert.notEqual(nonceOf(c), nonceOf(a));
  });

  it('re-challenges with stale=true when a right digest reuses a spent nonce', () => {
    const p = persona();
    const first = p.handle(request({ method: 'REGISTER', callId: 's' }), ctx());
    const auth = authHeader('100', 'qwerty12', nonceOf(first), 'REGISTER', 'sip:192.0.2.1');
    assert.equal(
      status(p.handle(request({ method: 'REGISTER', callId: 's', cseq: 2, extra: [auth] }), ctx())),
      200,
    );
    const again = p.handle(
      request({ method: 'REGISTER', callId: 's', cseq: 3, extra: [auth] }),
      ctx(),
    );
    assert.equal(status(again), 401);
    assert.match(text(again), /, stale=true\r\n/);
  });
});

describe('Asterisk persona: INVITE', () => {
  const invite = (p: Persona, ruri: string, from = '100', port = 5060): PersonaResult[] => {
    const first = p.handle(
      request({ method: 'INVITE', ruri, from, callId: `i-${ruri}-${port}` }),
      ctx(port),
    );
    if (status(first) !== 401) return [first];
    const second = p.handle(
      request({
        method: 'INVITE',
        ruri,
        from,
        callId: `i-${ruri}-${port}`,
        cseq: 2,
        extra: [authHeader(from, 'qwerty12', nonceOf(first), 'INVITE', ruri)],
      }),
      ctx(port),
    );
    return [first, second];
  };

  /** CANCEL of the call `invite(p, 'sip:2000@192.0.2.1')` placed (its second INVITE, CSeq 2). */
  const cancelRinging = (p: Persona): PersonaResult =>
    p.handle(
      request({
        method: 'CANCEL',
        ruri: 'sip:2000@192.0.2.1',
        callId: 'i-sip:2000@192.0.2.1-5060',
        cseq: 2,
      }),
      ctx(),
    );

  it('challenges with 401 (not 407), then sends 100 Trying and the dial plan answer, never 200', () => {
    const config = referenceConfig('chan_sip_leaky', false, {
      dial: {
        default: 486,
        rules: [
          { pattern: '^00', response: 200 },
          { pattern: '^9', response: 503 },
        ],
        ring_seconds: 15,
      },
    });
    const p = persona(config);
    const [challenge, call] = invite(p, 'sip:0014972501234567@192.0.2.1');
    assert.equal(status(challenge!), 401);
    assert.ok(
      challenge!.replies[0]?.retransmitKey,
      'final INVITE answers over UDP are retransmitted',
    );
    assert.deepEqual([status(call!, 0), status(call!, 1)], [100, 486]);
    assert.doesNotMatch(text(call!, 0), /^To: .*tag=/m);
    assert.match(text(call!, 0), /^Contact: <sip:0014972501234567@192\.0\.2\.1:5060>\r$/m);
    assert.equal(call!.fields.dialed, '0014972501234567');
    assert.equal(call!.fields.response, 486);
    assert.equal(status(invite(p, 'sip:9123@192.0.2.1')[1]!, 1), 503);
  });

  it('refuses an unknown caller with 403 directly when leaky', () => {
    const [res] = invite(persona(), 'sip:123@192.0.2.1', '555');
    assert.equal(status(res!), 403);
    assert.equal(res!.replies.length, 1);
  });

  it('matches an unknown caller to the peer registered from the same address (chan_sip quirk)', () => {
    const p = persona();
    const first = p.handle(request({ method: 'REGISTER', callId: 'q' }), ctx(5060));
    p.handle(
      request({
        method: 'REGISTER',
        callId: 'q',
        cseq: 2,
        extra: [authHeader('100', 'qwerty12', nonceOf(first), 'REGISTER', 'sip:192.0.2.1')],
      }),
      ctx(5060),
    );
    assert.equal(status(invite(p, 'sip:1@192.0.2.1', '2400102017', 5060)[0]!), 401);
    assert.equal(status(invite(p, 'sip:1@192.0.2.1', '2400102017', 5061)[0]!), 403);
  });

  it('stops retransmission on ACK and ends a ringing call on CANCEL with 487 then 200', () => {
    const p = persona();
    const [, ringing] = invite(p, 'sip:2000@192.0.2.1');
    assert.deepEqual([status(ringing!, 0), status(ringing!, 1)], [100, 180]);
    const cancel = cancelRinging(p);
    assert.deepEqual([status(cancel, 0), status(cancel, 1)], [487, 200]);
    assert.match(text(cancel, 0), /^CSeq: 2 INVITE\r$/m);
    const ack = p.handle(
      request({
        method: 'ACK',
        ruri: 'sip:2000@192.0.2.1',
        callId: 'i-sip:2000@192.0.2.1-5060',
        cseq: 2,
      }),
      ctx(),
    );
    assert.equal(ack.replies.length, 0);
    assert.deepEqual(ack.stopRetransmit, [cancel.replies[0]?.retransmitKey]);
    // The ring timeout of the cancelled call sends nothing.
    assert.deepEqual(ringing!.later?.run(), []);
  });

  it('ends a call that rang dial.ring_seconds with 486 Busy Here, as Wait() then Busy() does', () => {
    const p = persona();
    const ruri = 'sip:2000@192.0.2.1';
    const callId = 'i-sip:2000@192.0.2.1-5060';
    const first = p.handle(request({ method: 'INVITE', ruri, callId }), ctx());
    const invite2 = request({
      method: 'INVITE',
      ruri,
      callId,
      cseq: 2,
      branch: 'z9hG4bK-ring2',
      extra: [authHeader('100', 'qwerty12', nonceOf(first), 'INVITE', ruri)],
    });
    const ringing = p.handle(invite2, ctx());
    const later = ringing.later;
    assert.ok(later);
    assert.equal(later.afterMs, 15000);
    const busy = later.run();
    assert.equal(busy.length, 1);
    const answer = busy[0]?.data.toString('latin1') ?? '';
    assert.equal(later.bytes, answer.length, 'the timer holds the 486, and says so');
    assert.match(answer, /^SIP\/2\.0 486 Busy Here\r\n/);
    const tag180 = /^To: .*;tag=(as[0-9a-f]{8})\r$/m.exec(text(ringing, 1))?.[1];
    assert.ok(tag180 && answer.includes(`;tag=${tag180}\r\n`), 'the 486 keeps the tag of the 180');
    assert.match(answer, /^CSeq: 2 INVITE\r$/m);
    assert.ok(busy[0]?.retransmitKey, 'retransmitted until the ACK');
    assert.deepEqual(later.run(), [], 'sent once');
    // A retransmission of the INVITE now gets the 486, not the 180.
    const again = p.handle(invite2, ctx());
    assert.equal(status(again), 486);
    // The call is over: a CANCEL now finds nothing to cancel.
    const cancel = cancelRinging(p);
    assert.equal(status(cancel), 481);
  });

  it('rings until the caller cancels with dial.ring_seconds 0', () => {
    const config = referenceConfig('chan_sip_leaky', false, {
      dial: { default: 486, rules: [{ pattern: '^2000$', response: 180 }], ring_seconds: 0 },
    });
    const [, ringing] = invite(persona(config), 'sip:2000@192.0.2.1');
    assert.equal(status(ringing!, 1), 180);
    assert.equal(ringing!.later, undefined);
  });
});

/** The status line of an answer, for reason phrases. */
const statusLine = (res: PersonaResult): string => text(res).split('\r\n', 1)[0] ?? '';

/** Sends `r` once, then again with the right digest for 100's challenge; gives the second answer. */
function afterDigest(p: Persona, r: Req): PersonaResult {
  const first = p.handle(request(r), ctx());
  assert.equal(status(first), 401, text(first));
  const uri = r.ruri ?? 'sip:192.0.2.1';
  const auth = authHeader('100', 'qwerty12', nonceOf(first), r.method, uri);
  return p.handle(request({ ...r, cseq: 2, extra: [...(r.extra ?? []), auth] }), ctx());
}

describe('Asterisk persona: SUBSCRIBE and MESSAGE, in chan_sip 18 order', () => {
  const ruri = 'sip:100@192.0.2.1';
  const presence = (callId: string, extra: string[], to = ruri): Req => ({
    method: 'SUBSCRIBE',
    ruri: to,
    callId,
    extra: ['Event: presence', ...extra],
  });

  it('answers a SUBSCRIBE with a To tag (481) or without Event (489) before any challenge', () => {
    const p = persona();
    const tagged = p.handle(request({ ...presence('s1', []), toTag: 'old' }), ctx());
    assert.equal(statusLine(tagged), 'SIP/2.0 481 Subscription does not exist');
    const noEvent = p.handle(request({ method: 'SUBSCRIBE', ruri, callId: 's2' }), ctx());
    assert.equal(statusLine(noEvent), 'SIP/2.0 489 Bad Event');
    assert.doesNotMatch(text(noEvent), /WWW-Authenticate/);
  });

  it('after the digest: presence gets 404 "Not found" (no hint), or 489/423/404 as chan_sip checks', () => {
    const p = persona();
    const pidf = 'Accept: application/pidf+xml';
    assert.equal(statusLine(afterDigest(p, presence('s3', [pidf]))), 'SIP/2.0 404 Not found');
    assert.equal(statusLine(afterDigest(p, presence('s4', []))), 'SIP/2.0 489 Bad Event');
    assert.equal(
      statusLine(afterDigest(p, presence('s5', ['Accept: text/html']))),
      'SIP/2.0 489 Bad Event (format text/html)',
    );
    // chan_sip's 200-byte buffer cuts the line; control bytes are not echoed.
    const long = afterDigest(p, presence('s6', [`Accept: x/${'y'.repeat(300)}`]));
    assert.equal(statusLine(long).length, 'SIP/2.0 '.length + 199);
    assert.equal(
      statusLine(afterDigest(p, presence('s9', ['Accept: a\u0001b\u00e9']))),
      'SIP/2.0 489 Bad Event (format a?b?)',
    );
    assert.match(statusLine(long), /^SIP\/2\.0 489 Bad Event \(format x\/y+$/);
    const brief = afterDigest(p, presence('s7', [pidf, 'Expires: 30']));
    assert.equal(statusLine(brief), 'SIP/2.0 423 Interval too small');
    assert.match(text(brief), /\r\nMin-Expires: 60\r\n/);
    const named = afterDigest(p, presence('s8', [pidf], 'sip:abc@192.0.2.1'));
    assert.equal(statusLine(named), 'SIP/2.0 404 Not Found');
  });

  it('after the digest: message-summary without a mailbox, call-completion, unknown packages', () => {
    const p = persona();
    const sub = (callId: string, extra: string[]): Req => ({
      method: 'SUBSCRIBE',
      ruri,
      callId,
      extra,
    });
    const mwi = 'Event: message-summary';
    assert.equal(
      statusLine(afterDigest(p, sub('m1', [mwi, 'Accept: application/simple-message-summary']))),
      'SIP/2.0 404 Not found (no mailbox)',
    );
    assert.equal(
      statusLine(afterDigest(p, sub('m2', [mwi]))),
      'SIP/2.0 404 Not found (no mailbox)',
    );
    assert.equal(
      statusLine(afterDigest(p, sub('m3', [mwi, 'Accept: text/plain']))),
      'SIP/2.0 406 Not Acceptable',
    );
    const cc = 'Event: call-completion';
    assert.equal(statusLine(afterDigest(p, sub('c1', [cc, 'Expires: 0']))), 'SIP/2.0 200 OK');
    assert.equal(statusLine(afterDigest(p, sub('c2', [cc]))), 'SIP/2.0 404 Not Found');
    assert.equal(
      statusLine(afterDigest(p, sub('u1', ['Event: foo;id=1']))),
      'SIP/2.0 489 Bad Event',
    );
  });

  it('MESSAGE: 415 before the challenge unless text/plain, then 202 to a routable user', () => {
    const p = persona();
    const message = (callId: string, type: string, to = ruri): Req => ({
      method: 'MESSAGE',
      ruri: to,
      callId,
      extra: [`Content-Type: ${type}`],
    });
    const json = p.handle(request(message('g1', 'application/json')), ctx());
    assert.equal(statusLine(json), 'SIP/2.0 415 Unsupported Media Type');
    assert.equal(statusLine(afterDigest(p, message('g2', 'text/plain'))), 'SIP/2.0 202 Accepted');
    assert.equal(
      statusLine(afterDigest(p, message('g3', 'text/plain;charset=UTF-8', 'sip:abc@192.0.2.1'))),
      'SIP/2.0 404 Not Found',
    );
  });

  it('the pjsip preset keeps challenging first', () => {
    const p = persona(referenceConfig('pjsip', false));
    const tagged = p.handle(request({ ...presence('j1', []), toTag: 'old' }), ctx());
    assert.equal(status(tagged), 401);
  });
});

describe('Asterisk persona: hostile input', () => {
  it('never throws and stays silent on random bytes', () => {
    const p = persona();
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 1500 }), (b) => {
        const res = p.handle(b, ctx());
        assert.ok(res.event === 'sip.malformed' || res.replies.length <= 2);
      }),
      { numRuns: 1000 },
    );
  });

  it('cannot be made to write an extra header line through echoed values', () => {
    const raw = request({ method: 'OPTIONS', ruri: 'sip:100@192.0.2.1' })
      .toString('latin1')
      .replace('tag=abc123', 'tag=a\rInjected: yes');
    const res = persona().handle(Buffer.from(raw, 'latin1'), ctx());
    assert.doesNotMatch(text(res), /\r\nInjected:/);
  });

  it('forgets the oldest dialogs beyond max_dialogs instead of growing', () => {
    const config = referenceConfig('chan_sip_leaky', false);
    const p = persona({ ...config, limits: { ...config.limits, max_dialogs: 4 } });
    const first = p.handle(request({ method: 'REGISTER', callId: 'old' }), ctx());
    for (let i = 0; i < 10; i++)
      p.handle(request({ method: 'REGISTER', callId: `flood-${i}` }), ctx());
    const late = p.handle(
      request({
        method: 'REGISTER',
        callId: 'old',
        cseq: 2,
        extra: [authHeader('100', 'qwerty12', nonceOf(first), 'REGISTER', 'sip:192.0.2.1')],
      }),
      ctx(),
    );
    assert.equal(
      status(late),
      401,
      'the evicted dialog lost its nonce, so the digest is challenged again',
    );
  });
});

describe('pjsip preset', () => {
  it('challenges with qop="auth", a long nonce, and pjsip header order', () => {
    const p = persona(referenceConfig('pjsip', false));
    const res = p.handle(request({ method: 'REGISTER', from: '999' }), ctx());
    assert.equal(status(res), 401);
    assert.match(
      text(res),
      /^WWW-Authenticate: Digest realm="asterisk",nonce="\d+\/[0-9a-f]{32}",opaque="[0-9a-f]{16}",algorithm=MD5,qop="auth"\r$/m,
    );
    assert.match(text(res), /\r\nContent-Length: {2}0\r\n\r\n$/);
    assert.match(text(res), /^SIP\/2\.0 401 Unauthorized\r\nVia: [^\r]+\r\nCall-ID: /);
  });
});
