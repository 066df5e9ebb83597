/**
 * @module
 * Bounded, asynchronous appending of text lines to files, for the event
 * file sinks. Lines are encoded one after the other into a buffer, each
 * with the file it goes to. At most one write is in flight, on libuv's
 * thread pool, so a slow or busy disk never stalls the event loop: the
 * sensor keeps reading its sockets while the kernel flushes pages. Lines
 * wait at most `flushIntervalMs`, or until `batchBytes` are pending.
 *
 * Memory is bounded whatever the disk does: at most `maxPendingBytes` wait
 * for the disk, the batch being written included, and no buffer grows past
 * that bound (a large one is let go once written); beyond, new lines are
 * dropped and counted, and `onError` hears of it once per
 * stretch of drops. A failed write keeps what it did not write and resumes
 * there, before any newer line, at the next flush or after RETRY_MS: no
 * line is split across files, written twice or reordered. A file that does
 * not end in a newline when opened (a line torn by an earlier stop) gets
 * one first, and is counted. A disk that
 * keeps failing is reported once, until a write succeeds again.
 */
import { close, fstat, open, read, write } from 'node:fs';

/** Wait before writing again after a failed write. */
export const RETRY_MS = 1000;

export interface FileAppenderOptions {
  /** Longest wait (ms) between an append and its write. */
  readonly flushIntervalMs: number;
  /** Pending bytes that start a write at once. */
  readonly batchBytes: number;
  /** Bytes not yet written (pending and being written) beyond which new lines are dropped. */
  readonly maxPendingBytes: number;
  /** Hears of a failed write or of lines dropped; the appender keeps going. */
  readonly onError?: (err: unknown) => void;
  /**
   * Hears of a file found not ending in a newline when opened (a line torn
   * by an earlier stop, a full disk or a crash): the appender ends that line
   * before its own, so the torn line stays one line (invalid, and counted).
   */
  readonly onTornLine?: (path: string) => void;
}

/** Lines waiting or being written: their bytes, and runs of consecutive lines of one file. */
interface Batch {
  buf: Buffer;
  used: number;
  /** Each run ends at byte `end` of `buf` and goes to `path`. */
  runs: { path: string; end: number }[];
  /** Bytes already written (a failed batch resumes here). */
  done: number;
}

const emptyBatch = (size: number): Batch => ({
  buf: Buffer.allocUnsafe(size),
  used: 0,
  runs: [],
  done: 0,
});

function writeAsync(fd: number, buf: Buffer, offset: number, length: number): Promise<number> {
  return new Promise((resolve, reject) => {
    write(fd, buf, offset, length, null, (err, n) => {
      if (err) reject(err);
      else resolve(n);
    });
  });
}

function openAppend(path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    open(path, 'a', (err, fd) => {
      if (err) reject(err);
      else resolve(fd);
    });
  });
}

/**
 * Whether the file open for appending on `fd` (at `path`) ends in a newline:
 * true when empty or not a regular file (a FIFO, a device). Its last byte is
 * read through a second, read-only descriptor (the appending one cannot read).
 */
function endsWithNewline(fd: number, path: string): Promise<boolean> {
  return new Promise((resolve, reject) => {
    fstat(fd, (err, st) => {
      if (err) {
        reject(err);
        return;
      }
      if (!st.isFile() || st.size === 0) {
        resolve(true);
        return;
      }
      open(path, 'r', (oerr, rfd) => {
        if (oerr) {
          reject(oerr);
          return;
        }
        const one = Buffer.alloc(1);
        read(rfd, one, 0, 1, st.size - 1, (rerr) => {
          close(rfd, () => {
            if (rerr) reject(rerr);
            else resolve(one[0] === 0x0a);
          });
        });
      });
    });
  });
}

/** Newlines in bytes [from, to) of `buf`. */
function countLines(buf: Buffer, from: number, to: number): number {
  let n = 0;
  for (let i = buf.indexOf(10, from); i !== -1 && i < to; i = buf.indexOf(10, i + 1)) n++;
  return n;
}

function closeQuietly(fd: number): Promise<void> {
  return new Promise((resolve) => {
    close(fd, () => {
      resolve();
    });
  });
}

/** A written batch's buffer is kept for the next one up to this size. */
const SPARE_MAX_BYTES = 1024 * 1024;

export class FileAppender {
  private pending: Batch = emptyBatch(64 * 1024);
  /** The batch being written, or one whose write failed (resumed first). */
  private writing: Batch | null = null;
  /** A written batch's buffer, reused for the next pending one. */
  private spare: Batch | null = null;
  private inflight: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private fd: number | null = null;
  private fdPath = '';
  private closed = false;
  private dropping = false;
  /** Bytes accepted, and bytes written, since the start. */
  private accepted = 0;
  private written = 0;
  /** Count of failed writes, so a flush stops at a failure instead of spinning. */
  private failures = 0;
  /** Set from a failed write until one succeeds: retries wait RETRY_MS, and are not reported again. */
  private failing = false;
  /** Lines dropped because too much was pending. */
  dropped = 0;
  /** Files found ending inside a line when opened (each got its newline). */
  tornLines = 0;
  /** Lines still unwritten when closed (the file kept failing). */
  unwrittenAtClose = 0;
  /** `dropped` already handed out by takeLost(). */
  private droppedReported = 0;

  constructor(private readonly opts: FileAppenderOptions) {}

  /** Bytes waiting to be written (pending and in flight). */
  get backlog(): number {
    return this.accepted - this.written;
  }

