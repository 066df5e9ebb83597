/**
 * @module
 * Bounded, asynchronous appending of text lines to files, for the event
 * file sinks. Lines are encoded one after the other into buffers of
 * CHUNK_BYTES, each line with the file it goes to; a line is never copied
 * again. At most one write is in flight, on libuv's thread pool, so a slow
 * or busy disk never stalls the event loop: the sensor keeps reading its
 * sockets while the kernel flushes pages. Lines wait at most
 * `flushIntervalMs`, or until `batchBytes` are pending.
 *
 * Memory is bounded whatever the disk does: at most `maxPendingBytes` wait
 * for the disk, the buffers being written included; a backlog is a chain
 * of buffers, all written at once by the next write and let go once
 * written (two, and those the backlog will fill, are kept for reuse), so
 * what is held follows the backlog; beyond the bound, new lines are dropped and
 * counted, and `onError` hears of it once per stretch of drops. A failed
 * write keeps what it did not write and resumes there, before any newer
 * line, at the next flush or after RETRY_MS: no line is split across
 * buffers or files, written twice or reordered. A file that does not end
 * in a newline when opened (a line torn by an earlier stop) gets one
 * first, and is counted. A disk that keeps failing is reported once, until
 * a write succeeds again.
 */
import {
  closeQuietly,
  countLines,
  endsWithNewline,
  openAppend,
  writeAsync,
  writevAsync,
} from './append-io.js';

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

/** Lines encoded into one buffer: their bytes, and runs of consecutive lines of one file. */
interface Chunk {
  buf: Buffer;
  used: number;
  /** Each run ends at byte `end` of `buf` and goes to `path`. */
  runs: { path: string; end: number }[];
  /** Bytes already written (a failed chunk resumes here). */
  done: number;
}

/**
 * Bytes of the buffers lines are encoded into (`maxPendingBytes` if
 * smaller; a longer line gets a buffer of its own size). One buffer
 * growing by doubling, as before, held 8 MB beside the 8 MB batch being
 * written at every flood of `sipsnare run` (8.4 MB of buffers for 5.5 MB
 * waiting); chained buffers of 1 MiB hold the backlog and a megabyte or
 * two (7.0 MB), at the same CPU per line (docs/benchmarks.md).
 */
export const CHUNK_BYTES = 1024 * 1024;

/**
 * Written buffers kept for the next lines instead of allocating new ones,
 * beyond those the backlog will fill: a flood reuses its buffers instead
 * of leaving garbage behind (a megabyte per buffer, until V8's next full
 * collection), and a quiet appender keeps two. With one, a write that
 * ended before the next line let its buffer go while the other waited.
 */
const SPARE_CHUNKS = 2;

/**
 * The next bytes to write of chunks[0..count): the unwritten rest of one
 * file's run, continued into the next chunks while their lines go to the
 * same file; null when all is written.
 */
function nextFileRun(
  chunks: readonly Chunk[],
  count: number,
): { path: string; parts: { chunk: Chunk; end: number }[] } | null {
  let path: string | null = null;
  const parts: { chunk: Chunk; end: number }[] = [];
  for (let i = 0; i < count; i++) {
    const chunk = chunks[i];
    // Chunks are written in order: only those before the first unwritten one are done.
    if (chunk === undefined || chunk.done >= chunk.used) continue;
    const k = chunk.runs.findIndex((r) => r.end > chunk.done);
    const run = chunk.runs[k];
    if (run === undefined) continue;
    if (path === null) path = run.path;
    else if (run.path !== path) break;
    parts.push({ chunk, end: run.end });
    // The chunk goes on with another file.
    if (k < chunk.runs.length - 1) break;
  }
  return path === null ? null : { path, parts };
}

export class FileAppender {
  /** The chunk lines go into now (null until the next line). */
  private open: Chunk | null = null;
  /** Chunks handed to the disk, oldest first: the first is being written, or failed (resumed first). */
  private readonly sealed: Chunk[] = [];
  /** Written chunks kept for reuse (SPARE_CHUNKS more than the backlog fills). */
  private readonly spares: Chunk[] = [];
  /** Size of a chunk: CHUNK_BYTES, or the bound if smaller. */
  private readonly chunkBytes: number;
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

  constructor(private readonly opts: FileAppenderOptions) {
    this.chunkBytes = Math.max(1, Math.min(CHUNK_BYTES, opts.maxPendingBytes));
  }

