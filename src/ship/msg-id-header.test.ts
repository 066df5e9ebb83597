import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { headers } from '@nats-io/transport-node';
import { isMsgId, MSG_ID, MsgIdHeader } from './msg-id-header.js';

/** The library's header set encodes itself through this (internal) method; ours must give the same bytes. */
const encoded = (h: object): Buffer => Buffer.from((h as { encode(): Uint8Array }).encode());

describe('MsgIdHeader: the Nats-Msg-Id header of a published event', () => {
  it('encodes exactly as the library header set with the same id', () => {
    const h = new MsgIdHeader();
    for (const id of ['0190b000-0000-7000-8000-000000000001', 'legacy:ab12:7', 'x']) {
      const lib = headers();
      lib.set(MSG_ID, id);
      h.id = id;
      assert.deepEqual(encoded(h), encoded(lib), id);
      assert.equal(h.get(MSG_ID), id);
      assert.deepEqual([...h], [[MSG_ID, [id]]]);
    }
  });

  it('gives new bytes on every encode (the connection queues them by reference)', () => {
    const h = new MsgIdHeader();
    h.id = 'first';
    const a = h.encode();
    h.id = 'second';
    h.encode();
    assert.match(Buffer.from(a).toString('latin1'), /Nats-Msg-Id: first\r\n\r\n$/);
  });

  it('takes only ids that cannot end or bend a header', () => {
    for (const bad of ['', 'a b', 'a\r\nX-Evil: 1', 'a\n', 'caf\u00e9', 'x'.repeat(257), '\u0000'])
      assert.equal(isMsgId(bad), false, JSON.stringify(bad));
    assert.equal(isMsgId('0190b000-0000-7000-8000-000000000001'), true);
    assert.throws(() => {
      new MsgIdHeader().id = 'a\r\nb';
    });
    assert.throws(() => {
      new MsgIdHeader().set('Other', 'v');
    });
  });
});
