/**
 * @module
 * The run's output in time order. Sessions emit events in any order; events
 * wait in hourly buckets until no later session can reach their hour, then
 * go out sorted by time to the sensor files and the truth builder at once.
 * Memory holds the events of the open hours only, whatever the length of
 * the run.
 */
import type { SimEvent } from './model.js';
import { hash32 } from './rng.js';
import { TruthBuilder } from './truth.js';
import {
  eventIds,
  legacyLine,
  SensorFiles,
  TimeCache,
  toEvent,
  type SimFormat,
} from './writers.js';

export const HOUR = 3600;
/** Progress is reported every this many lines. */
export const PROGRESS_EVERY_LINES = 2_000_000;

/** What the output needs to know of the run. */
export interface OutputOptions {
  readonly out: string;
  readonly seed: string;
  readonly sensors: number;
  readonly format: SimFormat;
  readonly startSec: number;
  readonly endSec: number;
  readonly outages: ReadonlySet<number>;
  readonly days: number;
  readonly onProgress?: (lines: number, day: number, days: number) => void;
}

function byTime(a: SimEvent, b: SimEvent): number {
  return a.t - b.t || a.seq - b.seq;
}

/** Hourly buckets in front of the sensor files and the truth. */
export class TimeOrderedOutput {
  readonly files: SensorFiles;
  readonly truth = new TruthBuilder();
  readonly time = new TimeCache();
  private readonly buckets = new Map<number, SimEvent[]>();
  private readonly eventId: (t: number, seq: number) => string;
  private readonly pids: readonly number[];
  /** Lines written so far (also each line's global sequence number). */
  lines = 0;
  private nextReport = 0;

  constructor(private readonly opts: OutputOptions) {
    this.files = new SensorFiles(opts.out, opts.sensors, opts.format);
    this.eventId = eventIds(hash32(opts.seed));
    this.pids = Array.from(
      { length: opts.sensors },
      (_, i) => 1000 + (hash32(`${opts.seed}/pid/${i}`) % 30000),
    );
  }

  /** Takes an event of a session; events after the run or on an outage day are dropped. */
  emit(e: SimEvent): void {
    if (e.t >= this.opts.endSec) return;
    if (this.opts.outages.has(Math.floor((e.t - this.opts.startSec) / 86400))) return;
    const hour = Math.floor(e.t / HOUR);
    const bucket = this.buckets.get(hour);
    if (bucket) bucket.push(e);
    else this.buckets.set(hour, [e]);
  }

  /** Writes every bucket of an hour before `limitHour`, in time order. */
  flushBefore(limitHour: number): void {
    const ready = [...this.buckets.keys()].filter((h) => h < limitHour).sort((a, b) => a - b);
    for (const hour of ready) {
      const events = this.buckets.get(hour) ?? [];
      this.buckets.delete(hour);
      events.sort(byTime);
      for (const e of events) this.write(e);
      this.report(hour);
    }
  }

  private write(e: SimEvent): void {
    this.truth.add(e, this.time.date(e.t));
    const ev = toEvent(e, this.time.iso(e.t), this.eventId(e.t, this.lines));
    this.files.write(
      e.sensor,
      this.opts.format === 'legacy'
        ? legacyLine(ev, this.pids[e.sensor] ?? 1000)
        : JSON.stringify(ev) + '\n',
    );
    this.lines++;
  }

  private report(hour: number): void {
    if (!this.opts.onProgress || this.lines < this.nextReport) return;
    this.nextReport = this.lines + PROGRESS_EVERY_LINES;
    const day = Math.floor((hour * HOUR - this.opts.startSec) / 86400);
    this.opts.onProgress(this.lines, day, this.opts.days);
  }
}
