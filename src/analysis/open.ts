/**
 * @module
 * Opens a store file for reading: reports never write, so the database is
 * opened read-only and may be read while nothing else holds it for writing.
 *
 * Must never create a missing store: a typo in `--db` is an error, not an
 * empty report.
 */
import { existsSync } from 'node:fs';
import { DuckDBInstance } from '@duckdb/node-api';
import { SnareError } from '../errors.js';
import { queryable, type Queryable } from './db.js';

export interface OpenStore {
  readonly db: Queryable;
  close(): void;
}

/** Opens `path` read-only; throws SnareError SNARE_ERR_STORE when it is missing or not a store. */
export async function openStoreReadOnly(path: string): Promise<OpenStore> {
  if (!existsSync(path)) throw new SnareError('SNARE_ERR_STORE', `no store at ${path}`);
  let instance: DuckDBInstance;
  try {
    instance = await DuckDBInstance.create(path, { access_mode: 'READ_ONLY' });
  } catch (err) {
    throw new SnareError('SNARE_ERR_STORE', `cannot open store ${path}: ${String(err)}`, {
      cause: err,
    });
  }
  const conn = await instance.connect();
  const db = queryable(conn);
  try {
    await db.all(`SELECT 1 FROM events LIMIT 0`);
    await db.all(`SELECT 1 FROM calls LIMIT 0`);
  } catch (err) {
    conn.closeSync();
    instance.closeSync();
    throw new SnareError('SNARE_ERR_STORE', `${path} is not a sipsnare store`, { cause: err });
  }
  return {
    db,
    close() {
      conn.closeSync();
      instance.closeSync();
    },
  };
}
