/**
 * @module
 * The in-process event feed: a sink that hands each event to the listeners
 * subscribed at that moment (a live dashboard feed), after the sinks before
 * it in the fan-out took it. A listener that throws is reported and the
 * others still get the event; listeners must not keep the event longer
 * than they need it, nor block.
 */
import type { SnareEvent } from './catalog.js';
import type { EventSink } from './sink.js';

export type EventListener = (event: SnareEvent) => void;

export class EventFeed implements EventSink {
  readonly name = 'feed';
  readonly #listeners = new Set<EventListener>();

  constructor(private readonly onError: (err: unknown) => void = () => undefined) {}

  /** Calls `listener` with every event written from now on; returns the unsubscribe function. */
  subscribe(listener: EventListener): () => void {
    // A wrapper per subscription: the same function subscribed twice is two subscriptions.
    const entry: EventListener = (event) => {
      listener(event);
    };
    this.#listeners.add(entry);
    return () => {
      this.#listeners.delete(entry);
    };
  }

  get size(): number {
    return this.#listeners.size;
  }

  write(event: SnareEvent): void {
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch (err) {
        this.onError(err);
      }
    }
  }

  flush(): Promise<void> {
    return Promise.resolve();
  }

  close(): Promise<void> {
    this.#listeners.clear();
    return Promise.resolve();
  }
}
