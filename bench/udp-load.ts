/**
 * @module
 * UDP load generator for bench/udp.bench.ts, run as its own process so it
 * does not share an event loop with the receiver. Sends a realistic mix of
 * scanner traffic (REGISTER 50 %, OPTIONS 30 %, INVITE 20 %, each with a
 * fresh Call-ID and branch) from several source ports to 127.0.0.1:PORT,
 * paced at RATE messages/s for DURATION_MS, drains the replies and ACKs the
 * final responses to its INVITEs as a real client does. Prints one JSON line:
 * { sent (paced + ACKs), paced, acks, elapsed_ms, replies }. Bounded in count and time.
 *
 * usage: node --import tsx bench/udp-load.ts PORT RATE DURATION_MS [SOCKETS]
 */
import { createSocket, type Socket } from 'node:dgram';

const [portArg, rateArg, durArg, socketsArg] = process.argv.slice(2);
const port = Number(portArg);
const rate = Number(rateArg);
const durationMs = Number(durArg);
const socketCount = Number(socketsArg ?? 8);
const total = Math.floor((rate * durationMs) / 1000);
/** Distinct prebuilt messages (a multiple of the socket count keeps each on its port). */
const POOL = 40000;

const UAS = [
  'friendly-scanner',
  'sipcli/v1.8',
  'VaxSIPUserAgent/3.1',
  'PortSIP VoIP SDK 11.2',
  'Zoiper rv2.8.20',
];

function message(i: number, srcPort: number): Buffer {
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
function ackFor(m: Buffer): Buffer | null {
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

async function main(): Promise<void> {
  const sockets: Socket[] = [];
  const ports: number[] = [];
  let replies = 0;
  let acks = 0;
  for (let i = 0; i < socketCount; i++) {
    const s = createSocket('udp4');
    await new Promise<void>((r) => s.bind(0, '127.0.0.1', r));
    s.on('message', (m) => {
      replies++;
      const ack = ackFor(m);
      if (ack) {
        s.send(ack, port, '127.0.0.1');
        acks++;
      }
    });
    s.on('error', () => undefined);
    try {
      s.setRecvBufferSize(8 * 1024 * 1024);
      s.setSendBufferSize(8 * 1024 * 1024);
    } catch {
      // keep defaults
    }
    sockets.push(s);
    ports.push(s.address().port);
  }
  // Prebuilt so that building messages does not limit the send rate; Call-IDs
  // repeat only after POOL messages, long after the persona forgot them.
  const pool = Array.from({ length: Math.min(POOL, total) }, (_, i) =>
    message(i, ports[i % sockets.length] ?? 0),
  );
  let sent = 0;
  const t0 = performance.now();
  const deadline = t0 + durationMs * 2 + 5000;
  await new Promise<void>((resolve) => {
    const tick = (): void => {
      const now = performance.now();
      const due = Math.min(total, Math.floor(((now - t0) * rate) / 1000));
      while (sent < due) {
        const k = sent % sockets.length;
        const m = pool[sent % pool.length];
        if (m) sockets[k]?.send(m, port, '127.0.0.1');
        sent++;
      }
      if (sent >= total || now > deadline) resolve();
      else setImmediate(tick);
    };
    tick();
  });
  const elapsed = performance.now() - t0;
  await new Promise((r) => setTimeout(r, 600)); // let replies (and 100 Trying) drain
  for (const s of sockets) s.close();
  process.stdout.write(
    JSON.stringify({
      sent: sent + acks,
      paced: sent,
      acks,
      elapsed_ms: Math.round(elapsed),
      replies,
    }) + '\n',
  );
}

void main();
