/**
 * @module
 * The sensor's public face: the Asterisk persona with crypto-strength
 * randomness, started on a configuration's listeners and writing to the
 * sink it is given (the runtime owns the sinks). Holds no state of its own.
 */
import { randomFillSync } from 'node:crypto';
import { dirname, join } from 'node:path';
import type { SensorConfig } from '../config/types.js';
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

/**
 * Binds the listeners of `config` and answers as its Asterisk persona,
 * writing every event to `sink` (which the caller flushes and closes).
 */
export function startSensor(config: SensorConfig, sink: EventSink, log: Logger): Promise<Sensor> {
  const persona = createAsteriskPersona(config, { random: cryptoRandom() });
  const tlsDir = join(dirname(config.events.jsonl ?? 'var/events'), 'tls');
  return Sensor.start({ config, persona, sink, log, tlsDir });
}
