/**
 * @module
 * The Parquet archive: `export parquet` writes a store's events (and its
 * unified INVITEs) as Parquet files compressed with zstd, partitioned Hive
 * style by UTC day and sensor (`events/day=2026-12-06/sensor=hp01/*.parquet`,
 * `calls/day=.../*.parquet`, `meta.parquet`), and `report` reads such a
 * directory through views, without loading it into a store. DuckDB,
 * ClickHouse, Trino and Spark read the same files.
 *
 * Exporting a day again replaces that day's partitions (not added twice).
 *
 * Must never put a value into SQL text: dates are bound parameters, and
 * paths (which COPY and read_parquet take only as text) are refused when
 * they hold a quote or a control character.
 */
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { queryable } from '../store/queryable.js';
import type { OpenStore } from '../store/open-read-only.js';
import { SnareError } from '../errors.js';
import { migrate } from '../store/store.js';

export interface ExportResult {
  readonly events: number;
  readonly calls: number;
  readonly days: readonly string[];
}

/** A path safe to write inside a SQL string literal; throws otherwise. */
function sqlPath(path: string): string {
  const abs = resolve(path);
  // eslint-disable-next-line no-control-regex
  if (/['\u0000-\u001f\\]/.test(abs))
    throw new SnareError(
      'SNARE_ERR_INPUT',
      `unsupported characters in path ${JSON.stringify(path)}`,
    );
  return abs;
}

/** The day after a `YYYY-MM-DD` date. */
function nextDay(date: string): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

/** Range condition on `col` with $1/$2 (epoch ms, end exclusive). */
function rangeParams(from?: string, to?: string): [number, number] {
  const lo = from === undefined ? -8.64e15 : Date.parse(`${from}T00:00:00Z`);
  const hi = to === undefined ? 8.64e15 : Date.parse(`${nextDay(to)}T00:00:00Z`);
  return [lo, hi];
}

async function rows(
  conn: DuckDBConnection,
  sql: string,
  params: unknown[],
): Promise<Record<string, unknown>[]> {
  const r = await conn.runAndReadAll(sql, params as never);
  return r.getRowObjectsJS();
}

/** Writes the events and calls of `conn`'s store between `from` and `to` (UTC dates, inclusive). */
export async function exportParquet(
  conn: DuckDBConnection,
  outDir: string,
  from?: string,
  to?: string,
): Promise<ExportResult> {
  const out = sqlPath(outDir);
  const [lo, hi] = rangeParams(from, to);
  const inRange = (col: string): string =>
    `${col} >= make_timestamp($1::BIGINT * 1000) AND ${col} < make_timestamp($2::BIGINT * 1000)`;
  const dayRows = await rows(
    conn,
    `SELECT DISTINCT strftime(ts, '%Y-%m-%d') AS day FROM events WHERE ${inRange('ts')} ORDER BY day`,
    [lo, hi],
  );
  const days = dayRows.map((r) => String(r['day']));
  // Replace the days exported again, so nothing is written twice.
  for (const d of days) {
    rmSync(join(out, 'events', `day=${d}`), { recursive: true, force: true });
    rmSync(join(out, 'calls', `day=${d}`), { recursive: true, force: true });
  }
  mkdirSync(out, { recursive: true });
  const opts = `FORMAT parquet, COMPRESSION zstd, OVERWRITE_OR_IGNORE true, FILENAME_PATTERN 'part_{uuid}'`;
  const ev = await conn.run(
    `COPY (SELECT *, strftime(ts, '%Y-%m-%d') AS day FROM events WHERE ${inRange('ts')})
     TO '${join(out, 'events')}' (${opts}, PARTITION_BY (day, sensor))`,
    [lo, hi],
  );
  const calls = await conn.run(
    `COPY (SELECT *, strftime(first_ts, '%Y-%m-%d') AS day FROM calls WHERE ${inRange('first_ts')})
     TO '${join(out, 'calls')}' (${opts}, PARTITION_BY (day))`,
    [lo, hi],
  );
  await conn.run(
    `COPY (SELECT * FROM meta WHERE key IN ('geo_data_date', 'calls_gap_minutes'))
     TO '${join(out, 'meta.parquet')}' (FORMAT parquet, COMPRESSION zstd)`,
  );
  return { events: ev.rowsChanged, calls: calls.rowsChanged, days };
}

function hasParquet(dir: string): boolean {
  if (!existsSync(dir)) return false;
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true }))
    if (e.isFile() && e.name.endsWith('.parquet')) return true;
  return false;
}

/**
 * Opens a Parquet archive for reports: an in-memory database whose
 * `events`, `calls` and `meta` are views over the files (empty tables
 * where the archive has none).
 */
export async function openParquetArchive(dir: string): Promise<OpenStore> {
  const root = sqlPath(dir);
  if (!existsSync(join(root, 'events')) && !existsSync(join(root, 'meta.parquet')))
    throw new SnareError('SNARE_ERR_STORE', `${dir} is not a sipsnare Parquet archive`);
  const instance = await DuckDBInstance.create(':memory:', { memory_limit: '2GB' });
  const conn = await instance.connect();
  try {
    await migrate(conn);
    const hive = `hive_partitioning = true, hive_types_autocast = false, union_by_name = true`;
    if (hasParquet(join(root, 'events'))) {
      await conn.run('DROP TABLE events');
      await conn.run(
        `CREATE VIEW events AS SELECT * EXCLUDE (day) FROM read_parquet('${join(root, 'events')}/**/*.parquet', ${hive})`,
      );
    }
    if (hasParquet(join(root, 'calls'))) {
      await conn.run('DROP TABLE calls');
      await conn.run(
        `CREATE VIEW calls AS SELECT * EXCLUDE (day) FROM read_parquet('${join(root, 'calls')}/**/*.parquet', ${hive})`,
      );
    }
    if (existsSync(join(root, 'meta.parquet')))
      await conn.run(
        `INSERT OR REPLACE INTO meta SELECT * FROM read_parquet('${join(root, 'meta.parquet')}')`,
      );
  } catch (err) {
    conn.closeSync();
    instance.closeSync();
    throw new SnareError('SNARE_ERR_STORE', `cannot read the archive ${dir}: ${String(err)}`, {
      cause: err,
    });
  }
  return {
    db: queryable(conn),
    instance,
    close() {
      conn.closeSync();
      instance.closeSync();
    },
  };
}