  /** Bytes waiting to be written (pending and in flight). */
  get backlog(): number {
    return this.accepted - this.written;
  }

  /** Bytes of the buffers held now (pending, being written, kept for reuse). */
  get bufferBytes(): number {
    let n = this.open?.buf.length ?? 0;
    for (const c of this.sealed) n += c.buf.length;
    for (const c of this.spares) n += c.buf.length;
    return n;
  }

  /** Queues `line` (with its newline) for `path`; false when it was dropped. */
  append(path: string, line: string): boolean {
    if (this.closed) return false;
    // UTF-8 takes at most 3 bytes per UTF-16 code unit; the exact size only near a limit.
    const room = line.length * 3;
    const max = this.opts.maxPendingBytes;
    // The bound holds for everything not yet written: the chunks being written and the pending one.
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
    let c = this.open;
    if (c === null || c.used + room > c.buf.length) {
      const bytes = Buffer.byteLength(line);
      if (c === null || c.used + bytes > c.buf.length) {
        // A full chunk waits for the disk behind the others; the line starts a new one.
        if (c !== null && c.used > 0) this.sealed.push(c);
        c = this.takeChunk(bytes);
        this.open = c;
      }
    }
    const n = c.buf.write(line, c.used, 'utf8');
    c.used += n;
    this.accepted += n;
    const last = c.runs[c.runs.length - 1];
    if (last?.path === path) last.end = c.used;
    else c.runs.push({ path, end: c.used });
    if (this.inflight === null && !this.failing && this.backlog >= this.opts.batchBytes)
      this.drain();
    else this.schedule();
    return true;
  }

  /** An empty chunk for a line of `bytes` bytes: a spare one if it fits. */
  private takeChunk(bytes: number): Chunk {
    const spare = this.spares.pop();
    if (spare !== undefined && spare.buf.length >= bytes) return spare;
    if (spare !== undefined) this.spares.push(spare);
    return {
      buf: Buffer.allocUnsafe(Math.max(this.chunkBytes, bytes)),
      used: 0,
      runs: [],
      done: 0,
    };
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
      for (const c of this.sealed) this.unwrittenAtClose += countLines(c.buf, c.done, c.used);
      const o = this.open;
      if (o !== null) this.unwrittenAtClose += countLines(o.buf, 0, o.used);
    }
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.inflight) await this.inflight;
    if (this.fd !== null) await closeQuietly(this.fd);
    this.fd = null;
  }

  /**
   * Starts writing everything pending (the chunks sealed, a failed one
   * first, and the open one) unless a write runs.
   */
  private drain(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (this.inflight !== null) return;
    const o = this.open;
    if (o !== null && o.used > 0) {
      this.sealed.push(o);
      this.open = null;
    }
    if (this.sealed.length === 0) return;
    // A new write (not a retry) starts a new stretch of drops.
    if (!this.failing) this.dropping = false;
    const count = this.sealed.length;
    this.inflight = this.writeSealed(count).then(
      () => {
        // Kept for reuse while a backlog needs them (not one sized for a long line), else let go.
        const keep = Math.ceil(this.backlog / this.chunkBytes) + SPARE_CHUNKS;
        for (const chunk of this.sealed.splice(0, count)) {
          if (this.spares.length < keep && chunk.buf.length === this.chunkBytes) {
            chunk.used = 0;
            chunk.runs = [];
            chunk.done = 0;
            this.spares.push(chunk);
          }
        }
        this.spares.length = Math.min(this.spares.length, keep);
        this.inflight = null;
        this.failing = false;
        // More came in while writing: keep going if a batch is full, else the timer does it.
        if (this.backlog >= this.opts.batchBytes) this.drain();
        else if (this.backlog > 0) this.schedule();
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

  /**
   * Writes the first `count` sealed chunks, from where each stopped: the
   * lines of one file, across chunks, in one vectored write (a disk that
   * lags gets the whole backlog at once, as one buffer did).
   */
  private async writeSealed(count: number): Promise<void> {
    for (;;) {
      const run = nextFileRun(this.sealed, count);
      if (run === null) return;
      const fd = await this.fdFor(run.path);
      let n = await writevAsync(
        fd,
        run.parts.map((p) => p.chunk.buf.subarray(p.chunk.done, p.end)),
      );
      this.written += n;
      // A partial write resumes where it stopped: each chunk keeps its progress.
      for (const p of run.parts) {
        const take = Math.min(n, p.end - p.chunk.done);
        p.chunk.done += take;
        n -= take;
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
