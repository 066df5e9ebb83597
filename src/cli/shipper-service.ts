/**
 * @module
 * The shipper of a sensor's event files as a runtime service, when
 * `ship.servers` is set: it reads the files the sensor writes, in the same
 * process but never in the way of the SIP side (the sensor does not wait
 * for it, and a broker that is down only grows the backlog of files).
 */
import type { SensorConfig } from '../config/types.js';
import type { Logger } from '../log.js';
import type { RuntimeService } from '../runtime/runtime.js';
import { Shipper } from '../ship/shipper.js';

/** How long a stopping sensor waits for the broker to acknowledge its last lines. */
const SHIP_DRAIN_MS = 2000;

/** The shipper service of `config`: none when it ships nowhere or has no files to ship. */
export function shipperServices(config: SensorConfig, log: Logger): RuntimeService[] {
  if (config.ship.servers.length === 0) return [];
  const dir = config.events.jsonl;
  if (dir === null) {
    log.error('ship.servers is set but events.jsonl is null: nothing to ship from');
    return [];
  }
  const shipper = new Shipper({ dir, sensorId: config.sensor_id, cfg: config.ship, log });
  return [
    {
      name: 'shipper',
      start() {
        shipper.start();
        return Promise.resolve();
      },
      async stop() {
        // The runtime stopped the listeners and flushed the sinks: the last
        // lines are on disk. Give the broker a moment for them, then stop.
        await shipper.drained(SHIP_DRAIN_MS);
        await shipper.stop();
        log.info({ ...shipper.stats }, 'shipper stopped');
      },
    },
  ];
}
