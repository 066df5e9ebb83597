/**
 * @module
 * The UDP listener: one datagram is one message; replies go to the source
 * address and port (RFC 3261 §18.2.2 with rport, which is what scanners
 * expect). The socket lives on an I/O thread of its own
 * (udp-io-worker.ts): reading and sending datagrams costs about as much
 * CPU as answering them, so the two run on two cores. Datagrams reach the
 * sensor in batches, and the replies to a batch go back in one. Datagrams
 * larger than the limit are reported, not parsed. A big receive buffer
 * absorbs bursts. Never throws on input; send errors are dropped (the peer
 * may be gone or spoofed).
 */
import { Worker } from 'node:worker_threads';
import { EXCERPT_BYTES } from '../../sip/excerpt.js';
import type { Listener, TransportHandlers } from './types.js';
import {
  formatListenUrl,
  reportedLocalAddress,
  type ListenAddress,
} from '../../config/listen-url.js';
import {
  DatagramBatch,
  unpack,
  type FromIo,
  type PackedBatch,
  type ToIo,
  type UdpIoInit,
  type DropReport,
} from './udp-io-protocol.js';

/** Receive buffer asked of the kernel (it may grant less: net.core.rmem_max). */
export const UDP_RECV_BUFFER_BYTES = 8 * 1024 * 1024;
/**
 * Datagrams read but not yet processed, at most: about 5 MB of scanner
 * messages, 0.4 s of work at 20,000 msgs/s (answers later than that meet
 * the clients' retransmissions). Beyond, the I/O thread drops new ones, as
 * the kernel does when its buffer is full.
 */
export const UDP_MAX_INFLIGHT = 8192;
/**
 * The same bound in bytes, whatever the datagrams' size: the kernel buffer
 * asked for. Each batch crosses over in a buffer of exactly its bytes, so
 * this is the memory held.
 */
export const UDP_MAX_INFLIGHT_BYTES = UDP_RECV_BUFFER_BYTES;
/**
 * Datagrams handed to the sensor per turn of the event loop, at most. The
 * I/O thread's batches queue up while the sensor is busy, and were handed
 * out whole as they arrived: under a flood one turn answered thousands of
 * datagrams and took most of a second, and everything waiting for the
 * next turn (the event lines' writes, the replies held for them, the
 * store's batches) piled up meanwhile. A share of 1,024 is some 50 ms of
 * work. Under `flood-sources` the peak fell by about 10 MB (medians of
 * four rounds; the array buffers 30-55 -> 10-20 MB at 256 a turn), at
 * the same CPU per message (docs/benchmarks.md); 256 a turn did no better.
 */
export const UDP_DATAGRAMS_PER_TURN = 1024;
/** How long a closing I/O thread may take before it is stopped. */
const CLOSE_TIMEOUT_MS = 2000;

export interface UdpOptions {
  readonly maxMessageBytes: number;
  /** Datagrams read and not yet processed, at most (default UDP_MAX_INFLIGHT). */
  readonly maxInflight?: number;
  /** Receive buffer asked of the kernel (default UDP_RECV_BUFFER_BYTES). */
  readonly recvBufferBytes?: number;
  /** Their bytes, at most (default UDP_MAX_INFLIGHT_BYTES). */
  readonly maxInflightBytes?: number;
  /**
   * Hears, at most once a second while it happens, of datagrams lost: by
   * the I/O thread because the sensor fell behind, by the kernel because
   * the socket's buffer was full.
   */
  readonly onDropped?: (report: DropReport) => void;
  /**
   * Hears once of the I/O thread failing or ending, after it started and
   * before close(): the listener then receives nothing.
   */
  readonly onFailure?: (err: Error) => void;
}

const FROM_SOURCE = import.meta.url.endsWith('.ts');
/** The I/O thread's module, next to this one (`.ts` when run from source, `.js` when built). */
const WORKER_URL = new URL(`./udp-io-worker${FROM_SOURCE ? '.ts' : '.js'}`, import.meta.url);

/**
 * Starts the I/O thread. Run from source (tests, benchmarks), the thread
 * loads its TypeScript through tsx as this thread does: Node 20 does not
 * carry module hooks over to workers.
 */
