/**
 * @module
 * `sipsnare run`: everything on one machine: the sensor, the embedded store
 * it writes into, and (later) the dashboard. Works with no configuration
 * file at all (loopback listeners, files under var/), which is what
 * `npm start` runs.
 */
import { createLogger } from '../../log.js';
import { storeSinks } from '../../runtime/store-sinks.js';
import type { Command } from '../command.js';
import { configFromArgs, runSensorUntilStopped } from './sensor.js';

const USAGE = `usage: sipsnare run [--config FILE]

Starts the sensor and writes its events to the JSON-lines files and to the
embedded store (store.db). Without --config the safe defaults apply: UDP and
TCP on 127.0.0.1:5060, events in var/events, store in var/sipsnare.duckdb.
Runs until SIGINT or SIGTERM.`;

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
