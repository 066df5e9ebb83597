/**
 * @module
 * JSON-lines event files: one file per UTC day (`events-YYYY-MM-DD.jsonl`),
 * a new numbered file (`events-YYYY-MM-DD.N.jsonl`) when one reaches
 * `rotateBytes`. Lines are buffered and appended in small batches with plain
 * write(2) calls on an open descriptor, at most `flushIntervalMs` after they
 * arrive: once written they survive a crash of the process. Whole lines only;
 * a line is never split across files. Never reads the files back.
 */
import { closeSync, mkdirSync, openSync, readdirSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { SnareEvent } from './catalog.js';
import type { EventSink } from './sink.js';

/** Default delay between a write and its append to the file. */
export const DEFAULT_FLUSH_INTERVAL_MS = 50;
/** Buffered bytes that trigger an immediate append. */
export const DEFAULT_BATCH_BYTES = 256 * 1024;
/**
 * Buffered bytes kept while the disk refuses writes; beyond this the oldest
 * lines are dropped (and counted) so memory stays bounded.
 */
export const MAX_PENDING_BYTES = 16 * 1024 * 1024;

/** Writes bytes [start, end) of `buf` to `fd`, looping over short writes. */
function writeAll(fd: number, buf: Buffer, start: number, end: number): void {
  let off = start;
  while (off < end) off += writeSync(fd, buf, off, end - off);
}

/** The JSON line of one event, with its newline. */
export function eventLine(event: SnareEvent): string {
  return JSON.stringify(event) + '\n';
}

/** File name for a UTC day and a rotation index (0: no suffix). */
export function eventFileName(day: string, index: number): string {
  return index === 0 ? `events-${day}.jsonl` : `events-${day}.${index}.jsonl`;
}

const FILE_RE = /^events-(\d{4}-\d{2}-\d{2})(?:\.(\d+))?\.jsonl$/;

export interface JsonlSinkOptions {
  readonly dir: string;
  readonly rotateBytes: number;
  readonly flushIntervalMs?: number;
  readonly batchBytes?: number;
  /** Called when an append fails (disk full...); the sink keeps going. */
  readonly onError?: (err: unknown) => void;
}

/**
 * The JSON-lines sink. The day of a line is the UTC date of the event's
 * `ts`, so a file holds exactly one day whatever the clock does later.
 */
export class JsonlSink implements EventSink {
  readonly name = 'jsonl';
  /**
   * Lines waiting to be appended, encoded one after the other into one
   * growing buffer (no string concatenation, no per-batch allocation).
   */
  private buf = Buffer.allocUnsafe(64 * 1024);
  private used = 0;
  /** End offset in `buf` of each pending line. */
  private ends: number[] = [];
  /** Runs of pending lines of one UTC day: the day and the index of its first line. */
  private days: { day: string; first: number }[] = [];
  private timer: NodeJS.Timeout | null = null;
  private fd: number | null = null;
  private day = '';
  private index = 0;
  private fileBytes = 0;
  private closed = false;
  /** Lines dropped because the disk refused them for too long. */
  droppedLines = 0;
  private readonly flushIntervalMs: number;
  private readonly batchBytes: number;

  constructor(private readonly opts: JsonlSinkOptions) {
    mkdirSync(opts.dir, { recursive: true });
    this.flushIntervalMs = opts.flushIntervalMs ?? DEFAULT_FLUSH_INTERVAL_MS;
    this.batchBytes = opts.batchBytes ?? DEFAULT_BATCH_BYTES;
  }

  write(event: SnareEvent): void {
    if (this.closed) return;
    const line = eventLine(event);
    // UTF-8 takes at most 3 bytes per UTF-16 code unit.
    if (this.used + line.length * 3 > this.buf.length) this.grow(line.length * 3);
    this.used += this.buf.write(line, this.used, 'utf8');
    const last = this.days[this.days.length - 1];
    const day = event.ts.slice(0, 10);
    if (last?.day !== day) this.days.push({ day, first: this.ends.length });
    this.ends.push(this.used);
    if (this.used >= this.batchBytes) this.drain();
    else if (this.timer === null) {
      this.timer = setTimeout(() => {
        this.timer = null;
        this.drain();
      }, this.flushIntervalMs);
      this.timer.unref();
    }
  }

  flush(): Promise<void> {
    this.drain();
    return Promise.resolve();
  }

  close(): Promise<void> {
    this.drain();
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
    return Promise.resolve();
  }

  private grow(extra: number): void {
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.used + extra));
    this.buf.copy(next, 0, 0, this.used);
    this.buf = next;
  }

  /** Appends everything buffered; consecutive lines of one file go out in one write. */
  private drain(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    const ends = this.ends;
    if (ends.length === 0) return;
    let i = 0;
    try {
      for (let d = 0; d < this.days.length; d++) {
        const run = this.days[d];
        if (!run) break;
        const stop = this.days[d + 1]?.first ?? ends.length;
        while (i < stop) {
          const start = i === 0 ? 0 : (ends[i - 1] ?? 0);
          this.prepareFile(run.day, (ends[i] ?? 0) - start);
          if (this.fd === null) return;
          // As many whole lines as fit in the file (at least one).
          let j = i + 1;
          while (j < stop && this.fileBytes + (ends[j] ?? 0) - start <= this.opts.rotateBytes) j++;
          const end = ends[j - 1] ?? 0;
          writeAll(this.fd, this.buf, start, end);
          this.fileBytes += end - start;
          i = j;
        }
      }
      this.used = 0;
      this.ends = [];
      this.days = [];
    } catch (err) {
      this.keepFrom(i);
      this.opts.onError?.(err);
    }
  }

  /**
   * After a failed append: keeps the pending lines from line `i` on, moved to
   * the front of the buffer, dropping the oldest beyond MAX_PENDING_BYTES.
   */
  private keepFrom(i: number): void {
    const ends = this.ends;
    let from = i;
    while (
      from < ends.length &&
      this.used - (from === 0 ? 0 : (ends[from - 1] ?? 0)) > MAX_PENDING_BYTES
    ) {
      from++;
      this.droppedLines++;
    }
    const base = from === 0 ? 0 : (ends[from - 1] ?? 0);
    this.buf.copy(this.buf, 0, base, this.used);
    this.used -= base;
    this.ends = ends.slice(from).map((e) => e - base);
    const days: { day: string; first: number }[] = [];
    for (let d = 0; d < this.days.length; d++) {
      const run = this.days[d];
      if (!run) continue;
      const stop = this.days[d + 1]?.first ?? ends.length;
      if (stop <= from) continue;
      days.push({ day: run.day, first: Math.max(0, run.first - from) });
    }
    this.days = days;
  }

  /** Opens (or rotates to) the file that the next line of `day` of `bytes` bytes goes to. */
  private prepareFile(day: string, bytes: number): void {
    if (this.fd !== null && day === this.day) {
      if (this.fileBytes === 0 || this.fileBytes + bytes <= this.opts.rotateBytes) return;
      closeSync(this.fd);
      this.fd = null;
      this.index++;
      this.fileBytes = 0;
    } else {
      if (this.fd !== null) closeSync(this.fd);
      this.fd = null;
      this.day = day;
      this.index = this.lastIndex(day);
      this.fileBytes = this.sizeOf(eventFileName(day, this.index));
      if (this.fileBytes > 0 && this.fileBytes + bytes > this.opts.rotateBytes) {
        this.index++;
        this.fileBytes = 0;
      }
    }
    this.fd = openSync(join(this.opts.dir, eventFileName(day, this.index)), 'a');
  }

  /** Highest rotation index already on disk for `day` (0 if none). */
  private lastIndex(day: string): number {
    let max = 0;
    for (const name of readdirSync(this.opts.dir)) {
      const m = FILE_RE.exec(name);
      if (m?.[1] === day) max = Math.max(max, Number(m[2] ?? 0));
    }
    return max;
  }

  private sizeOf(name: string): number {
    try {
      return statSync(join(this.opts.dir, name)).size;
    } catch {
      return 0;
    }
  }
}
