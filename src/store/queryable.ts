/**
 * @module
 * The narrow database surface the analyses use: run one parameterised query
 * and get plain rows back (numbers, strings, booleans, ISO timestamps, null).
 * Keeping it this small lets the analyses run over any DuckDB connection (the
 * store's, a read-only one for reports, an in-memory one in tests).
 *
 * Must never build SQL text from values: every value travels as a bound
 * parameter (`$1`, `$2`, ...).
 */
import { listValue, type DuckDBConnection, type DuckDBValue } from '@duckdb/node-api';

/** A value a query returns after conversion: what JSON can carry. */
export type Cell = string | number | boolean | null;
export type Row = Record<string, Cell>;

/** A bound parameter: a scalar, or a list (bind with a cast such as `$1::VARCHAR[]`). */
export type Param = Cell | readonly string[] | readonly number[];

/** Anything that runs SQL with bound parameters and returns rows. */
export interface Queryable {
  all(sql: string, params?: readonly Param[]): Promise<Row[]>;
}

function toDuck(p: Param): DuckDBValue {
  return Array.isArray(p) ? listValue(p as readonly DuckDBValue[]) : (p as DuckDBValue);
}

function convert(value: unknown): Cell {
  if (value === null || value === undefined) return null;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean') {
    return value;
  }
  if (value instanceof Date) return value.toISOString();
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? Number(v) : v));
}

/**
 * Wraps a DuckDB connection. BIGINT/HUGEINT counts become numbers (counts of
 * messages stay far below 2^53), timestamps become ISO 8601 UTC strings.
 */
export function queryable(conn: DuckDBConnection): Queryable {
  return {
    async all(sql, params = []) {
      const reader = await conn.runAndReadAll(sql, params.map(toDuck));
      return reader.getRowObjectsJS().map((raw) => {
        const row: Row = {};
        for (const [k, v] of Object.entries(raw)) row[k] = convert(v);
        return row;
      });
    },
  };
}

/** Reads a column as a number (0 when null). */
export function num(row: Row, key: string): number {
  const v = row[key];
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && v !== '') return Number(v);
  return 0;
}

/** Reads a column as a string or null. */
export function str(row: Row, key: string): string | null {
  const v = row[key];
  if (v === null || v === undefined) return null;
  return typeof v === 'string' ? v : String(v);
}
