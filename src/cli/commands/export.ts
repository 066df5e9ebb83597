/**
 * @module
 * `sipsnare export parquet`: writes a store's events and unified INVITEs as a
 * Parquet archive partitioned by day and sensor (zstd), which `report --db
 * DIR` and other engines read. The store is opened read-only.
 */
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { DuckDBInstance } from '@duckdb/node-api';
import { isIsoDate } from '../../analysis/filter.js';
import { exportParquet } from '../../archive/parquet.js';
import { SnareError, UsageError } from '../../errors.js';
import type { Command } from '../command.js';

const USAGE = `usage: sipsnare export parquet --db FILE --out DIR [--from DATE] [--to DATE]

  --db FILE               store to read (opened read-only)
  --out DIR               archive directory: events/day=D/sensor=S/*.parquet,
                          calls/day=D/*.parquet, meta.parquet
  --from DATE, --to DATE  UTC dates (YYYY-MM-DD), both inclusive; default all

A day exported again replaces that day's files. Read it back with
\`sipsnare report --db DIR\`, or any engine that reads Parquet.`;

export const command: Command = {
  name: 'export',
  summary: 'write a store as a Parquet archive (by day and sensor, zstd)',
  usage: USAGE,
  async run(argv, io) {
    let values: { db?: string; out?: string; from?: string; to?: string };
    let positionals: string[];
    try {
      ({ values, positionals } = parseArgs({
        args: [...argv],
        options: {
          db: { type: 'string' },
          out: { type: 'string' },
          from: { type: 'string' },
          to: { type: 'string' },
        },
        allowPositionals: true,
        strict: true,
      }));
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
    if (positionals.length !== 1 || positionals[0] !== 'parquet')
      throw new UsageError('the one export format is: parquet');
    if (values.db === undefined) throw new UsageError('--db FILE is required');
    if (values.out === undefined) throw new UsageError('--out DIR is required');
    for (const k of ['from', 'to'] as const) {
      const d = values[k];
      if (d !== undefined && !isIsoDate(d))
        throw new UsageError(`--${k} wants a date YYYY-MM-DD, got "${d}"`);
    }
    if (!existsSync(values.db)) throw new SnareError('SNARE_ERR_STORE', `no store at ${values.db}`);
    let instance: DuckDBInstance;
    try {
      instance = await DuckDBInstance.create(values.db, { access_mode: 'READ_ONLY' });
    } catch (err) {
      throw new SnareError('SNARE_ERR_STORE', `cannot open store ${values.db}: ${String(err)}`, {
        cause: err,
      });
    }
    const conn = await instance.connect();
    try {
      const r = await exportParquet(conn, values.out, values.from, values.to);
      io.stdout.write(
        `${values.out}: ${r.events} events, ${r.calls} unified INVITEs, ${r.days.length} days\n`,
      );
    } finally {
      conn.closeSync();
      instance.closeSync();
    }
    return 0;
  },
};
