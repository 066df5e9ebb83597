/**
 * @module
 * Runs a scenario: generates sessions in start order into hourly buckets,
 * and writes every bucket that no later session can reach, sorted by time,
 * to the sensor files and the truth builder at once. Memory holds the
 * events of the open hours only, whatever the length of the run.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hash32, Rng } from './rng.js';
import { NumberFactory } from './numbers.js';
import { buildScenario, type ScenarioOptions } from './scenario.js';
import { generateSession, type SessionContext } from './sessions.js';
import { TruthBuilder } from './truth.js';
import type { SimEvent } from './model.js';
import { eventId, legacyLine, SensorFiles, TimeCache, toEvent, type SimFormat } from './writers.js';

export interface SimulateOptions extends ScenarioOptions {
  readonly out: string;
  readonly format: SimFormat;
  /** Called now and then with lines written so far and the current day. */
  readonly onProgress?: (lines: number, day: number, days: number) => void;
  /** Aborting stops generation between sessions; the files keep what was written. */
  readonly signal?: AbortSignal;
}

/** What a run produced. */
export interface SimulateResult {
  readonly lines: number;
  readonly bytes: number;
  readonly seconds: number;
  readonly files: readonly string[];
  readonly truthPath: string;
  readonly summary: Record<string, number>;
  /** True when the signal stopped the run early: truth then covers the lines written. */
  readonly interrupted: boolean;
}

const HOUR = 3600;

function byTime(a: SimEvent, b: SimEvent): number {
  return a.t - b.t || a.seq - b.seq;
}

/**
 * Generates the run into `opts.out`: sensor files, truth.json,
 * number-labels.csv. Asynchronous only so that a stop signal can be seen.
 */
export async function simulate(opts: SimulateOptions): Promise<SimulateResult> {
  const began = performance.now();
  mkdirSync(opts.out, { recursive: true });
  const numbers = new NumberFactory(Rng.fork(opts.seed, 'numbers'));
  const scenario = buildScenario(opts, numbers);
  const ctx: SessionContext = {
    rng: Rng.fork(opts.seed, 'sessions'),
    numbers,
    famous: scenario.famous,
    nextSeq: 0,
  };
  const endSec = scenario.startSec + scenario.days * 86400;
  const files = new SensorFiles(opts.out, opts.sensors, opts.format);
  const truth = new TruthBuilder();
  const time = new TimeCache();
  const seedHash = hash32(opts.seed);
  const pids = Array.from(
    { length: opts.sensors },
    (_, i) => 1000 + (hash32(`${opts.seed}/pid/${i}`) % 30000),
  );
  const buckets = new Map<number, SimEvent[]>();
  let out = 0;
  let nextReport = 0;
  let interrupted = false;

  const emit = (e: SimEvent): void => {
    if (e.t >= endSec) return;
    if (scenario.outages.has(Math.floor((e.t - scenario.startSec) / 86400))) return;
    const hour = Math.floor(e.t / HOUR);
    const bucket = buckets.get(hour);
    if (bucket) bucket.push(e);
    else buckets.set(hour, [e]);
  };
  const flushBefore = (limitHour: number): void => {
    const ready = [...buckets.keys()].filter((h) => h < limitHour).sort((a, b) => a - b);
    for (const hour of ready) {
      const events = buckets.get(hour) ?? [];
      buckets.delete(hour);
      events.sort(byTime);
      for (const e of events) {
        const date = time.date(e.t);
        truth.add(e, date);
        if (opts.format === 'legacy')
          files.write(e.sensor, legacyLine(e, time.legacy(e.t), pids[e.sensor] ?? 1000));
        else
          files.write(
            e.sensor,
            JSON.stringify(toEvent(e, time.iso(e.t), eventId(e.t, seedHash, out))) + '\n',
          );
        out++;
      }
      if (opts.onProgress && out >= nextReport) {
        nextReport = out + 2_000_000;
        opts.onProgress(out, Math.floor((hour * HOUR - scenario.startSec) / 86400), scenario.days);
      }
    }
  };

  try {
    let nextYield = 0;
    for (const plan of scenario.sessions) {
      // Let signal handlers run now and then: generation is otherwise synchronous.
      if (out >= nextYield) {
        nextYield = out + 500_000;
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
      if (opts.signal?.aborted === true) {
        interrupted = true;
        break;
      }
      flushBefore(Math.floor(plan.start / HOUR));
      generateSession(plan, ctx, emit);
    }
    flushBefore(Infinity);
  } finally {
    files.close();
  }

  const labels = scenario.famous.map(
    (n, i) => `${n.e164},${csvField(scenario.famousLabels[i] ?? '')}`,
  );
  writeFileSync(join(opts.out, 'number-labels.csv'), ['number,label', ...labels].join('\n') + '\n');
  const seconds = (performance.now() - began) / 1000;
  const doc = truth.finish(
    {
      seed: opts.seed,
      start: opts.start,
      days: opts.days,
      sensors: opts.sensors,
      scale: opts.scale,
      format: opts.format,
      outage_days: [...scenario.outages]
        .sort((a, b) => a - b)
        .map((d) => time.date(scenario.startSec + d * 86400)),
      unified_gap_seconds: 3600,
      interrupted,
      famous_numbers: scenario.famous.map((n, i) => ({
        number: n.e164,
        label: scenario.famousLabels[i] ?? '',
      })),
    },
    new Map(scenario.famous.map((n, i) => [n.e164, scenario.famousLabels[i] ?? ''])),
  );
  const truthPath = join(opts.out, 'truth.json');
  writeFileSync(truthPath, JSON.stringify(doc, null, 1) + '\n');
  return {
    lines: out,
    bytes: files.bytes,
    seconds,
    files: files.paths,
    truthPath,
    summary: doc['summary'] as Record<string, number>,
    interrupted,
  };
}

/** Quotes a CSV field when needed; labels are ours, but keep the file well-formed. */
function csvField(text: string): string {
  return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
