/**
 * @module
 * Retransmission of final responses to INVITEs over UDP (RFC 3261 §17.2.1,
 * timer G): resend after T1 = 500 ms, doubling up to T2 = 4 s, until an ACK
 * (or CANCEL) names the key or 64*T1 = 32 s have passed (timer H), as
 * Asterisk does. The table is bounded in entries and in response bytes (an
 * attacker sizes the responses: they echo its headers): the oldest entry is
 * dropped first. Each resend asks `allow()` first, so retransmissions spend
 * the same response budget as answers. Never parses anything.
 *
 * Compact, since a flood keeps it full: an entry is a plain record (where
 * to, the response as a latin1 string, a few numbers), with no closure and
 * no timer of its own. Entries wait in one FIFO queue per interval (T1,
 * 2*T1, ... T2): everything in a queue was queued with the same interval,
 * so it is in due order, and one timer for the earliest head (or the oldest
 * entry's timer H) serves the whole table. Some 380 bytes of heap per
 * entry besides the response (where it goes included), against 950-1,000
 * with a timer and two closures each (10,000 answered INVITEs:
 * src/sensor/tx-memory.test.ts).
 */

export const T1_MS = 500;
export const T2_MS = 4000;
/** Response bytes kept for retransmission, at most (some 15,000 typical 550-byte answers). */
export const RETRANSMIT_MAX_BYTES = 8 * 1024 * 1024;

export interface RetransmitOptions {
  readonly maxEntries: number;
  /** Response bytes held at most (default RETRANSMIT_MAX_BYTES). */
  readonly maxBytes?: number;
  readonly t1Ms?: number;
  readonly t2Ms?: number;
}

/** What the table does with an entry's target: shared by every entry, no closure each. */
export interface RetransmitIo<T> {
  /** Resends `bytes` (latin1) to `to`. */
  send(to: T, bytes: string): void;
  /** Asked before each resend; false ends the entry (the response budget of `to`). */
  allow(to: T): boolean;
}

interface Entry<T> {
  readonly key: string;
  /** Null once the entry ended (its queue slots are dropped when reached). */
  to: T | null;
  /** The response; '' once ended. */
  bytes: string;
  /** Timer H: when the entry ends (whole ms of performance.now(), like `due`). */
  readonly deadline: number;
  /** When the next resend is due. */
  due: number;
  interval: number;
}

/** A FIFO of entries in due (or deadline) order; ended ones stay until reached. */
interface Queue<T> {
  items: (Entry<T> | undefined)[];
  head: number;
}

const newQueue = <T>(): Queue<T> => ({ items: [], head: 0 });

/** The first entry of a queue, without taking it. */
const peek = <T>(q: Queue<T>): Entry<T> | undefined => q.items[q.head];

/** Takes the first entry of a queue. */
function shift<T>(q: Queue<T>): void {
  q.items[q.head++] = undefined;
  if (q.head === q.items.length) {
    q.items = [];
    q.head = 0;
  } else if (q.head > 1024 && q.head * 2 > q.items.length) {
    q.items = q.items.slice(q.head);
    q.head = 0;
  }
}

/** Whole milliseconds, rounded up (small integers: no number box per field). */
const nowMs = (): number => Math.ceil(performance.now());

export class Retransmitter<T> {
  /** By key. */
  private readonly entries = new Map<string, Entry<T>>();
  /** Every entry in the order added: the order of their deadlines (all live 64*T1). */
  private readonly expiry = newQueue<T>();
  /** Resend queues by interval (T1, 2*T1, ... T2). */
  private readonly queues = new Map<number, Queue<T>>();
  /** Entries in the queues, live or ended. */
  private slots = 0;
  private readonly t1: number;
  private readonly t2: number;
  private readonly maxBytes: number;
  private heldBytes = 0;
  private timer: NodeJS.Timeout | null = null;
  private timerAt = Infinity;
  /** Resends performed (for tests and diagnostics). */
  sent = 0;

  constructor(
    private readonly opts: RetransmitOptions,
    private readonly io: RetransmitIo<T>,
  ) {
    this.t1 = opts.t1Ms ?? T1_MS;
    this.t2 = opts.t2Ms ?? T2_MS;
    this.maxBytes = opts.maxBytes ?? RETRANSMIT_MAX_BYTES;
  }

  get size(): number {
    return this.entries.size;
  }

  /** Response bytes held. */
  get bytes(): number {
    return this.heldBytes;
  }

  has(key: string): boolean {
    return this.entries.has(key);
  }

