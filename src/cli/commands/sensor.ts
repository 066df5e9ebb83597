/**
 * @module
 * `sipsnare sensor`: the sensor alone, for a honeypot machine. Loads the
 * configuration (file < environment < flags), binds the listeners and
 * writes events to the JSON-lines files (and the legacy log) until SIGINT
 * or SIGTERM, then flushes every sink. It writes an embedded store only
 * when the configuration names one (`store.db` in the file or
 * SIPSNARE_STORE_DB): a sensor's durable record is its JSON lines.
 * Lifecycle goes to stderr through pino; events never do.
 */
import { createLogger } from '../../log.js';
import { runUntilStopped } from '../../runtime/runtime.js';
import type { Command } from '../command.js';
import { configFromArgs } from '../config-args.js';
import { shipperServices } from '../shipper-service.js';

const USAGE = `usage: sipsnare sensor [--config FILE] [--listen URL]... [--events DIR] [--sensor-id ID]

  --config FILE     YAML configuration (docs/config.md); defaults without it
  --listen URL      udp://ADDR:PORT, tcp://ADDR:PORT or tls://ADDR:PORT (IPv6 in
                    brackets); repeat for several; replaces the configured list
  --events DIR      directory of the JSON-lines event files
  --sensor-id ID    sensor id written into every event

Writes no embedded store unless the configuration names one (store.db).
Environment variables SIPSNARE_<SECTION>_<KEY> override the file (docs/config.md).
Runs until SIGINT or SIGTERM.`;

export const command: Command = {
  name: 'sensor',
  summary: 'run the SIP honeypot sensor alone (events to JSON lines; a store only if configured)',
  usage: USAGE,
  async run(argv, io) {
    const config = configFromArgs(argv, { sensorFlags: true, defaults: { 'store.db': null } });
    const log = createLogger();
    return runUntilStopped({ config, log, services: shipperServices(config, log) }, io.stopSignal);
  },
};
