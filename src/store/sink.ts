/**
 * @module
 * An EventSink that writes live sensor events into the embedded store in
 * batches: every `batchSize` events or `intervalMs`, whichever comes first.
 * Events wait in a bounded JS queue and are staged only inside a flush, so a
 * flush in progress never races new writes. Enrichment happens per batch
 * (per distinct address and User-Agent). The unified INVITEs are rebuilt
 * after a committed batch that held INVITEs, on a timer of their own (so
 * no later event is needed): at most once per `callsEveryMs`, and never
 * more often than ten times the last rebuild took (a large store costs at
 * most a tenth of the time); and at close. `CALLS_LAG_MS` is the lag.
 *
 * Must never throw from `write`, and never grow without bound: beyond
 * `maxQueued` events (or `maxQueuedBytes` of them) new events are dropped
 * and counted. DuckDB runs on one thread under a small memory bound, and
 * hands freed memory back at once.
 */
import type { SnareEvent } from '../events/catalog.js';
import type { EventSink } from '../events/sink.js';
import { DEFAULT_GAP_MINUTES, rebuildCalls } from './calls.js';
import { loadEnricher, type Enricher } from './enricher.js';
import { openStore, type Store } from './store.js';
import { StoreWriter } from './writer.js';

/**
 * DuckDB's memory bound inside a sensor while only the store's batches
 * run: the honeypot is a long-running process on a small host, and DuckDB
 * would otherwise take up to 80 % of the machine for its cache. DuckDB
 * fills its bound with cached blocks and committed rows not yet
 * checkpointed, and spills beyond it; under a flood from 100,000 sources
 * it held 168 MB with a 256 MB bound. 64 MB was tried: batch writes then
 * failed with DuckDB's out-of-memory error, on a fresh store as on one of
 * 10 M events; 96 MB failed a batch written beside the dashboard's phase
 * query on a 10 M-event store (docs/benchmarks.md).
 */
export const SINK_MEMORY_LIMIT = '128MB';

/**
 * DuckDB's memory bound while the dashboard of `run` reads the store (set
 * with SINK_READ_THREADS, and lowered with them a second after the last
 * query ends): a query over millions of events needs room for its hash
 * tables beside the batches.
 */
export const SINK_READ_MEMORY_LIMIT = '256MB';

/**
 * Storage block size of a store the sensor creates: 64 KiB, a quarter of
 * DuckDB's default. Committed rows wait in memory for the next checkpoint
 * in one block per column of each table a batch goes into (the events, the
 * dimensions and the rollups), however few rows there are: with 256 KiB
 * blocks the first batch after a checkpoint took 48 MB that way, and
 * DuckDB held 80-100 MB under a flood the store kept up with; with 64 KiB
 * blocks 51-59 MB. `run` under the UDP bench's mix at 10,000 msgs/s
 * peaked at 267-278 MB instead of 308 (docs/benchmarks.md). Over 10 M
 * events the dashboard's queries take the same time on either, and the
 * file is 4 % smaller. An existing store keeps its block size; `ingest`
 * creates stores with DuckDB's default.
 */
export const SINK_BLOCK_SIZE = 64 * 1024;

/**
 * DuckDB threads inside a sensor: one. The sensor's own two threads (SIP,
 * UDP I/O) take the cores under a flood, each DuckDB thread keeps buffers
 * of its own, and a batch of a few thousand rows gains nothing from more.
 */
export const SINK_THREADS = 1;

/**
 * DuckDB threads while the dashboard of `run` reads this store (one more
 * than SINK_THREADS, given back a second after the last query ends): a
 * query over millions of events on one thread waits behind the batches.
 */
export const SINK_READ_THREADS = 2;