  /**
   * Starts retransmitting `bytes` (the response, latin1) to `to` under `key`
   * (replacing an entry with the same key). A response larger than the
   * whole byte bound is not retransmitted.
   */
  add(key: string, to: T, bytes: string): void {
    this.stop(key);
    if (bytes.length > this.maxBytes) return;
    while (
      this.entries.size > 0 &&
      (this.entries.size >= this.opts.maxEntries ||
        this.heldBytes + bytes.length > this.maxBytes) &&
      this.dropOldest()
    );
    const now = nowMs();
    const entry: Entry<T> = {
      key,
      to,
      bytes,
      deadline: now + 64 * this.t1,
      due: now + this.t1,
      interval: this.t1,
    };
    this.entries.set(key, entry);
    this.heldBytes += bytes.length;
    this.push(this.expiry, entry);
    this.push(this.queueOf(this.t1), entry);
    if (entry.due < this.timerAt) this.arm(entry.due);
  }

  /** Ends retransmission for `key` (ACK or CANCEL received); unknown keys are ignored. */
  stop(key: string): void {
    const e = this.entries.get(key);
    if (e) this.end(e);
  }

  /** Ends every retransmission (sensor shutdown). */
  close(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.timerAt = Infinity;
    this.entries.clear();
    this.expiry.items = [];
    this.expiry.head = 0;
    this.queues.clear();
    this.slots = 0;
    this.heldBytes = 0;
  }

  /** Forgets an entry: what it holds is freed now, its queue slots when reached. */
  private end(e: Entry<T>): void {
    this.entries.delete(e.key);
    this.heldBytes -= e.bytes.length;
    e.to = null;
    e.bytes = '';
    // ACKed entries pile up in the queues (T2's worth of adds): drop them in bulk once they
    // outnumber the live ones, so the queues stay within a few times the table.
    if (this.slots > 2 * this.entries.size + 2048) this.compact();
  }

  /** Ends the oldest entry (the table is full); false when there is none. */
  private dropOldest(): boolean {
    for (let e = peek(this.expiry); e !== undefined; e = peek(this.expiry)) {
      this.take(this.expiry);
      if (e.to !== null) {
        this.end(e);
        return true;
      }
    }
    return false;
  }

  private queueOf(interval: number): Queue<T> {
    let q = this.queues.get(interval);
    if (!q) {
      q = newQueue();
      this.queues.set(interval, q);
    }
    return q;
  }

  private push(q: Queue<T>, e: Entry<T>): void {
    q.items.push(e);
    this.slots++;
  }

  private take(q: Queue<T>): void {
    shift(q);
    this.slots--;
  }

  private arm(at: number): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(this.tick, Math.max(1, at - performance.now()));
    this.timer.unref();
  }

  private readonly tick = (): void => {
    this.timer = null;
    this.timerAt = Infinity;
    // A timer may fire up to a millisecond early.
    const now = performance.now() + 1;
    for (let e = peek(this.expiry); e !== undefined; e = peek(this.expiry)) {
      if (e.to !== null && e.deadline > now) break;
      this.take(this.expiry);
      if (e.to !== null) this.end(e);
    }
    for (const q of this.queues.values()) {
      for (let e = peek(q); e !== undefined; e = peek(q)) {
        if (e.to !== null && e.due > now) break;
        this.take(q);
        if (e.to !== null) this.fire(e, e.to);
      }
    }
    this.rearm();
  };

  /** One resend, then the entry's next turn (or its end). */
  private fire(e: Entry<T>, to: T): void {
    const now = nowMs();
    if (now + 1 >= e.deadline || !this.io.allow(to)) {
      this.end(e);
      return;
    }
    try {
      this.io.send(to, e.bytes);
      this.sent++;
    } catch {
      this.end(e);
      return;
    }
    e.interval = Math.min(e.interval * 2, this.t2);
    e.due = now + e.interval;
    // A turn that would come after timer H is not taken: the entry ends at its deadline.
    if (e.due + 1 < e.deadline) this.push(this.queueOf(e.interval), e);
  }

  /** The timer for the earliest due resend or deadline. */
  private rearm(): void {
    let at = peek(this.expiry)?.deadline ?? Infinity;
    for (const q of this.queues.values()) {
      const head = peek(q);
      if (head !== undefined && head.due < at) at = head.due;
    }
    if (at !== Infinity) this.arm(at);
  }

  /** Drops ended entries from the queues. */
  private compact(): void {
    let slots = 0;
    for (const q of [this.expiry, ...this.queues.values()]) {
      q.items = q.items.filter((e, i) => i >= q.head && e !== undefined && e.to !== null);
      q.head = 0;
      slots += q.items.length;
    }
    this.slots = slots;
  }
}
