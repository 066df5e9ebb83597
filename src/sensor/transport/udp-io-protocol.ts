/**
 * @module
 * What the UDP listener's I/O thread (udp-io-worker.ts) and the sensor's
 * thread (udp.ts) say to each other: datagrams travel in batches, each
 * batch one buffer moved (not copied) between the threads with the source
 * address and port of every datagram in it. Pure data and packing; no I/O.
 */

/** What the I/O thread is started with. */
export interface UdpIoInit {
  readonly family: 4 | 6;
  readonly host: string;
  readonly port: number;
  readonly recvBufferBytes: number;
  /** Datagrams handed over and not yet processed, beyond which new ones are dropped. */
  readonly maxInflight: number;
  /** Their bytes, likewise. */
  readonly maxInflightBytes: number;
  /** Larger datagrams cross over cut to their first `excerptBytes` (they are only reported). */
  readonly maxMessageBytes: number;
  readonly excerptBytes: number;
}

/**
 * Datagrams and their peers: datagram i is bytes [ends[i-1], ends[i]) of
 * `data`, and was `sizes[i]` bytes long when received (more than it holds
 * when it was cut).
 */
export interface PackedBatch {
  readonly ips: string[];
  readonly ports: number[];
  readonly ends: number[];
  readonly sizes: number[];
  readonly data: ArrayBuffer;
}

/** I/O thread -> sensor thread. */
export type FromIo =
  | { readonly t: 'bound'; readonly port: number }
  | { readonly t: 'error'; readonly message: string }
  | ({ readonly t: 'batch' } & PackedBatch)
  | ({ readonly t: 'dropped' } & DropReport);

/**
 * Datagrams lost at one listener over `periodMs` (ending now): by the I/O
 * thread (too many waiting for the sensor) and by the kernel (the socket's
 * receive buffer full; null where the system does not say).
 */
export interface DropReport {
  readonly ioThread: number;
  readonly kernel: number | null;
  readonly periodMs: number;
}

/** Sensor thread -> I/O thread: replies to send, and how many received datagrams were processed. */
export type ToIo =
  | ({ readonly t: 'send'; readonly done: number; readonly doneBytes: number } & PackedBatch)
  | { readonly t: 'close' };

/** The collecting buffer's first size, and the largest kept for the next batch. */
const MIN_BATCH_BYTES = 64 * 1024;
const KEPT_BATCH_BYTES = 1024 * 1024;

/**
 * Collects datagrams into one growing buffer; `take()` hands the batch out
 * in a buffer of exactly its bytes (moved to the other thread) and keeps
 * the collecting buffer for the next batch. A busy loop hands over a batch
 * per turn, often of one or two datagrams, and each batch lives until the
 * other thread is done with it: handed over in the collecting buffer, every
 * such batch held 64 KB.
 */
export class DatagramBatch {
  #buf: Buffer = Buffer.allocUnsafeSlow(0);
  #used = 0;
  #ips: string[] = [];
  #ports: number[] = [];
  #ends: number[] = [];
  #sizes: number[] = [];

  get count(): number {
    return this.#ips.length;
  }

  /** Bytes held. */
  get bytes(): number {
    return this.#used;
  }

  /** Adds a datagram; `size` is its length as received when `bytes` is a cut of it. */
  add(ip: string, port: number, bytes: Uint8Array, size = bytes.length): void {
    const need = this.#used + bytes.length;
    if (need > this.#buf.length) {
      const next = Buffer.allocUnsafeSlow(Math.max(MIN_BATCH_BYTES, need, this.#buf.length * 2));
      this.#buf.copy(next, 0, 0, this.#used);
      this.#buf = next;
    }
    this.#buf.set(bytes, this.#used);
    this.#used = need;
    this.#ips.push(ip);
    this.#ports.push(port);
    this.#ends.push(need);
    this.#sizes.push(size);
  }

  take(): PackedBatch {
    // Never from Node's shared pool: the whole ArrayBuffer moves to the other thread.
    const data = Buffer.allocUnsafeSlow(this.#used);
    this.#buf.copy(data, 0, 0, this.#used);
    const batch: PackedBatch = {
      ips: this.#ips,
      ports: this.#ports,
      ends: this.#ends,
      sizes: this.#sizes,
      data: data.buffer,
    };
    if (this.#buf.length > KEPT_BATCH_BYTES) this.#buf = Buffer.allocUnsafeSlow(0);
    this.#used = 0;
    this.#ips = [];
    this.#ports = [];
    this.#ends = [];
    this.#sizes = [];
    return batch;
  }
}

/**
 * Calls `each` with datagrams [from, to) of a batch (all by default): a
 * view into its buffer, its peer and its size as received.
 */
export function unpack(
  batch: PackedBatch,
  each: (bytes: Buffer, ip: string, port: number, size: number) => void,
  from = 0,
  to = batch.ips.length,
): void {
  const data = Buffer.from(batch.data);
  let start = from > 0 ? (batch.ends[from - 1] ?? 0) : 0;
  for (let i = from; i < to; i++) {
    const end = batch.ends[i] ?? start;
    each(data.subarray(start, end), batch.ips[i] ?? '', batch.ports[i] ?? 0, batch.sizes[i] ?? 0);
    start = end;
  }
}