  /** Queues `line` (with its newline) for `path`; false when it was dropped. */
  append(path: string, line: string): boolean {
    if (this.closed) return false;
    const p = this.pending;
    // UTF-8 takes at most 3 bytes per UTF-16 code unit; the exact size only near the bound.
    const room = line.length * 3;
    const max = this.opts.maxPendingBytes;
    // The bound holds for everything not yet written: the batch being written and the pending one.
    const backlog = this.backlog;
    if (backlog + room > max && backlog + Buffer.byteLength(line) > max) {
      this.dropped++;
      if (!this.dropping) {
        this.dropping = true;
        this.opts.onError?.(
          new Error(
            `more than ${this.opts.maxPendingBytes} bytes wait for the disk: dropping lines`,
          ),
        );
      }
      return false;
    }
    if (p.used + room > p.buf.length) {
      // Doubling, but never past the bound (a line near it gets just its room).
      const next = Buffer.allocUnsafe(Math.max(Math.min(p.buf.length * 2, max), p.used + room));
      p.buf.copy(next, 0, 0, p.used);
      p.buf = next;
    }
    const n = p.buf.write(line, p.used, 'utf8');
    p.used += n;
    this.accepted += n;
    const last = p.runs[p.runs.length - 1];
    if (last?.path === path) last.end = p.used;
    else p.runs.push({ path, end: p.used });
    if (p.used >= this.opts.batchBytes && !this.failing) this.drain();
    else this.schedule();
    return true;
  }

  /** Arms the timer that drains later (RETRY_MS after a failure, else flushIntervalMs). */
  private schedule(): void {
    if (this.timer !== null || this.closed) return;
    this.timer = setTimeout(
      () => {
        this.timer = null;
        this.drain();
      },
      this.failing ? RETRY_MS : this.opts.flushIntervalMs,
    );
    this.timer.unref();
  }

  /**
   * Resolves once every line appended before the call is written, or a
   * write failed meanwhile (reported to onError; the lines stay pending).
   */
  async flush(): Promise<void> {
    const target = this.accepted;
    const failures = this.failures;
    while (this.written < target && this.failures === failures) {
      this.drain();
      if (this.inflight === null) break;
      await this.inflight;
    }
  }

  /**
   * Like flush(), but resolves at once while writes fail (they are retried
   * every RETRY_MS; this does not start one more).
   */
  settled(): Promise<void> {
    return this.failing ? Promise.resolve() : this.flush();
  }

  /** Lines that will never be written: dropped, and unwritten at close. */
  get lost(): number {
    return this.dropped + this.unwrittenAtClose;
  }

  /**
   * Lines dropped since the last call, once writes succeed again and the
   * backlog is under half its bound (0 before: the count is reported when
   * it can be written).
   */
  takeLost(): number {
    // Not while failing or still far behind: the report itself would wait or be dropped.
    if (this.failing || this.backlog > this.opts.maxPendingBytes / 2) return 0;
    const n = this.dropped - this.droppedReported;
    this.droppedReported = this.dropped;
    return n;
  }

  /** Flushes, then closes the file; later appends are ignored. */
  async close(): Promise<void> {
    await this.flush();
    if (this.backlog > 0) {
      // The file kept failing: what waits is lost.
      const w = this.writing;
      if (w) this.unwrittenAtClose += countLines(w.buf, w.done, w.used);
      this.unwrittenAtClose += countLines(this.pending.buf, 0, this.pending.used);
    }
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.inflight) await this.inflight;
    if (this.fd !== null) await closeQuietly(this.fd);
    this.fd = null;
  }

  /** Starts writing (a failed batch first, else what is pending) unless a write runs. */
  private drain(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (this.inflight !== null) return;
    if (this.writing === null) {
      if (this.pending.used === 0) return;
      this.writing = this.pending;
      this.pending = this.spare ?? emptyBatch(64 * 1024);
      this.spare = null;
      this.dropping = false;
    }
    const batch = this.writing;
    this.inflight = this.writeBatch(batch).then(
      () => {
        batch.used = 0;
        batch.runs = [];
        batch.done = 0;
        // Reused unless a backlog made it large: memory is given back once the disk caught up.
        this.spare = batch.buf.length <= SPARE_MAX_BYTES ? batch : null;
        this.writing = null;
        this.inflight = null;
        this.failing = false;
        // More came in while writing: keep going if a batch is full, else the timer does it.
        if (this.pending.used >= this.opts.batchBytes) this.drain();
        else if (this.pending.used > 0) this.schedule();
      },
      (err: unknown) => {
        this.inflight = null;
        this.failures++;
        if (!this.failing) this.opts.onError?.(err);
        this.failing = true;
        this.schedule();
      },
    );
  }

  private async writeBatch(batch: Batch): Promise<void> {
    for (const run of batch.runs) {
      if (batch.done >= run.end) continue;
      const fd = await this.fdFor(run.path);
      while (batch.done < run.end) {
        const n = await writeAsync(fd, batch.buf, batch.done, run.end - batch.done);
        batch.done += n;
        this.written += n;
      }
    }
  }

  /** The descriptor appending to `path` (the previous file is closed). */
  private async fdFor(path: string): Promise<number> {
    if (this.fd !== null && this.fdPath === path) return this.fd;
    if (this.fd !== null) await closeQuietly(this.fd);
    this.fd = null;
    const fd = await openAppend(path);
    try {
      if (!(await endsWithNewline(fd, path))) {
        // A torn last line: end it, so the next line starts on its own.
        const nl = Buffer.from('\n');
        await writeAsync(fd, nl, 0, 1);
        this.tornLines++;
        this.opts.onTornLine?.(path);
      }
    } catch (err) {
      await closeQuietly(fd);
      throw err;
    }
    this.fd = fd;
    this.fdPath = path;
    return fd;
  }
}
