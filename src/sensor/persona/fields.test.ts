import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { referenceConfig, seededRandom } from '../../../test/fixtures/sip/persona-config.js';
import { createAsteriskPersona } from './index.js';

const ctx = {
  transport: 'udp' as const,
  srcIp: '198.51.100.7',
  srcPort: 5060,
  dstIp: '192.0.2.1',
  dstPort: 5060,
  now: new Date('2026-03-01T12:00:00Z'),
};

function options(display: Buffer): Buffer {
  return Buffer.concat([
    Buffer.from('OPTIONS sip:100@192.0.2.1 SIP/2.0\r\n', 'latin1'),
    Buffer.from('Via: SIP/2.0/UDP 198.51.100.7:5060;branch=z9hG4bK-1\r\nFrom: "', 'latin1'),
    display,
    Buffer.from(
      '" <sip:100@192.0.2.1>;tag=abc\r\nTo: <sip:100@192.0.2.1>\r\nCall-ID: c1\r\n' +
        'CSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n',
      'latin1',
    ),
  ]);
}

describe('event text of header bytes', () => {
  const persona = createAsteriskPersona(referenceConfig('chan_sip_leaky', false), {
    random: seededRandom(1),
  });

  it('keeps bytes that are not UTF-8 as Latin-1, one character per byte, none lost', () => {
    const res = persona.handle(options(Buffer.from([0xff, 0xfe, 0x41])), ctx);
    assert.equal(res.fields.from_display, '\u00ff\u00feA');
    assert.doesNotMatch(res.fields.from_display ?? '', /\ufffd/);
    assert.deepEqual(
      Buffer.from(res.fields.from_display ?? '', 'latin1'),
      Buffer.from([0xff, 0xfe, 0x41]),
    );
    // And through the JSON line, as written and read back.
    const line = JSON.stringify({ from_display: res.fields.from_display });
    assert.equal((JSON.parse(line) as { from_display: string }).from_display, 'ÿþA');
  });

  it('reads valid UTF-8 as UTF-8', () => {
    const res = persona.handle(options(Buffer.from('Jörg 東京', 'utf8')), ctx);
    assert.equal(res.fields.from_display, 'Jörg 東京');
  });
});
