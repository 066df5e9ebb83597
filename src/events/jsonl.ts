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

/** Writes all of `text` to `fd`, looping over short writes. */
function writeAll(fd: number, text: string): void {
  const buf = Buffer.from(text, 'utf8');
  let off = 0;
  while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
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
  private pending: { day: string; line: string }[] = [];
  private pendingBytes = 0;
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
    this.pending.push({ day: event.ts.slice(0, 10), line });
    this.pendingBytes += line.length;
    if (this.pendingBytes >= this.batchBytes) this.drain();
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

  /** Appends everything buffered; groups consecutive lines of one file into one write. */
  private drain(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    const lines = this.pending;
    if (lines.length === 0) return;
    let i = 0;
    try {
      while (i < lines.length) {
        const first = lines[i];
        if (!first) break;
        this.prepareFile(first.day, Buffer.byteLength(first.line));
        let chunk = '';
        let chunkBytes = 0;
        let j = i;
        for (; j < lines.length; j++) {
          const l = lines[j];
          if (!l || l.day !== this.day) break;
          const n = Buffer.byteLength(l.line);
          if (j > i && this.fileBytes + chunkBytes + n > this.opts.rotateBytes) break;
          chunk += l.line;
          chunkBytes += n;
        }
        if (this.fd === null) break;
        writeAll(this.fd, chunk);
        this.fileBytes += chunkBytes;
        i = j;
      }
      this.pending = [];
      this.pendingBytes = 0;
    } catch (err) {
      this.pending = lines.slice(i);
      this.pendingBytes = this.pending.reduce((n, l) => n + l.line.length, 0);
      while (this.pendingBytes > MAX_PENDING_BYTES && this.pending.length > 0) {
        const dropped = this.pending.shift();
        this.pendingBytes -= dropped?.line.length ?? 0;
        this.droppedLines++;
      }
      this.opts.onError?.(err);
    }
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
