import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { computeDigestResponse } from '../../../sip/digest.js';
import { referenceConfig, seededRandom } from '../../../../test/fixtures/sip/persona-config.js';
import { createAsteriskPersona } from '../index.js';
import type { InboundContext, Persona, PersonaResult } from '../types.js';
import { reprintNameAddr } from './wire.js';

const T0 = Date.parse('2026-03-01T12:00:00Z');

const ctx = (offsetS = 0, srcIp = '198.51.100.7'): InboundContext => ({
  transport: 'udp',
  srcIp,
  srcPort: 5060,
  dstIp: '192.0.2.1',
  dstPort: 5060,
  now: new Date(T0 + offsetS * 1000),
});

let branches = 0;

interface Req {
  method: string;
  ruri?: string;
  from?: string;
  to?: string;
  callId?: string;
  cseq?: number;
  branch?: string;
  extra?: string[];
}

function request(r: Req): Buffer {
  const user = r.from ?? '100';
  const lines = [
    `${r.method} ${r.ruri ?? 'sip:192.0.2.1'} SIP/2.0`,
    `Via: SIP/2.0/UDP 198.51.100.7:5060;branch=${r.branch ?? `z9hG4bK${++branches}`}`,
    `From: "${user}"<sip:${user}@192.0.2.1>;tag=abc123`,
    `To: <sip:${r.to ?? user}@192.0.2.1>`,
    `Call-ID: ${r.callId ?? 'call-1'}`,
    `CSeq: ${r.cseq ?? 1} ${r.method}`,
    ...(r.extra ?? []),
    'Content-Length: 0',
    '',
    '',
  ];
  return Buffer.from(lines.join('\r\n'), 'latin1');
}

const text = (res: PersonaResult, i = 0): string => res.replies[i]?.data.toString('latin1') ?? '';
const statuses = (res: PersonaResult): number[] => res.replies.map((r) => r.status);
const nonceOf = (res: PersonaResult): string => /nonce="([^"]+)"/.exec(text(res))?.[1] ?? '';

function digest(user: string, password: string, nonce: string, method: string, uri: string) {
  const base = { username: user, realm: 'asterisk', method, uri, nonce, qop: 'auth' };
  const response = computeDigestResponse({ ...base, password, nc: '00000001', cnonce: 'c0ffee' });
  return `Authorization: Digest username="${user}",realm="asterisk",nonce="${nonce}",uri="${uri}",cnonce="c0ffee",nc=00000001,algorithm=MD5,qop=auth,response="${response}",opaque="0123456789abcdef"`;
}

function pjsip(ringSeconds = 15): Persona {
  const config = referenceConfig('pjsip', false);
  return createAsteriskPersona(
    {
      ...config,
      persona: { ...config.persona, server: 'Asterisk PBX 20.20.1' },
      dial: { ...config.dial, ring_seconds: ringSeconds },
    },
    { random: seededRandom(7) },
  );
}

/** Challenge, then answer with the digest of `password`; the second result. */
function withDigest(p: Persona, r: Req, password: string, at = 0, user = r.from ?? '100') {
  const first = p.handle(request(r), ctx(at));
  const auth = digest(user, password, nonceOf(first), r.method, r.ruri ?? 'sip:192.0.2.1');
  return p.handle(
    request({ ...r, cseq: (r.cseq ?? 1) + 1, extra: [...(r.extra ?? []), auth] }),
    ctx(at),
  );
}

