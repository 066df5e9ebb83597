import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { canonicalName, parseParams, splitHeaderValues, unquote } from './headers.js';
import { parseNameAddr } from './address.js';
import { parseVia, viaParam, formatVia } from './via.js';
import { parseUri } from './uri.js';

describe('header names', () => {
  it('expands every compact form and normalises known names of any case', () => {
    const pairs: [string, string][] = [
      ['i', 'Call-ID'],
      ['m', 'Contact'],
      ['e', 'Content-Encoding'],
      ['l', 'Content-Length'],
      ['c', 'Content-Type'],
      ['f', 'From'],
      ['s', 'Subject'],
      ['k', 'Supported'],
      ['t', 'To'],
      ['v', 'Via'],
      ['o', 'Event'],
      ['u', 'Allow-Events'],
      ['V', 'Via'],
      ['CALL-ID', 'Call-ID'],
      ['cseq', 'CSeq'],
      ['www-authenticate', 'WWW-Authenticate'],
      ['X-Odd', 'X-Odd'],
    ];
    for (const [raw, want] of pairs) assert.equal(canonicalName(raw), want, raw);
  });
});

describe('header values', () => {
  it('splits on commas outside quotes and angle brackets', () => {
    assert.deepEqual(splitHeaderValues('"Doe, John" <sip:a@b;x=1,2>;tag=1, <sip:c@d>,sip:e@f'), [
      '"Doe, John" <sip:a@b;x=1,2>;tag=1',
      '<sip:c@d>',
      'sip:e@f',
    ]);
    assert.deepEqual(splitHeaderValues('"a\\",b", c'), ['"a\\",b"', 'c']);
  });

  it('reads parameters with quoted values and bare names', () => {
    const p = parseParams('tag=abc;LR;x="a;b"');
    assert.deepEqual(
      [...p],
      [
        ['tag', 'abc'],
        ['lr', ''],
        ['x', 'a;b'],
      ],
    );
    assert.equal(unquote('"a\\"b"'), 'a"b');
  });
});

describe('name-addr', () => {
  it('reads quoted, unquoted and glued display names and the tag', () => {
    assert.deepEqual(
      (({ display, tag, uriText }) => ({ display, tag, uriText }))(
        parseNameAddr('"sipvicious"<sip:100@1.1.1.1>;tag=6162')!,
      ),
      { display: 'sipvicious', tag: '6162', uriText: 'sip:100@1.1.1.1' },
    );
    assert.equal(parseNameAddr('Bob Smith <sip:bob@x>')?.display, 'Bob Smith');
    const bare = parseNameAddr('sip:alice@x;tag=9');
    assert.ok(bare);
    assert.equal(bare.tag, '9');
    assert.equal(bare.uri?.user, 'alice');
  });

  it('refuses an unterminated quote or a missing >', () => {
    assert.equal(parseNameAddr('"Bob <sip:bob@x>'), null);
    assert.equal(parseNameAddr('<sip:bob@x'), null);
    assert.equal(parseNameAddr(''), null);
  });
});

describe('URIs', () => {
  it('reads sip user, password, host, port, params and headers, unescaping the user', () => {
    const u = parseUri('sip:al%20ice:pw@[2001:db8::1]:5070;transport=tcp;lr?Subject=x')!;
    assert.deepEqual(
      {
        scheme: u.scheme,
        user: u.user,
        password: u.password,
        host: u.host,
        port: u.port,
        headers: u.headers,
      },
      {
        scheme: 'sip',
        user: 'al ice',
        password: 'pw',
        host: '[2001:db8::1]',
        port: 5070,
        headers: 'Subject=x',
      },
    );
    assert.deepEqual(
      [...u.params],
      [
        ['transport', 'tcp'],
        ['lr', ''],
      ],
    );
  });

  it('reads tel: numbers and keeps unknown schemes opaque', () => {
    assert.equal(parseUri('tel:+97250123;phone-context=x')?.user, '+97250123');
    assert.equal(parseUri('isbn:2983792873')?.opaque, '2983792873');
    assert.equal(parseUri('<sip:a@b>'), null);
    assert.equal(parseUri('sip:a@b:99999'), null);
  });
});

describe('Via', () => {
  it('reads transport, sent-by and parameters in order', () => {
    const v = parseVia('SIP/2.0/udp 192.0.2.9:5060;branch=z9hG4bK-1;rport')!;
    assert.equal(v.transport, 'UDP');
    assert.equal(v.host, '192.0.2.9');
    assert.equal(v.port, 5060);
    assert.equal(viaParam(v, 'branch'), 'z9hG4bK-1');
    assert.equal(viaParam(v, 'rport'), null);
    assert.equal(viaParam(v, 'received'), undefined);
    assert.equal(formatVia(v), 'SIP/2.0/udp 192.0.2.9:5060;branch=z9hG4bK-1;rport');
    assert.equal(parseVia('garbage'), null);
  });
});
