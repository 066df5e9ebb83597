/**
 * @module
 * The UDP listener's I/O thread: owns the socket, reads datagrams and hands
 * them to the sensor's thread in batches (one per turn of its event loop),
 * and sends the replies the sensor hands back. Receiving and sending cost
 * as much CPU as the persona itself, so on a machine with two cores the
 * two halves run side by side. Interprets nothing. Bounded: beyond
 * `maxInflight` datagrams (or `maxInflightBytes`) not yet processed by the
 * sensor, new ones are dropped and counted, as the kernel drops them when
 * its buffer is full; a datagram over the size limit crosses over cut to
 * its excerpt, since it is only reported.
 */
import { createSocket } from 'node:dgram';
import { lookup as dnsLookup, type LookupAddress, type LookupOneOptions } from 'node:dns';
import { isIP } from 'node:net';
import { parentPort, workerData } from 'node:worker_threads';
import {
  DatagramBatch,
  unpack,
  type FromIo,
  type ToIo,
  type UdpIoInit,
} from './udp-io-protocol.js';
import { kernelDrops } from './kernel-drops.js';

/** How often a count of dropped datagrams is reported. */
const DROP_REPORT_MS = 1000;

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string, family: number) => void;

let lastLiteral = '';
let lastFamily = 0;

/**
 * Replies go to the address a datagram came from, always an IP literal:
 * answer at once instead of through dns.lookup, which defers every send by
 * a tick. Anything else (never expected) still goes through the resolver.
 */
function literalLookup(
  hostname: string,
  options: LookupOneOptions | number,
  callback: LookupCallback,
): void {
  // A flood comes from few addresses: the last literal seen skips isIP's regexps.
  if (hostname === lastLiteral) {
    callback(null, hostname, lastFamily);
    return;
  }
  const family = isIP(hostname);
  if (family !== 0) {
    lastLiteral = hostname;
    lastFamily = family;
    callback(null, hostname, family);
    return;
  }
  const opts: LookupOneOptions = typeof options === 'number' ? { family: options } : options;
  dnsLookup(hostname, opts, (err, address: string | LookupAddress, fam?: number) => {
    if (typeof address === 'string') callback(err, address, fam ?? 0);
    else callback(err, address.address, address.family);
  });
}

function main(): void {
  const port = parentPort;
  if (port === null) return;
  const init = workerData as UdpIoInit;
  const post = (m: FromIo, transfer?: ArrayBuffer[]): void => {
    port.postMessage(m, transfer);
  };
  const socket = createSocket({
    type: init.family === 6 ? 'udp6' : 'udp4',
    ipv6Only: init.family === 6,
    reuseAddr: false,
    lookup: literalLookup,
  });
  const batch = new DatagramBatch();
  let scheduled = false;
  let inflight = 0;
  let inflightBytes = 0;
  let dropped = 0;
  let closed = false;

  const flush = (): void => {
    scheduled = false;
    if (batch.count === 0) return;
    inflight += batch.count;
    inflightBytes += batch.bytes;
    const b = batch.take();
    post({ t: 'batch', ...b }, [b.data]);
  };

  socket.on('message', (bytes, rinfo) => {
    const keep = bytes.length > init.maxMessageBytes ? bytes.subarray(0, init.excerptBytes) : bytes;
    if (
      inflight + batch.count >= init.maxInflight ||
      inflightBytes + batch.bytes + keep.length > init.maxInflightBytes
    ) {
      dropped++;
      return;
    }
    batch.add(rinfo.address, rinfo.port, keep, bytes.length);
    if (!scheduled) {
      scheduled = true;
      setImmediate(flush);
    }
  });

  // The kernel's drop counter of the socket, once bound; the period of a report ends at its post.
  let kernelBase: number | null = null;
  let lastReport = performance.now();
  const report = (): void => {
    const now = performance.now();
    let kernel: number | null = null;
    if (kernelBase !== null) {
      const total = kernelDrops(init.family, socket.address().address, socket.address().port);
      if (total !== null) {
        kernel = total - kernelBase;
        kernelBase = total;
      }
    }
    if (dropped === 0 && !kernel) return;
    post({ t: 'dropped', ioThread: dropped, kernel, periodMs: Math.round(now - lastReport) });
    dropped = 0;
    lastReport = now;
  };
  const reporter = setInterval(report, DROP_REPORT_MS);
  reporter.unref();

  port.on('message', (m: ToIo) => {
    if (m.t === 'send') {
      inflight -= m.done;
      inflightBytes -= m.doneBytes;
      if (closed) return;
      unpack(m, (data, ip, p) => {
        try {
          // No callback: a failed send is dropped, and Node skips the completion round trip.
          socket.send(data, p, ip);
        } catch {
          // Socket closing: nothing to answer with.
        }
      });
      return;
    }
    closed = true;
    clearInterval(reporter);
    report();
    socket.close(() => {
      port.close();
    });
  });

  socket.once('error', (err) => {
    post({ t: 'error', message: err.message });
    port.close();
  });
  socket.bind(init.port, init.host, () => {
    socket.removeAllListeners('error');
    socket.on('error', () => undefined);
    try {
      socket.setRecvBufferSize(init.recvBufferBytes);
    } catch {
      // The kernel keeps its default; the listener still works.
    }
    kernelBase = kernelDrops(init.family, socket.address().address, socket.address().port);
    lastReport = performance.now();
    post({ t: 'bound', port: socket.address().port });
  });
}

main();
