/**
 * @module
 * JSON-lines event files: one file per UTC day (`events-YYYY-MM-DD.jsonl`),
 * a new numbered file (`events-YYYY-MM-DD.N.jsonl`) when one reaches
 * `rotateBytes`. Lines are buffered and appended in batches, at most
 * `flushIntervalMs` after they arrive, by asynchronous writes that never
 * block the event loop: once written they survive a crash of the process.
 * Whole lines only; a line is never split across files. Never reads the
 * files back.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { SnareEvent } from './catalog.js';
import { FileAppender } from './file-appender.js';
import type { EventSink } from './sink.js';
import { ensureWritableDir } from './writable.js';

/** Default delay between a write and its append to the file. */
export const DEFAULT_FLUSH_INTERVAL_MS = 50;
/** Buffered bytes that trigger an immediate append. */
export const DEFAULT_BATCH_BYTES = 256 * 1024;
/**
 * Bytes kept waiting while the disk is slower than the traffic or refuses
 * writes; beyond this new lines are dropped (and counted) so memory stays
 * bounded.
 */
export const MAX_PENDING_BYTES = 16 * 1024 * 1024;

/** The JSON line of one event, with its newline. */
export function eventLine(event: SnareEvent): string {
  return JSON.stringify(event) + '\n';
}

/** File name for a UTC day and a rotation index (0: no suffix). */
export function eventFileName(day: string, index: number): string {
  return index === 0 ? `events-${day}.jsonl` : `events-${day}.${index}.jsonl`;
}

const FILE_RE = /^events-(\d{4}-\d{2}-\d{2})(?:\.(\d+))?\.jsonl$/;

/** The day and rotation index of an event file name; null for any other name. */
export function parseEventFileName(name: string): { day: string; index: number } | null {
  const m = FILE_RE.exec(name);
  if (m?.[1] === undefined) return null;
  return { day: m[1], index: Number(m[2] ?? 0) };
}

/** The event files of `dir` in the order they were written (day, then rotation index). */
export function listEventFiles(dir: string): string[] {
  const files: { name: string; day: string; index: number }[] = [];
  for (const name of readdirSync(dir)) {
    const p = parseEventFileName(name);
    if (p) files.push({ name, ...p });
  }
  files.sort((a, b) => (a.day === b.day ? a.index - b.index : a.day < b.day ? -1 : 1));
  return files.map((f) => f.name);
}

export interface JsonlSinkOptions {
  readonly dir: string;
  readonly rotateBytes: number;
  readonly flushIntervalMs?: number;
  readonly batchBytes?: number;
  /** Bytes waiting for the disk beyond which lines are dropped (default MAX_PENDING_BYTES). */
  readonly maxPendingBytes?: number;
  /** Called when an append fails (disk full...); the sink keeps going. */
  readonly onError?: (err: unknown) => void;
}

/**
 * The JSON-lines sink. The day of a line is the UTC date of the event's
 * `ts`, so a file holds exactly one day whatever the clock does later. The
 * file of each line is chosen when it arrives (rotation counts the bytes
 * given to a file, written or not); the writes themselves are asynchronous
 * (events/file-appender.ts).
 */
export class JsonlSink implements EventSink {
  readonly name = 'jsonl';
  private readonly out: FileAppender;
  private day = '';
  private index = 0;
  /** Bytes given to the current file (on disk before we opened it, plus ours). */
  private fileBytes = 0;
  private path = '';

  constructor(private readonly opts: JsonlSinkOptions) {
    ensureWritableDir(opts.dir, 'events');
    this.out = new FileAppender({
      flushIntervalMs: opts.flushIntervalMs ?? DEFAULT_FLUSH_INTERVAL_MS,
      batchBytes: opts.batchBytes ?? DEFAULT_BATCH_BYTES,
      maxPendingBytes: opts.maxPendingBytes ?? MAX_PENDING_BYTES,
      ...(opts.onError ? { onError: opts.onError } : {}),
    });
  }

  /** Lines dropped because the disk fell too far behind. */
  get droppedLines(): number {
    return this.out.dropped;
  }

  /** Lines that never reached the file: dropped, and unwritten at close. */
  get lostLines(): number {
    return this.out.lost;
  }

  takeLostLines(): number {
    return this.out.takeLost();
  }

  /** Files found ending inside a line (torn by an earlier stop), each ended with a newline. */
  get tornLines(): number {
    return this.out.tornLines;
  }

  write(event: SnareEvent): void {
    const line = eventLine(event);
    const bytes = Buffer.byteLength(line);
    const path = this.fileFor(event.ts.slice(0, 10), bytes);
    if (this.out.append(path, line)) this.fileBytes += bytes;
  }

  flush(): Promise<void> {
    return this.out.flush();
  }

  written(): Promise<void> {
    return this.out.settled();
  }

  close(): Promise<void> {
    return this.out.close();
  }

  /** The file that a line of `day` of `bytes` bytes goes to (rotating when it would not fit). */
  private fileFor(day: string, bytes: number): string {
    if (day === this.day) {
      if (this.fileBytes === 0 || this.fileBytes + bytes <= this.opts.rotateBytes) return this.path;
      this.index++;
      this.fileBytes = 0;
    } else {
      this.day = day;
      this.index = this.lastIndex(day);
      this.fileBytes = this.sizeOf(eventFileName(day, this.index));
      if (this.fileBytes > 0 && this.fileBytes + bytes > this.opts.rotateBytes) {
        this.index++;
        this.fileBytes = 0;
      }
    }
    this.path = join(this.opts.dir, eventFileName(day, this.index));
    return this.path;
  }

  /**
   * Highest rotation index already on disk for `day` (0 if none, or if the
   * directory cannot be read: then the append fails and the line is counted lost).
   */
  private lastIndex(day: string): number {
    let max = 0;
    let names: string[];
    try {
      names = readdirSync(this.opts.dir);
    } catch {
      return 0;
    }
    for (const name of names) {
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
