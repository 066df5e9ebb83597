/**
 * @module
 * The collector's durable consumer, acknowledged cumulatively
 * (AckPolicy.All: one acknowledgement per committed batch instead of one
 * per message; the broker then does a tenth of the work for acks, the
 * collector a fraction of it, docs/benchmarks.md "Network").
 *
 * A cumulative ack of stream sequence S acknowledges every message the
 * consumer has delivered with a sequence up to S, wherever it went. That is
 * safe only while every such delivery reached this collector and is
 * committed. Two things can break it, and both end in a reset (the
 * consumer recreated from its acknowledged floor, so the broker delivers
 * again everything after it; the store skips the event ids it has):
 *  - at start: deliveries still waiting for an ack (to a collector that was
 *    killed, or that stopped with pulls outstanding), or a consumer made by
 *    an older version with explicit acks (its policy cannot be changed);
 *  - while running: a delivery that never arrived (a reconnection, a pull
 *    abandoned), seen as a gap in the consumer's delivery sequence, which
 *    the broker counts up by one for every delivery.
 * The choice of what to acknowledge after a batch is `AckTracker.target`.
 *
 * Must never acknowledge a message that is not committed.
 */
import {
  AckPolicy,
  DeliverPolicy,
  type ConsumerConfig,
  type ConsumerInfo,
  type JetStreamManager,
} from '@nats-io/jetstream';
import type { CollectConfig, ShipConfig } from '../config/types.js';
import { streamSubjects } from '../nats/connect.js';

/** Messages delivered and not yet acknowledged, at most (per collector). */
export const MAX_ACK_PENDING = 50_000;
/** How long JetStream waits for an ack before delivering again. */
export const ACK_WAIT_MS = 30_000;

/** Why the consumer was recreated, or null when it was kept (or new). */
export type ResetReason = 'explicit acks (older version)' | 'unacknowledged deliveries' | null;

export interface Bound {
  /** The delivery sequence the next delivery will carry. */
  readonly nextDelivery: number;
  readonly reset: ResetReason;
  /** Stream sequence delivery starts after (the acknowledged floor). */
  readonly floor: number;
  /** The consumer's max_ack_pending now (the collector lowers it for messages of many events). */
  readonly maxAckPending: number;
}

/**
 * The fewest messages the collector lets the consumer deliver
 * unacknowledged, and what it starts with until it has seen what the
 * messages hold: even of the largest messages a shipper packs (512 KiB),
 * that many stay under nats-server's 64 MiB of data waiting for one client,
 * beyond which the server drops the client as a slow consumer.
 */
export const MIN_ACK_PENDING = 100;

/** Bytes of packed messages the consumer may deliver unacknowledged (well under those 64 MiB). */
export const PACKED_PENDING_BYTES = 32 * 1024 * 1024;

/**
 * The max_ack_pending for messages of `eventsPerMessage` events and
 * `bytesPerMessage` bytes on average: MAX_ACK_PENDING for one event per
 * message (or about one), else about MAX_ACK_PENDING events' worth and at
 * most PACKED_PENDING_BYTES of messages, at least MIN_ACK_PENDING.
 */
export function fittedAckPending(eventsPerMessage: number, bytesPerMessage = 0): number {
  if (!(eventsPerMessage > 1.5)) return MAX_ACK_PENDING;
  const byEvents = MAX_ACK_PENDING / eventsPerMessage;
  const byBytes = bytesPerMessage > 0 ? PACKED_PENDING_BYTES / bytesPerMessage : byEvents;
  return Math.max(MIN_ACK_PENDING, Math.floor(Math.min(byEvents, byBytes)));
}

/** Sets the durable consumer's max_ack_pending (an update JetStream allows on a live consumer). */
export async function setAckPending(
  jsm: JetStreamManager,
  ship: ShipConfig,
  collect: CollectConfig,
  n: number,
): Promise<void> {
  await jsm.consumers.update(ship.stream, collect.durable, { max_ack_pending: n });
}

