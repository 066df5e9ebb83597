/**
 * @module
 * Opens (or creates) the embedded DuckDB store and brings its schema up to
 * date: the numbered migrations run in order inside one transaction each,
 * and the version reached is kept in `meta` (`schema_version`).
 *
 * Must never build SQL text from data: every value is a bound parameter.
 */
import { storeOpenError } from './open-error.js';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { SnareError } from '../errors.js';
import { MIGRATIONS, type Migration } from './migrations/index.js';

/** An open store: one DuckDB instance and the connection the writer uses. */
export interface Store {
  readonly path: string;
  readonly instance: DuckDBInstance;
  readonly conn: DuckDBConnection;
  /** Schema version after migration. */
  readonly version: number;
  getMeta(key: string): Promise<string | null>;
  setMeta(key: string, value: string): Promise<void>;
  /** Closes the connection and the instance (checkpointing the file). Safe to call twice. */
  close(): void;
}

/** The newest schema version this build knows. */
export const SCHEMA_VERSION = MIGRATIONS.reduce((v, m) => Math.max(v, m.version), 0);

async function currentVersion(conn: DuckDBConnection): Promise<number> {
  const tables = await conn.runAndReadAll(
    "SELECT count(*)::INTEGER AS n FROM information_schema.tables WHERE table_name = 'meta' AND table_schema = 'main'",
  );
  if (tables.getRowObjectsJS()[0]?.['n'] === 0) return 0;
  const r = await conn.runAndReadAll("SELECT value FROM meta WHERE key = 'schema_version'");
  const v = r.getRowObjectsJS()[0]?.['value'];
  return typeof v === 'string' ? Number.parseInt(v, 10) : 0;
}

/**
 * Applies every migration newer than the store's version. Refuses a store
 * written by a newer build, since its tables may mean something else.
 */
export async function migrate(
  conn: DuckDBConnection,
  migrations: readonly Migration[] = MIGRATIONS,
): Promise<number> {
  let version = await currentVersion(conn);
  const newest = migrations.reduce((v, m) => Math.max(v, m.version), 0);
  if (version > newest) {
    throw new SnareError(
      'SNARE_ERR_STORE',
      `store schema version ${version} is newer than this sipsnare (${newest})`,
    );
  }
  for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
    if (m.version <= version) continue;
    await conn.run('BEGIN TRANSACTION');
    try {
      await conn.run(m.sql);
      await conn.run("INSERT OR REPLACE INTO meta (key, value) VALUES ('schema_version', $1)", [
        String(m.version),
      ]);
      await conn.run('COMMIT');
    } catch (err) {
      await conn.run('ROLLBACK');
      throw new SnareError('SNARE_ERR_STORE', `migration ${m.name} failed`, { cause: err });
    }
    version = m.version;
  }
  return version;
}

/**
 * DuckDB storage format of a new store file (fixed when the file is
 * created; an existing store keeps the format it was made with). DuckDB
 * writes files readable by 0.10.2 unless told otherwise, and that format
 * compresses strings with two methods it must try one after the other
 * (dictionary, FSST). From 1.3.0 one combined method (DICT_FSST) does both:
 * the import's INSERT into `events`, half of a legacy import, writes 2 M
 * rows in 2.2 s instead of 3.8 s (medians of 3). Stores of varied traffic
 * are up to 17 % bigger (docs/store.md). DuckDB 1.3 or newer opens them.
 */
export const STORAGE_VERSION = 'v1.3.0';

export interface StoreOptions {
  /**
   * DuckDB's memory bound (e.g. '512MB', '4GB'): its buffer cache and
   * operators stay under it and spill to disk beyond. Unset, DuckDB may use
   * 80 % of the machine's memory, fine for a one-off import, not for a
   * long-running sensor.
   */
  readonly memoryLimit?: string;
  /**
   * Bytes of a storage block of a store file this call creates (DuckDB's
   * default is 256 KiB; 16 KiB to 256 KiB, a power of two). An existing
   * file keeps the block size it was made with, whatever is given here.
   * Rows committed and not yet checkpointed sit in memory in one block per
   * column of every table they went into, however few they are.
   */
  readonly blockSize?: number;
  /** DuckDB's worker threads (default: one per core); each keeps buffers of its own. */
  readonly threads?: number;
  /**
   * DuckDB's allocator (jemalloc) purges freed pages on a thread of its own,
   * about a second after they were freed, instead of when it next allocates
   * (an idle store kept the pages of its last batches).
   */
  readonly allocatorBackgroundThreads?: boolean;
  /**
   * DuckDB purges every arena of its allocator at once when a single
   * release of memory passes this (e.g. '1MB'; DuckDB's default is 512
   * MiB): a batch's temporary tables and hash tables go back to the
   * system as they are dropped, instead of staying resident for the
   * allocator's decay time (seconds).
   */
  readonly allocatorBulkFlushThreshold?: string;
}

/**
 * Opens the store at `path` (`:memory:` for tests), creating the file and
 * its folder when missing, and migrates it. A file that is not a DuckDB
 * database, or is locked by another process, gives SNARE_ERR_STORE.
 */
export async function openStore(path: string, opts: StoreOptions = {}): Promise<Store> {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  let instance: DuckDBInstance;
  try {
    instance = await DuckDBInstance.create(path, {
      storage_compatibility_version: STORAGE_VERSION,
      ...(opts.blockSize === undefined ? {} : { default_block_size: String(opts.blockSize) }),
      ...(opts.memoryLimit === undefined ? {} : { memory_limit: opts.memoryLimit }),
      ...(opts.threads === undefined ? {} : { threads: String(opts.threads) }),
      ...(opts.allocatorBackgroundThreads === true ? { allocator_background_threads: 'true' } : {}),
      ...(opts.allocatorBulkFlushThreshold === undefined
        ? {}
        : { allocator_bulk_deallocation_flush_threshold: opts.allocatorBulkFlushThreshold }),
    });
  } catch (err) {
    throw storeOpenError(path, err);
  }
  const conn = await instance.connect();
  let version: number;
  try {
    version = await migrate(conn);
  } catch (err) {
    conn.closeSync();
    instance.closeSync();
    throw err;
  }
  let closed = false;
  return {
    path,
    instance,
    conn,
    version,
    async getMeta(key) {
      const r = await conn.runAndReadAll('SELECT value FROM meta WHERE key = $1', [key]);
      const v = r.getRowObjectsJS()[0]?.['value'];
      return typeof v === 'string' ? v : null;
    },
    async setMeta(key, value) {
      await conn.run('INSERT OR REPLACE INTO meta (key, value) VALUES ($1, $2)', [key, value]);
    },
    close() {
      if (closed) return;
      closed = true;
      conn.closeSync();
      instance.closeSync();
    },
  };
}
