/**
 * @module
 * `sipsnare run`: everything on one machine: the sensor, the embedded store
 * it writes into, and (later) the dashboard. Works with no configuration
 * file at all (loopback listeners, files under var/), which is what
 * `npm start` runs.
 */
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
 * The embedded-store sinks for `config` (none when `store.db` is null).
 * This is where the store's EventSink plugs in: open it here and return it;
 * the sensor flushes and closes it on shutdown. A store that fails to open
 * is skipped with a warning: the honeypot keeps recording JSON lines.
 */
export function storeSinks(config: SensorConfig, log: Logger): Promise<EventSink[]> {
  if (config.store.db === null) return Promise.resolve([]);
  log.warn(
    { db: config.store.db },
    'embedded store sink not available in this build; JSON lines only',
  );
  return Promise.resolve([]);
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
