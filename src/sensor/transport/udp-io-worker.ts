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
import { createSocket, type Socket } from 'node:dgram';
import { lookup as dnsLookup, type LookupAddress, type LookupOneOptions } from 'node:dns';
import { isIP } from 'node:net';
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
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

/** The I/O thread's socket, its batch to the main thread and its drop counts. */
class UdpIo {
  private readonly socket: Socket;
  private readonly batch = new DatagramBatch();
  private scheduled = false;
  /** Datagrams (and their bytes) handed to the main thread and not yet answered. */
  private inflight = 0;
  private inflightBytes = 0;
  private dropped = 0;
  private closed = false;
  /** The kernel's drop counter of the socket, once bound; the period of a report ends at its post. */
  private kernelBase: number | null = null;
  private lastReport = performance.now();
  private readonly reporter: NodeJS.Timeout;
  private readonly flushFn = (): void => {
    this.flush();
  };

  constructor(
    private readonly port: MessagePort,
    private readonly init: UdpIoInit,
  ) {
    this.socket = createSocket({
      type: init.family === 6 ? 'udp6' : 'udp4',
      ipv6Only: init.family === 6,
      reuseAddr: false,
      lookup: literalLookup,
    });
    this.socket.on('message', (bytes, rinfo) => {
      this.onDatagram(bytes, rinfo.address, rinfo.port);
    });
    this.reporter = setInterval(() => {
      this.report();
    }, DROP_REPORT_MS);
    this.reporter.unref();
    port.on('message', (m: ToIo) => {
      if (m.t === 'send') this.send(m);
      else this.close();
    });
  }

  private post(m: FromIo, transfer?: ArrayBuffer[]): void {
    this.port.postMessage(m, transfer);
  }

  /** A datagram in: batched for the main thread, or dropped when too many wait there. */
  private onDatagram(bytes: Buffer, ip: string, port: number): void {
    const init = this.init;
    const batch = this.batch;
    const keep = bytes.length > init.maxMessageBytes ? bytes.subarray(0, init.excerptBytes) : bytes;
    if (
      this.inflight + batch.count >= init.maxInflight ||
      this.inflightBytes + batch.bytes + keep.length > init.maxInflightBytes
    ) {
      this.dropped++;
      return;
    }
    batch.add(ip, port, keep, bytes.length);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.flushFn);
    }
  }

  /** The datagrams of this turn of the event loop, moved to the main thread in one buffer. */
  private flush(): void {
    this.scheduled = false;
    if (this.batch.count === 0) return;
    this.inflight += this.batch.count;
    // Handed over in a buffer of exactly these bytes (DatagramBatch.take).
    this.inflightBytes += this.batch.bytes;
    const b = this.batch.take();
    this.post({ t: 'batch', ...b }, [b.data]);
  }

  /** Replies from the main thread (and the count of datagrams it is done with). */
  private send(m: Extract<ToIo, { t: 'send' }>): void {
    this.inflight -= m.done;
    this.inflightBytes -= m.doneBytes;
    if (this.closed) return;
    unpack(m, (data, ip, p) => {
      try {
        // No callback: a failed send is dropped, and Node skips the completion round trip.
        this.socket.send(data, p, ip);
      } catch {
        // Socket closing: nothing to answer with.
      }
    });
  }

  /** Drops since the last report, by the I/O thread and by the kernel, posted when any. */
  private report(): void {
    const now = performance.now();
    let kernel: number | null = null;
    if (this.kernelBase !== null) {
      const a = this.socket.address();
      const total = kernelDrops(this.init.family, a.address, a.port);
      if (total !== null) {
        kernel = total - this.kernelBase;
        this.kernelBase = total;
      }
    }
    if (this.dropped === 0 && !kernel) return;
    this.post({
      t: 'dropped',
      ioThread: this.dropped,
      kernel,
      periodMs: Math.round(now - this.lastReport),
    });
    this.dropped = 0;
    this.lastReport = now;
  }

  private close(): void {
    this.closed = true;
    clearInterval(this.reporter);
    this.report();
    this.socket.close(() => {
      this.port.close();
    });
  }

  /** Binds the socket and says so (or posts the error and ends). */
  bind(): void {
    const socket = this.socket;
    socket.once('error', (err) => {
      this.post({ t: 'error', message: err.message });
      this.port.close();
    });
    socket.bind(this.init.port, this.init.host, () => {
      socket.removeAllListeners('error');
      socket.on('error', () => undefined);
      try {
        socket.setRecvBufferSize(this.init.recvBufferBytes);
      } catch {
        // The kernel keeps its default; the listener still works.
      }
      const a = socket.address();
      this.kernelBase = kernelDrops(this.init.family, a.address, a.port);
      this.lastReport = performance.now();
      this.post({ t: 'bound', port: a.port });
    });
  }
}

function main(): void {
  if (parentPort === null) return;
  new UdpIo(parentPort, workerData as UdpIoInit).bind();
}

main();
