/**
 * @module
 * The emitter: turns the fields a component knows into a full SnareEvent by
 * adding the shared identity (event_id, ts, sensor) and hands it to the
 * sink. The one place live events are stamped, so every event gets a fresh
 * time-ordered id. Events are built by `eventOf` (one object literal, no
 * spreads: this is the sensor's per-message hot path). Never writes files.
 */
import {
  eventOf,
  type EventInit,
  type EventType,
  type SnareEvent,
  type Transport,
} from './catalog.js';
import { EventIdGenerator } from './event-id.js';
import type { EventSink } from './sink.js';

/** Where a message came from, as the transports report it. */
export interface EventPeer {
  readonly transport: Transport;
  readonly srcIp: string;
  readonly srcPort: number;
  readonly dstIp: string;
  readonly dstPort: number;
}

/** SIP fields a persona may set (everything but the shared identity). */
type Fields = Partial<SnareEvent>;

export class EventLog {
  private readonly ids = new EventIdGenerator();
  /** Events emitted since start, by type (for lifecycle logging and tests). */
  readonly counts = new Map<string, number>();

  constructor(
    readonly sensorId: string,
    private readonly sink: EventSink,
  ) {}

  /**
   * Stamps and writes one event from an EventInit. `at` is when the message
   * arrived (so ts and the id's time agree). Returns the event as written.
   */
  emit(init: EventInit, at: Date = new Date()): SnareEvent {
    return this.write(
      this.build(
        init.event,
        init,
        init.transport,
        init.src_ip,
        init.src_port ?? null,
        init.dst_ip ?? null,
        init.dst_port ?? null,
        at,
      ),
    );
  }

  /**
   * Stamps and writes the event of one received message: the transport's
   * peer, the persona's fields, the message size and the response actually
   * sent (which overrides the persona's, since limits may have withheld it).
   */
  emitMessage(
    event: EventType,
    peer: EventPeer,
    fields: Fields,
    size: number,
    response: number | null,
    at: Date,
  ): SnareEvent {
    const ev = this.build(
      event,
      fields,
      peer.transport,
      peer.srcIp,
      peer.srcPort,
      peer.dstIp,
      peer.dstPort,
      at,
    );
    ev.size = fields.size ?? size;
    ev.response = response;
    return this.write(ev);
  }

  private write(ev: SnareEvent): SnareEvent {
    this.counts.set(ev.event, (this.counts.get(ev.event) ?? 0) + 1);
    this.sink.write(ev);
    return ev;
  }

  private build(
    event: EventType,
    f: Fields,
    transport: Transport | null,
    srcIp: string,
    srcPort: number | null,
    dstIp: string | null,
    dstPort: number | null,
    at: Date,
  ): SnareEvent {
    return eventOf(
      {
        event,
        event_id: this.ids.next(at.getTime()),
        ts: at.toISOString(),
        sensor: this.sensorId,
        transport,
        src_ip: srcIp,
        src_port: srcPort,
        dst_ip: dstIp,
        dst_port: dstPort,
      },
      f,
    );
  }
}
