/**
 * @module
 * The messages a collector received and has not committed yet, oldest
 * first, with the events each holds (one, or several with
 * `ship.events_per_message`), so that batches are cut by events, not by
 * messages.
 *
 * Must keep the messages' order: acknowledgements are cumulative.
 */
import { lineCount } from '../nats/message.js';
import { MAX_ACK_PENDING } from './consumer.js';

/**
 * Events received and not yet committed beyond which the collector stops
 * pulling until it has committed them: never reached with one event per
 * message (the consumer delivers at most MAX_ACK_PENDING messages).
 */
export function heldBound(batchEvents: number): number {
  return Math.max(4 * MAX_ACK_PENDING, 2 * batchEvents);
}

export class HeldMessages<M extends { readonly data: Uint8Array }> {
  private readonly messages: M[] = [];
  /** Lines of each held message (at most its events). */
  private readonly lines: number[] = [];
  private total = 0;
  /** When the oldest message waiting for a batch came (ms since the epoch). */
  firstAt = 0;

  /** Events held. */
  get events(): number {
    return this.total;
  }

  /** Messages held. */
  get size(): number {
    return this.messages.length;
  }

  /** The messages held, oldest first. */
  get all(): readonly M[] {
    return this.messages;
  }

  /** Drops every message held (JetStream delivers them again). */
  clear(): void {
    this.messages.length = 0;
    this.lines.length = 0;
    this.total = 0;
  }

  /** Holds `m`; returns the events it holds (its lines). */
  push(m: M): number {
    if (this.messages.length === 0) this.firstAt = Date.now();
    const n = lineCount(m.data);
    this.messages.push(m);
    this.lines.push(n);
    this.total += n;
    return n;
  }

  /** The oldest messages that make a batch of about `events` (at least one message), taken out. */
  take(events: number): M[] {
    let sum = 0;
    let n = 0;
    while (n < this.lines.length && (n === 0 || sum < events)) {
      const k = this.lines[n] ?? 1;
      if (n > 0 && sum + k > events) break;
      sum += k;
      n++;
    }
    this.lines.splice(0, n);
    this.total -= sum;
    this.firstAt = Date.now();
    return this.messages.splice(0, Math.max(n, 1));
  }
}
