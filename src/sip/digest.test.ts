import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  computeDigestResponse,
  formatAuthorization,
  formatChallenge,
  parseDigest,
} from './digest.js';

describe('digest', () => {
  it('computes the RFC 2617 example response with qop=auth, nc and cnonce', () => {
    // RFC 2617 §3.5 (HTTP): Mufasa / Circle Of Life.
    const r = computeDigestResponse({
      username: 'Mufasa',
      realm: 'testrealm@host.com',
      password: 'Circle Of Life',
      method: 'GET',
      uri: '/dir/index.html',
      nonce: 'dcd98b7102dd2f0e8b11d0f600bfb0c093',
      qop: 'auth',
      nc: '00000001',
      cnonce: '0a4f113b',
    });
    assert.equal(r, '6629fae49393a05397450978507c4ef1');
  });

  it('uses the RFC 2069 form when qop is claimed without nc and cnonce (svcrack)', () => {
    const base = {
      username: '100',
      realm: 'asterisk',
      password: 'qwerty12',
      method: 'REGISTER',
      uri: 'sip:127.0.0.1',
      nonce: '5bd73bf1',
    };
    // Recorded: svcrack cracked 100/qwerty12 against Asterisk with this digest.
    assert.equal(
      computeDigestResponse({ ...base, qop: 'auth' }),
      '281ddb83ba095217ec07b9ea18cdabd2',
    );
    assert.equal(computeDigestResponse(base), '281ddb83ba095217ec07b9ea18cdabd2');
  });

  it('reads Authorization with quoted and unquoted fields, commas inside quotes', () => {
    const d = parseDigest(
      'Digest username="100",realm="asterisk",nonce="46d08bca",uri="sip:127.0.0.1",algorithm=MD5,qop=auth,response="0210e1",opaque="a,b"',
    )!;
    assert.deepEqual(
      [
        d.scheme,
        d.username,
        d.realm,
        d.nonce,
        d.uri,
        d.algorithm,
        d.qop,
        d.response,
        d.opaque,
        d.nc,
      ],
      [
        'Digest',
        '100',
        'asterisk',
        '46d08bca',
        'sip:127.0.0.1',
        'MD5',
        'auth',
        '0210e1',
        'a,b',
        null,
      ],
    );
    assert.equal(parseDigest(''), null);
  });

  it('writes the chan_sip challenge byte for byte, and round-trips an Authorization', () => {
    assert.equal(
      formatChallenge({ realm: 'asterisk', nonce: '1bc3473a' }),
      'Digest algorithm=MD5, realm="asterisk", nonce="1bc3473a"',
    );
    const input = {
      username: 'u',
      realm: 'r',
      password: 'p',
      method: 'INVITE',
      uri: 'sip:x',
      nonce: 'n',
    };
    const back = parseDigest(formatAuthorization(input))!;
    assert.equal(back.response, computeDigestResponse(input));
  });
});

describe('parseDigest with empty and unseparated quoted values', () => {
  it('an empty quoted username does not swallow the parameters behind it', () => {
    for (const v of [
      'Digest username="", realm="asterisk", nonce="abc", uri="sip:x", response="ff"',
      'Digest username="",realm="asterisk",nonce="abc",uri="sip:x",response="ff"',
      'Digest username=""realm="asterisk" nonce="abc"uri="sip:x",response=ff',
      'Digest username=""  ,  realm=asterisk,nonce="abc", uri="sip:x", response="ff"',
    ]) {
      const d = parseDigest(v);
      assert.equal(d?.username, '', v);
      assert.equal(d.realm, 'asterisk', v);
      assert.equal(d.nonce, 'abc', v);
      assert.equal(d.uri, 'sip:x', v);
      assert.equal(d.response, 'ff', v);
    }
  });

  it('honours escapes inside quotes and stops at 32 parameters', () => {
    const d = parseDigest('Digest username="a\\"b,c", realm="r\\\\"');
    assert.equal(d?.username, 'a"b,c');
    assert.equal(d.realm, 'r\\');
    const many = Array.from({ length: 40 }, (_v, i) => `p${i}=${i}`).join(', ');
    assert.equal(parseDigest(`Digest ${many}`)?.params.size, 32);
    assert.equal(parseDigest('Digest username="unterminated')?.username, 'unterminated');
  });
});
