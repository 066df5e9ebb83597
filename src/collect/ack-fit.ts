/**
 * @module
 * The collector's durable consumer keeps its max_ack_pending fitted to
 * what the messages hold: it starts at MIN_ACK_PENDING messages (a consumer
 * kept from an earlier run is lowered to it at the first bind), then every
 * FIT_SAMPLE messages received it is set to `fittedAckPending` of them
 * when that differs by a factor of 2 or more: MAX_ACK_PENDING for single
 * events, about MAX_ACK_PENDING events' worth (and at most
 * PACKED_PENDING_BYTES) of packed ones. So the broker never delivers
 * MAX_ACK_PENDING messages of a hundred events each, which would pass the
 * 64 MiB beyond which nats-server drops a slow consumer.
 *
 * Must never stop the collector: a failed update is said once and tried
 * again after the next sample.
 */
import type { JetStreamManager } from '@nats-io/jetstream';
import type { CollectConfig, ShipConfig } from '../config/types.js';
import type { Logger } from '../log.js';
import { fittedAckPending, MIN_ACK_PENDING, setAckPending } from './consumer.js';

/** Messages received between two looks at the consumer's max_ack_pending. */
export const FIT_SAMPLE = 50;

export class AckPendingFit {
  /** The consumer's max_ack_pending as last set. */
  value = MIN_ACK_PENDING;
  /** True once the consumer was bound (at start, a kept consumer's max_ack_pending is lowered). */
  private bound = false;
  private failed = false;
  private busy = false;
  /** Messages and their events received since max_ack_pending was last looked at. */
  private sample = { messages: 0, events: 0, bytes: 0 };

  constructor(
    private readonly ship: ShipConfig,
    private readonly collect: CollectConfig,
    private readonly log: Logger,
  ) {}

  /** The consumer was bound with `value`; at the first bind, a larger one is lowered to MIN_ACK_PENDING. */
  async bind(jsm: JetStreamManager, value: number): Promise<void> {
    this.value = value;
    if (!this.bound && value > MIN_ACK_PENDING) {
      // A consumer kept from an earlier run: start small until the messages show what they hold.
      try {
        await setAckPending(jsm, this.ship, this.collect, MIN_ACK_PENDING);
        this.value = MIN_ACK_PENDING;
      } catch (err) {
        this.log.warn({ err: String(err) }, 'cannot change the consumer max_ack_pending');
      }
    }
    this.bound = true;
  }

  /** Notes a message of `events` events and `bytes` bytes; every FIT_SAMPLE, fits max_ack_pending. */
  note(jsm: () => Promise<JetStreamManager>, events: number, bytes: number): void {
    const sample = this.sample;
    sample.messages++;
    sample.events += events;
    sample.bytes += bytes;
    if (sample.messages < FIT_SAMPLE) return;
    this.sample = { messages: 0, events: 0, bytes: 0 };
    if (this.busy) return;
    this.busy = true;
    const perMessage = sample.events / sample.messages;
    const want = fittedAckPending(perMessage, sample.bytes / sample.messages);
    void this.fit(jsm, want, perMessage).finally(() => {
      this.busy = false;
    });
  }

  private async fit(
    jsm: () => Promise<JetStreamManager>,
    want: number,
    perMessage: number,
  ): Promise<void> {
    if (want < this.value * 2 && want * 2 > this.value) return;
    try {
      await setAckPending(await jsm(), this.ship, this.collect, want);
      this.log.info(
        {
          durable: this.collect.durable,
          max_ack_pending: want,
          events_per_message: Math.round(perMessage * 10) / 10,
        },
        'consumer max_ack_pending fitted to the events per message',
      );
      this.value = want;
    } catch (err) {
      // Tried again after the next sample; said once.
      if (!this.failed)
        this.log.warn({ err: String(err) }, 'cannot change the consumer max_ack_pending');
      this.failed = true;
    }
  }
}
