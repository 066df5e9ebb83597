/**
 * @module
 * The sensor runtime: listeners -> persona -> limits -> replies + events.
 * For every message a transport delivers it asks the persona what to answer,
 * checks the response budgets (per source, global, no amplification), sends
 * the replies (retransmitting INVITE final responses over UDP), and writes
 * one event with the shared fields. Withheld answers are aggregated into
 * `sensor.rate_limited` events. Never parses SIP itself, never relays, never
 * places a call, and never lets attacker input throw out of a handler.
 */
import type { SensorConfig } from '../config/types.js';
import { INTERNAL_ERROR, type EventInit } from '../events/catalog.js';
import { EventLog } from '../events/event-log.js';
import type { EventSink } from '../events/sink.js';
import { LogThrottle, silentLogger, type Logger } from '../log.js';
import {
  ConnectionLimiter,
  ResponseLimiter,
  withinAmplification,
  type LimitReason,
} from './limits.js';
import { DeferredTasks } from './deferred.js';
import type { OutboundMessage, Persona, PersonaResult } from './persona/types.js';
import { ReplyGate } from './reply-gate.js';
import { Retransmitter } from './retransmit.js';
import { ensureSelfSignedCert } from './tls-cert.js';
import { parseListenUrl, reportedLocalAddress, type ListenAddress } from '../config/listen-url.js';
import { listenTcp } from './transport/tcp.js';
import type {
  InboundMessage,
  Listener,
  Peer,
  TransportHandlers,
  TransportMalformed,
} from './transport/types.js';
import { listenUdp } from './transport/udp.js';
import type { DropReport } from './transport/udp-io-protocol.js';

/** How often withheld answers are reported as sensor.rate_limited events. */
export const DEFAULT_REPORT_INTERVAL_MS = 1000;
/** Bytes of rejected input kept in the `excerpt` field. */
export const EXCERPT_BYTES = 256;

export interface SensorOptions {
  readonly config: SensorConfig;
  readonly persona: Persona;
  /** Where events go (usually a FanoutSink); the caller owns and closes it. */
  readonly sink: EventSink;
  readonly log?: Logger;
  /** Directory of the self-signed certificate for tls:// listeners. */
  readonly tlsDir?: string;
  readonly reportIntervalMs?: number;
}

/**
 * The first bytes of rejected input as printable text: bytes outside
 * 0x20-0x7e, and the backslash, become `\xNN`, so the excerpt is safe in any
 * log or terminal and reversible.
 */
export function excerptOf(bytes: Uint8Array): string {
  let s = '';
  const n = Math.min(bytes.length, EXCERPT_BYTES);
  for (let i = 0; i < n; i++) {
    const b = bytes[i] ?? 0;
    s +=
      b >= 0x20 && b <= 0x7e && b !== 0x5c
        ? String.fromCharCode(b)
        : '\\x' + b.toString(16).padStart(2, '0');
  }
  return s;
}

/** Where datagrams or event lines were lost (`reason` of sensor.dropped). */
export type DropPlace = 'kernel' | 'io_thread' | 'event_lines';

/** Where replies to a message go. */
type ReplyTarget = Pick<InboundMessage, 'transport' | 'srcIp' | 'srcPort' | 'reply'>;

/** Replies held until their event is written, with where they go. */
interface HeldReplies {
  readonly to: ReplyTarget;
  readonly replies: readonly OutboundMessage[];
}

/** The status code of the last reply, when the persona did not say. */
function lastStatus(result: PersonaResult): number | null {
  return result.replies[result.replies.length - 1]?.status ?? null;
}

export class Sensor {
  private readonly listeners: Listener[] = [];
  private readonly events: EventLog;
  private readonly limiter: ResponseLimiter;
  private readonly connections: ConnectionLimiter;
  private readonly retransmitter: Retransmitter;
  private readonly deferred: DeferredTasks;
  private readonly gate: ReplyGate<HeldReplies>;
  private readonly log: Logger;
  private reportTimer: NodeJS.Timeout | null = null;
  private readonly internalErrors = new LogThrottle();
  /** Datagrams and lines lost since start, by place (sensor.dropped events). */
  private readonly dropTotals: Record<DropPlace, number> = {
    kernel: 0,
    io_thread: 0,
    event_lines: 0,
  };
  private lastLinesReport = performance.now();
  private stopped = false;

  private constructor(private readonly opts: SensorOptions) {
    const l = opts.config.limits;
    this.log = (opts.log ?? silentLogger()).child({ module: 'sensor' });
    this.events = new EventLog(opts.config.sensor_id, opts.sink);
    this.limiter = new ResponseLimiter({
      perSourcePerS: l.responses_per_source_per_s,
      perSourceBurst: l.responses_per_source_burst,
      globalPerS: l.responses_global_per_s,
      maxTrackedSources: l.max_tracked_sources,
    });
    this.connections = new ConnectionLimiter(l.tcp_max_connections, l.tcp_max_per_source);
    this.retransmitter = new Retransmitter({ maxEntries: l.max_dialogs });
    this.deferred = new DeferredTasks(l.max_dialogs);
    const sink = opts.sink;
    this.gate = new ReplyGate<HeldReplies>(
      sink.written ? () => sink.written?.() ?? Promise.resolve() : () => Promise.resolve(),
      (h) => {
        this.send(h.to, h.replies);
      },
    );
  }

