/**
 * @module
 * The store migrations: the `NNNN_name.sql` files of this folder, in order,
 * read once at load. The .sql files are the only source of the schema; the
 * path is taken from the repository root, which is three levels up both
 * from this source file and from its build in dist/, so the built program
 * reads the same files. Never edit a released migration: add the next
 * number instead.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** One schema step: applied once, in version order, recorded in `meta`. */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

/** The folder of the .sql files, from src/store/migrations or dist/store/migrations. */
export const MIGRATIONS_DIR = new URL('../../../src/store/migrations/', import.meta.url);

const FILE = /^(\d{4})_[a-z0-9_]+\.sql$/;

export const MIGRATIONS: readonly Migration[] = readdirSync(MIGRATIONS_DIR)
  .filter((f) => FILE.test(f))
  .sort()
  .map((f) => ({
    version: Number(f.slice(0, 4)),
    name: f.slice(0, -'.sql'.length),
    sql: readFileSync(new URL(f, MIGRATIONS_DIR), 'utf8'),
  }));