describe('pjsip preset: the digest', () => {
  it('gives one nonce per address and second, and a fresh 16-hex opaque each time', () => {
    const p = pjsip();
    const a = p.handle(request({ method: 'OPTIONS', callId: 'n1' }), ctx());
    const b = p.handle(request({ method: 'REGISTER', callId: 'n2', from: '999' }), ctx(0.5));
    const c = p.handle(request({ method: 'OPTIONS', callId: 'n3' }), ctx(0, '203.0.113.9'));
    assert.match(nonceOf(a), /^\d{10}\/[0-9a-f]{32}$/);
    assert.equal(nonceOf(a), nonceOf(b));
    assert.notEqual(nonceOf(a), nonceOf(c));
    const opaque = (res: PersonaResult) => /opaque="([0-9a-f]{16})"/.exec(text(res))?.[1];
    assert.ok(opaque(a) !== undefined && opaque(a) !== opaque(b));
  });

  it('answers a wrong password, another user or an unknown user with a new 401, never 403', () => {
    const p = pjsip();
    const wrong = withDigest(p, { method: 'REGISTER', callId: 'w1' }, 'nope');
    assert.deepEqual(statuses(wrong), [401]);
    assert.equal(wrong.fields.auth_ok, false);
    const unknown = withDigest(p, { method: 'REGISTER', callId: 'w2', from: '999' }, 'x');
    assert.deepEqual(statuses(unknown), [401]);
    const other = withDigest(p, { method: 'INVITE', callId: 'w3' }, 's3cret', 0, '120');
    assert.deepEqual(statuses(other), [401]);
    assert.equal(other.replies[0]?.retransmitKey, undefined, 'a 401 is never retransmitted');
  });

  it('takes the right password on any nonce of ours younger than 32 s, and says stale after', () => {
    const p = pjsip();
    const first = p.handle(request({ method: 'REGISTER', callId: 's1' }), ctx());
    const again = (at: number, callId: string) =>
      p.handle(
        request({
          method: 'REGISTER',
          callId,
          cseq: 2,
          extra: [digest('100', 'qwerty12', nonceOf(first), 'REGISTER', 'sip:192.0.2.1')],
        }),
        ctx(at),
      );
    assert.deepEqual(statuses(again(10, 's2')), [200]);
    assert.deepEqual(statuses(again(20, 's3')), [200], 'the same nonce is taken again');
    const late = again(40, 's4');
    assert.deepEqual(statuses(late), [401]);
    assert.match(text(late), /opaque="[0-9a-f]{16}",stale=true,algorithm=MD5,qop="auth"\r\n/);
    const foreign = p.handle(
      request({
        method: 'REGISTER',
        callId: 's5',
        extra: [digest('100', 'qwerty12', '1772366400/0123', 'REGISTER', 'sip:192.0.2.1')],
      }),
      ctx(),
    );
    assert.match(text(foreign), /stale=true/);
  });
});

