/**
 * @module
 * The scanner traffic of the UDP benchmarks, shared by the load generator
 * (bench/udp-load.ts) and the in-process persona benchmark
 * (bench/persona.bench.ts): REGISTER 50 %, OPTIONS 30 %, INVITE with SDP
 * 20 %, each with a fresh Call-ID and branch, and the ACK a client sends for
 * a non-2xx final answer to its INVITE.
 */

const UAS = [
  'friendly-scanner',
  'sipcli/v1.8',
  'VaxSIPUserAgent/3.1',
  'PortSIP VoIP SDK 11.2',
  'Zoiper rv2.8.20',
];

/** Message `i` of the mix, as sent from `srcPort`. */
export function message(i: number, srcPort: number): Buffer {
  const kind = i % 10;
  const ua = UAS[i % UAS.length] ?? 'x';
  const ext = 100 + (i % 900);
  const callId = `${i.toString(36)}-${srcPort}-bench`;
  const branch = `z9hG4bK-${i.toString(36)}`;
  const common =
    `Via: SIP/2.0/UDP 127.0.0.1:${srcPort};branch=${branch};rport\r\n` +
    `Max-Forwards: 70\r\n` +
    `From: "${ext}" <sip:${ext}@127.0.0.1>;tag=${(i * 7919).toString(16)}\r\n`;
  if (kind < 5) {
    return Buffer.from(
      `REGISTER sip:127.0.0.1 SIP/2.0\r\n${common}To: "${ext}" <sip:${ext}@127.0.0.1>\r\n` +
        `Call-ID: ${callId}\r\nCSeq: 1 REGISTER\r\nContact: <sip:${ext}@127.0.0.1:${srcPort}>\r\n` +
        `Expires: 3600\r\nUser-Agent: ${ua}\r\nContent-Length: 0\r\n\r\n`,
    );
  }
  if (kind < 8) {
    return Buffer.from(
      `OPTIONS sip:${ext}@127.0.0.1 SIP/2.0\r\n${common}To: <sip:${ext}@127.0.0.1>\r\n` +
        `Call-ID: ${callId}\r\nCSeq: 1 OPTIONS\r\nAccept: application/sdp\r\nUser-Agent: ${ua}\r\nContent-Length: 0\r\n\r\n`,
    );
  }
  const number = `00972${(500000000 + i).toString()}`;
  const sdp =
    `v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n` +
    `m=audio 4000 RTP/AVP 0 8\r\na=rtpmap:0 PCMU/8000\r\n`;
  return Buffer.from(
    `INVITE sip:${number}@127.0.0.1 SIP/2.0\r\n${common}To: <sip:${number}@127.0.0.1>\r\n` +
      `Call-ID: ${callId}\r\nCSeq: 1 INVITE\r\nContact: <sip:${ext}@127.0.0.1:${srcPort}>\r\n` +
      `User-Agent: ${ua}\r\nContent-Type: application/sdp\r\nContent-Length: ${sdp.length}\r\n\r\n${sdp}`,
  );
}

/**
 * The ACK a well-behaved client sends for a non-2xx final response to its
 * INVITE (RFC 3261 §17.1.1.3), so the sensor stops retransmitting it.
 */
export function ackFor(m: Buffer): Buffer | null {
  if (m[8] !== 0x34 && m[8] !== 0x35 && m[8] !== 0x36) return null; // 4xx-6xx only
  const text = m.toString('latin1');
  if (!text.includes(' INVITE\r\n')) return null;
  const via = /^Via: ([^\r]*)/m.exec(text)?.[1];
  const from = /^From: ([^\r]*)/m.exec(text)?.[1];
  const to = /^To: ([^\r]*)/m.exec(text)?.[1];
  const callId = /^Call-ID: ([^\r]*)/m.exec(text)?.[1];
  const cseq = /^CSeq: (\d+)/m.exec(text)?.[1];
  const ruri = /<(sip:[^>]*)>/.exec(to ?? '')?.[1];
  if (!via || !from || !to || !callId || !cseq || !ruri) return null;
  return Buffer.from(
    `ACK ${ruri} SIP/2.0\r\nVia: ${via.replace(/;received=[^;]*/, '')}\r\nMax-Forwards: 70\r\nFrom: ${from}\r\nTo: ${to}\r\n` +
      `Call-ID: ${callId}\r\nCSeq: ${cseq} ACK\r\nContent-Length: 0\r\n\r\n`,
  );
}
