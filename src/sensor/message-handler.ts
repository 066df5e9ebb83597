/**
 * @module
 * What the sensor does with one message a transport delivers: asks the
 * persona what to answer (the one boundary that turns a bug into an
 * `internal_error` record), checks the response budgets (per source,
 * global, no amplification), holds the replies until the message's event is
 * written, sends them (retransmitting INVITE final responses over UDP), runs
 * deferred answers within the budget, and writes one event with the shared
 * fields. Never parses SIP itself, never relays, never places a call.
 */
import type { LimitsConfig } from '../config/types.js';
import { INTERNAL_ERROR, type EventInit } from '../events/catalog.js';
import type { EventLog } from '../events/event-log.js';
import type { EventSink } from '../events/sink.js';
import { LogThrottle, type Logger } from '../log.js';
import { excerptOf } from '../sip/excerpt.js';
import { DeferredTasks } from './deferred.js';
import { withinAmplification, type LimitReason, type ResponseLimiter } from './limits.js';
import type { OutboundMessage, Persona, PersonaResult } from './persona/types.js';
import { ReplyGate } from './reply-gate.js';
import { Retransmitter } from './retransmit.js';
import type { InboundMessage, Peer, TransportMalformed } from './transport/types.js';

/** Where replies to a message go. */
type ReplyTarget = Pick<InboundMessage, 'transport' | 'srcIp' | 'srcPort' | 'reply'>;

/** Replies held until their event is written, with where they go. */
interface HeldReplies {
  readonly to: ReplyTarget;
  readonly replies: readonly OutboundMessage[];
}

export interface MessageHandlerOptions {
  readonly persona: Persona;
  readonly events: EventLog;
  /** The response budgets, shared with the lifecycle (refused connections, reports). */
  readonly limiter: ResponseLimiter;
  /** The sink the events go to: replies wait for its `written()`. */
  readonly sink: EventSink;
  readonly limits: Pick<LimitsConfig, 'max_dialogs'>;
  readonly log: Logger;
}

/** The status code of the last reply, when the persona did not say. */
function lastStatus(result: PersonaResult): number | null {
  return result.replies[result.replies.length - 1]?.status ?? null;
}

/** The bytes of some replies. */
function bytesOf(replies: readonly OutboundMessage[]): number {
  let bytes = 0;
  for (const r of replies) bytes += r.data.length;
  return bytes;
}

/** The event fields every message shares: transport and addresses. */
function peerFields(
  p: Peer,
): Pick<EventInit, 'transport' | 'src_ip' | 'src_port' | 'dst_ip' | 'dst_port'> {
  return {
    transport: p.transport,
    src_ip: p.srcIp,
    src_port: p.srcPort,
    dst_ip: p.dstIp,
    dst_port: p.dstPort,
  };
}

/** Where a message's replies go, without the message (and the buffer its bytes are a view of). */
function replyTarget(msg: InboundMessage): ReplyTarget {
  return { transport: msg.transport, srcIp: msg.srcIp, srcPort: msg.srcPort, reply: msg.reply };
}

/** The retransmission keys of one source are scoped by its transport and address. */
function retransmitScope(to: ReplyTarget): string {
  return `${to.transport}|${to.srcIp}|${to.srcPort}|`;
}

export class MessageHandler {
  private readonly persona: Persona;
  private readonly events: EventLog;
  private readonly limiter: ResponseLimiter;
  private readonly log: Logger;
  private readonly retransmitter: Retransmitter<ReplyTarget>;
  private readonly deferred: DeferredTasks;
  private readonly gate: ReplyGate<HeldReplies>;
  private readonly internalErrors = new LogThrottle();
  private stopped = false;

  constructor(opts: MessageHandlerOptions) {
    this.persona = opts.persona;
    this.events = opts.events;
    this.limiter = opts.limiter;
    this.log = opts.log;
    // One send and one budget check for every entry: an entry holds where it goes and the bytes.
    this.retransmitter = new Retransmitter<ReplyTarget>(
      { maxEntries: opts.limits.max_dialogs },
      {
        send: (to, bytes) => {
          to.reply(Buffer.from(bytes, 'latin1'));
        },
        allow: (to) => this.limiter.take(to.srcIp, performance.now()) === null,
      },
    );
    this.deferred = new DeferredTasks(opts.limits.max_dialogs);
    const sink = opts.sink;
    this.gate = new ReplyGate<HeldReplies>(
      sink.written ? () => sink.written?.() ?? Promise.resolve() : () => Promise.resolve(),
      (h) => {
        this.send(h.to, h.replies);
      },
    );
  }

  /** Replies dropped because too many waited for their events' write (a stalled disk). */
  get repliesDropped(): number {
    return this.gate.dropped;
  }

  /** Stops taking new replies and sends those held (before the listeners close). */
  async drain(): Promise<void> {
    this.stopped = true;
    await this.gate.close();
  }

