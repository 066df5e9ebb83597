import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from '../sip/parse.js';
import { recordedFields } from './recorded.js';

function fieldsOf(text: string): ReturnType<typeof recordedFields> {
  const res = parse(Buffer.from(text.replace(/\n/g, '\r\n'), 'latin1'));
  assert.ok(res.ok);
  return recordedFields(res.message, res.consumed);
}

const tag = `${Buffer.from('101:secret', 'latin1').toString('hex')}01${Buffer.from('1234', 'latin1').toString('hex')}`;

describe('recordedFields', () => {
  it('reads the digest username and realm, and the svcrack password from the From tag', () => {
    const f = fieldsOf(
      [
        'REGISTER sip:192.0.2.1 SIP/2.0',
        'Via: SIP/2.0/UDP 198.51.100.7:5060;branch=z9hG4bK-1',
        `From: "101" <sip:101@192.0.2.1>;tag=${tag}`,
        'To: "101" <sip:101@192.0.2.1>',
        'Call-ID: 1@x',
        'CSeq: 2 REGISTER',
        'Authorization: Digest username="101",realm="asterisk",nonce="1a2b3c4d",uri="sip:192.0.2.1",response="00000000000000000000000000000000",algorithm=MD5',
        'Content-Length: 0',
        '',
        '',
      ].join('\n'),
    );
    assert.equal(f.auth_user, '101');
    assert.equal(f.auth_realm, 'asterisk');
    assert.equal(f.password_guess, 'secret');
    assert.equal(f.guess_source, 'sipvicious_tag');
    assert.equal(f.auth_ok, undefined);
  });

  it('leaves the auth fields empty without Authorization, and keeps a plain tag as a tag', () => {
    const f = fieldsOf(
      [
        'REGISTER sip:192.0.2.1 SIP/2.0',
        'Via: SIP/2.0/UDP 198.51.100.7:5060;branch=z9hG4bK-1',
        'From: <sip:101@192.0.2.1>;tag=as1234abcd',
        'To: <sip:101@192.0.2.1>',
        'Call-ID: 2@x',
        'CSeq: 1 REGISTER',
        'Content-Length: 0',
        '',
        '',
      ].join('\n'),
    );
    assert.equal(f.auth_user, undefined);
    assert.equal(f.password_guess, undefined);
    assert.equal(f.from_tag, 'as1234abcd');
  });
});
