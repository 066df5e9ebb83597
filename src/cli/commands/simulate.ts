/**
 * @module
 * `sipsnare simulate`: writes a synthetic year (or some days) of honeypot
 * traffic, one log per sensor, with the exact expected analysis results in
 * `truth.json`. The team checks ingest, enrichment and report against it.
 */
import { parseArgs } from 'node:util';
import { UsageError } from '../../errors.js';
import { prepareOutDir } from './out-dir.js';
import { simulate, type SimulateOptions, type SimulateResult } from '../../simulate/engine.js';
import { FORMATS, type SimFormat } from '../../simulate/writers.js';
import type { Command, CommandIo } from '../command.js';

/** The flags' defaults, and the article's year (`--year`): its days, outage days and sensors. */
export const SIMULATE_DEFAULTS = {
  days: 1,
  start: '2011-09-01',
  format: 'legacy',
  seed: 'sipsnare',
  scale: 1,
  sensors: 1,
  yearDays: 366,
  yearOutageDays: 8,
  yearSensors: 50,
} as const;
const D = SIMULATE_DEFAULTS;

const USAGE = `usage: sipsnare simulate --out DIR [--force] [--days N | --year] [--start YYYY-MM-DD]
         [--format legacy|jsonl] [--sensors N] [--seed S] [--scale F] [--json]

Writes one log per sensor (hp01.log... or hp01.jsonl...), DIR/truth.json (the
exact figures the report must find, in the report JSON layout) and
DIR/number-labels.csv. The same seed gives the same bytes.

  --out DIR        output directory: created, or an empty directory
  --force          empty DIR first when it holds files (an earlier run)
  --days N         simulate N days (default ${D.days})
  --year           simulate the article's year: ${D.yearDays} days, ${D.yearOutageDays} of them with the
                   network down (${D.yearDays - D.yearOutageDays} days with events), ${D.yearSensors} sensors
  --start DATE     first day, UTC (default ${D.start})
  --format F       legacy (the article's Figure 1 lines, default) or jsonl
  --sensors N      sensors (default ${D.yearSensors} with --year, else ${D.sensors})
  --seed S         seed (default "${D.seed}")
  --scale F        volume factor (default ${D.scale}; --year --scale 0.01 is a quick year)
  --json           print the run's result as JSON on stdout
`;

function positiveInt(
  text: string | undefined,
  name: string,
  fallback: number,
  max: number,
): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > max)
    throw new UsageError(`--${name} must be an integer from 1 to ${max}`);
  return n;
}

/**
 * Progress on stderr. On a terminal one line is rewritten in place and
 * erased before the final figures, so no stale count stays beside them;
 * elsewhere (a log file) each report is a line, and the last one carries
 * the final count.
 */
function progress(io: CommandIo, began: number) {
  const tty = io.stderr.isTTY === true;
  let shown = false;
  let last = -1;
  const line = (lines: number, day: number, days: number): string => {
    const secs = (performance.now() - began) / 1000;
    const rate = secs > 0 ? Math.round(lines / secs / 1000) : 0;
    return `simulate: ${lines.toLocaleString('en-US')} lines, day ${day + 1}/${days}, ${rate} k lines/s`;
  };
  return {
    update(lines: number, day: number, days: number): void {
      last = lines;
      io.stderr.write(tty ? `\r${line(lines, day, days)}\x1b[K` : `${line(lines, day, days)}\n`);
      shown = true;
    },
    done(lines: number, days: number): void {
      if (!shown) return;
      if (tty) io.stderr.write('\r\x1b[K');
      else if (last !== lines) io.stderr.write(`${line(lines, days - 1, days)}\n`);
    },
  };
}

/** What the command line asks for. */
interface SimulateArgs {
  readonly out: string;
  readonly force: boolean;
  readonly json: boolean;
  readonly run: Omit<SimulateOptions, 'onProgress' | 'signal'>;
}