  /** Ends retransmissions and deferred answers (after the listeners closed). */
  close(): void {
    this.retransmitter.close();
    this.deferred.close();
  }

  /** One message: persona, budget, replies (once its event is written), event. */
  onMessage(msg: InboundMessage): void {
    const now = new Date();
    const result = this.answer(msg, now);
    this.stopRetransmits(msg, result.stopRetransmit);
    let response: number | null = null;
    if (result.replies.length > 0) {
      const withheld = this.budget(msg, result);
      if (withheld === null) {
        // Sent once the event below is written (reply-gate.ts). Held with where it goes, not
        // the message: its bytes are a view of the whole batch of datagrams it came in, which a
        // held reply (or a retransmission) would otherwise keep alive.
        this.gate.after({ to: replyTarget(msg), replies: result.replies }, bytesOf(result.replies));
        response = result.fields.response ?? lastStatus(result);
        if (result.later) this.scheduleLater(msg, result.later);
      } else {
        this.limiter.recordDrop(msg.srcIp, withheld);
      }
    }
    this.events.emitMessage(result.event, msg, result.fields, msg.bytes.length, response, now);
  }

  /** Input a transport rejected before the persona (too large, bad framing). */
  onMalformed(m: TransportMalformed): void {
    this.events.emit({
      event: 'sip.malformed',
      ...peerFields(m),
      size: m.size,
      reason: m.reason,
      excerpt: excerptOf(m.excerpt),
    });
  }

  /**
   * The persona's answer. The one boundary for bugs on the message path:
   * logged (at most once per interval) and recorded as what they are, never
   * as attacker data.
   */
  private answer(msg: InboundMessage, now: Date): PersonaResult {
    try {
      return this.persona.handle(msg.bytes, {
        transport: msg.transport,
        srcIp: msg.srcIp,
        srcPort: msg.srcPort,
        dstIp: msg.dstIp,
        dstPort: msg.dstPort,
        now,
      });
    } catch (err) {
      this.internalError(err);
      return {
        event: 'sip.malformed',
        fields: { reason: INTERNAL_ERROR, excerpt: excerptOf(msg.bytes) },
        replies: [],
        stopRetransmit: [],
      };
    }
  }

  /** Ends the retransmissions the message answers (an ACK, a CANCEL). */
  private stopRetransmits(msg: InboundMessage, keys: readonly string[]): void {
    // The scope, built only when a key needs it.
    let scope: string | null = null;
    for (const key of keys) {
      scope ??= retransmitScope(msg);
      this.retransmitter.stop(scope + key);
    }
  }

  /** A later answer (a ringing INVITE's final response), run by a timer. */
  private scheduleLater(msg: InboundMessage, later: NonNullable<PersonaResult['later']>): void {
    // The timer keeps where to answer, not the message.
    const to = replyTarget(msg);
    this.deferred.add(
      later.afterMs,
      () => {
        let replies: readonly OutboundMessage[];
        try {
          replies = later.run();
        } catch (err) {
          this.internalError(err);
          return;
        }
        this.sendLater(to, replies);
      },
      later.bytes ?? 0,
    );
  }

  /** Logs a bug met while handling a message, at most once per interval (an attacker can repeat it). */
  private internalError(err: unknown): void {
    const held = this.internalErrors.take();
    if (held !== null)
      this.log.error({ err, held }, 'internal error on a message: recorded as internal_error');
  }

  /** Sends replies to the message's source, retransmitting INVITE finals over UDP. */
  private send(to: ReplyTarget, replies: readonly OutboundMessage[]): void {
    for (const r of replies) {
      to.reply(r.data);
      if (r.retransmitKey !== undefined && to.transport === 'udp') {
        // The key joined into a string of its own; the bytes shared with the persona's copy.
        this.retransmitter.add(
          [to.transport, to.srcIp, to.srcPort, r.retransmitKey].join('|'),
          to,
          r.text ?? r.data.toString('latin1'),
        );
      }
    }
  }

  /** A deferred answer: sent within the source's response budget, like any other. */
  private sendLater(to: ReplyTarget, replies: readonly OutboundMessage[]): void {
    if (this.stopped || replies.length === 0) return;
    const withheld = this.limiter.take(to.srcIp, performance.now());
    if (withheld === null) this.gate.after({ to, replies }, bytesOf(replies));
    else this.limiter.recordDrop(to.srcIp, withheld);
  }

  /** Null when the replies may be sent, else the budget they would break. */
  private budget(msg: InboundMessage, result: PersonaResult): LimitReason | null {
    if (msg.transport === 'udp' && !withinAmplification(msg.bytes.length, bytesOf(result.replies)))
      return 'amplification';
    return this.limiter.take(msg.srcIp, performance.now());
  }
}
