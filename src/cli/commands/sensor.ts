/**
 * @module
 * `sipsnare sensor`: the sensor alone. Loads the configuration (file <
 * environment < flags), binds the listeners, writes events until SIGINT or
 * SIGTERM, then flushes every sink. Lifecycle goes to stderr through pino;
 * events never do.
 */
import { parseArgs } from 'node:util';
import { loadConfig } from '../../config/load.js';
import type { SensorConfig } from '../../config/types.js';
import { SnareError, UsageError } from '../../errors.js';
import type { EventSink } from '../../events/sink.js';
import { createLogger, type Logger } from '../../log.js';
import { storeSinks } from '../../runtime/store-sinks.js';
import { startConfiguredSensor } from '../../sensor/index.js';
import { Shipper } from '../../ship/shipper.js';
import type { Command, CommandIo } from '../command.js';

const USAGE = `usage: sipsnare sensor [--config FILE] [--listen URL]... [--events DIR] [--sensor-id ID]

  --config FILE     YAML configuration (docs/config.md); defaults without it
  --listen URL      udp://ADDR:PORT, tcp://ADDR:PORT or tls://ADDR:PORT (IPv6 in
                    brackets); repeat for several; replaces the configured list
  --events DIR      directory of the JSON-lines event files
  --sensor-id ID    sensor id written into every event

Environment variables SIPSNARE_<SECTION>_<KEY> override the file (docs/config.md).
Runs until SIGINT or SIGTERM.`;

/** Parses the flags shared by `sensor` and `run` into a configuration. */
export function configFromArgs(argv: readonly string[], withSensorFlags: boolean): SensorConfig {
  let values: {
    config?: string | undefined;
    listen?: string[] | undefined;
    events?: string | undefined;
    'sensor-id'?: string | undefined;
  };
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        config: { type: 'string' },
        listen: { type: 'string', multiple: true },
        events: { type: 'string' },
        'sensor-id': { type: 'string' },
      },
      allowPositionals: false,
      strict: true,
    }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (!withSensorFlags && (values.listen ?? values.events ?? values['sensor-id']) !== undefined)
    throw new UsageError('only --config is accepted here; set listeners and events in the file');
  const flags: Record<string, unknown> = {};
  if (values.listen !== undefined) flags['listen'] = values.listen;
  if (values.events !== undefined) flags['events.jsonl'] = values.events;
  if (values['sensor-id'] !== undefined) flags['sensor_id'] = values['sensor-id'];
  return loadConfig({ file: values.config ?? null, env: process.env, flags });
}

function waitForStop(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) {
      resolve();
      return;
    }
    signal.addEventListener(
      'abort',
      () => {
        resolve();
      },
      { once: true },
    );
  });
}

/** How long a stopping sensor waits for the broker to acknowledge its last lines. */
const SHIP_DRAIN_MS = 2000;

/**
 * The shipper of the sensor's event files, when `ship.servers` is set. It
 * reads the files the sensor writes, in the same process but never in the
 * way of the SIP side: the sensor does not wait for it, and a broker that
 * is down only grows the backlog of files.
 */
function startShipper(config: SensorConfig, log: Logger): Shipper | null {
  if (config.ship.servers.length === 0) return null;
  if (config.events.jsonl === null) {
    log.error('ship.servers is set but events.jsonl is null: nothing to ship from');
    return null;
  }
  const shipper = new Shipper({
    dir: config.events.jsonl,
    sensorId: config.sensor_id,
    cfg: config.ship,
    log,
  });
  shipper.start();
  return shipper;
}

/**
 * Runs a sensor with `extraSinks` until the stop signal; shared by `sensor`
 * and `run`. Returns the exit code.
 */
export async function runSensorUntilStopped(
  config: SensorConfig,
  io: CommandIo,
  log: Logger,
  extraSinks: readonly EventSink[],
): Promise<number> {
  let running;
  try {
    running = await startConfiguredSensor(config, log, extraSinks);
  } catch (err) {
    await Promise.allSettled(extraSinks.map((s) => s.close()));
    if (err instanceof SnareError) throw err;
    throw new SnareError('SNARE_ERR_IO', `cannot start: ${(err as Error).message}`, { cause: err });
  }
  log.info(
    {
      sensor: config.sensor_id,
      listen: running.sensor.addresses.map((a) => a.url),
      sinks: running.sink.names,
    },
    'sensor started',
  );
  const shipper = startShipper(config, log);
  await waitForStop(io.stopSignal);
  log.info('stopping: flushing events');
  await running.stop();
  if (shipper !== null) {
    // The last lines are on disk now: give the broker a moment for them, then stop.
    await shipper.drained(SHIP_DRAIN_MS);
    await shipper.stop();
    log.info({ ...shipper.stats }, 'shipper stopped');
  }
  log.info({ events: Object.fromEntries(running.sensor.counts) }, 'sensor stopped');
  return 0;
}

export const command: Command = {
  name: 'sensor',
  summary:
    'run the SIP honeypot sensor (events to JSON lines and, unless store.db is null, the store)',
  usage: USAGE,
  async run(argv, io) {
    const config = configFromArgs(argv, true);
    const log = createLogger();
    return runSensorUntilStopped(config, io, log, await storeSinks(config, log));
  },
};
