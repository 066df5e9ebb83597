/**
 * @module
 * An in-process sensor for the sensor's unit tests: its listeners from
 * `listen` (loopback, port 0), no store, the given persona, and every event
 * it records kept in memory by a capturing sink. The caller stops it.
 */
import { loadConfig } from '../../src/config/load.js';
import type { SnareEvent } from '../../src/events/catalog.js';
import type { EventSink } from '../../src/events/sink.js';
import type { Logger } from '../../src/log.js';
import type { Persona } from '../../src/sensor/persona/types.js';
import { Sensor } from '../../src/sensor/sensor.js';

/** A sink that keeps every event it is given, in order. */
export class CaptureSink implements EventSink {
  readonly name = 'capture';
  readonly events: SnareEvent[] = [];
  write(e: SnareEvent): void {
    this.events.push(e);
  }
  flush = (): Promise<void> => Promise.resolve();
  close = (): Promise<void> => Promise.resolve();
  /** The events of one type. */
  of(type: string): SnareEvent[] {
    return this.events.filter((e) => e.event === type);
  }
}

export interface TestSensorOptions {
  /** Listener URLs (default: UDP on 127.0.0.1, any free port). */
  readonly listen?: readonly string[];
  /** `limits.*` keys of the configuration, by their name under `limits`. */
  readonly limits?: Readonly<Record<string, number>>;
  readonly log?: Logger;
  readonly reportIntervalMs?: number;
  readonly tlsDir?: string;
}

/** Starts a sensor with `persona` over a capturing sink; returns both. */
export async function startTestSensor(
  persona: Persona,
  opts: TestSensorOptions = {},
): Promise<{ sensor: Sensor; sink: CaptureSink; config: ReturnType<typeof loadConfig> }> {
  const flags: Record<string, unknown> = {
    listen: [...(opts.listen ?? ['udp://127.0.0.1:0'])],
    'store.db': null,
  };
  for (const [k, v] of Object.entries(opts.limits ?? {})) flags[`limits.${k}`] = v;
  const config = loadConfig({ flags });
  const sink = new CaptureSink();
  const sensor = await Sensor.start({
    config,
    persona,
    sink,
    ...(opts.log === undefined ? {} : { log: opts.log }),
    ...(opts.reportIntervalMs === undefined ? {} : { reportIntervalMs: opts.reportIntervalMs }),
    ...(opts.tlsDir === undefined ? {} : { tlsDir: opts.tlsDir }),
  });
  return { sensor, sink, config };
}
