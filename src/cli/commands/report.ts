/**
 * @module
 * `sipsnare report`: the article's tables and figures (and more) over a
 * store, as text, JSON, CSV, HTML or Graphviz DOT. Reads the store
 * read-only; writes only to stdout or the `--out` path.
 */
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { buildReport, type ReportOptions } from '../../analysis/build.js';
import { decodeReport, encodeOptions, REPORT_PATH } from '../../analysis/remote.js';
import { openParquetArchive } from '../../archive/parquet.js';
import type { Report } from '../../analysis/types.js';
import { isIsoDate, type ReportFilter } from '../../analysis/filter.js';
import { openStoreReadOnly } from '../../store/open-read-only.js';
import { PHASE_DEFAULTS } from '../../analysis/phase-rules.js';
import { ROGUE_DEFAULTS } from '../../analysis/rogue.js';
import type { PhaseThresholds } from '../../analysis/types.js';
import { SnareError, UsageError } from '../../errors.js';
import { renderCsv, renderCsvFiles } from '../../report/csv.js';
import { renderDot } from '../../report/dot.js';
import { renderHtml } from '../../report/html.js';
import { renderJson } from '../../report/json.js';
import { parseLabels } from '../../report/labels.js';
import { renderText } from '../../report/text.js';
import type { Command } from '../command.js';

/** Rows per ranked list without `--top`. */
export const DEFAULT_TOP = 10;

const FORMATS = ['text', 'json', 'csv', 'html', 'dot'] as const;
type Format = (typeof FORMATS)[number];

const usage = `usage: sipsnare report (--db FILE | --db DIR | --url URL) [options]

  --db FILE               store to read (opened read-only)
  --db DIR                a Parquet archive written by \`sipsnare export parquet\`
  --url URL               ask the process that writes a store (\`collect --http\`),
                          e.g. http://127.0.0.1:8090; same output as --db on that
                          store; SIPSNARE_HTTP_TOKEN is sent as its bearer token
  --format F              text (default) | json | csv | html | dot
  --out PATH              write to PATH instead of stdout; with csv, a PATH not
                          ending in .csv is a directory with one file per section
  --from DATE, --to DATE  UTC dates (YYYY-MM-DD), both inclusive
  --sensor ID             only this sensor's events and calls
  --top N                 rows per ranked list (default ${DEFAULT_TOP})
  --graph IP              draw the link graph of this source (repeatable);
                          default: the top 3 sources
  --labels FILE           CSV of number,label naming called numbers
  thresholds (see docs/report.md):
  --scan-min N            scanning: OPTIONS / no-user requests (default ${PHASE_DEFAULTS.scan_min_requests})
  --enum-min N            enumeration: distinct users probed (default ${PHASE_DEFAULTS.enum_min_targets})
  --brute-min N           brute force: auth attempts on one user (default ${PHASE_DEFAULTS.brute_min_attempts})
  --brute-min-registers N brute force, logs without auth: REGISTERs for one user (default ${PHASE_DEFAULTS.brute_min_registers})
  --abuse-min N           abuse: INVITEs to external numbers (default ${PHASE_DEFAULTS.abuse_min_invites})
  --rogue-min-countries N rogue server: destination countries (default ${ROGUE_DEFAULTS.minCountries})
  --rogue-min-z Z         rogue server: robust z-score (default ${ROGUE_DEFAULTS.minZ})
`;

function intOption(name: string, value: string | undefined, fallback: number, min = 0): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value) || Number(value) < min) {
    throw new UsageError(`--${name} wants an integer >= ${min}, got "${value}"`);
  }
  return Number(value);
}

function dateOption(name: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (!isIsoDate(value)) throw new UsageError(`--${name} wants a date YYYY-MM-DD, got "${value}"`);
  return value;
}

/** Builds the report over a store file or a Parquet archive directory. */
async function localReport(path: string, opts: ReportOptions): Promise<Report> {
  let isDir = false;
  try {
    isDir = statSync(path).isDirectory();
  } catch {
    // missing: openStoreReadOnly says so
  }
  const store = isDir ? await openParquetArchive(path) : await openStoreReadOnly(path);
  try {
    return await buildReport(store.db, opts);
  } finally {
    store.close();
  }
}

/** Asks the process that writes a store to build the report over it (analysis/remote.ts). */
async function remoteReport(url: string, opts: ReportOptions): Promise<Report> {
  let target: URL;
  try {
    target = new URL(REPORT_PATH, url);
  } catch {
    throw new UsageError(`--url wants http://HOST:PORT, got "${url}"`);
  }
  if (target.protocol !== 'http:' && target.protocol !== 'https:')
    throw new UsageError(`--url wants http://HOST:PORT, got "${url}"`);
  const token = process.env['SIPSNARE_HTTP_TOKEN'];
  let res: Response;
  try {
    res = await fetch(target, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: encodeOptions(opts),
    });
  } catch (err) {
    throw new SnareError('SNARE_ERR_IO', `cannot reach ${target.origin}: ${String(err)}`, {
      cause: err,
    });
  }
  const body = await res.text();
  if (!res.ok)
    throw new SnareError(
      'SNARE_ERR_IO',
      `${target.origin} answered ${res.status}: ${body.slice(0, 200)}`,
    );
  return decodeReport(body);
}

