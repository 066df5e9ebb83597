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
}

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
        return await slot.db.all(sql, params);
      } finally {
        release(slot);
      }
    },
    close() {
      if (closed) return;
      closed = true;
      for (const s of all) s.conn.closeSync();
    },
  };
}