describe('pjsip preset: after the digest', () => {
  it('registers one contact per extension, clamps the expiry and lists what is bound', () => {
    const p = pjsip();
    const contact = (port: number, expires?: string) => [
      `Contact: <sip:100@198.51.100.7:${port}>`,
      ...(expires === undefined ? [] : [`Expires: ${expires}`]),
    ];
    const none = withDigest(p, { method: 'REGISTER', callId: 'g1', extra: contact(1) }, 'qwerty12');
    assert.match(text(none), /\r\nContact: <sip:100@198\.51\.100\.7:1>;expires=3599\r\nServer: /);
    assert.doesNotMatch(text(none), /\r\nExpires:/);
    const big = withDigest(
      p,
      { method: 'REGISTER', callId: 'g2', extra: contact(2, '99999') },
      'qwerty12',
    );
    assert.match(
      text(big),
      /\r\nDate: [^\r]+ GMT\r\nContact: <sip:100@198\.51\.100\.7:2>;expires=7199\r\nExpires: 7200\r\nServer: /,
    );
    assert.doesNotMatch(text(big), /:1>/, 'the new contact replaced the old one');
    const small = withDigest(
      p,
      { method: 'REGISTER', callId: 'g3', extra: contact(3, '5') },
      'qwerty12',
    );
    assert.match(text(small), /;expires=59\r\nExpires: 60\r\n/);
    const off = withDigest(
      p,
      { method: 'REGISTER', callId: 'g4', extra: contact(3, '0') },
      'qwerty12',
    );
    assert.match(text(off), /\r\nDate: [^\r]+\r\nExpires: 0\r\nServer: /);
  });

  it('rings, then sends 486 with its Q.850 cause and the 180 tag when the ring times out', () => {
    const p = pjsip(15);
    const res = withDigest(
      p,
      { method: 'INVITE', ruri: 'sip:2000@192.0.2.1', callId: 'r1' },
      'qwerty12',
    );
    assert.deepEqual(statuses(res), [100, 180]);
    assert.doesNotMatch(text(res, 0), /\r\nTo: [^\r]*tag=/);
    const tag = /\r\nTo: [^\r]*;tag=([0-9a-f-]{36})\r\n/.exec(text(res, 1))?.[1];
    assert.match(
      tag ?? '',
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    const later = res.later;
    assert.ok(later, 'a ring timeout is armed');
    assert.equal(later.afterMs, 15000);
    const busy = later.run();
    assert.equal(busy.length, 1);
    const b = busy[0]?.data.toString('latin1') ?? '';
    assert.equal(later.bytes, b.length, 'the timer holds the 486, and says so');
    assert.match(b, new RegExp(`^SIP/2\\.0 486 Busy Here\\r\\n[^]*;tag=${tag}\\r\\n`));
    assert.match(b, /\r\nServer: [^\r]+\r\nReason: Q\.850;cause=17\r\nContent-Length: {2}0\r\n/);
    assert.ok(busy[0]?.retransmitKey !== undefined);
  });

  it('answers a BYE at once with 481 and a CANCEL of nothing with 481, without a challenge', () => {
    const p = pjsip();
    const bye = p.handle(request({ method: 'BYE', callId: 'b1' }), ctx());
    assert.deepEqual(statuses(bye), [481]);
    assert.match(text(bye), /^SIP\/2\.0 481 Call\/Transaction Does Not Exist\r\n/);
    assert.deepEqual(statuses(p.handle(request({ method: 'CANCEL', callId: 'b2' }), ctx())), [481]);
  });

  it('answers an unsupported Require with 420 and a tel: URI with 416, after the digest', () => {
    const p = pjsip();
    const req = {
      method: 'INVITE',
      ruri: 'sip:5000@192.0.2.1',
      callId: 'q1',
      extra: ['Require: foo'],
    };
    assert.deepEqual(statuses(p.handle(request(req), ctx())), [401]);
    const res = withDigest(p, req, 'qwerty12');
    assert.deepEqual(statuses(res), [420]);
    assert.match(text(res), /\r\nServer: [^\r]+\r\nUnsupported: foo\r\n/);
    const tel = withDigest(
      p,
      { method: 'MESSAGE', ruri: 'tel:+15551234', callId: 'q2' },
      'qwerty12',
    );
    assert.deepEqual(statuses(tel), [416]);
  });

  it('stays silent on a request pjproject cannot parse (no Call-ID, no From, bad CSeq)', () => {
    const p = pjsip();
    const raw = request({ method: 'OPTIONS' }).toString('latin1');
    for (const broken of [
      raw.replace(/Call-ID: [^\r]*\r\n/, ''),
      raw.replace(/From: [^\r]*\r\n/, ''),
      raw.replace('CSeq: 1 OPTIONS', 'CSeq: abc'),
    ]) {
      const res = p.handle(Buffer.from(broken, 'latin1'), ctx());
      assert.equal(res.replies.length, 0);
      assert.equal(res.event, 'sip.malformed');
    }
  });
});

describe('pjsip preset: the wire', () => {
  it('re-prints From and To as pjsip does', () => {
    assert.equal(
      reprintNameAddr('"sipvicious"<sip:100@1.1.1.1>'),
      '"sipvicious" <sip:100@1.1.1.1>',
    );
    assert.equal(reprintNameAddr('sip:100@1.1.1.1;tag=x'), '<sip:100@1.1.1.1>;tag=x');
    assert.equal(reprintNameAddr('  Bob   <sip:b@h> ; tag = y '), 'Bob <sip:b@h>;tag=y');
  });
});

describe('pjsip preset: retransmitted requests', () => {
  it('challenges a retransmitted request anew (stateless 401) but resends a final INVITE answer', () => {
    const p = pjsip();
    const req = request({
      method: 'INVITE',
      ruri: 'sip:5000@192.0.2.1',
      callId: 'x1',
      branch: 'z9hG4bKx1',
    });
    const a = p.handle(req, ctx());
    const b = p.handle(req, ctx());
    assert.deepEqual([statuses(a), statuses(b)], [[401], [401]]);
    const opaque = (res: PersonaResult) => /opaque="([0-9a-f]{16})"/.exec(text(res))?.[1];
    assert.notEqual(opaque(a), opaque(b));
    const auth = digest('100', 'qwerty12', nonceOf(a), 'INVITE', 'sip:5000@192.0.2.1');
    const signed = request({
      method: 'INVITE',
      ruri: 'sip:5000@192.0.2.1',
      callId: 'x1',
      cseq: 2,
      branch: 'z9hG4bKx2',
      extra: [auth],
    });
    const busy = p.handle(signed, ctx());
    assert.deepEqual(statuses(busy), [100, 486]);
    const again = p.handle(signed, ctx());
    assert.deepEqual(statuses(again), [486]);
    assert.equal(again.replies[0]?.data.toString('latin1'), text(busy, 1));
  });
});
