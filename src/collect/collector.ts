/**
 * @module
 * The collector: a durable JetStream consumer (pulled with `consume()`) that
 * checks every message against the event schema (collect/validate.ts),
 * keeps the rejected ones aside (collect/rejects.ts), writes the rest into
 * the central store in batches (collect/central-store.ts) and acknowledges a
 * message only after its batch is committed: at-least-once delivery,
 * exactly-once rows by event_id. Acknowledgements are cumulative, one per
 * batch (collect/consumer.ts says when that is safe, and resets the consumer
 * when it is not).
 *
 * A commit that fails (a full disk...) is retried every RETRY_MS with the
 * same batch, unacknowledged, while no more messages are taken; it is
 * logged once when it starts failing and once when it works again.
 * stop() ends after the batch in progress and commits what was already
 * received, so a restart finds nothing waiting for its acknowledgement.
 *
 * A message may hold several events (`ship.events_per_message`,
 * nats/message.ts): batches are counted in events (collect/held.ts), and
 * the consumer's max_ack_pending is fitted to what the messages hold
 * (collect/ack-fit.ts), so that nats-server never has more waiting for the
 * collector than it lets a client have. Should the events received and not
 * yet committed pass `heldBound` all the same (before that fit, or a
 * sensor sending huge messages), the collector stops pulling, commits what
 * it holds and pulls again (the consumer is recreated from its
 * acknowledged floor when deliveries went to the stopped pulls meanwhile).
 *
 * Must never let one message stop the collector, and never hold more than
 * the consumer's max_ack_pending messages, nor more than `heldBound` events
 * and one message.
 */
import { jetstream, jetstreamManager, type ConsumerMessages, type JsMsg } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { CollectConfig, ShipConfig } from '../config/types.js';
import type { SnareEvent } from '../events/catalog.js';
import type { Logger } from '../log.js';
import { connectNats, ensureStream } from '../nats/connect.js';
import type { CentralStore } from './central-store.js';
import { AckPendingFit } from './ack-fit.js';
import { AckTracker, bindConsumer, MAX_ACK_PENDING } from './consumer.js';
import { heldBound, HeldMessages } from './held.js';
import { RejectLog, type Rejected } from './rejects.js';
import { MAX_MESSAGE_EVENTS, messageLines } from '../nats/message.js';
import { checkEvent, MAX_MESSAGE_BYTES, sensorOfSubject } from './validate.js';

/** Wait between commit attempts while the store fails. */
export const RETRY_MS = 2000;
/** Unified INVITEs are rebuilt at most this often while INVITEs arrive. */
export const CALLS_EVERY_MS = 10_000;
/**
 * ...and never more than this share of the time: a rebuild that took 3 s
 * waits 30 s for the next one (the rebuild reads every INVITE and holds
 * the store meanwhile). A report rebuilds them first in any case.
 */
export const CALLS_TIME_SHARE = 0.1;
export { ACK_WAIT_MS, MAX_ACK_PENDING } from './consumer.js';

export interface CollectorOptions {
  readonly servers: readonly string[];
  readonly ship: ShipConfig;
  readonly collect: CollectConfig;
  readonly store: CentralStore;
  readonly rejectedFile: string;
  readonly log: Logger;
  /** Hears of each committed batch (the bench measures lag with it). */
  readonly onCommit?: (events: readonly SnareEvent[], committedAt: number) => void;
}

export interface CollectorStats {
  readonly stored: number;
  readonly duplicates: number;
  readonly rejected: number;
  readonly rejected_by: Record<string, number>;
  readonly batches: number;
  /** True while commits fail (nothing is acknowledged meanwhile). */
  readonly failing: boolean;
  /** Times the consumer was recreated from its acknowledged floor (collect/consumer.ts). */
  readonly resets: number;
  /** Times pulls stopped until held events were committed (messages of several events only). */
  readonly pauses: number;
}

const sleep = (ms: number): Promise<void> =>
  new Promise((r) => {
    setTimeout(r, ms).unref();
  });