  /**
   * What was lost since start: datagrams dropped by the kernel and by the
   * UDP I/O thread, event lines dropped by the file sinks (as recorded in
   * sensor.dropped events), and replies not sent because their lines waited
   * too long for the disk.
   */
  get drops(): Readonly<Record<DropPlace | 'replies', number>> {
    return { ...this.dropTotals, replies: this.gate.dropped };
  }

  /** Replies dropped because too many waited for their events' write (a stalled disk). */
  get repliesDropped(): number {
    return this.gate.dropped;
  }

  /** Binds every configured listener and starts answering. Throws SnareError-free Node errors on bind failure after closing what was bound. */
  static async start(opts: SensorOptions): Promise<Sensor> {
    const sensor = new Sensor(opts);
    try {
      for (const url of opts.config.listen) await sensor.bind(url);
    } catch (err) {
      await sensor.stop();
      throw err;
    }
    sensor.reportTimer = setInterval(() => {
      sensor.reportDrops();
    }, opts.reportIntervalMs ?? DEFAULT_REPORT_INTERVAL_MS);
    sensor.reportTimer.unref();
    return sensor;
  }

  /** The addresses actually bound, in the order of `listen`. */
  get addresses(): ListenAddress[] {
    return this.listeners.map((l) => l.address);
  }

  /** Events emitted since start, by type. */
  get counts(): ReadonlyMap<string, number> {
    return this.events.counts;
  }

  /** Closes the listeners, ends retransmissions, reports pending drops and flushes the sink. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.reportTimer) clearInterval(this.reportTimer);
    // Held replies go out before their listeners close.
    await this.gate.close();
    await Promise.all(this.listeners.map((l) => l.close()));
    this.retransmitter.close();
    this.deferred.close();
    this.reportDrops();
    await this.opts.sink.flush();
  }

  private async bind(url: string): Promise<void> {
    const parsed = parseListenUrl(url);
    if (!parsed.ok) throw new Error(`bad listener ${url}: ${parsed.error}`);
    const addr = parsed.value;
    const l = this.opts.config.limits;
    const handlers: TransportHandlers = {
      onMessage: (m) => {
        this.onMessage(m);
      },
      onMalformed: (m) => {
        this.onMalformed(m);
      },
      onRefused: (peer, reason) => {
        this.limiter.recordDrop(peer.srcIp, reason);
      },
    };
    let listener: Listener | null = null;
    if (addr.transport === 'udp') {
      listener = await listenUdp(
        addr,
        {
          maxMessageBytes: l.max_message_bytes,
          onDropped: (r) => {
            this.onDatagramsDropped(url, listener?.address ?? addr, r);
          },
          onFailure: (err) => {
            this.log.error({ listen: url, err }, 'UDP I/O thread failed: listener stopped');
          },
        },
        handlers,
      );
    } else {
      const tls =
        addr.transport === 'tls' ? ensureSelfSignedCert(this.opts.tlsDir ?? 'var/tls') : undefined;
      listener = await listenTcp(
        addr,
        {
          maxMessageBytes: l.max_message_bytes,
          idleTimeoutMs: l.tcp_idle_timeout_ms,
          pace: { headerTimeoutMs: l.tcp_header_timeout_ms, minBytesPerS: l.tcp_min_bytes_per_s },
          connections: this.connections,
          ...(tls ? { tls } : {}),
        },
        handlers,
      );
    }
    this.listeners.push(listener);
    this.log.info({ listen: listener.address.url }, 'listening');
  }

  private shared(
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

  private onMessage(msg: InboundMessage): void {
    const now = new Date();
    let result: PersonaResult;
    try {
      result = this.opts.persona.handle(msg.bytes, {
        transport: msg.transport,
        srcIp: msg.srcIp,
        srcPort: msg.srcPort,
        dstIp: msg.dstIp,
        dstPort: msg.dstPort,
        now,
      });
    } catch (err) {
      // The one boundary for bugs on the message path: logged (at most once
      // per interval) and recorded as what they are, never as attacker data.
      this.internalError(err);
      result = {
        event: 'sip.malformed',
        fields: { reason: INTERNAL_ERROR, excerpt: excerptOf(msg.bytes) },
        replies: [],
        stopRetransmit: [],
      };
    }
    // The retransmission scope, built only when a key needs it.
    let scope: string | null = null;
    for (const key of result.stopRetransmit) {
      scope ??= `${msg.transport}|${msg.srcIp}|${msg.srcPort}|`;
      this.retransmitter.stop(scope + key);
    }
    let response: number | null = null;
    if (result.replies.length > 0) {
      const withheld = this.budget(msg, result);
      if (withheld === null) {
        // Sent once the event below is written (reply-gate.ts).
        this.gate.after({ to: msg, replies: result.replies });
        response = result.fields.response ?? lastStatus(result);
        const later = result.later;
        if (later) {
          // The timer keeps where to answer, not the message.
          const to: ReplyTarget = {
            transport: msg.transport,
            srcIp: msg.srcIp,
            srcPort: msg.srcPort,
            reply: msg.reply,
          };
          this.deferred.add(later.afterMs, () => {
            let replies: readonly OutboundMessage[];
            try {
              replies = later.run();
            } catch (err) {
              this.internalError(err);
              return;
            }
            this.sendLater(to, replies);
          });
        }
      } else {
        this.limiter.recordDrop(msg.srcIp, withheld);
      }
    }
    this.events.emitMessage(result.event, msg, result.fields, msg.bytes.length, response, now);
  }

  /** Logs a bug met while handling a message, at most once per interval (an attacker can repeat it). */
  private internalError(err: unknown): void {
    const held = this.internalErrors.take();
    if (held !== null)
      this.log.error({ err, held }, 'internal error on a message: recorded as internal_error');
  }

