/**
 * @module
 * `sipsnare ship`: ships the JSON-lines event files of a sensor that runs
 * without shipping (or of an older sensor) to JetStream, with the `ship:`
 * settings of a configuration file, from the position saved beside them.
 * Runs until SIGINT or SIGTERM, or with --once until everything is shipped.
 */
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { loadConfig } from '../../config/load.js';
import { SnareError, UsageError } from '../../errors.js';
import { createLogger } from '../../log.js';
import { Shipper } from '../../ship/shipper.js';
import type { Command } from '../command.js';
import { waitForAbort } from '../wait-for-abort.js';

const USAGE = `usage: sipsnare ship --events DIR --config FILE [--once]

  --events DIR    directory of the sensor's JSON-lines event files
  --config FILE   configuration with a ship: section (servers, credentials,
                  TLS; docs/config.md); sensor_id names the subject
  --once          exit once every line written so far is acknowledged

The position acknowledged by the broker is kept in DIR/.ship-position.json
(ship.position_file): run it again and it goes on from there.`;

export const command: Command = {
  name: 'ship',
  summary: "ship a sensor's JSON-lines event files to NATS JetStream",
  usage: USAGE,
  async run(argv, io) {
    let values: { events?: string; config?: string; once?: boolean };
    try {
      ({ values } = parseArgs({
        args: [...argv],
        options: {
          events: { type: 'string' },
          config: { type: 'string' },
          once: { type: 'boolean' },
        },
        allowPositionals: false,
        strict: true,
      }));
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
    if (values.events === undefined) throw new UsageError('--events DIR is required');
    if (values.config === undefined) throw new UsageError('--config FILE is required');
    if (!existsSync(values.events))
      throw new SnareError('SNARE_ERR_IO', `no event directory ${values.events}`);
    const config = loadConfig({ file: values.config, env: process.env });
    if (config.ship.servers.length === 0)
      throw new UsageError('the configuration has no ship.servers');
    const log = createLogger();
    const shipper = new Shipper({
      dir: values.events,
      sensorId: config.sensor_id,
      cfg: config.ship,
      log,
    });
    shipper.start();
    if (values.once) {
      while (!io.stopSignal.aborted && !(await shipper.drained(1000))) {
        // keeps shipping; checks again
      }
    } else {
      await waitForAbort(io.stopSignal);
    }
    await shipper.stop();
    log.info({ ...shipper.stats }, 'shipper stopped');
    return 0;
  },
};
