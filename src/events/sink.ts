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
  /**
   * Writes out what is buffered; resolves once it is in the operating
   * system (written, not necessarily fsynced) or, for the store, committed.
   */
  flush(): Promise<void>;
  /**
   * File sinks only: resolves once every event taken before the call is
   * written to its file (write(2) returned; not fsynced), or as soon as the
   * file's writes fail (the lines stay queued; lost ones are counted). The
   * sensor holds a message's replies until then.
   */
  written?(): Promise<void>;
  /**
   * File sinks only: lines dropped since the last call (the disk fell too
   * far behind), handed out once the file's writes succeed again.
   */
  takeLostLines?(): number;
  close(): Promise<void>;
}
