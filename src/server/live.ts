/**
 * @module
 * The live feed: an EventSink that the sensor fans every recorded event
 * into, and that hands them, with the findings they bring, to the
 * dashboard's Server-Sent Events subscribers. Subscribers receive batches
 * every `intervalMs` (250 ms: well within the one second the dashboard
 * promises).
 *
 * Must never slow the sensor or grow without bound: `write` only appends to
 * a bounded batch (events beyond `maxBatch` per interval are counted as
 * skipped, findings are always kept up to `maxFindings`), and each
 * subscriber is a callback that must not block.
 */
import type { SnareEvent } from '../events/catalog.js';
import type { EventSink } from '../events/sink.js';
import { FindingDetector, type Finding } from './findings.js';

/** The fields of an event the live stream shows (the event schema's names). */
export const LIVE_FIELDS = [
  'event_id',
  'ts',
  'event',
  'sensor',
  'transport',
  'src_ip',
  'method',
  'ruri_user',
  'from_user',
  'from_display',
  'user_agent',
  'response',
  'auth_user',
  'password_guess',
  'dialed',
  'reason',
] as const satisfies readonly (keyof SnareEvent)[];

export type LiveEvent = Pick<SnareEvent, (typeof LIVE_FIELDS)[number]>;

export interface LiveBatch {
  readonly events: readonly LiveEvent[];
  readonly findings: readonly Finding[];
  /** Events left out of this batch because more than maxBatch arrived. */
  readonly skipped: number;
}

export type LiveListener = (batch: LiveBatch) => void;

export interface LiveFeedOptions {
  readonly intervalMs?: number;
  readonly maxBatch?: number;
  readonly maxFindings?: number;
  /** Called for every event, before batching (the metrics counters). */
  readonly onEvent?: (ev: SnareEvent) => void;
}

function pick(ev: SnareEvent): LiveEvent {
  const out: Record<string, unknown> = {};
  for (const f of LIVE_FIELDS) out[f] = ev[f];
  return out as LiveEvent;
}

/** One `events` message per interval, of at most this many events; the findings kept for a new page. */
export const LIVE_INTERVAL_MS = 250;
export const LIVE_MAX_EVENTS = 200;
export const RECENT_FINDINGS = 100;

export class LiveFeed implements EventSink {
  readonly name = 'live';
  private readonly detector = new FindingDetector();
  private readonly listeners = new Set<LiveListener>();
  private events: LiveEvent[] = [];
  private findings: Finding[] = [];
  private skipped = 0;
  private timer: NodeJS.Timeout | null = null;
  /** The latest findings, newest last, for a page that opens after they happened. */
  readonly recent: Finding[] = [];
  private readonly intervalMs: number;
  private readonly maxBatch: number;
  private readonly maxFindings: number;

  constructor(private readonly opts: LiveFeedOptions = {}) {
    this.intervalMs = opts.intervalMs ?? LIVE_INTERVAL_MS;
    this.maxBatch = opts.maxBatch ?? LIVE_MAX_EVENTS;
    this.maxFindings = opts.maxFindings ?? 200;
  }

  write(ev: SnareEvent): void {
    try {
      this.opts.onEvent?.(ev);
      for (const f of this.detector.inspect(ev)) {
        if (this.findings.length < this.maxFindings) this.findings.push(f);
        this.recent.push(f);
        if (this.recent.length > RECENT_FINDINGS) this.recent.shift();
      }
    } catch {
      // A finding is a convenience; the event itself is recorded by the other sinks.
    }
    if (this.events.length < this.maxBatch) this.events.push(pick(ev));
    else this.skipped++;
    this.timer ??= setTimeout(() => {
      this.publish();
    }, this.intervalMs);
  }

  /** Adds a listener; returns the function that removes it. */
  subscribe(listener: LiveListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  get subscribers(): number {
    return this.listeners.size;
  }

  private publish(): void {
    this.timer = null;
    const batch: LiveBatch = {
      events: this.events,
      findings: this.findings,
      skipped: this.skipped,
    };
    this.events = [];
    this.findings = [];
    this.skipped = 0;
    for (const l of this.listeners) {
      try {
        l(batch);
      } catch {
        // One broken subscriber must not stop the others.
      }
    }
  }

  flush(): Promise<void> {
    return Promise.resolve();
  }

  close(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.publish();
    this.listeners.clear();
    return Promise.resolve();
  }
}
