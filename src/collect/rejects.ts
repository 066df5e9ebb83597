/**
 * @module
 * Keeps the messages the collector rejects aside, in a JSON-lines file (one
 * object per rejected event: when, subject sensor, reason, stream sequence,
 * the line within its message when the message held several, the payload
 * as text), counts them by sensor and reason, and logs them at a
 * bounded rate. The file is synced before the messages are acknowledged.
 *
 * Must never let a payload break a line: everything goes through
 * JSON.stringify, and payloads are cut at MAX_KEPT_CHARS.
 */
import { open } from 'node:fs/promises';
import type { Logger } from '../log.js';

/** Characters of a rejected payload kept in the file. */
export const MAX_KEPT_CHARS = 64 * 1024;
/** Rejects logged one by one per minute; the rest are only counted. */
export const LOGGED_PER_MINUTE = 100;

export interface Rejected {
  readonly sensor: string | null;
  readonly reason: string;
  readonly seq: number;
  /** The line within its message (1 is the first), when the message held several events. */
  readonly line?: number;
  readonly payload: Uint8Array;
}

export class RejectLog {
  /** Rejected messages by `sensor reason`. */
  readonly counts = new Map<string, number>();
  total = 0;
  private logged = 0;
  private minute = 0;

  constructor(
    private readonly path: string,
    private readonly log: Logger,
  ) {}

  /** Appends `batch` to the file and syncs it; counts and logs each. */
  async keep(batch: readonly Rejected[]): Promise<void> {
    if (batch.length === 0) return;
    const now = new Date();
    let text = '';
    for (const r of batch) {
      const payload = Buffer.from(r.payload).toString('utf8');
      text +=
        JSON.stringify({
          received: now.toISOString(),
          sensor: r.sensor,
          reason: r.reason,
          seq: r.seq,
          ...(r.line === undefined ? {} : { line: r.line }),
          payload: payload.length > MAX_KEPT_CHARS ? payload.slice(0, MAX_KEPT_CHARS) : payload,
          truncated: payload.length > MAX_KEPT_CHARS,
        }) + '\n';
      this.count(r);
    }
    const fh = await open(this.path, 'a');
    try {
      await fh.writeFile(text);
      await fh.datasync();
    } finally {
      await fh.close();
    }
  }

  private count(r: Rejected): void {
    const key = `${r.sensor ?? '?'} ${r.reason}`;
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
    this.total++;
    const minute = Math.floor(Date.now() / 60_000);
    if (minute !== this.minute) {
      this.minute = minute;
      this.logged = 0;
    }
    if (this.logged < LOGGED_PER_MINUTE) {
      this.logged++;
      this.log.warn(
        { sensor: r.sensor, reason: r.reason, seq: r.seq, line: r.line, file: this.path },
        'event rejected: kept aside, not stored',
      );
    }
  }
}
