/**
 * @module
 * The emitter: turns the fields a component knows (EventInit) into a full
 * SnareEvent by adding the shared identity (event_id, ts, sensor) and hands
 * it to the sink. The one place live events are stamped, so every event gets
 * a fresh time-ordered id. Never writes files itself.
 */
import { emptyEvent, type EventInit, type SnareEvent } from './catalog.js';
import { EventIdGenerator } from './event-id.js';
import type { EventSink } from './sink.js';

const TEMPLATE: Readonly<SnareEvent> = Object.freeze(emptyEvent());

export class EventLog {
  private readonly ids = new EventIdGenerator();
  /** Events emitted since start, by type (for lifecycle logging and tests). */
  readonly counts = new Map<string, number>();

  constructor(
    readonly sensorId: string,
    private readonly sink: EventSink,
  ) {}

  /**
   * Stamps and writes one event. `at` is when the message arrived (so
   * ts and the id's time agree). Returns the event as written.
   */
  emit(init: EventInit, at: Date = new Date()): SnareEvent {
    const ms = at.getTime();
    const ev: SnareEvent = { ...TEMPLATE, ...init };
    ev.event_id = this.ids.next(ms);
    ev.ts = at.toISOString();
    ev.sensor = this.sensorId;
    this.counts.set(ev.event, (this.counts.get(ev.event) ?? 0) + 1);
    this.sink.write(ev);
    return ev;
  }
}
