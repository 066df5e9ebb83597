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
import { ackFor, message } from './udp-messages.js';

const [portArg, rateArg, durArg, socketsArg] = process.argv.slice(2);
const port = Number(portArg);
const rate = Number(rateArg);
const durationMs = Number(durArg);
const socketCount = Number(socketsArg ?? 8);
const total = Math.floor((rate * durationMs) / 1000);
/** Distinct prebuilt messages (a multiple of the socket count keeps each on its port). */
const POOL = 40000;

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
      else setTimeout(tick, 1);
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
