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
  type ToIo,
  type UdpIoInit,
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
/** The same bound in bytes, whatever the datagrams' size: the kernel buffer asked for. */
export const UDP_MAX_INFLIGHT_BYTES = UDP_RECV_BUFFER_BYTES;
/** Bytes of an oversized datagram kept for its sip.malformed event. */
export const UDP_EXCERPT_BYTES = 256;
/** How long a closing I/O thread may take before it is stopped. */
const CLOSE_TIMEOUT_MS = 2000;

export interface UdpOptions {
  readonly maxMessageBytes: number;
  /** Datagrams read and not yet processed, at most (default UDP_MAX_INFLIGHT). */
  readonly maxInflight?: number;
  /** Their bytes, at most (default UDP_MAX_INFLIGHT_BYTES). */
  readonly maxInflightBytes?: number;
  /** Hears of datagrams the I/O thread dropped because the sensor fell behind. */
  readonly onDropped?: (count: number) => void;
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

export async function listenUdp(
  addr: ListenAddress,
  opts: UdpOptions,
  handlers: TransportHandlers,
): Promise<Listener> {
  const init: UdpIoInit = {
    family: addr.family,
    host: addr.host,
    port: addr.port,
    recvBufferBytes: UDP_RECV_BUFFER_BYTES,
    maxInflight: opts.maxInflight ?? UDP_MAX_INFLIGHT,
    maxInflightBytes: opts.maxInflightBytes ?? UDP_MAX_INFLIGHT_BYTES,
    maxMessageBytes: opts.maxMessageBytes,
    excerptBytes: UDP_EXCERPT_BYTES,
  };
  const worker = startWorker(init);
  const boundPort = await new Promise<number>((resolve, reject) => {
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
  }).catch(async (err: unknown) => {
    await worker.terminate();
    throw err;
  });
  const address: ListenAddress = {
    ...addr,
    port: boundPort,
    url: formatListenUrl('udp', addr.host, boundPort),
  };
  const dstIp = reportedLocalAddress(addr.host, addr.family);
  const dstPort = boundPort;

  const out = new DatagramBatch();
  /** Received datagrams (and their bytes) processed since the last message to the I/O thread. */
  let processed = 0;
  let processedBytes = 0;
  let inBatch = false;
  let flushScheduled = false;
  let closing = false;
  const post = (m: ToIo, transfer?: ArrayBuffer[]): void => {
    worker.postMessage(m, transfer);
  };
  const flush = (): void => {
    flushScheduled = false;
    if (out.count === 0 && processed === 0) return;
    const b = out.take();
    post({ t: 'send', done: processed, doneBytes: processedBytes, ...b }, [b.data]);
    processed = 0;
    processedBytes = 0;
  };

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
        excerpt: bytes.subarray(0, UDP_EXCERPT_BYTES),
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
        if (closing) return;
        out.add(srcIp, srcPort, data);
        // Replies to a batch go back with it; later ones (retransmissions, timers) on the next turn.
        if (!inBatch && !flushScheduled) {
          flushScheduled = true;
          setImmediate(flush);
        }
      },
    });
  };

  worker.on('message', (m: FromIo) => {
    if (m.t === 'batch') {
      inBatch = true;
      try {
        unpack(m, onDatagram);
      } finally {
        inBatch = false;
        processed += m.ips.length;
        processedBytes += m.ends[m.ends.length - 1] ?? 0;
        if (!closing) flush();
      }
    } else if (m.t === 'dropped') {
      opts.onDropped?.(m.n);
    }
  });
  let failed = false;
  const fail = (err: Error): void => {
    if (failed || closing) return;
    failed = true;
    opts.onFailure?.(err);
  };
  worker.on('error', fail);
  const exited = new Promise<void>((resolve) => {
    worker.once('exit', (code) => {
      fail(new Error(`UDP I/O thread exited with code ${code}`));
      resolve();
    });
  });

  return {
    address,
    close: async () => {
      if (closing) return exited;
      flush();
      closing = true;
      post({ t: 'close' });
      const timer = setTimeout(() => void worker.terminate(), CLOSE_TIMEOUT_MS);
      await exited;
      clearTimeout(timer);
    },
  };
}
