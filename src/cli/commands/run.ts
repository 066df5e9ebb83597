/**
 * @module
 * `sipsnare run`: everything on one machine: the sensor, the embedded store
 * it writes into, and (later) the dashboard. Works with no configuration
 * file at all (loopback listeners, files under var/), which is what
 * `npm start` runs.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { SensorConfig } from '../../config/types.js';
import type { EventSink } from '../../events/sink.js';
import { createLogger, type Logger } from '../../log.js';
import type { Command } from '../command.js';
import { configFromArgs, runSensorUntilStopped } from './sensor.js';

const USAGE = `usage: sipsnare run [--config FILE]

Starts the sensor and writes its events to the JSON-lines files and to the
embedded store (store.db). Without --config the safe defaults apply: UDP and
TCP on 127.0.0.1:5060, events in var/events, store in var/sipsnare.duckdb.
Runs until SIGINT or SIGTERM.`;

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
    const { openStoreSink } = await import('../../sensor/store-sink.js');
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

export const command: Command = {
  name: 'run',
  summary: 'all-in-one: sensor + embedded store (+ dashboard)',
  usage: USAGE,
  async run(argv, io) {
    const config = configFromArgs(argv, false);
    const log = createLogger();
    const sinks = await storeSinks(config, log);
    log.info({ http: config.http.listen }, 'dashboard not part of this build yet');
    return runSensorUntilStopped(config, io, log, sinks);
  },
};
