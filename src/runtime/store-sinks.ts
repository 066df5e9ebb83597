/**
 * @module
 * The embedded store as an event sink of a running sensor, when the
 * configuration names one.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { SensorConfig } from '../config/types.js';
import type { EventSink } from '../events/sink.js';
import type { Logger } from '../log.js';

/**
 * The embedded-store sinks for `config` (none when `store.db` is null): the
 * sensor flushes and closes them on shutdown. A store that fails to open
 * (another process holds its lock, a bad path) is skipped with a warning:
 * the honeypot keeps recording JSON lines, the durable record, which
 * `sipsnare ingest` can load later without loss.
 */
export async function storeSinks(config: SensorConfig, log: Logger): Promise<EventSink[]> {
  const db = config.store.db;
  if (db === null) return [];
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
    return [sink];
  } catch (err) {
    log.warn(
      { db, err: (err as Error).message },
      'embedded store not opened; JSON lines only (import them later with sipsnare ingest)',
    );
    return [];
  }
}
