/**
 * @module
 * `sipsnare report`: the article's tables and figures (and more) over a
 * store, as text, JSON, CSV, HTML or Graphviz DOT. Reads the store
 * read-only; writes only to stdout or the `--out` path.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { buildReport } from '../../analysis/build.js';
import { isIsoDate, type ReportFilter } from '../../analysis/filter.js';
import { openStoreReadOnly } from '../../store/open-read-only.js';
import { PHASE_DEFAULTS } from '../../analysis/phases.js';
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

const FORMATS = ['text', 'json', 'csv', 'html', 'dot'] as const;
type Format = (typeof FORMATS)[number];

const usage = `usage: sipsnare report --db FILE [options]

  --db FILE               store to read (opened read-only)
  --format F              text (default) | json | csv | html | dot
  --out PATH              write to PATH instead of stdout; with csv, a PATH not
                          ending in .csv is a directory with one file per section
  --from DATE, --to DATE  UTC dates (YYYY-MM-DD), both inclusive
  --sensor ID             only this sensor's events and calls
  --top N                 rows per ranked list (default 10)
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

export const command: Command = {
  name: 'report',
  summary: 'tables, charts and link graphs of the attacks in a store',
  usage,
  async run(argv, io) {
    let parsed;
    try {
      parsed = parseArgs({
        args: [...argv],
        allowPositionals: false,
        options: {
          db: { type: 'string' },
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
        },
      });
    } catch (err) {
      throw new UsageError(err instanceof Error ? err.message : String(err));
    }
    const v = parsed.values;
    if (v.db === undefined) throw new UsageError('--db is required');
    const format = v.format as Format;
    if (!FORMATS.includes(format)) throw new UsageError(`unknown --format "${v.format}"`);
    const from = dateOption('from', v.from);
    const to = dateOption('to', v.to);
    if (from !== undefined && to !== undefined && from > to) {
      throw new UsageError('--from is after --to');
    }
    const filter: ReportFilter = {
      ...(from !== undefined ? { from } : {}),
      ...(to !== undefined ? { to } : {}),
      ...(v.sensor !== undefined ? { sensor: v.sensor } : {}),
    };
    const top = intOption('top', v.top, 10, 1);
    const phases: PhaseThresholds = {
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
      abuse_min_invites: intOption(
        'abuse-min',
        v['abuse-min'],
        PHASE_DEFAULTS.abuse_min_invites,
        1,
      ),
    };
    const rogueZ = v['rogue-min-z'] ?? String(ROGUE_DEFAULTS.minZ);
    if (!/^-?\d+(\.\d+)?$/.test(rogueZ))
      throw new UsageError(`--rogue-min-z wants a number, got "${rogueZ}"`);
    const rogue = {
      minCountries: intOption(
        'rogue-min-countries',
        v['rogue-min-countries'],
        ROGUE_DEFAULTS.minCountries,
        1,
      ),
      minZ: Number(rogueZ),
    };
    let labels: Map<string, string> | undefined;
    if (v.labels !== undefined) {
      try {
        labels = parseLabels(readFileSync(v.labels, 'utf8'));
      } catch (err) {
        throw new SnareError('SNARE_ERR_IO', `cannot read labels ${v.labels}: ${String(err)}`, {
          cause: err,
        });
      }
    }
    const store = await openStoreReadOnly(v.db);
    let report;
    try {
      report = await buildReport(store.db, {
        filter,
        top,
        phases,
        rogue,
        ...(v.graph !== undefined ? { graphIps: v.graph } : {}),
        ...(labels !== undefined ? { labels } : {}),
      });
    } finally {
      store.close();
    }
    const out = v.out;
    if (format === 'csv' && out !== undefined && !out.toLowerCase().endsWith('.csv')) {
      mkdirSync(out, { recursive: true });
      for (const f of renderCsvFiles(report, top)) writeFileSync(join(out, f.name), f.text);
      return 0;
    }
    const text =
      format === 'json'
        ? renderJson(report)
        : format === 'csv'
          ? renderCsv(report, top)
          : format === 'html'
            ? renderHtml(report, top)
            : format === 'dot'
              ? renderDot(report.graph)
              : renderText(report, top);
    if (out !== undefined) {
      try {
        writeFileSync(out, text);
      } catch (err) {
        throw new SnareError('SNARE_ERR_IO', `cannot write ${out}: ${String(err)}`, { cause: err });
      }
    } else {
      io.stdout.write(text);
    }
    return 0;
  },
};
