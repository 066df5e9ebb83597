/**
 * @module
 * The event sinks a configuration asks for: JSON lines, the legacy log
 * and the embedded store, each optional. Failures are reported to the log;
 * none of them stops the others.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { SensorConfig } from '../config/types.js';
import { JsonlSink } from '../events/jsonl.js';
import { LegacyLogSink } from '../events/legacy-log.js';
import type { EventSink } from '../events/sink.js';
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

/**
 * The embedded-store sink for `config` (null when `store.db` is null): the
 * sensor flushes and closes them on shutdown. A store that fails to open
 * (another process holds its lock, a bad path) is skipped with a warning:
 * the honeypot keeps recording JSON lines, the durable record, which
 * `sipsnare ingest` can load later without loss.
 */
export async function storeSink(config: SensorConfig, log: Logger): Promise<StoreSink | null> {
  const db = config.store.db;
  if (db === null) return null;
  try {
    mkdirSync(dirname(db), { recursive: true });
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
