/**
 * @module
 * Holds replies until their events are written: no answer leaves before the
 * line that records its message is in the operating system (write(2)
 * returned, not fsync), so a crash or SIGKILL never loses an answered
 * message. Replies queued during one turn of the event loop (a UDP batch,
 * the messages of one TCP read) wait together for one write of their lines
 * at the end of the turn, then go out together. When the sink's disk fails
 * the replies are not held (the lines stay queued and lost ones are
 * counted by the sink). Bounded: beyond `maxWaiting` replies waiting, new
 * ones are dropped and counted (the peer retransmits).
 */

/** Replies waiting for their lines, at most (a few UDP batches' worth). */
export const MAX_WAITING_REPLIES = 8192;

export class ReplyGate<T> {
  private waiting: T[] = [];
  /** Replies held: waiting, or waiting for a write already started. */
  private held = 0;
  private scheduled = false;
  private closed = false;
  /** Replies dropped because too many waited for a slow disk. */
  dropped = 0;

  /**
   * @param written resolves once every event taken so far is written (or its write failed)
   * @param release sends one held reply
   */
  constructor(
    private readonly written: () => Promise<void>,
    private readonly release: (item: T) => void,
    private readonly maxWaiting = MAX_WAITING_REPLIES,
  ) {}

  /** Sends `item` once every event emitted before this call is written. */
  after(item: T): void {
    if (this.closed) return;
    if (this.held >= this.maxWaiting) {
      this.dropped++;
      return;
    }
    this.waiting.push(item);
    this.held++;
    if (!this.scheduled) {
      this.scheduled = true;
      // After the rest of this turn: its events are emitted by then, and written together.
      setImmediate(this.open);
    }
  }

  /** Releases what waits (once written) and holds nothing more. */
  async close(): Promise<void> {
    await this.drain();
    this.closed = true;
  }

  private readonly open = (): void => {
    void this.drain();
  };

  private async drain(): Promise<void> {
    this.scheduled = false;
    if (this.waiting.length === 0) return;
    const items = this.waiting;
    this.waiting = [];
    try {
      await this.written();
    } catch {
      // A sink that fails has reported it; the replies are not held for ever.
    }
    this.held -= items.length;
    for (const item of items) this.release(item);
  }
}