function startWorker(init: UdpIoInit): Worker {
  // Small heap limits: the thread keeps no more than one batch of its own.
  const options = {
    workerData: init,
    resourceLimits: { maxYoungGenerationSizeMb: 4, maxOldGenerationSizeMb: 64 },
  };
  if (!FROM_SOURCE) return new Worker(WORKER_URL, options);
  const api = JSON.stringify(import.meta.resolve('tsx/esm/api'));
  const entry = JSON.stringify(WORKER_URL.href);
  return new Worker(`import(${api}).then((tsx) => { tsx.register(); return import(${entry}); });`, {
    ...options,
    eval: true,
  });
}

/** Resolves with the port the I/O thread bound, or rejects when it could not bind. */
function awaitBound(worker: Worker): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const onMessage = (m: FromIo): void => {
      if (m.t === 'bound') {
        done();
        resolve(m.port);
      } else if (m.t === 'error') {
        done();
        reject(new Error(m.message));
      }
    };
    const onError = (err: Error): void => {
      done();
      reject(err);
    };
    const onExit = (code: number): void => {
      done();
      reject(new Error(`UDP I/O thread exited with code ${code}`));
    };
    const done = (): void => {
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
    };
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.on('exit', onExit);
  });
}

/** Stands in for a batch handed out, so the queue holds on to nothing. */
const EMPTY: Received = {
  batch: { ips: [], ports: [], ends: [], sizes: [], data: new ArrayBuffer(0) },
  next: 0,
};

/** A batch received from the I/O thread, and the first of its datagrams not yet handed out. */
interface Received {
  readonly batch: PackedBatch;
  next: number;
}

/**
 * The sensor thread's side of a bound I/O thread: queues its batches of
 * datagrams and hands them to `onDatagram`, UDP_DATAGRAMS_PER_TURN per turn
 * of the event loop, sends the replies to those back with them (and later
 * replies on the next turn), tells the I/O thread how much work it took
 * off its hands, and reports a failure once.
 */
class IoThreadLink {
  readonly #worker: Worker;
  readonly #out = new DatagramBatch();
  /** Received datagrams (and their bytes) processed since the last message to the I/O thread. */
  #processed = 0;
  #processedBytes = 0;
  /** Batches received, oldest first, from `#head` on (bounded by the I/O thread's in-flight bound). */
  #received: Received[] = [];
  #head = 0;
  #handScheduled = false;
  readonly #onDatagram: (bytes: Buffer, srcIp: string, srcPort: number, size: number) => void;
  /** Datagrams are being handed out: their replies wait for the end of the turn's share. */
  #inBatch = false;
  #flushScheduled = false;
  #closing = false;
  #failed = false;
  readonly #opts: UdpOptions;
  readonly #exited: Promise<void>;

