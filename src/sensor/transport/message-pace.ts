/**
 * @module
 * How long one TCP/TLS message may take to arrive (slowloris defence): its
 * header block within `headerTimeoutMs` of its first byte; from
 * RATE_GRACE_MS after that first byte, at least `minBytesPerS` on average;
 * and once its headers are in, the rest within BODY_GRACE_MS plus its
 * length at that rate. The idle timeout alone does not do: one byte every
 * few seconds keeps a connection busy for ever. Between messages only the
 * idle timeout applies. One timer per connection, armed only while a
 * message is partly received.
 */
import type { SipFramer } from '../../sip/framing.js';

/** From this long after a message's first byte, its average rate is checked. */
export const RATE_GRACE_MS = 2000;
/** Added to a body's time at the minimum rate. */
export const BODY_GRACE_MS = 1000;
/** How often a partly received message is checked. */
export const PACE_CHECK_MS = 250;

export interface PaceLimits {
  readonly headerTimeoutMs: number;
  readonly minBytesPerS: number;
}

export class MessagePace {
  /** When the message being received began (performance.now()), or -1. */
  private start = -1;
  /** When its header block was complete, or -1. */
  private headerDone = -1;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly framer: SipFramer,
    private readonly limits: PaceLimits,
    private readonly onTooSlow: () => void,
  ) {}

  /** After each read: `completed` when the read ended at least one message. */
  update(completed: boolean): void {
    const p = this.framer.partial;
    if (p === null) {
      this.start = -1;
      this.headerDone = -1;
      this.stop();
      return;
    }
    const now = performance.now();
    if (completed || this.start < 0) {
      // A new message began in this read.
      this.start = now;
      this.headerDone = -1;
    }
    if (p.total !== null && this.headerDone < 0) this.headerDone = now;
    if (this.timer === null) {
      this.timer = setTimeout(this.check, PACE_CHECK_MS);
      this.timer.unref();
    }
  }

  stop(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  /** Whether the message being received, at `now`, is too slow. */
  tooSlow(now: number): boolean {
    const p = this.framer.partial;
    if (p === null || this.start < 0) return false;
    const { headerTimeoutMs, minBytesPerS } = this.limits;
    const age = now - this.start;
    if (p.total === null && age > headerTimeoutMs) return true;
    if (age >= RATE_GRACE_MS && p.bytes < (minBytesPerS * age) / 1000) return true;
    if (p.total !== null && this.headerDone >= 0) {
      const allowed = BODY_GRACE_MS + (p.total * 1000) / minBytesPerS;
      if (now - this.headerDone > allowed) return true;
    }
    return false;
  }

  private readonly check = (): void => {
    this.timer = null;
    if (this.framer.partial === null) return;
    if (this.tooSlow(performance.now())) {
      this.onTooSlow();
      return;
    }
    this.timer = setTimeout(this.check, PACE_CHECK_MS);
    this.timer.unref();
  };
}
