/**
 * @module
 * The ceiling for bench/udp.bench.ts: a bare Node UDP receive loop that
 * only counts datagrams (same receive buffer as the sensor). With `echo`,
 * it also answers every datagram with one fixed 450-byte datagram, as the
 * sensor answers each message: the least Node and the kernel spend per
 * answered message, whatever the SIP work. Prints `ready PORT` when bound
 * and `count N` on SIGTERM, then exits.
 *
 * usage: node bench/udp-bare.ts PORT [echo]   (through tsx)
 */
import { createSocket } from 'node:dgram';

const port = Number(process.argv[2] ?? 0);
const echo = process.argv[3] === 'echo';
const answer = Buffer.alloc(450, 0x41);
const sock = createSocket('udp4');
let count = 0;
sock.on('message', (_m, rinfo) => {
  count++;
  if (echo) sock.send(answer, rinfo.port, rinfo.address);
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
