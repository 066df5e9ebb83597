/**
 * @module
 * Publishes to a JetStream stream with many messages in flight, over the
 * core connection: each message goes out with `Nats-Msg-Id` and a reply
 * subject under one inbox of this publisher, and the stream's
 * acknowledgement (a PubAck, JSON) comes back there. The library's
 * `jetstream().publish()` makes a request per message (an error object
 * with its stack captured, a timer and a promise chain each), which the
 * profile showed as the largest part of the shipper's CPU; here a message
 * costs one map entry, and one timer fails the ones past their deadline.
 *
 * Must settle every publish exactly once: acknowledged, refused by the
 * server, timed out, or failed when the publisher closes.
 */
import {
  createInbox,
  type Msg,
  type NatsConnection,
  type Subscription,
} from '@nats-io/transport-node';
import { isMsgId, MsgIdHeader } from './msg-id-header.js';

export interface PublishOutcome {
  readonly ok: boolean;
  /** The stream already held a message with this Nats-Msg-Id (it dropped this one). */
  readonly duplicate: boolean;
  readonly error: string | null;
}

export type Settle = (outcome: PublishOutcome) => void;

const failed = (error: string): PublishOutcome => ({ ok: false, duplicate: false, error });

const isObj = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** The usual PubAck, read without JSON.parse: `{"stream":"S","seq":N}`, maybe `"duplicate":true`. */
const PLAIN_ACK =
  /^\{"stream":"[^"\\]{1,255}",(?:"domain":"[^"\\]{0,255}",)?"seq":\d{1,20}(,"duplicate":true)?\}$/;
const OK: PublishOutcome = { ok: true, duplicate: false, error: null };
const DUPLICATE: PublishOutcome = { ok: true, duplicate: true, error: null };

/** What a reply to a publish says: a PubAck, an error of the stream, or a status (503: no stream). */
export function outcomeOf(m: Pick<Msg, 'headers' | 'data'>): PublishOutcome {
  const h = m.headers;
  if (h?.hasError) return failed(`${h.code} ${h.description}`.trim());
  const d = m.data;
  if (d.length < 512) {
    const plain = PLAIN_ACK.exec(Buffer.from(d.buffer, d.byteOffset, d.length).toString('latin1'));
    if (plain !== null) return plain[1] === undefined ? OK : DUPLICATE;
  }
  let v: unknown;
  try {
    v = JSON.parse(new TextDecoder().decode(m.data));
  } catch {
    return failed('the acknowledgement is not JSON');
  }
  if (!isObj(v)) return failed('the acknowledgement is not an object');
  const err = v['error'];
  if (isObj(err)) {
    const d = err['description'];
    return failed(typeof d === 'string' ? d.slice(0, 200) : 'the stream refused the message');
  }
  if (typeof v['stream'] !== 'string' || typeof v['seq'] !== 'number')
    return failed('the acknowledgement names no stream and sequence');
  return { ok: true, duplicate: v['duplicate'] === true, error: null };
}

export class StreamPublisher {
  private readonly inbox = createInbox();
  private next = 0;
  /** Publishes waiting for their acknowledgement, oldest first (a Map keeps insertion order). */
  private readonly pending = new Map<number, { readonly settle: Settle; readonly at: number }>();
  private readonly sub: Subscription;
  private readonly timer: NodeJS.Timeout;
  /** One header set for every publish: the connection encodes it at once, in `publish`. */
  private readonly msgId = new MsgIdHeader();

  constructor(
    private readonly nc: NatsConnection,
    private readonly timeoutMs: number,
  ) {
    const skip = this.inbox.length + 1;
    this.sub = nc.subscribe(`${this.inbox}.*`, {
      callback: (_err, m) => {
        this.settle(Number(m.subject.slice(skip)), outcomeOf(m));
      },
    });
    this.timer = setInterval(
      () => {
        this.expire();
      },
      Math.max(50, Math.floor(timeoutMs / 10)),
    );
    this.timer.unref();
  }

  /** Publishes waiting for their acknowledgement. */
  get inFlight(): number {
    return this.pending.size;
  }

  /** Publishes one message; `settle` hears exactly once how it went. */
  publish(subject: string, payload: Uint8Array, msgId: string | null, settle: Settle): void {
    const n = ++this.next;
    this.pending.set(n, { settle, at: Date.now() });
    try {
      const reply = `${this.inbox}.${n}`;
      // An id that cannot be a header value goes without one (the collector still stores it once).
      if (msgId === null || !isMsgId(msgId)) this.nc.publish(subject, payload, { reply });
      else {
        this.msgId.id = msgId;
        this.nc.publish(subject, payload, { reply, headers: this.msgId });
      }
    } catch (err) {
      this.settle(n, failed(err instanceof Error ? err.message : String(err)));
    }
  }

  /** Stops listening; every publish still waiting fails. */
  close(): void {
    clearInterval(this.timer);
    this.sub.unsubscribe();
    for (const n of [...this.pending.keys()]) this.settle(n, failed('publisher closed'));
  }

  private settle(n: number, outcome: PublishOutcome): void {
    const p = this.pending.get(n);
    if (p === undefined) return; // late: it timed out already
    this.pending.delete(n);
    p.settle(outcome);
  }

  private expire(): void {
    const limit = Date.now() - this.timeoutMs;
    for (const [n, p] of this.pending) {
      if (p.at > limit) break;
      this.settle(n, failed(`no acknowledgement within ${this.timeoutMs} ms`));
    }
  }
}
