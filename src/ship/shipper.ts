/**
 * @module
 * The shipper: publishes every line of a sensor's event files to JetStream
 * on `<prefix>.<sensor_id>`, with `Nats-Msg-Id` = event_id so the stream's
 * duplicate window drops what is shipped twice; with
 * `ship.events_per_message` above 1, up to that many lines of one file go
 * in one message (ship/pack.ts says how, and which message id it
 * carries). The files are the write-ahead log: the position saved on disk
 * moves only over lines the broker acknowledged, in order, so a crash or
 * an outage ships again from there, never skips. Up to `max_in_flight`
 * events wait for their acks at once (publisher.ts); when the window is
 * full, the shipper waits until half of it is acknowledged and refills it
 * in one go, so the socket gets large writes. A broker that is down is
 * retried every second for ever; the sensor writing the files never waits
 * for the shipper.
 *
 * Must never advance the position past a line that is not acknowledged.
 */
import { join } from 'node:path';
import type { NatsConnection } from '@nats-io/transport-node';
import type { ShipConfig } from '../config/types.js';
import type { Logger } from '../log.js';
import { connectNats, ensureStream, sensorSubject } from '../nats/connect.js';
import { MAX_MESSAGE_BYTES, PAYLOAD_HEADROOM_BYTES } from '../nats/message.js';
import { pack } from './pack.js';
import { loadPosition, savePosition, type Position } from './position.js';
import { StreamPublisher } from './publisher.js';
import { EventFileReader } from './reader.js';
import { AckWindow, inFlight, settle, settled, type InFlight } from './window.js';

/** Wait before shipping again after a failure, and between looks at idle files. */
export const RETRY_MS = 1000;
export const IDLE_POLL_MS = 100;
/** Longest time between two saves of the position while shipping. */
export const SAVE_INTERVAL_MS = 250;
/** How long a publish waits for its ack. */
export const ACK_TIMEOUT_MS = 10_000;

export interface ShipperOptions {
  /** Directory of the event files. */
  readonly dir: string;
  readonly sensorId: string;
  readonly cfg: ShipConfig;
  readonly log: Logger;
}

export interface ShipperStats {
  /** Lines acknowledged by the broker since the start. */
  readonly shipped: number;
  /** Acks that said the stream already had the message (shipped again after a restart). */
  readonly duplicates: number;
  readonly connected: boolean;
  readonly position: Position | null;
}

/** The server's max_payload when it does not say (its default, 1 MB). */
const DEFAULT_MAX_PAYLOAD = 1024 * 1024;

/** Bytes of body a packed message may have under a server's `max_payload`. */
export function packBytes(maxPayload: number | undefined): number {
  const server = (maxPayload ?? DEFAULT_MAX_PAYLOAD) - PAYLOAD_HEADROOM_BYTES;
  return Math.max(1, Math.min(MAX_MESSAGE_BYTES, server));
}

const sleep = (ms: number): Promise<void> =>
  new Promise((r) => {
    setTimeout(r, ms).unref();
  });

export class Shipper {
  private nc: NatsConnection | null = null;
  private stopping = false;
  private loop: Promise<void> | null = null;
  private acked: Position | null;
  private savedAt = 0;
  private savedPos: Position | null;
  private shipped = 0;
  private duplicates = 0;
  private connected = false;
  private failing = false;
  private overBacklog = false;
  private readonly positionFile: string;
  private readonly subject: string;
  private readonly reader: EventFileReader;
  private wake: (() => void) | null = null;
  private stopped!: () => void;
  private readonly stopSignal = new Promise<null>((resolve) => {
    this.stopped = () => {
      resolve(null);
    };
  });

  constructor(private readonly opts: ShipperOptions) {
    this.positionFile = opts.cfg.position_file ?? join(opts.dir, '.ship-position.json');
    this.subject = sensorSubject(opts.cfg, opts.sensorId);
    this.acked = loadPosition(this.positionFile);
    this.savedPos = this.acked;
    this.reader = new EventFileReader(opts.dir, this.acked, (file, next) => {
      opts.log.error(
        { file, continue_with: next },
        'event file gone before it was shipped: its unshipped events are lost to the collector',
      );
    });
  }

  get stats(): ShipperStats {
    return {
      shipped: this.shipped,
      duplicates: this.duplicates,
      connected: this.connected,
      position: this.acked,
    };
  }

  /** Connects (in the background, for ever) and ships until stop(). */
  start(): void {
    this.loop ??= this.run().catch((err: unknown) => {
      this.opts.log.error({ err }, 'shipper stopped by an internal error');
    });
  }

