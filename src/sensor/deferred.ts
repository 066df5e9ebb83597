/**
 * @module
 * Answers due later (a ringing INVITE's busy signal): one timer each, in a
 * bounded table. Bounded in tasks and in the bytes they hold (a busy
 * answer echoes the attacker's headers): when either is full, the oldest
 * is given up (that call rings until its caller cancels, as with
 * `dial.ring_seconds: 0`), so a flood of ringing INVITEs cannot hold more
 * timers than `maxEntries`, nor more than `maxBytes` of answers. Timers do
 * not keep the process alive.
 */

import { LruMap } from '../lru-map.js';

/** Bytes of deferred answers held, at most (some 15,000 typical 550-byte answers). */
export const DEFERRED_MAX_BYTES = 8 * 1024 * 1024;

interface Task {
  readonly timer: NodeJS.Timeout;
  readonly bytes: number;
}

export class DeferredTasks {
  /** Oldest first, found in O(1) even when the front keeps being deleted (unlike a Map's). */
  private readonly tasks = new LruMap<number, Task>(Number.MAX_SAFE_INTEGER);
  private next = 0;
  private heldBytes = 0;

  constructor(
    private readonly maxEntries: number,
    private readonly maxBytes = DEFERRED_MAX_BYTES,
  ) {}

  get size(): number {
    return this.tasks.size;
  }

  /** Bytes the pending tasks hold. */
  get bytes(): number {
    return this.heldBytes;
  }

  /**
   * Runs `task` after `afterMs`; a task that throws is dropped. `bytes` is
   * what the task holds until it runs; a task holding more than the whole
   * bound is not kept.
   */
  add(afterMs: number, task: () => void, bytes = 0): void {
    if (bytes > this.maxBytes) return;
    while (
      this.tasks.size > 0 &&
      (this.tasks.size >= this.maxEntries || this.heldBytes + bytes > this.maxBytes)
    ) {
      const oldest = this.tasks.oldestKey();
      if (oldest === undefined) break;
      this.forget(oldest);
    }
    const id = this.next++;
    const timer = setTimeout(() => {
      this.forget(id);
      try {
        task();
      } catch {
        // A task must not take the sensor down; its answer is simply not sent.
      }
    }, afterMs);
    timer.unref();
    this.tasks.set(id, { timer, bytes });
    this.heldBytes += bytes;
  }

  /** Drops every pending task (sensor shutdown). */
  close(): void {
    for (let id = this.tasks.oldestKey(); id !== undefined; id = this.tasks.oldestKey())
      this.forget(id);
  }

  private forget(id: number): void {
    const t = this.tasks.get(id);
    if (t === undefined) return;
    clearTimeout(t.timer);
    this.tasks.delete(id);
    this.heldBytes -= t.bytes;
  }
}
