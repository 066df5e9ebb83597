/**
 * @module
 * `sipsnare run`: everything on one machine: the sensor, the embedded store
 * it writes into, and the dashboard over that store. Works with no configuration
 * file at all (loopback listeners, files under var/), which is what
 * `npm start` runs.
 */
import { createLogger } from '../../log.js';
import { runUntilStopped } from '../../runtime/runtime.js';
import type { Command } from '../command.js';
import { configFromArgs } from '../config-args.js';
import { shipperServices } from '../shipper-service.js';
import { dashboardService } from './run-dashboard.js';

const USAGE = `usage: sipsnare run [--config FILE]

Starts the sensor and writes its events to the JSON-lines files and to the
embedded store (store.db), and serves the dashboard and API over that store
(http.listen, default 127.0.0.1:8080; a non-loopback address needs
http.token). Without --config the safe defaults apply: UDP and TCP on
127.0.0.1:5060, events in var/events, store in var/sipsnare.duckdb,
dashboard on 127.0.0.1:8080. Runs until SIGINT or SIGTERM.`;

export const command: Command = {
  name: 'run',
  summary: 'all-in-one: sensor + embedded store + dashboard',
  usage: USAGE,
  async run(argv, io) {
    const config = configFromArgs(argv, { sensorFlags: false });
    const log = createLogger();
    return runUntilStopped(
      {
        config,
        log,
        services: [dashboardService(config, log, io), ...shipperServices(config, log)],
      },
      io.stopSignal,
    );
  },
};