export class Collector {
  private nc: NatsConnection | null = null;
  private messages: ConsumerMessages | null = null;
  private held = new HeldMessages<JsMsg>();
  /** True while pulls are stopped because `heldBound` events are held. */
  private paused = false;
  /** Times pulls were stopped that way. */
  private pauses = 0;
  private readonly ackPending: AckPendingFit;
  private tracker = new AckTracker<JsMsg>(1);
  /** The consumer's acknowledged floor when it was last bound (stream sequence). */
  private floor = 0;
  /** Consumer resets (start included): the collector's status and the tests read it. */
  private resets = 0;
  private stopping = false;
  private failing = false;
  private loop: Promise<void> | null = null;
  private wake: (() => void) | null = null;
  private readonly rejects: RejectLog;
  private stored = 0;
  private duplicates = 0;
  private batches = 0;
  private lastCalls = 0;
  private callsEvery = CALLS_EVERY_MS;

  constructor(private readonly opts: CollectorOptions) {
    this.rejects = new RejectLog(opts.rejectedFile, opts.log);
    this.ackPending = new AckPendingFit(opts.ship, opts.collect, opts.log);
  }

  get stats(): CollectorStats {
    return {
      stored: this.stored,
      duplicates: this.duplicates,
      rejected: this.rejects.total,
      rejected_by: Object.fromEntries(this.rejects.counts),
      batches: this.batches,
      failing: this.failing,
      resets: this.resets,
      pauses: this.pauses,
    };
  }

  /** Opens the store, connects (waiting for a server), binds the durable consumer and starts. */
  async start(): Promise<void> {
    const { ship, collect, log } = this.opts;
    await this.opts.store.ready();
    const nc = await connectNats(this.opts.servers, ship, 'sipsnare-collect');
    this.nc = nc;
    if (!(await ensureStream(nc, ship)))
      log.warn({ stream: ship.stream }, 'cannot look the events stream up or create it');
    await this.consume(false);
    log.info(
      { servers: this.opts.servers, stream: ship.stream, durable: collect.durable },
      'collector consuming',
    );
    this.loop = this.run().catch((err: unknown) => {
      log.error({ err }, 'collector stopped by an internal error');
    });
  }

  /** Stops taking messages, commits the batch in progress and what was received, closes. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.messages?.stop();
    this.wake?.();
    await this.loop;
    if (this.nc !== null) await this.nc.drain().catch(() => undefined);
  }

  /**
   * Binds the durable consumer (recreating it when a cumulative ack could
   * cover a delivery this collector never had) and starts pulling; what was
   * received and not committed is dropped (the consumer delivers it again).
   */
  private async consume(forceReset: boolean): Promise<void> {
    const { ship, collect, log } = this.opts;
    const nc = this.nc as NatsConnection;
    this.messages?.stop();
    const held = new HeldMessages<JsMsg>();
    this.held = held;
    this.paused = false;
    const jsm = await jetstreamManager(nc);
    const bound = await bindConsumer(
      jsm,
      ship,
      collect,
      forceReset,
      this.floor,
      this.ackPending.value,
    );
    this.floor = bound.floor;
    await this.ackPending.bind(jsm, bound.maxAckPending);
    if (bound.reset !== null) {
      this.resets++;
      log.info(
        { durable: collect.durable, reason: bound.reset, from_stream_seq: bound.floor + 1 },
        'consumer recreated from its acknowledged position: what follows is delivered again (stored once)',
      );
    }
    const tracker = new AckTracker<JsMsg>(bound.nextDelivery);
    this.tracker = tracker;
    const holdAt = heldBound(collect.batch_events);
    const consumer = await jetstream(nc).consumers.get(ship.stream, collect.durable);
    this.messages = await consumer.consume({
      max_messages: Math.min(MAX_ACK_PENDING, Math.max(1000, collect.batch_events * 2)),
      // Short pulls: after a crash, what the server still sends to the dead pulls comes back sooner.
      expires: 5000,
      callback: (m) => {
        // A session replaced by a reset: its messages come again through the new one.
        if (this.tracker !== tracker) return;
        tracker.delivered(m);
        const n = held.push(m);
        this.ackPending.note(() => jetstreamManager(nc), n, m.data.length);
        if (held.events > holdAt && !this.paused) {
          // Many events per message: stop pulling until these are committed.
          this.paused = true;
          this.pauses++;
          this.messages?.stop();
        }
        if (held.events >= collect.batch_events) this.wake?.();
      },
    });
  }