function consumerConfig(
  ship: ShipConfig,
  collect: CollectConfig,
  floor: number,
  maxAckPending: number,
): Partial<ConsumerConfig> {
  return {
    durable_name: collect.durable,
    ack_policy: AckPolicy.All,
    ...(floor > 0
      ? { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: floor + 1 }
      : { deliver_policy: DeliverPolicy.All }),
    filter_subject: streamSubjects(ship),
    max_ack_pending: maxAckPending,
    ack_wait: ACK_WAIT_MS * 1_000_000,
  };
}

async function infoOrNull(
  jsm: JetStreamManager,
  stream: string,
  durable: string,
): Promise<ConsumerInfo | null> {
  try {
    return await jsm.consumers.info(stream, durable);
  } catch {
    return null;
  }
}

/**
 * Finds or creates the durable consumer; recreates it from its acknowledged
 * floor when a cumulative ack could cover a delivery this collector never
 * had (see the module note), or when `forceReset`.
 */
export async function bindConsumer(
  jsm: JetStreamManager,
  ship: ShipConfig,
  collect: CollectConfig,
  forceReset = false,
  /** The acknowledged floor seen last (a reset cut short between delete and add resumes there). */
  knownFloor = 0,
  /** max_ack_pending of a consumer made here (the collector's fitted one, collect/collector.ts). */
  maxAckPending = MAX_ACK_PENDING,
): Promise<Bound> {
  const info = await infoOrNull(jsm, ship.stream, collect.durable);
  if (info === null) {
    await jsm.consumers.add(ship.stream, consumerConfig(ship, collect, knownFloor, maxAckPending));
    return { nextDelivery: 1, reset: null, floor: knownFloor, maxAckPending };
  }
  const reason: ResetReason =
    info.config.ack_policy !== AckPolicy.All
      ? 'explicit acks (older version)'
      : info.num_ack_pending > 0 || forceReset
        ? 'unacknowledged deliveries'
        : null;
  const floor = info.ack_floor.stream_seq;
  if (reason === null)
    return {
      nextDelivery: info.delivered.consumer_seq + 1,
      reset: null,
      floor,
      maxAckPending: info.config.max_ack_pending ?? MAX_ACK_PENDING,
    };
  // A crash between these two leaves no consumer: the next start makes one from the stream's start
  // (everything delivered again, the store skips what it has): slow, nothing lost.
  await jsm.consumers.delete(ship.stream, collect.durable);
  await jsm.consumers.add(ship.stream, consumerConfig(ship, collect, floor, maxAckPending));
  return { nextDelivery: 1, reset: reason, floor, maxAckPending };
}

/** Follows the deliveries of one consume session and says what a batch may acknowledge. */
/** What the tracker reads of a delivery (a JsMsg). */
export interface Delivered {
  /** Stream sequence. */
  readonly seq: number;
  readonly info: { readonly deliverySequence: number };
}

export class AckTracker<M extends Delivered> {
  private expected: number;
  private gap = false;
  /** The committed message of highest stream sequence not yet covered by an ack. */
  private owed: M | null = null;

  constructor(nextDelivery: number) {
    this.expected = nextDelivery;
  }

  /** True once a delivery went missing: nothing may be acknowledged until a reset. */
  get broken(): boolean {
    return this.gap;
  }

  /** Notes one delivery, in the order they arrive. */
  delivered(m: M): void {
    const d = m.info.deliverySequence;
    if (d !== this.expected) this.gap = true;
    this.expected = d + 1;
  }

  /**
   * After `batch` is committed: the message whose cumulative ack covers it
   * (and any batch before it not yet covered), or null when nothing may be
   * acknowledged now: after a gap, or while a message still waiting
   * (`held`, not committed) has a lower stream sequence (a redelivery); a
   * later batch's ack then covers this one.
   */
  target(batch: readonly M[], held: readonly M[]): M | null {
    let top = this.owed;
    for (const m of batch) if (top === null || m.seq > top.seq) top = m;
    this.owed = top;
    if (top === null || this.gap) return null;
    for (const m of held) if (m.seq <= top.seq) return null;
    this.owed = null;
    return top;
  }
}
