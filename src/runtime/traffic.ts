/**
 * @module
 * What a running sensor tells its operator: the start-up lines (where the
 * events, the store and the logs go, how to stop) and, while traffic
 * flows, one line a minute with the counts of that minute (messages,
 * distinct sources, calls, cracks, events, drops). A minute with no event
 * logs nothing.
 */
import type { SensorConfig } from '../config/types.js';
import type { SnareEvent } from '../events/catalog.js';
import type { EventSink } from '../events/sink.js';
import type { Logger } from '../log.js';
import { DistinctSources } from './distinct-sources.js';

/** Default spacing of the traffic line. */
export const TRAFFIC_INTERVAL_MS = 60_000;
/**
 * Distinct sources counted per interval at most (the line then says
 * "100000+"). Counted by 32-bit digests (distinct-sources.ts): exact for
 * IPv4, about one IPv6 source missed at 100,000; 1 MB at most.
 */
export const MAX_SOURCES_COUNTED = 100_000;

/** Counts of one interval. */
export interface TrafficCounts {
  /** SIP messages: requests, responses and malformed input. */
  readonly messages: number;
  /** Every event, sensor events (drops, rate limits) included. */
  readonly events: number;
  /** Distinct source addresses (at most MAX_SOURCES_COUNTED). */
  readonly sources: number;
  /** INVITE requests (call attempts). */
  readonly calls: number;
  /** Requests whose credentials the persona accepted (a cracked extension in use). */
  readonly cracks: number;
  /** Datagrams and lines reported lost (sensor.dropped) and messages left unanswered (sensor.rate_limited). */
  readonly dropped: number;
  readonly unanswered: number;
}

/** A sink that counts the traffic of the current interval. */
export class TrafficCounter implements EventSink {
  readonly name = 'traffic';
  private messages = 0;
  private events = 0;
  private dropped = 0;
  private unanswered = 0;
  private calls = 0;
  private cracks = 0;
  private readonly sources = new DistinctSources(MAX_SOURCES_COUNTED);

  write(event: SnareEvent): void {
    this.events++;
    if (event.event.startsWith('sip.')) {
      this.messages++;
      this.sources.add(event.src_ip);
      if (event.event === 'sip.request') {
        if (event.method === 'INVITE') this.calls++;
        if (event.auth_ok === true) this.cracks++;
      }
    } else if (event.event === 'sensor.dropped') this.dropped += event.dropped ?? 0;
    else if (event.event === 'sensor.rate_limited') this.unanswered += event.dropped ?? 0;
  }

  /** Bytes the distinct sources of the interval hold now. */
  get sourceBytes(): number {
    return this.sources.bytes;
  }

  /** The counts since the last call, and a fresh interval. */
  take(): TrafficCounts {
    const counts = {
      messages: this.messages,
      events: this.events,
      sources: this.sources.size,
      calls: this.calls,
      cracks: this.cracks,
      dropped: this.dropped,
      unanswered: this.unanswered,
    };
    this.messages = this.events = this.dropped = this.unanswered = 0;
    this.calls = this.cracks = 0;
    this.sources.clear();
    return counts;
  }

  flush(): Promise<void> {
    return Promise.resolve();
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

/** Logs the counts every `intervalMs` while events come; returns the stop function. */
export function logTrafficEvery(
  counter: TrafficCounter,
  log: Logger,
  intervalMs: number = TRAFFIC_INTERVAL_MS,
): () => void {
  const timer = setInterval(() => {
    const c = counter.take();
    if (c.events === 0) return;
    const minutes = intervalMs / 60_000;
    const per = minutes === 1 ? 'last minute' : `last ${String(intervalMs / 1000)} s`;
    log.info(
      { ...c, interval_ms: intervalMs },
      `traffic, ${per}: ${String(c.messages)} messages from ${String(c.sources)}${
        c.sources >= MAX_SOURCES_COUNTED ? '+' : ''
      } sources, ${String(c.calls)} calls, ${String(c.cracks)} accepted credentials, ${String(
        c.events,
      )} events, ${String(c.dropped)} dropped, ${String(c.unanswered)} unanswered`,
    );
  }, intervalMs);
  timer.unref();
  return () => {
    clearInterval(timer);
  };
}

/** The start-up lines: where everything goes, and how to stop. */
export function logStartup(
  config: SensorConfig,
  log: Logger,
  listen: readonly string[],
  logFormat: string,
): void {
  log.info({ sensor: config.sensor_id, listen }, `listening on ${listen.join(', ') || 'nothing'}`);
  const jsonl = config.events.jsonl;
  log.info(
    { jsonl },
    jsonl === null
      ? 'events: no JSON lines (events.jsonl is null)'
      : `events: JSON lines in ${jsonl}/events-YYYY-MM-DD.jsonl`,
  );
  if (config.events.legacy_log !== null)
    log.info({ legacy_log: config.events.legacy_log }, `legacy log: ${config.events.legacy_log}`);
  const db = config.store.db;
  log.info({ db }, db === null ? 'store: none (JSON lines only)' : `store: ${db}`);
  log.info(
    { format: logFormat },
    `logs: this stream (stderr), ${logFormat === 'pretty' ? 'readable lines' : 'JSON lines'}; SIPSNARE_LOG_FORMAT=json|pretty to choose`,
  );
  log.info(
    `stop with Ctrl-C or kill -TERM ${String(process.pid)} (every event is written before exit)`,
  );
}
