/**
 * @module
 * The shipper's window of messages published and not yet acknowledged, in
 * the order they were published, each with the position after its last
 * line and its number of lines (a message holds one line, or several with
 * `ship.events_per_message`). The window counts lines, so its bound
 * (`ship.max_in_flight`) is in events whatever the packing.
 *
 * Must never give a position past a message that is not acknowledged, nor
 * past one that failed: only the acknowledged head moves it.
 */
import type { Position } from './position.js';

export interface InFlight {
  /** The position once this message is acknowledged (after its last line). */
  readonly next: Position;
  /** Lines in the message. */
  readonly count: number;
  done: boolean;
  failed: unknown;
  /** Set while the shipper waits for this publish to settle (see `settled`). */
  wake: (() => void) | null;
}

/** A message just published, not settled yet. */
export function inFlight(next: Position, count: number): InFlight {
  return { next, count, done: false, failed: null, wake: null };
}

/** Settles `f` (acknowledged, or failed with `err`) and wakes whoever waits for it. */
export function settle(f: InFlight, err: unknown = null): void {
  f.done = true;
  f.failed = err;
  const wake = f.wake;
  f.wake = null;
  wake?.();
}

/** Resolves once `f` is settled: a promise only when the shipper has to wait, not one per message. */
export function settled(f: InFlight): Promise<void> {
  if (f.done) return Promise.resolve();
  return new Promise((resolve) => {
    f.wake = resolve;
  });
}

export interface Advance {
  /** The position after the last acknowledged message popped, or null when none was. */
  readonly next: Position | null;
  /** Lines of the messages popped. */
  readonly shipped: number;
  /** The first failure met (the window is emptied then), or null. */
  readonly failed: unknown;
}

export class AckWindow {
  private readonly queue: InFlight[] = [];
  private lines = 0;

  /** Lines published and not yet popped. */
  get events(): number {
    return this.lines;
  }

  get size(): number {
    return this.queue.length;
  }

  /** The oldest message in the window. */
  get head(): InFlight | undefined {
    return this.queue[0];
  }

  push(f: InFlight): void {
    this.queue.push(f);
    this.lines += f.count;
  }

  /** Every message in the window, oldest first (to settle them all before stopping). */
  all(): readonly InFlight[] {
    return this.queue;
  }

  /**
   * Pops the acknowledged head. At a failed message it stops, and empties
   * the window: nothing published after a failure may move the position
   * (the shipper reads again from the acknowledged one).
   */
  advance(): Advance {
    let n = 0;
    let shipped = 0;
    let next: Position | null = null;
    let failed: unknown = null;
    for (const f of this.queue) {
      if (!f.done) break;
      if (f.failed !== null) {
        failed = f.failed;
        break;
      }
      next = f.next;
      shipped += f.count;
      n++;
    }
    if (failed !== null) {
      this.queue.length = 0;
      this.lines = 0;
    } else {
      this.queue.splice(0, n);
      this.lines -= shipped;
    }
    return { next, shipped, failed };
  }
}
