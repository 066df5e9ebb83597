/**
 * @module
 * The ceiling for bench/udp.bench.ts: a bare Node UDP receive loop that
 * only counts datagrams (same receive buffer as the sensor). Prints
 * `ready PORT` when bound and `count N` on SIGTERM, then exits.
 *
 * usage: node bench/udp-bare.ts PORT   (through tsx)
 */
import { createSocket } from 'node:dgram';

const port = Number(process.argv[2] ?? 0);
const sock = createSocket('udp4');
let count = 0;
sock.on('message', () => {
  count++;
});
sock.bind(port, '127.0.0.1', () => {
  try {
    sock.setRecvBufferSize(8 * 1024 * 1024);
  } catch {
    // kernel default
  }
  process.stdout.write(`ready ${sock.address().port}\n`);
});
process.on('SIGTERM', () => {
  process.stdout.write(`count ${count}\n`);
  sock.close();
});
