/**
 * @module
 * The sensor runtime's lifecycle: binds the listeners, hands every message
 * they deliver to the message handler (message-handler.ts: persona ->
 * limits -> replies + events), counts and reports what was lost (withheld
 * answers as `sensor.rate_limited`, dropped datagrams and event lines as
 * `sensor.dropped`), and stops in order. Never parses SIP itself, never
 * relays, never places a call.
 */
import type { SensorConfig } from '../config/types.js';
import { EventLog } from '../events/event-log.js';
import type { EventSink } from '../events/sink.js';
import { silentLogger, type Logger } from '../log.js';
import { ConnectionLimiter, ResponseLimiter } from './limits.js';
import { MessageHandler } from './message-handler.js';
import type { Persona } from './persona/types.js';
import { tlsMaterial } from './tls-cert.js';
import { parseListenUrl, reportedLocalAddress, type ListenAddress } from '../config/listen-url.js';
import { listenTcp } from './transport/tcp.js';
import type { Listener, TransportHandlers } from './transport/types.js';
import { listenUdp } from './transport/udp.js';
import type { DropReport } from './transport/udp-io-protocol.js';

/** How often withheld answers are reported as sensor.rate_limited events. */
export const DEFAULT_REPORT_INTERVAL_MS = 1000;

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

/** Where datagrams or event lines were lost (`reason` of sensor.dropped). */
export type DropPlace = 'kernel' | 'io_thread' | 'event_lines';

export class Sensor {
  private readonly listeners: Listener[] = [];
  private readonly events: EventLog;
  private readonly limiter: ResponseLimiter;
  private readonly connections: ConnectionLimiter;
  private readonly handler: MessageHandler;
  private readonly log: Logger;
  private reportTimer: NodeJS.Timeout | null = null;
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
    this.handler = new MessageHandler({
      persona: opts.persona,
      events: this.events,
      limiter: this.limiter,
      sink: opts.sink,
      limits: l,
      log: this.log,
    });
  }

  /**
   * What was lost since start: datagrams dropped by the kernel and by the
   * UDP I/O thread, event lines dropped by the file sinks (as recorded in
   * sensor.dropped events), and replies not sent because their lines waited
   * too long for the disk.
   */
  get drops(): Readonly<Record<DropPlace | 'replies', number>> {
    return { ...this.dropTotals, replies: this.handler.repliesDropped };
  }

  /** Replies dropped because too many waited for their events' write (a stalled disk). */
  get repliesDropped(): number {
    return this.handler.repliesDropped;
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
    await this.handler.drain();
    await Promise.all(this.listeners.map((l) => l.close()));
    this.handler.close();
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
        this.handler.onMessage(m);
      },
      onMalformed: (m) => {
        this.handler.onMalformed(m);
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
        addr.transport === 'tls'
          ? tlsMaterial(this.opts.config.tls, this.opts.tlsDir ?? 'var/tls')
          : undefined;
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
