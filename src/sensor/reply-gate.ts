/**
 * @module
 * Holds replies until their events are written: no answer leaves before the
 * line that records its message is in the operating system (write(2)
 * returned, not fsync), so a crash or SIGKILL never loses an answered
 * message. Replies queued during one turn of the event loop (up to 1,024 UDP
 * datagrams, the messages of one TCP read) wait together for one write of
 * their lines at the end of the turn, then go out together. When the sink's
 * disk fails the replies are not held (the lines stay queued and lost ones
 * are counted by the sink). Bounded in replies and in bytes (an attacker
 * sizes the replies: they echo its headers, up to three times the request):
 * beyond `maxWaiting` replies or `maxBytes` waiting, new ones are dropped
 * and counted (the peer retransmits).
 */

/** Replies waiting for their lines, at most (a few UDP batches' worth). */
export const MAX_WAITING_REPLIES = 8192;
/** Bytes of replies waiting, at most (8,192 typical replies of 550 bytes hold some 4.5 MB). */
export const MAX_WAITING_REPLY_BYTES = 16 * 1024 * 1024;

export class ReplyGate<T> {
  private waiting: T[] = [];
  /** The bytes of each reply waiting, in the same order. */
  private waitingBytes: number[] = [];
  /** Replies held: waiting, or waiting for a write already started. */
  private held = 0;
  /** Their bytes. */
  private heldBytes = 0;
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
    private readonly maxBytes = MAX_WAITING_REPLY_BYTES,
  ) {}

  /** Bytes of the replies held. */
  get bytes(): number {
    return this.heldBytes;
  }

  /** Sends `item` (of `bytes` bytes) once every event emitted before this call is written. */
  after(item: T, bytes = 0): void {
    if (this.closed) return;
    if (this.held >= this.maxWaiting || this.heldBytes + bytes > this.maxBytes) {
      this.dropped++;
      return;
    }
    this.waiting.push(item);
    this.waitingBytes.push(bytes);
    this.held++;
    this.heldBytes += bytes;
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
    let bytes = 0;
    for (const b of this.waitingBytes) bytes += b;
    this.waiting = [];
    this.waitingBytes = [];
    try {
      await this.written();
    } catch {
      // A sink that fails has reported it; the replies are not held for ever.
    }
    this.held -= items.length;
    this.heldBytes -= bytes;
    for (const item of items) this.release(item);
  }
}
