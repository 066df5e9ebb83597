import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SipFramer, type FrameItem } from './framing.js';

const msg = (body: string, compact = false): string =>
  `OPTIONS sip:a@b SIP/2.0\r\nVia: SIP/2.0/TCP h\r\n${compact ? 'l' : 'Content-Length'}: ${body.length}\r\n\r\n${body}`;

const kinds = (items: FrameItem[]): string[] =>
  items.map((i) => (i.kind === 'message' ? `message:${i.bytes.toString('latin1')}` : i.kind));

describe('SipFramer', () => {
  it('cuts several messages out of one chunk by Content-Length', () => {
    const f = new SipFramer();
    const stream = msg('') + msg('hello', true) + msg('x');
    assert.deepEqual(kinds(f.push(Buffer.from(stream))), [
      `message:${msg('')}`,
      `message:${msg('hello', true)}`,
      `message:${msg('x')}`,
    ]);
    assert.equal(f.buffered, 0);
  });

  it('gives the same messages when fed one byte at a time', () => {
    const stream = `\r\n\r\n${msg('abc')}${msg('')}\r\n\r\n${msg('body\r\n\r\nwith blank')}`;
    const whole = kinds(new SipFramer().push(Buffer.from(stream)));
    const f = new SipFramer();
    const bytewise: FrameItem[] = [];
    for (const b of Buffer.from(stream)) bytewise.push(...f.push(Buffer.from([b])));
    assert.deepEqual(kinds(bytewise), whole);
    assert.deepEqual(whole, [
      'keepalive',
      `message:${msg('abc')}`,
      `message:${msg('')}`,
      'keepalive',
      `message:${msg('body\r\n\r\nwith blank')}`,
    ]);
  });

  it('reports a CRLFCRLF keepalive split across reads', () => {
    const f = new SipFramer();
    assert.deepEqual(f.push(Buffer.from('\r\n')), []);
    assert.deepEqual(kinds(f.push(Buffer.from('\r\n'))), ['keepalive']);
  });

  it('fails, once and for good, when headers outgrow the bound', () => {
    const f = new SipFramer({ maxMessageBytes: 100 });
    const out = f.push(Buffer.from('OPTIONS sip:a@b SIP/2.0\r\n' + 'X: y\r\n'.repeat(30)));
    assert.deepEqual(kinds(out), ['error']);
    assert.ok(f.failed);
    assert.equal(f.buffered, 0);
    assert.deepEqual(f.push(Buffer.from(msg(''))), []);
  });

  it('fails when Content-Length announces more than the bound or is not a number', () => {
    assert.equal(
      new SipFramer({ maxMessageBytes: 200 }).push(
        Buffer.from(msg('').replace('Content-Length: 0', 'Content-Length: 9999')),
      )[0]?.kind,
      'error',
    );
    const bad = new SipFramer().push(
      Buffer.from(msg('').replace('Content-Length: 0', 'Content-Length: -5')),
    );
    assert.deepEqual(
      bad.map((i) => (i.kind === 'error' ? i.reason : i.kind)),
      ['bad_content_length'],
    );
  });

  it('holds a partial body until the rest arrives', () => {
    const f = new SipFramer();
    const full = msg('0123456789');
    assert.deepEqual(f.push(Buffer.from(full.slice(0, -4))), []);
    assert.equal(f.buffered, full.length - 4);
    assert.deepEqual(kinds(f.push(Buffer.from(full.slice(-4)))), [`message:${full}`]);
  });
});
