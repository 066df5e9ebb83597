/**
 * @module
 * Answers due later (a ringing INVITE's busy signal): one timer each, in a
 * bounded table. When the table is full, the oldest is given up (that call
 * rings until its caller cancels, as with `dial.ring_seconds: 0`), so a
 * flood of ringing INVITEs cannot hold more timers than `maxEntries`.
 * Timers do not keep the process alive.
 */

import { LruMap } from '../lru-map.js';

export class DeferredTasks {
  /** Oldest first, found in O(1) even when the front keeps being deleted (unlike a Map's). */
  private readonly timers = new LruMap<number, NodeJS.Timeout>(Number.MAX_SAFE_INTEGER);
  private next = 0;

  constructor(private readonly maxEntries: number) {}

  get size(): number {
    return this.timers.size;
  }

  /** Runs `task` after `afterMs`; a task that throws is dropped. */
  add(afterMs: number, task: () => void): void {
    if (this.timers.size >= this.maxEntries) {
      const oldest = this.timers.oldestKey();
      if (oldest !== undefined) {
        clearTimeout(this.timers.get(oldest));
        this.timers.delete(oldest);
      }
    }
    const id = this.next++;
    const timer = setTimeout(() => {
      this.timers.delete(id);
      try {
        task();
      } catch {
        // A task must not take the sensor down; its answer is simply not sent.
      }
    }, afterMs);
    timer.unref();
    this.timers.set(id, timer);
  }

  /** Drops every pending task (sensor shutdown). */
  close(): void {
    for (let id = this.timers.oldestKey(); id !== undefined; id = this.timers.oldestKey()) {
      clearTimeout(this.timers.get(id));
      this.timers.delete(id);
    }
  }
}
