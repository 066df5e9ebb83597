/**
 * @module
 * Runs a scenario: builds the plan, generates its sessions in start order
 * into the time-ordered output (output.ts), then writes truth.json and
 * number-labels.csv.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { quoteCsv } from '../csv.js';
import { Rng } from './rng.js';
import { NumberFactory } from './numbers.js';
import { buildScenario, type Scenario, type ScenarioOptions } from './scenario.js';
import { generateSession, type SessionContext } from './sessions.js';
import { DialledInFull } from './shared-numbers.js';
import { HOUR, TimeOrderedOutput } from './output.js';
import type { SimEvent } from './model.js';
import type { SimFormat } from './writers.js';

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
    dialledInFull: new DialledInFull(),
    nextSeq: 0,
  };
  const output = new TimeOrderedOutput({
    out: opts.out,
    seed: opts.seed,
    sensors: opts.sensors,
    format: opts.format,
    startSec: scenario.startSec,
    endSec: scenario.startSec + scenario.days * 86400,
    outages: scenario.outages,
    days: scenario.days,
    ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
  });
  let interrupted: boolean;
  try {
    interrupted = await generate(scenario, ctx, output, opts.signal);
  } finally {
    output.files.close();
  }
  writeLabels(opts.out, scenario);
  const seconds = (performance.now() - began) / 1000;
  const { path: truthPath, summary } = writeTruth(opts, scenario, output, interrupted);
  return {
    lines: output.lines,
    bytes: output.files.bytes,
    seconds,
    files: output.files.paths,
    truthPath,
    summary,
    interrupted,
  };
}

/**
 * Runs every session in start order, writing each hour once no later session
 * can reach it. Returns true when the signal stopped the run early.
 */
async function generate(
  scenario: Scenario,
  ctx: SessionContext,
  output: TimeOrderedOutput,
  signal: AbortSignal | undefined,
): Promise<boolean> {
  const emit = (e: SimEvent): void => {
    output.emit(e);
  };
  let interrupted = false;
  let nextYield = 0;
  for (const plan of scenario.sessions) {
    // Let signal handlers run now and then: generation is otherwise synchronous.
    if (output.lines >= nextYield) {
      nextYield = output.lines + 500_000;
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    if (signal?.aborted === true) {
      interrupted = true;
      break;
    }
    output.flushBefore(Math.floor(plan.start / HOUR));
    generateSession(plan, ctx, emit);
  }
  // What the sessions begun so far emitted is written, stopped or not.
  output.flushBefore(Infinity);
  return interrupted;
}

/** number-labels.csv: the famous numbers and their labels. */
function writeLabels(out: string, scenario: Scenario): void {
  const labels = scenario.famous.map(
    (n, i) => `${n.e164},${quoteCsv(scenario.famousLabels[i] ?? '')}`,
  );
  writeFileSync(join(out, 'number-labels.csv'), ['number,label', ...labels].join('\n') + '\n');
}

/** truth.json: the truth of what was written, with the run's parameters. */
function writeTruth(
  opts: SimulateOptions,
  scenario: Scenario,
  output: TimeOrderedOutput,
  interrupted: boolean,
): { path: string; summary: Record<string, number> } {
  const doc = output.truth.finish(
    {
      seed: opts.seed,
      start: opts.start,
      days: opts.days,
      sensors: opts.sensors,
      scale: opts.scale,
      format: opts.format,
      outage_days: [...scenario.outages]
        .sort((a, b) => a - b)
        .map((d) => output.time.date(scenario.startSec + d * 86400)),
      unified_gap_seconds: 3600,
      interrupted,
      famous_numbers: scenario.famous.map((n, i) => ({
        number: n.e164,
        label: scenario.famousLabels[i] ?? '',
      })),
    },
    new Map(scenario.famous.map((n, i) => [n.e164, scenario.famousLabels[i] ?? ''])),
  );
  const path = join(opts.out, 'truth.json');
  writeFileSync(path, JSON.stringify(doc, null, 1) + '\n');
  return { path, summary: doc['summary'] as Record<string, number> };
}