/**
 * Dialed strings whose analysis the sink's number resolver keeps (some 1
 * KB each with their validated readings, without the explanation steps
 * the columns do not hold: 2-2.5 MB at most). The importers' default,
 * 100,000, made for millions of events, holds 59 MB of heap after 30,000
 * distinct numbers (15 s of INVITEs at 2,000/s) and 99 MB after 200,000;
 * this one 3 MB with the steps, 2 MB without (docs/benchmarks.md). Scanners repeat a few
 * numbers in bursts: a recent one is still found.
 */
export const SINK_NUMBER_CACHE = 2048;

/**
 * DuckDB purges its allocator whenever one release passes this: the
 * temporary tables and hash tables of each batch (a few MB) go back to the
 * system when dropped, not after the allocator's decay time of seconds,
 * during which a flood's batches piled up. The peak resident set of
 * 150,000 events written in batches of 5,000 went from 374-394 MB to
 * 328-336 MB with this at 1 MB (and 317-330 MB at 256 KB, for about 10 %
 * more CPU); at 4 MB it gained nothing (docs/benchmarks.md).
 */
export const SINK_ALLOCATOR_BULK_FLUSH = '1MB';

/**
 * DuckDB's allocator purges the pages its batches freed on a background
 * thread, about a second after they were freed. Without it they stayed
 * until DuckDB next allocated: 101-104 MiB resident in DuckDB's allocator
 * 3 s after 40,000 events were written, against 53-55 MiB with it
 * (docs/benchmarks.md); a sensor kept the memory of its last flood.
 * With background threads DuckDB skips its flush after a task that peaked
 * above `allocator_flush_threshold`, so the sink leaves that setting alone:
 * SINK_ALLOCATOR_BULK_FLUSH purges instead.
 */
export const SINK_ALLOCATOR_BACKGROUND = true;

/**
 * Events the sink holds at most, the batch being written included (a
 * second of a 10,000 msgs/s flood); beyond, events skip the store, stay in
 * the JSON lines and are counted. (The batch being written was held beside
 * a full queue: twice this many at the peak of a flood.)
 */
export const SINK_MAX_QUEUED = 10_000;

/**
 * The same bound in bytes (the events' text, estimated by eventBytes; the
 * batch being written included):
 * events can carry long fields (up to MAX_FIELD_CHARS each), so a count
 * alone does not bound memory.
 */
export const SINK_MAX_QUEUED_BYTES = 16 * 1024 * 1024;

/** Default spacing of call rebuilds after INVITEs were committed. */
export const CALLS_EVERY_MS = 5_000;
/** A batch is committed at this many events, or after this long, whichever comes first. */
export const SINK_BATCH_EVENTS = 5000;
export const SINK_BATCH_MS = 1000;
/** A rebuild waits at least this many times the previous rebuild's duration. */
export const CALLS_COST_FACTOR = 10;
/**
 * How long after an INVITE arrives the live store's calls show it, on
 * defaults and while a rebuild takes under half a second: the batch
 * interval (1 s), the rebuild spacing, and the rebuild itself.
 */
export const CALLS_LAG_MS = 1_000 + CALLS_EVERY_MS + 500;

export interface StoreSinkOptions {
  /** DuckDB memory bound (default SINK_MEMORY_LIMIT). */
  readonly memoryLimit?: string;
  /** DuckDB's allocator purge on a large release (default SINK_ALLOCATOR_BULK_FLUSH). */
  readonly allocatorBulkFlush?: string;
  readonly batchSize?: number;
  readonly intervalMs?: number;
  readonly maxQueued?: number;
  /** Bytes of queued events (eventBytes) beyond which new events are dropped (default SINK_MAX_QUEUED_BYTES). */
  readonly maxQueuedBytes?: number;
  readonly callsEveryMs?: number;
  readonly gapMinutes?: number;
  /** Default: the enrichment modules (loadEnricher). */
  readonly enricher?: Enricher;
  readonly onError?: (err: unknown) => void;
}

export interface StoreSink extends EventSink {
  /** Events dropped because the queue was full. */
  readonly dropped: number;
  /** Events waiting to be written. */
  readonly queued: number;
  /** Age in milliseconds of the oldest event waiting (0 when none waits). */
  readonly lagMs: number;
  /** Grows with every commit that added rows and every rebuild of calls: equal values, equal store. */
  readonly generation: number;
  readonly store: Store;
}