  /** Sends replies to the message's source, retransmitting INVITE finals over UDP. */
  private send(msg: ReplyTarget, replies: readonly OutboundMessage[]): void {
    let scope: string | null = null;
    for (const r of replies) {
      msg.reply(r.data);
      if (r.retransmitKey !== undefined && msg.transport === 'udp') {
        const data = r.data;
        scope ??= `${msg.transport}|${msg.srcIp}|${msg.srcPort}|`;
        this.retransmitter.add(
          scope + r.retransmitKey,
          () => {
            msg.reply(data);
          },
          () => this.limiter.take(msg.srcIp, performance.now()) === null,
        );
      }
    }
  }

  /** A deferred answer: sent within the source's response budget, like any other. */
  private sendLater(msg: ReplyTarget, replies: readonly OutboundMessage[]): void {
    if (this.stopped || replies.length === 0) return;
    const withheld = this.limiter.take(msg.srcIp, performance.now());
    if (withheld === null) this.gate.after({ to: msg, replies });
    else this.limiter.recordDrop(msg.srcIp, withheld);
  }

  /** Null when the replies may be sent, else the budget they would break. */
  private budget(msg: InboundMessage, result: PersonaResult): LimitReason | null {
    if (msg.transport === 'udp') {
      let bytes = 0;
      for (const r of result.replies) bytes += r.data.length;
      if (!withinAmplification(msg.bytes.length, bytes)) return 'amplification';
    }
    return this.limiter.take(msg.srcIp, performance.now());
  }

  private onMalformed(m: TransportMalformed): void {
    this.events.emit({
      event: 'sip.malformed',
      ...this.shared(m),
      size: m.size,
      reason: m.reason,
      excerpt: excerptOf(m.excerpt),
    });
  }

  /** Datagrams lost at a UDP listener: logged, counted, and recorded as sensor.dropped events. */
  private onDatagramsDropped(url: string, dst: ListenAddress, r: DropReport): void {
    this.log.warn(
      { listen: url, io_thread: r.ioThread, kernel: r.kernel, period_ms: r.periodMs },
      'sensor behind: UDP datagrams dropped',
    );
    const lost: [DropPlace, number][] = [
      ['kernel', r.kernel ?? 0],
      ['io_thread', r.ioThread],
    ];
    for (const [reason, n] of lost) {
      if (n <= 0) continue;
      this.dropTotals[reason] += n;
      this.events.emit({
        event: 'sensor.dropped',
        transport: 'udp',
        src_ip: '::',
        dst_ip: reportedLocalAddress(dst.host, dst.family),
        dst_port: dst.port,
        reason,
        dropped: n,
        period_ms: r.periodMs,
      });
    }
  }

  /** JSON lines lost to a full or failing disk, recorded once the files take lines again. */
  private reportLostLines(): void {
    const n = this.opts.sink.takeLostLines?.() ?? 0;
    if (n <= 0) return;
    const now = performance.now();
    this.dropTotals.event_lines += n;
    this.log.error({ lines: n }, 'event lines lost: the disk was full or failing');
    this.events.emit({
      event: 'sensor.dropped',
      transport: null,
      src_ip: '::',
      reason: 'event_lines',
      dropped: n,
      period_ms: Math.round(now - this.lastLinesReport),
    });
    this.lastLinesReport = now;
  }

  private reportDrops(): void {
    this.reportLostLines();
    for (const d of this.limiter.drainReports()) {
      this.events.emit({
        event: 'sensor.rate_limited',
        transport: null,
        src_ip: d.srcIp,
        reason: d.reason,
        dropped: d.dropped,
      });
    }
  }
}