  /** Stops after the publishes in flight are acknowledged (or fail), saves the position, closes. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.stopped();
    this.wake?.();
    await this.loop;
    await this.save(true);
    if (this.nc !== null) await this.nc.close().catch(() => undefined);
  }

  /** Resolves once everything written to the files so far is acknowledged (tests, `ship --once`). */
  async drained(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if ((await this.reader.backlogBytes(this.acked)) === 0) return true;
      await sleep(50);
    }
    return false;
  }

  private async run(): Promise<void> {
    const { cfg, log } = this.opts;
    const connecting = connectNats(cfg.servers, cfg, `sipsnare-ship-${this.opts.sensorId}`);
    const nc = await Promise.race([connecting, this.stopSignal]);
    if (nc === null) {
      // Stopped before any server answered: close the connection if one comes.
      void connecting.then((late) => late.close()).catch(() => undefined);
      return;
    }
    this.nc = nc;
    this.connected = true;
    log.info({ servers: cfg.servers, subject: this.subject }, 'shipper connected');
    void this.watchStatus(nc);
    if (!(await ensureStream(nc, cfg)))
      log.info({ stream: cfg.stream }, 'cannot look the stream up or create it: publishing anyway');
    const publisher = new StreamPublisher(nc, ACK_TIMEOUT_MS);
    let lastBacklogCheck = 0;
    while (!this.stopping) {
      const ok = await this.shipSome(publisher);
      if (Date.now() - lastBacklogCheck > 10_000) {
        lastBacklogCheck = Date.now();
        await this.checkBacklog();
      }
      if (!ok) {
        await sleep(RETRY_MS);
        this.reader.rewind(this.acked);
      }
    }
    publisher.close();
  }

  /** Ships what is written; false after a failed publish (the reader must go back to `acked`). */
  private async shipSome(publisher: StreamPublisher): Promise<boolean> {
    const window = new AckWindow();
    const max = this.opts.cfg.max_in_flight;
    const perMessage = this.opts.cfg.events_per_message;
    let failed: unknown = null;
    for (;;) {
      if (this.stopping || failed !== null) break;
      const lines = await this.reader.next();
      if (lines.length === 0) {
        if (window.size > 0) break;
        await this.idle();
        return true;
      }
      if (perMessage === 1) {
        for (const line of lines) {
          window.push(this.publish(publisher, line.payload, line.eventId, 1, line.next));
          if (window.events >= max) failed = await this.drain(window, max);
          if (failed !== null) break;
        }
      } else {
        const maxBytes = packBytes(this.nc?.info?.max_payload);
        for (const m of pack(lines, perMessage, maxBytes)) {
          window.push(this.publish(publisher, m.payload, m.msgId, m.count, m.next));
          if (window.events >= max) failed = await this.drain(window, max);
          if (failed !== null) break;
        }
      }
      failed = this.advance(window) ?? failed;
      await this.save(false);
    }
    // Settle what is still in flight: acked lines count, the rest is shipped again.
    for (const f of window.all()) await settled(f);
    failed = this.advance(window) ?? failed;
    await this.save(true);
    if (failed !== null) {
      if (!this.failing)
        this.opts.log.warn(
          {
            err: failed instanceof Error ? failed.message : 'publish failed',
            position: this.acked,
          },
          'broker did not acknowledge: retrying every second from the acknowledged position',
        );
      this.failing = true;
      return false;
    }
    if (this.failing) this.opts.log.info({ position: this.acked }, 'broker acknowledges again');
    this.failing = false;
    return true;
  }

  /** Publishes one message; its InFlight settles when the stream acknowledges it (or not). */
  private publish(
    publisher: StreamPublisher,
    payload: Uint8Array,
    msgId: string | null,
    count: number,
    next: Position,
  ): InFlight {
    const f = inFlight(next, count);
    publisher.publish(this.subject, payload, msgId, (o) => {
      if (o.ok && o.duplicate) this.duplicates++;
      settle(f, o.ok ? null : new Error(o.error ?? 'publish failed'));
    });
    return f;
  }

  /** The window is full: waits for half of it, so that it is refilled in one go; the failure met, if any. */
  private async drain(window: AckWindow, max: number): Promise<unknown> {
    let failed: unknown = null;
    while (window.events > max / 2 && failed === null) {
      const head = window.head;
      if (head !== undefined) await settled(head);
      failed = this.advance(window);
    }
    return failed;
  }

  /** Pops the acknowledged head of the window into the position; returns the first failure met, if any. */
  private advance(window: AckWindow): unknown {
    const a = window.advance();
    if (a.next !== null) this.acked = a.next;
    this.shipped += a.shipped;
    return a.failed;
  }

  private async save(force: boolean): Promise<void> {
    const pos = this.acked;
    if (pos === null || pos === this.savedPos) return;
    if (!force && Date.now() - this.savedAt < SAVE_INTERVAL_MS) return;
    try {
      await savePosition(this.positionFile, pos);
      this.savedPos = pos;
      this.savedAt = Date.now();
    } catch (err) {
      this.opts.log.error({ err, file: this.positionFile }, 'cannot save the shipping position');
    }
  }

  private async idle(): Promise<void> {
    await this.save(true);
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, IDLE_POLL_MS);
      this.wake = () => {
        clearTimeout(t);
        resolve();
      };
    });
    this.wake = null;
  }

  private async checkBacklog(): Promise<void> {
    const bytes = await this.reader.backlogBytes(this.acked);
    const bound = this.opts.cfg.warn_backlog_bytes;
    if (bytes > bound && !this.overBacklog) {
      this.opts.log.error(
        { backlog_bytes: bytes, bound: 'ship.warn_backlog_bytes', bound_bytes: bound },
        'unshipped event files exceed ship.warn_backlog_bytes: do not rotate them away until shipped',
      );
    }
    this.overBacklog = bytes > bound;
  }

  private async watchStatus(nc: NatsConnection): Promise<void> {
    for await (const s of nc.status()) {
      if (s.type === 'disconnect') {
        this.connected = false;
        this.opts.log.warn({ server: s.server }, 'shipper disconnected from NATS: reconnecting');
      } else if (s.type === 'reconnect') {
        this.connected = true;
        this.opts.log.info({ server: s.server }, 'shipper reconnected to NATS');
      }
    }
  }
}
