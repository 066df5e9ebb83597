/**
 * @module
 * In-memory stores with hand-made rows, for the analyses' tests and the
 * report's end-to-end checks: a fresh store (the store's own opener, so the
 * schema is the real one) with events and calls inserted by bound parameters.
 *
 * Never used on a real store: it only creates new in-memory or temp databases.
 */
import type { DuckDBConnection, DuckDBInstance, DuckDBValue } from '@duckdb/node-api';
import { openStore } from '../store/store.js';
import { queryable, type Cell, type Queryable } from '../store/queryable.js';

/** A row for `events`; omitted columns are null, required ones get defaults. */
export type EventRow = Record<string, Cell>;
/** A row for `calls`; omitted columns get defaults. */
export type CallRow = Record<string, Cell>;

export interface FixtureDb {
  readonly db: Queryable;
  readonly conn: DuckDBConnection;
  /** The instance, for code that opens connections of its own (the dashboard). */
  readonly instance: DuckDBInstance;
  insertEvents(rows: readonly EventRow[]): Promise<void>;
  insertCalls(rows: readonly CallRow[]): Promise<void>;
  setMeta(key: string, value: string): Promise<void>;
  close(): void;
}

let seq = 0;

async function insert(
  conn: DuckDBConnection,
  table: string,
  rows: readonly Record<string, Cell>[],
): Promise<void> {
  if (rows.length === 0) return;
  const cols = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  for (const c of cols) if (!/^[a-z_]+$/.test(c)) throw new Error(`bad column ${c}`);
  const chunk = 500;
  for (let i = 0; i < rows.length; i += chunk) {
    const part = rows.slice(i, i + chunk);
    const values: DuckDBValue[] = [];
    const tuples = part.map((r) => {
      const ph = cols.map((c) => {
        values.push(r[c] ?? null);
        return `$${values.length}`;
      });
      return `(${ph.join(', ')})`;
    });
    await conn.run(`INSERT INTO ${table} (${cols.join(', ')}) VALUES ${tuples.join(', ')}`, values);
  }
}

/** Creates a store at `path` (default in memory) with the schema applied. */
export async function createFixtureDb(path = ':memory:'): Promise<FixtureDb> {
  const store = await openStore(path);
  const conn = store.conn;
  return {
    db: queryable(conn),
    conn,
    instance: store.instance,
    async insertEvents(rows) {
      await insert(
        conn,
        'events',
        rows.map((r) => ({
          event: 'sip.request',
          event_id: `fx-${String(++seq).padStart(8, '0')}`,
          ts: '2012-01-01 00:00:00',
          sensor: 'hp01',
          origin: 'sensor',
          ...r,
        })),
      );
    },
    async insertCalls(rows) {
      await insert(
        conn,
        'calls',
        rows.map((r) => ({
          first_ts: r['first_ts'] ?? '2012-01-01 00:00:00',
          last_ts: r['last_ts'] ?? r['first_ts'] ?? '2012-01-01 00:00:00',
          invites: 1,
          sensors: 1,
          ...r,
        })),
      );
    },
    async setMeta(key, value) {
      await conn.run(`INSERT OR REPLACE INTO meta (key, value) VALUES ($1, $2)`, [key, value]);
    },
    close() {
      store.close();
    },
  };
}