/**
 * What an event holds in memory, roughly: its text (one byte a character,
 * as V8 keeps Latin-1 strings; two for others would only make the bound
 * tighter) and a fixed cost per field. For the queue's byte bound.
 */
export function eventBytes(event: SnareEvent): number {
  let n = 64;
  for (const v of Object.values(event)) n += typeof v === 'string' ? 16 + v.length : 8;
  return n;
}

class Sink implements StoreSink {
  readonly name = 'store';
  dropped = 0;
  private queue: SnareEvent[] = [];
  /** eventBytes of each queued event, in the same order, and their sum. */
  private sizes: number[] = [];
  private queuedBytes = 0;
  /** Events (and their eventBytes) of the batch being written: they count against the bounds. */
  private writing = 0;
  private writingBytes = 0;
  private chain: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | null = null;
  private invitesSinceCalls = 0;
  /** When the last rebuild ended (Date.now()), and how long it took. */
  private lastCalls = 0;
  private lastCallsMs = 0;
  private callsTimer: NodeJS.Timeout | null = null;
  /** Call rebuilds done (tests, metrics). */
  rebuilds = 0;
  /** Commits that added rows, and call rebuilds started (store evidence may change rows). */
  private commits = 0;
  private rebuildsStarted = 0;
  private closed = false;
  /** Set from the first drop until the queue drains: one report per stretch of drops. */
  private dropping = false;

  constructor(
    readonly store: Store,
    private readonly writer: StoreWriter,
    private readonly opts: Required<
      Omit<StoreSinkOptions, 'enricher' | 'onError' | 'memoryLimit' | 'allocatorBulkFlush'>
    > &
      Pick<StoreSinkOptions, 'onError'>,
  ) {}

  get generation(): number {
    return this.commits + this.rebuildsStarted;
  }

  get queued(): number {
    return this.queue.length;
  }

  get lagMs(): number {
    const first = this.queue[0];
    return first === undefined ? 0 : Math.max(0, Date.now() - Date.parse(first.ts));
  }

  write(event: SnareEvent): void {
    if (this.closed) return;
    const bytes = eventBytes(event);
    if (
      this.queue.length + this.writing >= this.opts.maxQueued ||
      this.queuedBytes + this.writingBytes + bytes > this.opts.maxQueuedBytes
    ) {
      this.dropped++;
      if (!this.dropping) {
        this.dropping = true;
        this.opts.onError?.(
          new Error(
            `store queue full (${this.opts.maxQueued} events or ${this.opts.maxQueuedBytes} bytes): events skip the store until it catches up (the JSON lines keep them)`,
          ),
        );
      }
      return;
    }
    this.queue.push(event);
    this.sizes.push(bytes);
    this.queuedBytes += bytes;
    if (this.queue.length >= this.opts.batchSize) void this.flush();
    else if (this.timer === null) {
      this.timer = setTimeout(() => {
        this.timer = null;
        void this.flush();
      }, this.opts.intervalMs);
      this.timer.unref();
    }
  }

  flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    this.chain = this.chain
      .then(() => this.drain())
      .catch((err: unknown) => this.opts.onError?.(err));
    return this.chain;
  }

  /**
   * Writes the oldest `batchSize` queued events as one batch; what is left
   * goes after anything chained meanwhile (a rebuild of calls). A store
   * that fell behind writes its backlog a batch at a time: staging twice a
   * batch at once took twice DuckDB's memory.
   */
  private async drain(): Promise<void> {
    const n = Math.min(this.queue.length, this.opts.batchSize);
    this.dropping = false;
    if (n === 0) return;
    const batch = this.queue.splice(0, n);
    let bytes = 0;
    for (const b of this.sizes.splice(0, n)) bytes += b;
    this.queuedBytes -= bytes;
    this.writing = n;
    this.writingBytes = bytes;
    try {
      for (const ev of batch) {
        this.writer.appendEvent(ev, 'sensor');
        if (ev.method === 'INVITE') this.invitesSinceCalls++;
      }
      // The rows are DuckDB's now: let the events go while the batch is written.
      batch.length = 0;
      if ((await this.writer.flush()).added > 0) this.commits++;
    } finally {
      this.writing = 0;
      this.writingBytes = 0;
    }
    if (this.invitesSinceCalls > 0) this.scheduleCalls();
    if (this.queue.length > 0) void this.flush();
  }

  /**
   * Arms the rebuild of calls for committed INVITEs: `callsEveryMs` after
   * the last one, or ten times its duration if that is longer. Runs on the
   * sink's chain, so never beside a batch.
   */
  private scheduleCalls(): void {
    if (this.callsTimer !== null || this.closed) return;
    const spacing = Math.max(this.opts.callsEveryMs, CALLS_COST_FACTOR * this.lastCallsMs);
    const wait = Math.max(0, this.lastCalls + spacing - Date.now());
    this.callsTimer = setTimeout(() => {
      this.callsTimer = null;
      this.chain = this.chain
        .then(() => this.rebuild())
        .catch((err: unknown) => this.opts.onError?.(err));
    }, wait);
    this.callsTimer.unref();
  }

  private async rebuild(): Promise<void> {
    if (this.invitesSinceCalls === 0) return;
    this.invitesSinceCalls = 0;
    this.rebuildsStarted++;
    const t0 = performance.now();
    try {
      await rebuildCalls(this.store.conn, this.opts.gapMinutes);
      this.rebuilds++;
    } finally {
      this.lastCallsMs = performance.now() - t0;
      this.lastCalls = Date.now();
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    do await this.flush();
    while (this.queue.length > 0);
    this.closed = true;
    if (this.callsTimer !== null) clearTimeout(this.callsTimer);
    this.callsTimer = null;
    try {
      await this.chain;
      await this.rebuild();
      await this.writer.close();
    } finally {
      this.store.close();
    }
  }
}

/**
 * Opens (creating if needed) the store at `dbPath` and returns a sink that
 * writes events into it. The hook for `sipsnare run`.
 */
export async function openStoreSink(
  dbPath: string,
  opts: StoreSinkOptions = {},
): Promise<StoreSink> {
  const store = await openStore(dbPath, {
    memoryLimit: opts.memoryLimit ?? SINK_MEMORY_LIMIT,
    blockSize: SINK_BLOCK_SIZE,
    threads: SINK_THREADS,
    allocatorBackgroundThreads: SINK_ALLOCATOR_BACKGROUND,
    allocatorBulkFlushThreshold: opts.allocatorBulkFlush ?? SINK_ALLOCATOR_BULK_FLUSH,
  });
  try {
    const enricher =
      opts.enricher ?? (await loadEnricher({ numberCacheEntries: SINK_NUMBER_CACHE }));
    const gapMinutes = opts.gapMinutes ?? DEFAULT_GAP_MINUTES;
    const writer = await StoreWriter.create(store, { enricher, gapMinutes });
    if (enricher.dataDate) await store.setMeta('geo_data_date', enricher.dataDate);
    return new Sink(store, writer, {
      batchSize: opts.batchSize ?? SINK_BATCH_EVENTS,
      intervalMs: opts.intervalMs ?? SINK_BATCH_MS,
      maxQueued: opts.maxQueued ?? SINK_MAX_QUEUED,
      maxQueuedBytes: opts.maxQueuedBytes ?? SINK_MAX_QUEUED_BYTES,
      callsEveryMs: opts.callsEveryMs ?? CALLS_EVERY_MS,
      gapMinutes,
      ...(opts.onError ? { onError: opts.onError } : {}),
    });
  } catch (err) {
    store.close();
    throw err;
  }
}
