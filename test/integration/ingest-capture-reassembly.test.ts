/**
 * Captures whose messages must be put back together. Fragmented SIP
 * datagrams: an INVITE with a large SDP body over a 1,500-byte MTU arrives
 * as several IPv4 fragments (RFC 791) or IPv6 fragments (RFC 8200 §4.5),
 * possibly out of order; the import must reassemble them into one message,
 * and report a SIP datagram that lost a fragment instead of dropping it
 * silently or guessing. TCP connections that reuse addresses and ports:
 * each is its own stream, even with the same sequence numbers.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ipv4Udp, rawIpPcap, scratch, type Scratch } from './ingest-helpers.js';

/** An INVITE whose SDP offers many codecs: about 3,000 bytes. */
function bigInvite(number: string, callId: string): Buffer {
  const sdp =
    'v=0\r\no=- 1 1 IN IP4 192.0.2.50\r\ns=-\r\nc=IN IP4 192.0.2.50\r\nt=0 0\r\n' +
    `m=audio 4000 RTP/AVP ${Array.from({ length: 90 }, (_, i) => 96 + (i % 32)).join(' ')}\r\n` +
    Array.from({ length: 90 }, (_, i) => `a=rtpmap:${96 + (i % 32)} codec${i}/8000\r\n`).join('');
  return Buffer.from(
    `INVITE sip:${number}@198.51.100.1 SIP/2.0\r\n` +
      'Via: SIP/2.0/UDP 192.0.2.50:5060;branch=z9hG4bK-frag;rport\r\n' +
      'Max-Forwards: 70\r\nFrom: "100" <sip:100@198.51.100.1>;tag=abc\r\n' +
      `To: <sip:${number}@198.51.100.1>\r\nCall-ID: ${callId}\r\nCSeq: 1 INVITE\r\n` +
      'Contact: <sip:100@192.0.2.50:5060>\r\nUser-Agent: fragmenter\r\n' +
      `Content-Type: application/sdp\r\nContent-Length: ${sdp.length}\r\n\r\n${sdp}`,
  );
}

/** Splits a whole IPv4 packet (20-byte header) into fragments of at most `size` payload bytes. */
function ipv4Fragments(packet: Buffer, size: number): Buffer[] {
  const header = packet.subarray(0, 20);
  const body = packet.subarray(20);
  const out: Buffer[] = [];
  for (let off = 0; off < body.length; off += size) {
    const part = body.subarray(off, Math.min(body.length, off + size));
    const h = Buffer.from(header);
    h.writeUInt16BE(20 + part.length, 2);
    const more = off + size < body.length ? 0x2000 : 0;
    h.writeUInt16BE(more | (off / 8), 6);
    out.push(Buffer.concat([h, part]));
  }
  return out;
}

