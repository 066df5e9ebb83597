/**
 * @module
 * Retransmission of final responses to INVITEs over UDP (RFC 3261 §17.2.1,
 * timer G): resend after T1 = 500 ms, doubling up to T2 = 4 s, until an ACK
 * (or CANCEL) names the key or 64*T1 = 32 s have passed (timer H), as
 * Asterisk does. The table is bounded: the oldest entry is dropped first.
 * Each resend asks `allow()` first, so retransmissions spend the same
 * response budget as answers. Never parses anything.
 */

export const T1_MS = 500;
export const T2_MS = 4000;

export interface RetransmitOptions {
  readonly maxEntries: number;
  readonly t1Ms?: number;
  readonly t2Ms?: number;
}

interface Entry {
  readonly send: () => void;
  readonly allow: () => boolean;
  readonly deadline: number;
  interval: number;
  timer: NodeJS.Timeout;
}

export class Retransmitter {
  private readonly entries = new Map<string, Entry>();
  private readonly t1: number;
  private readonly t2: number;
  /** Resends performed (for tests and diagnostics). */
  sent = 0;

  constructor(private readonly opts: RetransmitOptions) {
    this.t1 = opts.t1Ms ?? T1_MS;
    this.t2 = opts.t2Ms ?? T2_MS;
  }

  get size(): number {
    return this.entries.size;
  }

  has(key: string): boolean {
    return this.entries.has(key);
  }

  /**
   * Starts retransmitting under `key` (replacing an entry with the same key).
   * `send` resends the response; `allow` is asked before each resend and a
   * false ends the entry.
   */
  add(key: string, send: () => void, allow: () => boolean = () => true): void {
    this.stop(key);
    if (this.entries.size >= this.opts.maxEntries) {
      const oldest = this.entries.keys().next();
      if (oldest.done !== true) this.stop(oldest.value);
    }
    const entry: Entry = {
      send,
      allow,
      deadline: Date.now() + 64 * this.t1,
      interval: this.t1,
      timer: setTimeout(() => {
        this.fire(key);
      }, this.t1),
    };
    entry.timer.unref();
    this.entries.set(key, entry);
  }

  /** Ends retransmission for `key` (ACK or CANCEL received); unknown keys are ignored. */
  stop(key: string): void {
    const e = this.entries.get(key);
    if (!e) return;
    clearTimeout(e.timer);
    this.entries.delete(key);
  }

  /** Ends every retransmission (sensor shutdown). */
  close(): void {
    for (const e of this.entries.values()) clearTimeout(e.timer);
    this.entries.clear();
  }

  private fire(key: string): void {
    const e = this.entries.get(key);
    if (!e) return;
    if (Date.now() + 1 >= e.deadline || !e.allow()) {
      this.entries.delete(key);
      return;
    }
    try {
      e.send();
      this.sent++;
    } catch {
      this.entries.delete(key);
      return;
    }
    e.interval = Math.min(e.interval * 2, this.t2);
    const wait = Math.min(e.interval, e.deadline - Date.now());
    if (wait <= 0) {
      this.entries.delete(key);
      return;
    }
    e.timer = setTimeout(() => {
      this.fire(key);
    }, wait);
    e.timer.unref();
  }
}
