/**
 * @module
 * Reads a sensor's JSON-lines event files as a write-ahead log: whole lines
 * (a line without its newline is still being written and waits), in the
 * order they were written, across rotated files, from any position. Each
 * line comes with the position just after it, so the shipper can save how
 * far the broker has acknowledged. Reads a bounded chunk at a time.
 *
 * Must never hold more than one chunk (plus one over-long line skipped)
 * in memory.
 */
import { open, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { listEventFiles } from '../events/jsonl.js';
import type { Position } from './position.js';

/** Bytes read from a file at once. */
export const CHUNK_BYTES = 1024 * 1024;

export interface WalLine {
  /** The line's bytes, without the newline (the message payload). */
  readonly payload: Uint8Array;
  /** The event id found in the line, or null when there is none. */
  readonly eventId: string | null;
  /** Where the next line starts: the position once this one is acknowledged. */
  readonly next: Position;
}

const ID_KEY = Buffer.from('"event_id":"', 'latin1');
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
/** Longest event id taken from a line; a longer one is sent without a message id. */
const MAX_ID_BYTES = 200;

/**
 * The event id of a JSON line `buf[start, end)` (our sensors write it
 * second, unescaped), found in the bytes without decoding or parsing the
 * line; null when the line has none, or one that is escaped or too long.
 */
export function eventIdOf(buf: Buffer, start: number, end: number): string | null {
  const k = buf.subarray(start, end).indexOf(ID_KEY);
  if (k < 0) return null;
  const s = start + k + ID_KEY.length;
  const stop = Math.min(end, s + MAX_ID_BYTES + 1);
  let e = s;
  while (e < stop && buf[e] !== QUOTE) {
    if (buf[e] === BACKSLASH) return null;
    e++;
  }
  if (e >= stop) return null;
  return buf.toString('latin1', s, e);
}

export class EventFileReader {
  private cursor: Position | null;

  /** `from`: the acknowledged position (null: the start of the oldest file). */
  constructor(
    private readonly dir: string,
    from: Position | null,
    /** Hears of a file the position named that is gone (deleted before it was shipped). */
    private readonly onMissing?: (file: string, next: string | null) => void,
  ) {
    this.cursor = from;
  }

  /** Where reading will continue. */
  get position(): Position | null {
    return this.cursor;
  }

  /** Moves back to `pos` (after a failed publish: ship again from the acknowledged position). */
  rewind(pos: Position | null): void {
    this.cursor = pos;
  }

  /** Bytes of event files after the cursor (the backlog not yet read). */
  async backlogBytes(from: Position | null): Promise<number> {
    let total = 0;
    for (const name of listEventFiles(this.dir)) {
      if (from !== null && !sameOrAfter(name, from.file)) continue;
      try {
        const size = (await stat(join(this.dir, name))).size;
        total += from !== null && name === from.file ? Math.max(0, size - from.offset) : size;
      } catch {
        // gone meanwhile
      }
    }
    return total;
  }

  /** The next whole lines (up to one chunk); empty when nothing new is written yet. */
  async next(): Promise<WalLine[]> {
    for (let hops = 0; hops < 10_000; hops++) {
      const files = listEventFiles(this.dir);
      if (files.length === 0) return [];
      let cur = this.cursor;
      if (cur === null) {
        cur = { file: files[0] ?? '', offset: 0 };
        this.cursor = cur;
      }
      const idx = files.indexOf(cur.file);
      if (idx < 0) {
        // The file of the position is gone: go on with the first file written after it.
        const later = files.find((f) => sameOrAfter(f, cur.file)) ?? null;
        this.onMissing?.(cur.file, later);
        if (later === null) return [];
        this.cursor = { file: later, offset: 0 };
        continue;
      }
      const lines = await this.readFrom(cur);
      if (lines.length > 0) return lines;
      const following = files[idx + 1];
      if (following === undefined) return [];
      // Nothing more in this file and a later one exists: the sink has moved on.
      const size = await fileSize(join(this.dir, cur.file));
      if (size > cur.offset) return []; // an unfinished last line: wait for its newline
      this.cursor = { file: following, offset: 0 };
    }
    return [];
  }

  private async readFrom(pos: Position): Promise<WalLine[]> {
    let fh;
    try {
      fh = await open(join(this.dir, pos.file), 'r');
    } catch {
      return [];
    }
    try {
      const buf = Buffer.allocUnsafe(CHUNK_BYTES);
      const { bytesRead } = await fh.read(buf, 0, CHUNK_BYTES, pos.offset);
      if (bytesRead === 0) return [];
      const last = buf.lastIndexOf(10, bytesRead - 1);
      if (last < 0) {
        if (bytesRead < CHUNK_BYTES) return [];
        // A line longer than a chunk: no sensor writes one; skip it to its end.
        return await this.skipLongLine(fh, pos);
      }
      const out: WalLine[] = [];
      let s = 0;
      while (s <= last) {
        const e = buf.indexOf(10, s);
        if (e > s) {
          out.push({
            payload: buf.subarray(s, e),
            eventId: eventIdOf(buf, s, e),
            next: { file: pos.file, offset: pos.offset + e + 1 },
          });
        }
        s = e + 1;
      }
      this.cursor = { file: pos.file, offset: pos.offset + last + 1 };
      // Blank lines only: the cursor moved, read on.
      return out.length > 0 ? out : await this.readFrom(this.cursor);
    } finally {
      await fh.close();
    }
  }

  private async skipLongLine(
    fh: Awaited<ReturnType<typeof open>>,
    pos: Position,
  ): Promise<WalLine[]> {
    const buf = Buffer.allocUnsafe(64 * 1024);
    let off = pos.offset + CHUNK_BYTES;
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, buf.length, off);
      if (bytesRead === 0) return [];
      const nl = buf.indexOf(10);
      if (nl >= 0 && nl < bytesRead) {
        this.cursor = { file: pos.file, offset: off + nl + 1 };
        return [];
      }
      off += bytesRead;
    }
  }
}

/** True when event file `a` was written after `b` (or is `b`). */
function sameOrAfter(a: string, b: string): boolean {
  return listOrder(a) >= listOrder(b);
}

/** A sort key: the day, then the rotation index zero-padded. */
function listOrder(name: string): string {
  const m = /^events-(\d{4}-\d{2}-\d{2})(?:\.(\d+))?\.jsonl$/.exec(name);
  return m ? `${m[1] ?? ''}.${(m[2] ?? '0').padStart(9, '0')}` : name;
}

async function fileSize(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch {
    return 0;
  }
}