const OPTIONS = {
  db: { type: 'string' },
  url: { type: 'string' },
  format: { type: 'string', default: 'text' },
  out: { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
  sensor: { type: 'string' },
  top: { type: 'string' },
  graph: { type: 'string', multiple: true },
  labels: { type: 'string' },
  'scan-min': { type: 'string' },
  'enum-min': { type: 'string' },
  'brute-min': { type: 'string' },
  'brute-min-registers': { type: 'string' },
  'abuse-min': { type: 'string' },
  'rogue-min-countries': { type: 'string' },
  'rogue-min-z': { type: 'string' },
} as const;

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS }>>['values'];

function parseValues(argv: readonly string[]): Values {
  try {
    return parseArgs({ args: [...argv], allowPositionals: false, options: OPTIONS }).values;
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
}

function filterOption(v: Values): ReportFilter {
  const from = dateOption('from', v.from);
  const to = dateOption('to', v.to);
  if (from !== undefined && to !== undefined && from > to) {
    throw new UsageError('--from is after --to');
  }
  return {
    ...(from !== undefined ? { from } : {}),
    ...(to !== undefined ? { to } : {}),
    ...(v.sensor !== undefined ? { sensor: v.sensor } : {}),
  };
}

function phaseOptions(v: Values): PhaseThresholds {
  return {
    scan_min_requests: intOption('scan-min', v['scan-min'], PHASE_DEFAULTS.scan_min_requests, 1),
    enum_min_targets: intOption('enum-min', v['enum-min'], PHASE_DEFAULTS.enum_min_targets, 1),
    brute_min_attempts: intOption(
      'brute-min',
      v['brute-min'],
      PHASE_DEFAULTS.brute_min_attempts,
      1,
    ),
    brute_min_registers: intOption(
      'brute-min-registers',
      v['brute-min-registers'],
      PHASE_DEFAULTS.brute_min_registers,
      1,
    ),
    abuse_min_invites: intOption('abuse-min', v['abuse-min'], PHASE_DEFAULTS.abuse_min_invites, 1),
  };
}

function rogueOptions(v: Values): { minCountries: number; minZ: number } {
  const rogueZ = v['rogue-min-z'] ?? String(ROGUE_DEFAULTS.minZ);
  if (!/^-?\d+(\.\d+)?$/.test(rogueZ))
    throw new UsageError(`--rogue-min-z wants a number, got "${rogueZ}"`);
  return {
    minCountries: intOption(
      'rogue-min-countries',
      v['rogue-min-countries'],
      ROGUE_DEFAULTS.minCountries,
      1,
    ),
    minZ: Number(rogueZ),
  };
}

function readLabels(path: string | undefined): Map<string, string> | undefined {
  if (path === undefined) return undefined;
  try {
    return parseLabels(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new SnareError('SNARE_ERR_IO', `cannot read labels ${path}: ${String(err)}`, {
      cause: err,
    });
  }
}

function render(format: Format, report: Report, top: number): string {
  return format === 'json'
    ? renderJson(report)
    : format === 'csv'
      ? renderCsv(report, top)
      : format === 'html'
        ? renderHtml(report, top)
        : format === 'dot'
          ? renderDot(report.graph)
          : renderText(report, top);
}

export const command: Command = {
  name: 'report',
  summary: 'tables, charts and link graphs of the attacks in a store',
  usage,
  async run(argv, io) {
    const v = parseValues(argv);
    if ((v.db === undefined) === (v.url === undefined))
      throw new UsageError('give --db or --url (one of them)');
    const format = v.format as Format;
    if (!FORMATS.includes(format)) throw new UsageError(`unknown --format "${v.format}"`);
    const filter = filterOption(v);
    const top = intOption('top', v.top, DEFAULT_TOP, 1);
    const phases = phaseOptions(v);
    const rogue = rogueOptions(v);
    const labels = readLabels(v.labels);
    const opts: ReportOptions = {
      filter,
      top,
      phases,
      rogue,
      ...(v.graph !== undefined ? { graphIps: v.graph } : {}),
      ...(labels !== undefined ? { labels } : {}),
    };
    const report =
      v.url !== undefined ? await remoteReport(v.url, opts) : await localReport(v.db ?? '', opts);
    const out = v.out;
    if (format === 'csv' && out !== undefined && !out.toLowerCase().endsWith('.csv')) {
      mkdirSync(out, { recursive: true });
      for (const f of renderCsvFiles(report, top)) writeFileSync(join(out, f.name), f.text);
      return 0;
    }
    const text = render(format, report, top);
    if (out === undefined) {
      io.stdout.write(text);
      return 0;
    }
    try {
      writeFileSync(out, text);
    } catch (err) {
      throw new SnareError('SNARE_ERR_IO', `cannot write ${out}: ${String(err)}`, { cause: err });
    }
    return 0;
  },
};