/** A UDP datagram over IPv6 in fragments (fragment header, `size` payload bytes each). */
function ipv6UdpFragments(
  src: string,
  dst: string,
  payload: Buffer,
  id: number,
  size: number,
): Buffer[] {
  const addr = (a: string): Buffer => {
    const [head = '', tail = ''] = a.split('::');
    const h = head === '' ? [] : head.split(':');
    const t = tail === '' ? [] : tail.split(':');
    const groups = [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
    const b = Buffer.alloc(16);
    groups.forEach((g, i) => b.writeUInt16BE(parseInt(g, 16), i * 2));
    return b;
  };
  const udp = Buffer.alloc(8);
  udp.writeUInt16BE(5060, 0);
  udp.writeUInt16BE(5060, 2);
  udp.writeUInt16BE(8 + payload.length, 4);
  const body = Buffer.concat([udp, payload]);
  const out: Buffer[] = [];
  for (let off = 0; off < body.length; off += size) {
    const part = body.subarray(off, Math.min(body.length, off + size));
    const ip = Buffer.alloc(40);
    ip.writeUInt32BE(0x60000000, 0);
    ip.writeUInt16BE(8 + part.length, 4);
    ip.writeUInt8(44, 6);
    ip.writeUInt8(64, 7);
    addr(src).copy(ip, 8);
    addr(dst).copy(ip, 24);
    const frag = Buffer.alloc(8);
    frag.writeUInt8(17, 0);
    frag.writeUInt16BE(off | (off + size < body.length ? 1 : 0), 2);
    frag.writeUInt32BE(id, 4);
    out.push(Buffer.concat([ip, frag, part]));
  }
  return out;
}

describe('ingest of fragmented SIP datagrams in a capture', () => {
  let s: Scratch;
  let path: string;
  const v4 = bigInvite('0097250111222', 'frag-v4');
  const v6 = bigInvite('0044201234567', 'frag-v6');
  const lost = bigInvite('0033123456789', 'frag-lost');
  const options = Buffer.from(
    'OPTIONS sip:100@198.51.100.1 SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.52:5060;branch=z9hG4bK-o\r\n' +
      'From: <sip:a@192.0.2.52>;tag=1\r\nTo: <sip:100@198.51.100.1>\r\nCall-ID: o1\r\n' +
      'CSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n',
  );

  before(async () => {
    s = await scratch();
    const whole = ipv4Fragments(
      ipv4Udp([192, 0, 2, 50], 5060, [198, 51, 100, 1], 5060, v4, 7),
      1480,
    );
    const six = ipv6UdpFragments('2001:db8::50', '2001:db8::1', v6, 0x01020304, 1448);
    const gone = ipv4Fragments(
      ipv4Udp([192, 0, 2, 51], 5060, [198, 51, 100, 1], 5060, lost, 9),
      1480,
    );
    const small = ipv4Udp([192, 0, 2, 52], 5060, [198, 51, 100, 1], 5060, options, 11);
    assert.equal(whole.length, 3);
    assert.equal(six.length, 3);
    // Out of order, interleaved with other traffic; the third datagram loses its last fragment.
    const packets = [
      whole[2],
      gone[0],
      six[1],
      whole[0],
      small,
      six[2],
      gone[1],
      six[0],
      whole[1],
    ].filter((p): p is Buffer => p !== undefined);
    path = join(s.dir, 'fragments.pcap');
    writeFileSync(path, rawIpPcap(packets));
  });
  after(() => {
    s.done();
  });

  it('reassembles IPv4 and IPv6 fragments into whole messages, and reports the one that lost a fragment', async () => {
    const r = await s.ingest([path], { sensorId: 'frag' });
    const file = r.files[0];
    assert.ok(file);
    assert.equal(file.format, 'pcap');
    const rows = await s.rows(
      `SELECT src_ip, method, call_id, dialed, size, user_agent FROM events ORDER BY call_id`,
    );
    assert.deepEqual(
      rows.map((x) => [x['src_ip'], x['method'], x['call_id'], x['dialed'], x['size']]),
      [
        ['192.0.2.50', 'INVITE', 'frag-v4', '0097250111222', v4.length],
        ['2001:db8::50', 'INVITE', 'frag-v6', '0044201234567', v6.length],
        ['192.0.2.52', 'OPTIONS', 'o1', null, options.length],
      ],
    );
    assert.equal(file.rejected, 1);
    // Frame 2 is the first fragment of the incomplete datagram.
    assert.deepEqual(file.rejects, [{ line: 2, reason: 'ip_fragment_missing' }]);
  });
});

/** One IPv4/TCP segment (no options; checksums left zero). */
function ipv4Tcp(seq: number, flags: number, payload: Buffer, sport = 40000): Buffer {
  const tcp = Buffer.alloc(20);
  tcp.writeUInt16BE(sport, 0);
  tcp.writeUInt16BE(5060, 2);
  tcp.writeUInt32BE(seq >>> 0, 4);
  tcp.writeUInt8(5 << 4, 12);
  tcp.writeUInt8(flags, 13);
  tcp.writeUInt16BE(65535, 14);
  const ip = Buffer.alloc(20);
  ip.writeUInt8(0x45, 0);
  ip.writeUInt16BE(40 + payload.length, 2);
  ip.writeUInt8(64, 8);
  ip.writeUInt8(6, 9);
  Buffer.from([192, 0, 2, 60]).copy(ip, 12);
  Buffer.from([198, 51, 100, 1]).copy(ip, 16);
  return Buffer.concat([ip, tcp, payload]);
}

describe('ingest of TCP connections that reuse addresses and ports in a capture', () => {
  let s: Scratch;
  let path: string;
  const register = (callId: string): Buffer =>
    Buffer.from(
      'REGISTER sip:198.51.100.1 SIP/2.0\r\nVia: SIP/2.0/TCP 192.0.2.60:40000;branch=z9hG4bK-' +
        `${callId}\r\nFrom: <sip:100@198.51.100.1>;tag=1\r\nTo: <sip:100@198.51.100.1>\r\n` +
        `Call-ID: ${callId}\r\nCSeq: 1 REGISTER\r\nContent-Length: 0\r\n\r\n`,
    );
  const SYN = 0x02;
  const ACK_PSH = 0x18;
  const FIN_ACK = 0x11;

  before(async () => {
    s = await scratch();
    // A scanner that reconnects from the same port with the same initial sequence number.
    const isn = 7_000_000;
    const packets: Buffer[] = [];
    for (const callId of ['conn-one', 'conn-two']) {
      const m = register(callId);
      packets.push(
        ipv4Tcp(isn, SYN, Buffer.alloc(0)),
        ipv4Tcp(isn + 1, ACK_PSH, m.subarray(0, 100)),
        ipv4Tcp(isn + 101, ACK_PSH, m.subarray(100)),
        ipv4Tcp(isn + 1 + m.length, FIN_ACK, Buffer.alloc(0)),
      );
    }
    path = join(s.dir, 'reconnect.pcap');
    writeFileSync(path, rawIpPcap(packets));
  });
  after(() => {
    s.done();
  });

  it('reads each connection as its own stream', async () => {
    const r = await s.ingest([path], { sensorId: 'tcp' });
    assert.equal(r.files[0]?.rejected, 0);
    const rows = await s.rows(`SELECT transport, method, call_id FROM events ORDER BY call_id`);
    assert.deepEqual(
      rows.map((x) => [x['transport'], x['method'], x['call_id']]),
      [
        ['tcp', 'REGISTER', 'conn-one'],
        ['tcp', 'REGISTER', 'conn-two'],
      ],
    );
  });
});
