/**
 * @module
 * The event sinks a configuration asks for: JSON lines, the legacy log
 * and the embedded store, each optional. Failures are reported to the log;
 * none of them stops the others.
 */
import { accessSync, constants, existsSync } from 'node:fs';
import { dirname } from 'node:path';
import type { SensorConfig } from '../config/types.js';
import { SnareError } from '../errors.js';
import { JsonlSink } from '../events/jsonl.js';
import { LegacyLogSink } from '../events/legacy-log.js';
import type { EventSink } from '../events/sink.js';
import { ensureWritableDir } from '../events/writable.js';
import type { Logger } from '../log.js';
import type { StoreSink } from '../store/sink.js';

/** The file sinks of a configuration (each optional), reporting failures to `log`. */
export function fileSinks(config: SensorConfig, log: Logger): EventSink[] {
  const sinks: EventSink[] = [];
  const onError = (sink: string) => (err: unknown) => {
    log.warn({ sink, err }, 'event sink write failed');
  };
  if (config.events.jsonl !== null)
    sinks.push(
      new JsonlSink({
        dir: config.events.jsonl,
        rotateBytes: config.events.rotate_bytes,
        onError: onError('jsonl'),
      }),
    );
  if (config.events.legacy_log !== null)
    sinks.push(
      new LegacyLogSink({ path: config.events.legacy_log, onError: onError('legacy_log') }),
    );
  return sinks;
}

/** What to do about a store that cannot be written, in the error's words. */
const STORE_ADVICE =
  'make it writable, or set store.db (SIPSNARE_STORE_DB) to a path that is, or to null for JSON lines only';

/**
 * Checked at start, before any sink or listener opens: the store's
 * directory exists (made if needed) and can be written, and so can the
 * store file and its write-ahead log when they exist. A failure is a
 * SnareError naming the path and what to do (exit 1), not a warning after
 * which the sensor runs without its store.
 */
export function checkStoreWritable(config: SensorConfig): void {
  const db = config.store.db;
  if (db === null) return;
  try {
    ensureWritableDir(dirname(db), 'store');
  } catch (err) {
    throw new SnareError('SNARE_ERR_IO', `${(err as Error).message}: ${STORE_ADVICE}`, {
      cause: err,
    });
  }
  for (const file of [db, `${db}.wal`]) {
    if (!existsSync(file)) continue;
    try {
      accessSync(file, constants.W_OK);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      const why =
        code === 'EROFS'
          ? 'it is on a read-only file system'
          : code === 'EACCES' || code === 'EPERM'
            ? 'permission denied'
            : (err as Error).message;
      throw new SnareError(
        'SNARE_ERR_IO',
        `the store file ${file} cannot be written (${why}): ${STORE_ADVICE}`,
        { cause: err },
      );
    }
  }
}

/**
 * The embedded-store sink for `config` (null when `store.db` is null): the
 * sensor flushes and closes them on shutdown. Call checkStoreWritable
 * first. A store that fails to open anyway (another process holds its
 * lock, a damaged file) is skipped with a warning:
 * the honeypot keeps recording JSON lines, the durable record, which
 * `sipsnare ingest` can load later without loss.
 */
export async function storeSink(config: SensorConfig, log: Logger): Promise<StoreSink | null> {
  const db = config.store.db;
  if (db === null) return null;
  try {
    // Loaded only when a store is configured: DuckDB's library alone is about 10 MB of memory.
    const { openStoreSink } = await import('../store/sink.js');
    const sink = await openStoreSink(db, {
      onError: (err: unknown) => {
        log.error({ db, err: (err as Error).message }, 'store write failed; JSON lines go on');
      },
    });
    log.info({ db }, 'events also go to the embedded store');
    return sink;
  } catch (err) {
    log.warn(
      { db, err: (err as Error).message },
      'embedded store not opened; JSON lines only (import them later with sipsnare ingest)',
    );
    return null;
  }
}
