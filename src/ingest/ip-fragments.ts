/**
 * @module
 * Bounded reassembly of fragmented IP datagrams for the capture reader
 * (RFC 791 for IPv4, RFC 8200 §4.5 for IPv6). An INVITE with a large SDP
 * body easily exceeds a 1,500-byte MTU, and a capture then holds it in
 * two or more fragments.
 *
 * Bounds: at most MAX_PENDING datagrams wait at once (the oldest is
 * dropped first), each at most MAX_DATAGRAM_BYTES in at most
 * MAX_FRAGMENTS fragments, and a datagram still
 * incomplete TIMEOUT_MS of capture time after its first fragment is
 * dropped. Overlapping fragments are accepted; the later bytes win.
 * Dropped datagrams are handed back with what arrived from offset 0, so
 * the caller can say what was lost.
 */

/** Datagrams reassembled at once; beyond it the oldest is dropped. */
export const MAX_PENDING = 1024;
/** Largest datagram payload (an IPv4 total length is 16 bits). */
export const MAX_DATAGRAM_BYTES = 65535;
/** Capture time a datagram may take to complete (the IPv6 reassembly timeout). */
export const TIMEOUT_MS = 60_000;

/** A datagram that never completed. */
export interface DroppedDatagram {
  /** Frame number (1-based) of its first fragment seen. */
  readonly frame: number;
  /** Upper-layer protocol number (17 UDP, 6 TCP, ...). */
  readonly proto: number;
  /** Its bytes from offset 0 up to the first gap; empty when offset 0 never arrived. */
  readonly head: Buffer;
}

/** Fragments kept per datagram; more (a flood of tiny ones) are ignored. */
export const MAX_FRAGMENTS = 256;

interface Fragment {
  readonly offset: number;
  readonly data: Buffer;
}

interface Pending {
  readonly frame: number;
  readonly firstTsMs: number;
  readonly proto: number;
  /** In arrival order. */
  readonly frags: Fragment[];
  /** Total length, known once the last fragment (more = false) arrived. */
  total: number | null;
}

/** The bytes from offset 0 up to the first gap (arrival order: later bytes win). */
function assemble(frags: readonly Fragment[]): Buffer {
  const end = contiguous(frags);
  const out = Buffer.alloc(end);
  for (const f of frags) if (f.offset < end) f.data.copy(out, f.offset, 0, end - f.offset);
  return out;
}

/** Length of the contiguous bytes from offset 0. */
function contiguous(frags: readonly Fragment[]): number {
  let end = 0;
  for (const f of [...frags].sort((a, b) => a.offset - b.offset)) {
    if (f.offset > end) break;
    end = Math.max(end, f.offset + f.data.length);
  }
  return end;
}

export class IpReassembler {
  readonly #pending = new Map<string, Pending>();

  /** `onDrop` hears every datagram dropped incomplete (bound, timeout, end of capture). */
  constructor(private readonly onDrop: (d: DroppedDatagram) => void = () => undefined) {}

  /** Datagrams waiting for fragments. */
  get pending(): number {
    return this.#pending.size;
  }

  /**
   * Adds one fragment (`offset` in bytes, `more` = more fragments follow)
   * of the datagram `key` (addresses, protocol and identification).
   * Returns the whole payload when this fragment completes it, else null.
   */
  add(
    key: string,
    proto: number,
    frame: number,
    tsMs: number,
    offset: number,
    more: boolean,
    data: Buffer,
  ): Buffer | null {
    this.#expire(tsMs);
    const end = offset + data.length;
    if (end > MAX_DATAGRAM_BYTES) return null;
    let d = this.#pending.get(key);
    if (d === undefined) {
      if (this.#pending.size >= MAX_PENDING) this.#dropOldest();
      d = { frame, firstTsMs: tsMs, proto, frags: [], total: null };
      this.#pending.set(key, d);
    }
    if (d.frags.length >= MAX_FRAGMENTS) return null;
    d.frags.push({ offset, data: Buffer.from(data) });
    if (!more) d.total = end;
    if (d.total === null || contiguous(d.frags) < d.total) return null;
    this.#pending.delete(key);
    return assemble(d.frags).subarray(0, d.total);
  }

  /** Drops every datagram still incomplete (the end of the capture). */
  flush(): void {
    for (const key of [...this.#pending.keys()]) this.#drop(key);
  }

  #expire(tsMs: number): void {
    // Map order is arrival order: the oldest come first.
    for (const [key, d] of this.#pending) {
      if (tsMs - d.firstTsMs <= TIMEOUT_MS) break;
      this.#drop(key);
    }
  }

  #dropOldest(): void {
    const first = this.#pending.keys().next();
    if (first.done !== true) this.#drop(first.value);
  }

  #drop(key: string): void {
    const d = this.#pending.get(key);
    if (d === undefined) return;
    this.#pending.delete(key);
    this.onDrop({ frame: d.frame, proto: d.proto, head: assemble(d.frags) });
  }
}