  private async run(): Promise<void> {
    const { collect } = this.opts;
    for (;;) {
      const due =
        this.held.events >= collect.batch_events ||
        (this.held.size > 0 && Date.now() - this.held.firstAt >= collect.batch_ms);
      if (this.tracker.broken && !this.stopping && !this.failing) {
        this.opts.log.warn(
          { durable: collect.durable },
          'a delivery never arrived (reconnection?): recreating the consumer',
        );
        try {
          await this.consume(true);
        } catch (err) {
          // The broker may be between leaders (a node lost): try again, acknowledging nothing meanwhile.
          this.opts.log.warn({ err: String(err) }, 'cannot recreate the consumer yet: retrying');
          await sleep(RETRY_MS);
        }
        continue;
      }
      if (due || ((this.stopping || this.paused) && this.held.size > 0)) {
        await this.process(this.held.take(collect.batch_events));
        continue;
      }
      if (this.stopping) break;
      if (this.paused && !this.failing) {
        // Everything held is committed: pull again.
        try {
          await this.consume(false);
        } catch (err) {
          this.opts.log.warn({ err: String(err) }, 'cannot pull again yet: retrying');
          await sleep(RETRY_MS);
        }
        continue;
      }
      await this.maybeRebuildCalls();
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.min(collect.batch_ms, 100));
        this.wake = () => {
          clearTimeout(t);
          resolve();
        };
      });
      this.wake = null;
    }
    await this.opts.store.close();
  }

  /** Checks, stores and acknowledges one batch; retries the commit until it works. */
  private async process(batch: readonly JsMsg[]): Promise<void> {
    const prefix = this.opts.ship.subject_prefix;
    const events: SnareEvent[] = [];
    const rejected: Rejected[] = [];
    for (const m of batch) {
      const sensor = sensorOfSubject(m.subject, prefix);
      const data = m.data;
      // One event, or several lines of one each (ship.events_per_message): each checked alone.
      const lines = data.length > MAX_MESSAGE_BYTES ? [data] : messageLines(data);
      if (lines.length > MAX_MESSAGE_EVENTS) {
        rejected.push({
          sensor,
          reason: `more than ${MAX_MESSAGE_EVENTS} events in one message`,
          seq: m.seq,
          payload: data,
        });
        continue;
      }
      for (let i = 0; i < lines.length; i++) {
        const line = lines[i] as Uint8Array;
        const c = checkEvent(sensor, line);
        if (c.ok) events.push(c.event);
        else
          rejected.push({
            sensor,
            reason: c.reason,
            seq: m.seq,
            ...(lines.length > 1 ? { line: i + 1 } : {}),
            payload: line,
          });
      }
    }
    for (let attempt = 0; ; attempt++) {
      try {
        const r = events.length > 0 ? await this.opts.store.commit(events) : null;
        await this.rejects.keep(rejected);
        const at = Date.now();
        this.tracker.target(batch, this.held.all)?.ack();
        this.batches++;
        if (r) {
          this.stored += r.added;
          this.duplicates += r.duplicates;
        }
        this.opts.onCommit?.(events, at);
        if (this.failing) {
          this.failing = false;
          this.opts.log.info({ attempts: attempt + 1 }, 'store commits again: acknowledging');
          // Pulls were stopped while failing: what they still sent is lost to this session.
          if (!this.stopping) await this.consume(true);
        }
        return;
      } catch (err) {
        if (this.stopping) {
          // Asked to stop while the store fails: leave the batch unacknowledged for the next run.
          this.opts.log.error(
            { err: String(err), events: events.length },
            'stopping with an uncommitted batch: not acknowledged, JetStream delivers it again',
          );
          this.held.clear();
          return;
        }
        if (!this.failing) {
          this.failing = true;
          this.opts.log.error(
            { err: String(err), events: events.length },
            'cannot commit to the store (disk full?): not acknowledging, taking no more messages, retrying',
          );
          this.messages?.stop();
        }
        // Tell JetStream the batch is still being worked on, so it is not delivered twice meanwhile.
        if (attempt % 5 === 4) for (const m of batch) m.working();
        await sleep(RETRY_MS);
      }
    }
  }

  private async maybeRebuildCalls(): Promise<void> {
    if (Date.now() - this.lastCalls < this.callsEvery) return;
    const t0 = Date.now();
    try {
      await this.opts.store.refreshCalls();
      this.callsEvery = Math.max(CALLS_EVERY_MS, (Date.now() - t0) / CALLS_TIME_SHARE);
    } catch (err) {
      this.opts.log.error({ err: String(err) }, 'cannot rebuild the unified INVITEs');
    }
    this.lastCalls = Date.now();
  }
}
