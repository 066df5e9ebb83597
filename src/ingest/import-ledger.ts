/**
 * @module
 * Bookkeeping of imported files (the `imports` table): finds what an earlier
 * import of the same file already read, so a re-import adds nothing and a
 * grown file only its new lines. A file is the same when the SHA-256 of its
 * first `head_bytes` bytes matches, whatever its name now; the identity
 * recorded at the first import is kept, so event ids stay stable as the
 * file grows.
 *
 * Must never put a path or a name into SQL text: bound parameters only.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { createHash } from 'node:crypto';
import { readHead, sha256, type FileInfo } from './source.js';

/** What an earlier import of a file recorded (found by sensor and file identity). */
export type PriorImport = Omit<ImportRecord, 'sensor' | 'format'>;

/** Rows looked at when searching for a renamed file. */
const MAX_CANDIDATES = 10_000;

function n(v: unknown): number {
  return typeof v === 'bigint' ? Number(v) : typeof v === 'number' ? v : 0;
}

/** The earlier import of this file for this sensor, or null. */
export async function findPrior(
  conn: DuckDBConnection,
  sensor: string,
  info: FileInfo,
): Promise<PriorImport | null> {
  const res = await conn.runAndReadAll(
    `SELECT path, head_sha256, head_bytes, bytes_done, lines_done, events_added, rejected FROM imports
     WHERE sensor = $1 AND head_bytes <= $2
     ORDER BY (path = $3) DESC, imported_at DESC LIMIT ${MAX_CANDIDATES}`,
    [sensor, info.size, info.path],
  );
  const hashes = new Map<number, string>();
  for (const r of res.getRowObjectsJS()) {
    const headBytes = n(r['head_bytes']);
    let h = hashes.get(headBytes);
    if (h === undefined) {
      h = headBytes === info.headBytes ? info.headSha : sha256(readHead(info.path, headBytes));
      hashes.set(headBytes, h);
    }
    if (h !== r['head_sha256']) continue;
    return {
      path: typeof r['path'] === 'string' ? r['path'] : '',
      headSha: h,
      headBytes,
      bytesDone: n(r['bytes_done']),
      linesDone: n(r['lines_done']),
      eventsAdded: n(r['events_added']),
      rejected: n(r['rejected']),
    };
  }
  return null;
}

export interface ImportRecord {
  readonly path: string;
  readonly sensor: string;
  readonly format: string;
  readonly headSha: string;
  readonly headBytes: number;
  readonly bytesDone: number;
  readonly linesDone: number;
  readonly eventsAdded: number;
  readonly rejected: number;
}

/** Replaces the row of this file (matched by sensor and identity) with the new state. */
export async function saveImport(conn: DuckDBConnection, rec: ImportRecord): Promise<void> {
  await conn.run('DELETE FROM imports WHERE sensor = $1 AND head_sha256 = $2 AND head_bytes = $3', [
    rec.sensor,
    rec.headSha,
    rec.headBytes,
  ]);
  await conn.run(
    `INSERT INTO imports (path, sensor, format, head_sha256, head_bytes, bytes_done, lines_done,
       events_added, rejected, imported_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::TIMESTAMP)`,
    [
      rec.path,
      rec.sensor,
      rec.format,
      rec.headSha,
      rec.headBytes,
      rec.bytesDone,
      rec.linesDone,
      rec.eventsAdded,
      rec.rejected,
      new Date().toISOString().replace('T', ' ').replace('Z', ''),
    ],
  );
}

/**
 * Prefix of the deterministic event ids of one file's records: a hash of
 * the sensor and the file identity (24 hex characters of md5), then `-`.
 * Computed once per file; the record number completes the id.
 */
export function idPrefix(sensor: string, headSha: string): string {
  const key = createHash('md5').update(`${sensor.length}:${sensor}:${headSha}`).digest('hex');
  return `${key.slice(0, 24)}-`;
}

/**
 * Deterministic event id of record `seq` of a file: the file's prefix and
 * the record number, the same value the store computes in SQL for legacy
 * lines (`prefix || line`). Unique per sensor, file and record, and cheap
 * to store: the ids of one file share their first 25 characters.
 */
export function importEventId(prefix: string, seq: number | string): string {
  return prefix + String(seq);
}
