/**
 * @module
 * Fans one event out to several sinks with failure isolation: a sink that
 * throws is counted and reported (the 1st failure and every 1000th), and the
 * other sinks and the sensor carry on. Never drops an event for a healthy sink.
 */
import type { SnareEvent } from './catalog.js';
import type { EventSink } from './sink.js';

/** Failures between two reports of the same failing sink. */
export const FAILURE_REPORT_INTERVAL = 1000;

export type SinkFailureReporter = (sink: string, failures: number, err: unknown) => void;

/** An EventSink that forwards to a list of sinks; sinks may be added later (the store). */
export class FanoutSink implements EventSink {
  readonly name = 'fanout';
  private readonly sinks: EventSink[] = [];
  private readonly failures = new Map<string, number>();
  private readonly writeFailures = new Map<string, number>();

  constructor(
    sinks: readonly EventSink[] = [],
    private readonly onFailure: SinkFailureReporter = () => undefined,
  ) {
    this.sinks.push(...sinks);
  }

  /** Adds a sink: it receives every event written from now on. */
  add(sink: EventSink): void {
    this.sinks.push(sink);
  }

  get names(): string[] {
    return this.sinks.map((s) => s.name);
  }

  /** Failures counted per sink name. */
  failureCount(name: string): number {
    return this.failures.get(name) ?? 0;
  }

  /** Events a sink threw on (so it never took them), per sink name. */
  lostWrites(name: string): number {
    return this.writeFailures.get(name) ?? 0;
  }

  write(event: SnareEvent): void {
    for (const sink of this.sinks) {
      try {
        sink.write(event);
      } catch (err) {
        this.writeFailures.set(sink.name, (this.writeFailures.get(sink.name) ?? 0) + 1);
        this.fail(sink.name, err);
      }
    }
  }

  async flush(): Promise<void> {
    await this.each((s) => s.flush());
  }

  /** Waits for the sinks that write files (see EventSink.written). */
  async written(): Promise<void> {
    const waits: Promise<void>[] = [];
    for (const s of this.sinks) if (s.written) waits.push(s.written());
    if (waits.length === 1) await waits[0];
    else if (waits.length > 1) await Promise.allSettled(waits);
  }

  /** Lines lost by the file sinks since the last call (see EventSink.takeLostLines). */
  takeLostLines(): number {
    let n = 0;
    for (const s of this.sinks) n += s.takeLostLines?.() ?? 0;
    return n;
  }

  async close(): Promise<void> {
    await this.each((s) => s.close());
  }

  private async each(op: (s: EventSink) => Promise<void>): Promise<void> {
    const results = await Promise.allSettled(
      this.sinks.map(async (s) => {
        await op(s);
      }),
    );
    results.forEach((r, i) => {
      if (r.status === 'rejected') this.fail(this.sinks[i]?.name ?? '?', r.reason);
    });
  }

  private fail(name: string, err: unknown): void {
    const n = (this.failures.get(name) ?? 0) + 1;
    this.failures.set(name, n);
    if (n === 1 || n % FAILURE_REPORT_INTERVAL === 0) this.onFailure(name, n, err);
  }
}
