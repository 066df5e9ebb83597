/**
 * @module
 * The sensor's public face for the CLI: builds the event sinks a
 * configuration asks for (JSON lines, legacy log), the Asterisk persona with
 * crypto-strength randomness, and starts the runtime. Extra sinks (the
 * embedded store) are injected by the caller. Holds no state of its own.
 */
import { randomFillSync } from 'node:crypto';
import { dirname, join } from 'node:path';
import type { SensorConfig } from '../config/types.js';
import { FanoutSink } from '../events/fanout.js';
import { JsonlSink } from '../events/jsonl.js';
import { LegacyLogSink } from '../events/legacy-log.js';
import type { EventSink } from '../events/sink.js';
import type { Logger } from '../log.js';
import { createAsteriskPersona } from './persona/index.js';
import { Sensor } from './sensor.js';

export { Sensor } from './sensor.js';

/**
 * Uniform [0, 1) from the operating system's CSPRNG, drawn from a pool:
 * nonces and tags must not be predictable by an attacker who sees many.
 */
export function cryptoRandom(): () => number {
  const pool = new Uint32Array(1024);
  let pos = pool.length;
  return () => {
    if (pos >= pool.length) {
      randomFillSync(pool);
      pos = 0;
    }
    return (pool[pos++] ?? 0) / 2 ** 32;
  };
}

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

export interface RunningSensor {
  readonly sensor: Sensor;
  /** Every sink the sensor writes to; closed by `stop()`. */
  readonly sink: FanoutSink;
  stop(): Promise<void>;
}

/**
 * Starts the sensor of `config` with its file sinks plus `extraSinks`.
 * `stop()` closes listeners, then flushes and closes every sink, so an
 * event recorded before SIGTERM is on disk when it resolves.
 */
export async function startConfiguredSensor(
  config: SensorConfig,
  log: Logger,
  extraSinks: readonly EventSink[] = [],
): Promise<RunningSensor> {
  const sink = new FanoutSink([...fileSinks(config, log), ...extraSinks], (name, failures, err) => {
    log.warn({ sink: name, failures, err }, 'event sink failing; other sinks continue');
  });
  const persona = createAsteriskPersona(config, { random: cryptoRandom() });
  const tlsDir = join(dirname(config.events.jsonl ?? 'var/events'), 'tls');
  let sensor: Sensor;
  try {
    sensor = await Sensor.start({ config, persona, sink, log, tlsDir });
  } catch (err) {
    await sink.close();
    throw err;
  }
  return {
    sensor,
    sink,
    async stop() {
      await sensor.stop();
      await sink.close();
    },
  };
}