function parseFlags(argv: readonly string[]) {
  try {
    return parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        out: { type: 'string' },
        force: { type: 'boolean' },
        days: { type: 'string' },
        year: { type: 'boolean' },
        start: { type: 'string' },
        format: { type: 'string' },
        sensors: { type: 'string' },
        seed: { type: 'string' },
        scale: { type: 'string' },
        json: { type: 'boolean' },
      },
    }).values;
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
}

/** A calendar date: JavaScript would roll 2011-02-30 over to March. */
function startDate(text: string | undefined): string {
  const start = text ?? D.start;
  const parsed = new Date(`${start}T00:00:00Z`);
  if (
    !/^\d{4}-\d{2}-\d{2}$/.test(start) ||
    Number.isNaN(parsed.getTime()) ||
    parsed.toISOString().slice(0, 10) !== start
  ) {
    throw new UsageError('--start must be a date YYYY-MM-DD');
  }
  return start;
}

/** Checks the flags and fills the defaults. */
function parseSimulateArgs(argv: readonly string[]): SimulateArgs {
  const values = parseFlags(argv);
  const out = values.out;
  if (out === undefined || out === '') throw new UsageError('--out DIR is required');
  if (values.year === true && values.days !== undefined)
    throw new UsageError('--days and --year exclude each other');
  const start = startDate(values.start);
  const format = values.format ?? D.format;
  if (!(FORMATS as readonly string[]).includes(format))
    throw new UsageError('--format must be legacy or jsonl');
  const scale = values.scale === undefined ? D.scale : Number(values.scale);
  if (!Number.isFinite(scale) || scale <= 0 || scale > 10)
    throw new UsageError('--scale must be a number above 0 and at most 10');
  const year = values.year === true;
  const days = year ? D.yearDays : positiveInt(values.days, 'days', D.days, 3660);
  const sensors = positiveInt(values.sensors, 'sensors', year ? D.yearSensors : D.sensors, 500);
  return {
    out,
    force: values.force === true,
    json: values.json === true,
    run: {
      out,
      format: format as SimFormat,
      seed: values.seed ?? D.seed,
      start,
      days,
      sensors,
      scale,
      outageDays: days >= 46 ? Math.round((days * D.yearOutageDays) / D.yearDays) : 0,
    },
  };
}

/** The run's figures on stdout, as text or JSON. */
function printResult(io: CommandIo, out: string, result: SimulateResult, json: boolean): void {
  const rate = Math.round(result.lines / Math.max(result.seconds, 1e-9));
  if (json) {
    io.stdout.write(
      JSON.stringify(
        {
          out,
          lines: result.lines,
          bytes: result.bytes,
          seconds: result.seconds,
          lines_per_second: rate,
          files: result.files,
          truth: result.truthPath,
          summary: result.summary,
        },
        null,
        2,
      ) + '\n',
    );
    return;
  }
  io.stdout.write(
    `wrote ${result.lines} lines (${(result.bytes / 1e6).toFixed(1)} MB) to ${result.files.length} sensor files in ${result.seconds.toFixed(1)} s (${rate} lines/s)\n`,
  );
  io.stdout.write(`truth: ${result.truthPath}\n${JSON.stringify(result.summary)}\n`);
}

export const command: Command = {
  name: 'simulate',
  summary: 'write synthetic honeypot logs with exact ground truth (truth.json)',
  usage: USAGE,
  async run(argv, io) {
    const args = parseSimulateArgs(argv);
    prepareOutDir(args.out, args.force);
    const shown = progress(io, performance.now());
    const result = await simulate({
      ...args.run,
      onProgress: (lines, day, total) => {
        shown.update(lines, day, total);
      },
      signal: io.stopSignal,
    });
    shown.done(result.lines, args.run.days);
    printResult(io, args.out, result, args.json);
    if (result.interrupted) {
      io.stderr.write('simulate: interrupted; truth.json covers the lines written\n');
      return 130;
    }
    return 0;
  },
};
