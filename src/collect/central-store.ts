/**
 * @module
 * The collector's side of the central DuckDB store: commits a batch of
 * validated events (enriched and deduplicated by event_id, as `ingest`
 * does, through the same StoreWriter), rebuilds the unified INVITEs when
 * asked, and serialises everything that touches the store (batches, call
 * rebuilds, report queries) so none of them races another.
 *
 * A failed commit (a full disk, an I/O error) closes the store, since
 * DuckDB may refuse every later statement after one, and the next commit
 * opens it again: nothing of the failed batch is kept, the caller must
 * offer it again (the collector does not acknowledge it, so JetStream
 * delivers it again).
 *
 * Batches are written with one DuckDB thread: a batch of 10,000 rows gains
 * nothing from a second thread on a small machine, and the second thread
 * cost the store writer about 40 % more CPU (docs/benchmarks.md,
 * "Network"). While report queries read, DuckDB gets all its threads back.
 */
import { queryable, type Queryable } from '../store/queryable.js';
import type { SnareEvent } from '../events/catalog.js';
import { rebuildCalls } from '../store/calls.js';
import type { Enricher } from '../store/enricher.js';
import { openStore, type Store } from '../store/store.js';
import { StoreWriter, type FlushResult } from '../store/writer.js';

/** DuckDB's memory bound in the collector. */
export const COLLECT_MEMORY_LIMIT = '1GB';
/** DuckDB threads while only batches are written (reads get DuckDB's default). */
export const WRITE_THREADS = 1;

export interface CentralStoreOptions {
  readonly path: string;
  readonly enricher: Enricher;
  readonly gapMinutes: number;
  readonly memoryLimit?: string;
}

export class CentralStore {
  private store: Store | null = null;
  private writer: StoreWriter | null = null;
  private chain: Promise<unknown> = Promise.resolve();
  private callsDirty = false;
  private commits = 0;
  /** DuckDB's own thread count (the machine's cores), given back to reads. */
  private readThreads = WRITE_THREADS;
  /** Reads running now: while any runs, DuckDB has `readThreads` threads. */
  private readers = 0;

  constructor(private readonly opts: CentralStoreOptions) {}

  /** Runs `fn` alone on the store (opened if needed). */
  exclusive<T>(fn: (store: Store) => Promise<T>): Promise<T> {
    const run = this.chain.then(async () => fn(await this.open()));
    this.chain = run.catch(() => undefined);
    return run;
  }

  /** Grows with every commit that added rows: an unchanged generation is an unchanged store. */
  get generation(): number {
    return this.commits;
  }

  /** Opens the store now (at start: a store that cannot open stops the collector). */
  async ready(): Promise<void> {
    await this.exclusive(() => Promise.resolve());
  }

  /** Stores `events` in one commit; throws (the store closed) when it fails. */
  commit(events: readonly SnareEvent[]): Promise<FlushResult> {
    return this.exclusive(async () => {
      const writer = this.writer;
      if (writer === null) throw new Error('store writer missing');
      try {
        let invites = false;
        for (const ev of events) {
          writer.appendEvent(ev, 'sensor');
          invites ||= ev.method === 'INVITE';
        }
        const r = await writer.flush();
        if (r.added > 0) this.commits++;
        if (invites && r.added > 0) this.callsDirty = true;
        return r;
      } catch (err) {
        this.closeNow();
        throw err;
      }
    });
  }

  /** Rebuilds the unified INVITEs if INVITEs were added since the last rebuild. */
  refreshCalls(): Promise<void> {
    return this.exclusive(async (store) => {
      if (!this.callsDirty) return;
      try {
        await rebuildCalls(store.conn, this.opts.gapMinutes);
        await store.setMeta('calls_gap_minutes', String(this.opts.gapMinutes));
        this.callsDirty = false;
      } catch (err) {
        this.closeNow();
        throw err;
      }
    });
  }

  /**
   * Runs read-only queries on a connection of their own (DuckDB reads a
   * consistent snapshot while batches keep committing), after the unified
   * INVITEs are brought up to date.
   */
  async query<T>(fn: (db: Queryable) => Promise<T>): Promise<T> {
    await this.refreshCalls();
    return this.read(fn);
  }

  /**
   * Runs read-only queries on a connection of their own, as they are: the
   * unified INVITEs as of their last rebuild (the dashboard's queries).
   */
  async read<T>(fn: (db: Queryable) => Promise<T>): Promise<T> {
    const conn = await this.exclusive((store) => store.instance.connect());
    try {
      // `threads` is global to the instance: the first reader raises it, the last lowers it.
      if (this.readers++ === 0) await conn.run(`SET threads = ${this.readThreads}`);
      return await fn(queryable(conn));
    } finally {
      if (--this.readers === 0)
        await conn.run(`SET threads = ${WRITE_THREADS}`).catch(() => undefined);
      conn.closeSync();
    }
  }

  /** Rebuilds the calls and closes the store (after the batch in progress). */
  async close(): Promise<void> {
    await this.refreshCalls().catch(() => undefined);
    await this.exclusive(async () => {
      await this.writer?.close().catch(() => undefined);
      this.closeNow();
      return Promise.resolve();
    }).catch(() => undefined);
  }

  private async open(): Promise<Store> {
    if (this.store !== null) return this.store;
    const store = await openStore(this.opts.path, {
      memoryLimit: this.opts.memoryLimit ?? COLLECT_MEMORY_LIMIT,
    });
    try {
      this.readThreads = await threadsOf(store);
      await store.conn.run(`SET threads = ${this.readers > 0 ? this.readThreads : WRITE_THREADS}`);
      this.writer = await StoreWriter.create(store, {
        enricher: this.opts.enricher,
        gapMinutes: this.opts.gapMinutes,
      });
      if (this.opts.enricher.dataDate)
        await store.setMeta('geo_data_date', this.opts.enricher.dataDate);
    } catch (err) {
      store.close();
      throw err;
    }
    this.store = store;
    // Rows may have been added before a failure or a restart: rebuild once.
    this.callsDirty = true;
    return store;
  }

  private closeNow(): void {
    this.writer = null;
    const s = this.store;
    this.store = null;
    try {
      // After a failure the appenders hold nothing worth keeping: the instance goes, and they with it.
      s?.close();
    } catch {
      // already broken
    }
  }
}

/** DuckDB's thread count as the instance was opened (at least WRITE_THREADS). */
async function threadsOf(store: Store): Promise<number> {
  const r = await store.conn.runAndReadAll(`SELECT current_setting('threads') AS t`);
  const t = Number(r.getRowObjectsJS()[0]?.['t'] ?? WRITE_THREADS);
  return Number.isInteger(t) && t > WRITE_THREADS ? t : WRITE_THREADS;
}
