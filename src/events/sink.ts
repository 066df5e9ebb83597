/**
 * @module
 * Where events go: JSON-lines files, the legacy log, the embedded store.
 * The sensor fans each event out to every sink; one failing sink never stops
 * the others or the sensor.
 */
import type { SnareEvent } from './catalog.js';

export interface EventSink {
  readonly name: string;
  /** Takes the event; may buffer. Must not throw for a well-formed event. */
  write(event: SnareEvent): void;
  /** Writes out what is buffered; resolves once it is durable. */
  flush(): Promise<void>;
  close(): Promise<void>;
}
