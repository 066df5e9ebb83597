/**
 * @module
 * A small pool of DuckDB connections over one instance, seen as one
 * Queryable: each query borrows a connection, and queries beyond the pool
 * wait in a bounded line. One DuckDB connection runs one query at a time;
 * several let the dashboard answer while a long query runs, and DuckDB
 * parallelises each query itself, so a handful is enough.
 *
 * Must never hold more than `maxWaiting` queries: beyond, a query is refused
 * (the API answers 503) instead of queueing without bound.
 */
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { queryable, type Param, type Queryable, type Row } from '../store/queryable.js';

export class PoolBusyError extends Error {
  constructor() {
    super('too many queries waiting');
    this.name = 'PoolBusyError';
  }
}

export interface QueryPool extends Queryable {
  /** Queries waiting for a connection right now. */
  readonly waiting: number;
  close(): void;
}

export interface PoolOptions {
  readonly size?: number;
  readonly maxWaiting?: number;
  /**
   * DuckDB threads while a query of the pool runs (`read`) and while none
   * does (`idle`), for an instance that a writer keeps on few threads (the
   * store sink of `run`). `threads` is global to the instance: the first
   * query raises it, and it is lowered again `lingerMs` (default
   * THREADS_LINGER_MS) after the last one ended. Unset: left as it is.
   */
  readonly threads?: { readonly read: number; readonly idle: number; readonly lingerMs?: number };
  /**
   * DuckDB's memory bound while a query of the pool runs (`read`) and while
   * none does (`idle`, e.g. '128MB'), switched with `threads` (which it
   * needs): a writer that keeps a small bound lends a larger one to the
   * dashboard's queries. A lowering that DuckDB refuses (it could not
   * evict enough) is tried again `lingerMs` later.
   */
  readonly memoryLimit?: { readonly read: string; readonly idle: string };
}

/**
 * How long DuckDB keeps the read threads after the last query ends: each
 * change of the setting restarts DuckDB's worker threads (measured: a
 * small query between a raise and a lowering took 5.5 ms instead of
 * 0.7-1.5), so the queries of one page share one raise.
 */
export const THREADS_LINGER_MS = 1000;

/** A memory size as DuckDB's memory_limit takes it ('128MB', '1.5GiB'); nothing else reaches the SQL. */
const MEMORY_SETTING = /^\d+(\.\d+)?\s?[KMGT]i?B$/;

interface Slot {
  readonly conn: DuckDBConnection;
  readonly db: Queryable;
}

/** Opens `size` connections on `instance` (default 3). */
export async function openPool(
  instance: DuckDBInstance,
  opts: PoolOptions = {},
): Promise<QueryPool> {
  const size = opts.size ?? 3;
  const maxWaiting = opts.maxWaiting ?? 64;
  const memory = opts.memoryLimit;
  for (const v of memory === undefined ? [] : [memory.read, memory.idle]) {
    if (!MEMORY_SETTING.test(v)) throw new Error(`not a DuckDB memory size: ${JSON.stringify(v)}`);
  }
  const free: Slot[] = [];
  const all: Slot[] = [];
  for (let i = 0; i < size; i++) {
    const conn = await instance.connect();
    const slot = { conn, db: queryable(conn) };
    free.push(slot);
    all.push(slot);
  }
  const line: ((s: Slot) => void)[] = [];
  let closed = false;
  const threads =
    opts.threads === undefined
      ? null
      : await threadSwitch(instance, opts.threads, opts.memoryLimit ?? null);

  function acquire(): Promise<Slot> {
    const slot = free.pop();
    if (slot) return Promise.resolve(slot);
    if (line.length >= maxWaiting) return Promise.reject(new PoolBusyError());
    return new Promise((resolve) => line.push(resolve));
  }
  function release(slot: Slot): void {
    const next = line.shift();
    if (next) next(slot);
    else free.push(slot);
  }

  return {
    get waiting() {
      return line.length;
    },
    async all(sql: string, params?: readonly Param[]): Promise<Row[]> {
      if (closed) throw new Error('query pool closed');
      const slot = await acquire();
      try {
        await threads?.enter();
        return await slot.db.all(sql, params);
      } finally {
        threads?.leave();
        release(slot);
      }
    },
    close() {
      if (closed) return;
      closed = true;
      for (const s of all) s.conn.closeSync();
      threads?.close();
    },
  };
}

/**
 * Raises DuckDB's threads (and memory bound) while queries run and lowers
 * them `lingerMs` after the last ends, through a connection of its own;
 * the settings are applied one after the other, so the last one set is the
 * one the count asks for.
 */
async function threadSwitch(
  instance: DuckDBInstance,
  t: NonNullable<PoolOptions['threads']>,
  memory: NonNullable<PoolOptions['memoryLimit']> | null,
): Promise<{ enter(): Promise<void>; leave(): void; close(): void }> {
  const conn = await instance.connect();
  const lingerMs = t.lingerMs ?? THREADS_LINGER_MS;
  let running = 0;
  let set = -1;
  let setMemory = '';
  let chain: Promise<void> = Promise.resolve();
  let lower: NodeJS.Timeout | null = null;
  let closed = false;
  const apply = (): Promise<void> => {
    chain = chain
      .then(async () => {
        const reading = running > 0;
        const want = reading ? t.read : t.idle;
        if (want !== set) {
          await conn.run(`SET threads = ${String(want)}`);
          set = want;
        }
        const wantMemory = memory === null ? '' : reading ? memory.read : memory.idle;
        if (wantMemory === setMemory) return;
        try {
          // A fixed setting from the options, never a value from a request.
          await conn.run(`SET memory_limit = '${wantMemory}'`);
          setMemory = wantMemory;
        } catch {
          // DuckDB could not evict enough to lower it yet: try again later.
          if (!reading) schedule();
        }
      })
      .catch(() => undefined);
    return chain;
  };
  const schedule = (): void => {
    if (lower !== null || closed) return;
    lower = setTimeout(() => {
      lower = null;
      void apply();
    }, lingerMs);
    lower.unref();
  };
  return {
    enter() {
      running++;
      if (lower !== null) clearTimeout(lower);
      lower = null;
      return apply();
    },
    leave() {
      running--;
      if (running > 0) return;
      schedule();
    },
    close() {
      closed = true;
      if (lower !== null) clearTimeout(lower);
      conn.closeSync();
    },
  };
}