  constructor(
    worker: Worker,
    opts: UdpOptions,
    onDatagram: (bytes: Buffer, srcIp: string, srcPort: number, size: number) => void,
  ) {
    this.#worker = worker;
    this.#opts = opts;
    this.#onDatagram = onDatagram;
    worker.on('message', (m: FromIo) => {
      if (m.t === 'batch') this.#receive(m);
      else if (m.t === 'dropped')
        opts.onDropped?.({ ioThread: m.ioThread, kernel: m.kernel, periodMs: m.periodMs });
    });
    worker.on('error', (err) => {
      this.#fail(err);
    });
    this.#exited = new Promise<void>((resolve) => {
      worker.once('exit', (code) => {
        this.#fail(new Error(`UDP I/O thread exited with code ${code}`));
        resolve();
      });
    });
  }

  /** Queues a reply; sent with the current batch's, or on the next turn. */
  reply(ip: string, port: number, data: Buffer): void {
    if (this.#closing) return;
    this.#out.add(ip, port, data);
    if (!this.#inBatch && !this.#flushScheduled) {
      this.#flushScheduled = true;
      setImmediate(this.#flush);
    }
  }

  async close(): Promise<void> {
    if (this.#closing) return this.#exited;
    // What was received is handed out (and recorded) before the thread closes.
    while (this.#head < this.#received.length) this.#hand(Infinity);
    this.#flush();
    this.#closing = true;
    this.#post({ t: 'close' });
    const timer = setTimeout(() => void this.#worker.terminate(), CLOSE_TIMEOUT_MS);
    await this.#exited;
    clearTimeout(timer);
  }

  #receive(m: PackedBatch): void {
    this.#received.push({ batch: m, next: 0 });
    if (!this.#handScheduled) {
      this.#handScheduled = true;
      setImmediate(this.#handTurn);
    }
  }

  readonly #handTurn = (): void => {
    this.#handScheduled = false;
    this.#hand(UDP_DATAGRAMS_PER_TURN);
    if (this.#head < this.#received.length && !this.#closing) {
      this.#handScheduled = true;
      setImmediate(this.#handTurn);
    }
  };

  /** Hands out up to `budget` queued datagrams, then sends their replies and the count done. */
  #hand(budget: number): void {
    this.#inBatch = true;
    try {
      while (budget > 0 && this.#head < this.#received.length) {
        const r = this.#received[this.#head];
        if (r === undefined) break;
        const from = r.next;
        const to = Math.min(r.batch.ips.length, from + budget);
        // Moved on first: a datagram is never handed out twice.
        r.next = to;
        budget -= to - from;
        this.#processed += to - from;
        if (to >= r.batch.ips.length) {
          this.#processedBytes += r.batch.data.byteLength;
          this.#received[this.#head++] = EMPTY;
          if (this.#head === this.#received.length || this.#head >= 1024) {
            this.#received = this.#received.slice(this.#head);
            this.#head = 0;
          }
        }
        unpack(r.batch, this.#onDatagram, from, to);
      }
    } finally {
      this.#inBatch = false;
      if (!this.#closing) this.#flush();
    }
  }

  readonly #flush = (): void => {
    this.#flushScheduled = false;
    if (this.#out.count === 0 && this.#processed === 0) return;
    const b = this.#out.take();
    this.#post({ t: 'send', done: this.#processed, doneBytes: this.#processedBytes, ...b }, [
      b.data,
    ]);
    this.#processed = 0;
    this.#processedBytes = 0;
  };

  #post(m: ToIo, transfer?: ArrayBuffer[]): void {
    this.#worker.postMessage(m, transfer);
  }

  #fail(err: Error): void {
    if (this.#failed || this.#closing) return;
    this.#failed = true;
    this.#opts.onFailure?.(err);
  }
}

export async function listenUdp(
  addr: ListenAddress,
  opts: UdpOptions,
  handlers: TransportHandlers,
): Promise<Listener> {
  const worker = startWorker({
    family: addr.family,
    host: addr.host,
    port: addr.port,
    recvBufferBytes: opts.recvBufferBytes ?? UDP_RECV_BUFFER_BYTES,
    maxInflight: opts.maxInflight ?? UDP_MAX_INFLIGHT,
    maxInflightBytes: opts.maxInflightBytes ?? UDP_MAX_INFLIGHT_BYTES,
    maxMessageBytes: opts.maxMessageBytes,
    excerptBytes: EXCERPT_BYTES,
  });
  const boundPort = await awaitBound(worker).catch(async (err: unknown) => {
    await worker.terminate();
    throw err;
  });
  const dstIp = reportedLocalAddress(addr.host, addr.family);
  const dstPort = boundPort;

  const onDatagram = (bytes: Buffer, srcIp: string, srcPort: number, size: number): void => {
    // Object literals with every field written out, not spreads of a shared peer: V8 gives a
    // literal one hidden class, where a spread followed by more fields builds a new one per
    // datagram (measured: 4 % of the sensor's main thread under load).
    if (size > opts.maxMessageBytes) {
      // The I/O thread sent only its first bytes.
      handlers.onMalformed({
        transport: 'udp',
        srcIp,
        srcPort,
        dstIp,
        dstPort,
        reason: 'too_large',
        size,
        excerpt: bytes.subarray(0, EXCERPT_BYTES),
      });
      return;
    }
    handlers.onMessage({
      transport: 'udp',
      srcIp,
      srcPort,
      dstIp,
      dstPort,
      bytes,
      reply: (data: Buffer) => {
        link.reply(srcIp, srcPort, data);
      },
    });
  };
  const link = new IoThreadLink(worker, opts, onDatagram);

  return {
    address: { ...addr, port: boundPort, url: formatListenUrl('udp', addr.host, boundPort) },
    close: () => link.close(),
  };
}
