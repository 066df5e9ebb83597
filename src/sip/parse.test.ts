import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { parse, textOf } from './parse.js';
import { serialize } from './serialize.js';
import { getHeader } from './headers.js';

const OPTIONS =
  'OPTIONS sip:100@192.0.2.1 SIP/2.0\r\n' +
  'Via: SIP/2.0/UDP 192.0.2.9:5060;branch=z9hG4bK-1;rport\r\n' +
  'From: "sipvicious"<sip:100@1.1.1.1>;tag=6162\r\n' +
  'To: "sipvicious"<sip:100@1.1.1.1>\r\n' +
  'Call-ID: 1234\r\n' +
  'CSeq: 1 OPTIONS\r\n' +
  'User-Agent: friendly-scanner\r\n' +
  'Content-Length: 0\r\n\r\n';

const bytes = (s: string): Buffer => Buffer.from(s, 'latin1');

describe('parse', () => {
  it('reads a scanner OPTIONS into method, URI and ordered headers', () => {
    const r = parse(bytes(OPTIONS));
    assert.ok(r.ok);
    assert.ok(r.message.kind === 'request');
    assert.equal(r.message.method, 'OPTIONS');
    assert.equal(r.message.uri, 'sip:100@192.0.2.1');
    assert.deepEqual(
      r.message.headers.map((h) => h.name),
      ['Via', 'From', 'To', 'Call-ID', 'CSeq', 'User-Agent', 'Content-Length'],
    );
    assert.equal(getHeader(r.message, 'user-agent'), 'friendly-scanner');
  });

  it('expands compact names and unfolds continuation lines', () => {
    const r = parse(
      bytes(
        'OPTIONS sip:a@b SIP/2.0\r\nv: SIP/2.0/UDP h\r\ni: x\r\nSubject: one\r\n  two\r\nl: 0\r\n\r\n',
      ),
    );
    assert.ok(r.ok);
    assert.deepEqual(
      r.message.headers.map((h) => [h.name, h.rawName, h.value]),
      [
        ['Via', 'v', 'SIP/2.0/UDP h'],
        ['Call-ID', 'i', 'x'],
        ['Subject', 'Subject', 'one two'],
        ['Content-Length', 'l', '0'],
      ],
    );
  });

  it('accepts bare LF line ends, as Asterisk does', () => {
    const r = parse(bytes(OPTIONS.replace(/\r\n/g, '\n')));
    assert.ok(r.ok);
    assert.equal(getHeader(r.message, 'Call-ID'), '1234');
  });

  it('takes the body by Content-Length and ignores trailing bytes', () => {
    const r = parse(
      bytes(OPTIONS.replace('Content-Length: 0', 'Content-Length: 3') + 'abcGARBAGE'),
    );
    assert.ok(r.ok);
    assert.equal(Buffer.from(r.message.body).toString(), 'abc');
    assert.equal(r.consumed, OPTIONS.length + 3);
  });

  it('keeps a short body in lenient mode and rejects it in strict mode', () => {
    const msg = bytes(OPTIONS.replace('Content-Length: 0', 'Content-Length: 500') + 'x');
    const lenient = parse(msg);
    assert.ok(lenient.ok && lenient.truncatedBody);
    const strict = parse(msg, { bodyLength: 'strict' });
    assert.deepEqual(strict.ok ? null : strict.reason, 'body_length_mismatch');
  });

  it('names each structural failure', () => {
    const cases: [string, string][] = [
      ['', 'empty'],
      ['\r\n\r\n', 'keepalive'],
      ['HELLO\r\n\r\n', 'bad_request_line'],
      ['OPTIONS sip:a@b SIP/3.0\r\n\r\n', 'bad_version'],
      ['SIP/2.0 2000 OK\r\n\r\n', 'bad_status_line'],
      ['OPTIONS sip:a@b SIP/2.0\r\nno colon here\r\n\r\n', 'bad_header_line'],
      ['OPTIONS sip:a@b SIP/2.0\r\nContent-Length: -1\r\n\r\n', 'bad_content_length'],
    ];
    for (const [input, reason] of cases) {
      const r = parse(bytes(input));
      assert.equal(r.ok ? 'ok' : r.reason, reason, JSON.stringify(input));
    }
  });

  it('enforces the byte and header limits it is given', () => {
    assert.equal(
      ((r) => (r.ok ? 'ok' : r.reason))(parse(bytes(OPTIONS), { maxBytes: 50 })),
      'too_large',
    );
    const many = 'OPTIONS sip:a@b SIP/2.0\r\n' + 'X-A: 1\r\n'.repeat(20) + '\r\n';
    assert.equal(
      ((r) => (r.ok ? 'ok' : r.reason))(parse(bytes(many), { maxHeaders: 10 })),
      'too_many_headers',
    );
    assert.ok(parse(bytes(many), { maxHeaders: 20 }).ok);
  });

  it('keeps non-UTF-8 header bytes exact and offers them as text', () => {
    const raw = Buffer.concat([
      bytes('OPTIONS sip:a@b SIP/2.0\r\nFrom: "'),
      Buffer.from('Jös', 'utf8'),
      bytes('" <sip:x@y>\r\n\r\n'),
    ]);
    const r = parse(raw);
    assert.ok(r.ok);
    assert.equal(textOf(getHeader(r.message, 'From') ?? ''), '"Jös" <sip:x@y>');
    assert.deepEqual(
      serialize(r.message).subarray(0, raw.length - 2),
      raw.subarray(0, raw.length - 2),
    );
  });

  it('never throws on arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2048 }), (b) => {
        const r = parse(b);
        assert.equal(typeof r.ok, 'boolean');
      }),
      { numRuns: 2000 },
    );
  });

  it('never throws on mutated SIP messages, and round-trips what it accepts', () => {
    const base = bytes(OPTIONS);
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(base.length - 1), fc.integer({ min: 0, max: 255 })), {
          maxLength: 8,
        }),
        (edits) => {
          const b = Buffer.from(base);
          for (const [i, v] of edits) b[i] = v;
          const r = parse(b);
          if (!r.ok) return;
          const again = parse(serialize(r.message));
          assert.ok(again.ok);
          assert.deepEqual(
            again.message.headers.map((h) => h.value),
            r.message.headers.map((h) => h.value),
          );
        },
      ),
      { numRuns: 2000 },
    );
  });
});
