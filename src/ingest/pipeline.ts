/**
 * @module
 * Imports files into the store: detects each file's format from its content,
 * skips what an earlier import already read (the `imports` table), streams
 * the rest through the format's reader into the store writer, then rebuilds
 * the unified INVITEs and records the geo data date. A file that cannot be
 * read is reported, never fatal to the others.
 *
 * Must never let one bad line or file stop the import.
 */
import { statSync } from 'node:fs';
import { basename } from 'node:path';
import { rebuildCalls } from '../store/calls.js';
import { catchUpSourceRollup } from '../store/source-rollup.js';
import { rebuildRollups } from '../store/rollups.js';
import type { Enricher } from '../store/enricher.js';
import type { Store } from '../store/store.js';
import { StoreWriter, type FlushResult } from '../store/writer.js';
import { importCapture } from './capture.js';
import { detectFormat, SAMPLE_BYTES, type Format } from './detect.js';
import { MAX_LINE_BYTES } from './lines.js';
import { jsonlHandler, legacyHandler, pbxHandler } from './handlers.js';
import { honeynetHandler } from './honeynet.js';
import { findPrior, idPrefix, saveImport } from './import-ledger.js';
import { sqlReadable, stageLegacyFileSql } from './legacy-sql.js';
import { readLines, type LineHandler, type Reject } from './lines.js';
import {
  expandPaths,
  fileInfo,
  peek,
  sensorFromPath,
  type FileInfo,
  type SourcePath,
} from './source.js';

/** Rows staged before the writer flushes into `events` (bounds memory). */
export const FLUSH_ROWS = 1_000_000;

export interface FileReport {
  readonly path: string;
  readonly format: Format | null;
  /** Sensor of the records: the file name or --sensor-id; for JSON lines the ids the lines carry (`hp01, hp02, +3 more`). */
  readonly sensor: string;
  /**
   * imported: new data read; unchanged: nothing new since the last import;
   * skipped: a file found in a directory whose format is unknown; stopped:
   * the stop signal cut it short (events counts what was stored; a re-run
   * adds the rest); error: unreadable, or a file named by the user whose
   * format is unknown.
   */
  readonly status: 'imported' | 'unchanged' | 'skipped' | 'stopped' | 'error';
  readonly lines: number;
  readonly events: number;
  readonly duplicates: number;
  readonly rejected: number;
  /** The first rejected lines (line number and reason). */
  readonly rejects: readonly Reject[];
  readonly error?: string;
}

export interface IngestReport {
  readonly files: readonly FileReport[];
  readonly events: number;
  readonly duplicates: number;
  readonly rejected: number;
  readonly calls: number;
}

export interface ProgressInfo {
  readonly path: string;
  /** Bytes read of this file in this run, and the file's size (compressed size for .gz). */
  readonly bytes: number;
  readonly totalBytes: number;
  readonly lines: number;
}

export interface IngestOptions {
  readonly enricher: Enricher;
  readonly gapMinutes: number;
  /** Sensor id for every file; default: the file name without extensions. */
  readonly sensorId?: string;
  readonly onProgress?: (p: ProgressInfo) => void;
  /**
   * Stops the import at the next batch: what was flushed stays (a re-run
   * adds only the rest), the file in progress is reported as stopped, and
   * the unified INVITEs are rebuilt for what is in the store.
   */
  readonly signal?: AbortSignal;
}

/** Thrown inside a file's import when the stop signal fired. */
class ImportStopped extends Error {
  constructor() {
    super('stopped before the end of the file; run the import again to add the rest');
  }
}

interface Tally {
  added: number;
  duplicates: number;
}

function add(t: Tally, r: FlushResult): void {
  t.added += r.added;
  t.duplicates += r.duplicates;
}

function handlerFor(
  format: Format,
  writer: StoreWriter,
  sensor: string,
  prefix: string,
  info: FileInfo,
  sensors: Set<string>,
): LineHandler | null {
  switch (format) {
    case 'jsonl':
      return jsonlHandler(writer, sensors);
    case 'legacy':
      return legacyHandler(writer);
    case 'honeynet':
      return honeynetHandler(writer, sensor, prefix);
    case 'pbx':
      return pbxHandler(writer, sensor, prefix, {
        lastTsMs: 0,
        year: new Date(statSync(info.path).mtimeMs).getUTCFullYear(),
      });
    case 'pcap':
    case 'pcapng':
      return null;
  }
}

/** importOne, turning a stop into a `stopped` report of what was stored. */
async function importOne(
  store: Store,
  writer: StoreWriter,
  src: SourcePath,
  opts: IngestOptions,
): Promise<FileReport | null> {
  const { path } = src;
  const tally: Tally = { added: 0, duplicates: 0 };
  try {
    return await importFile(store, writer, src, opts, tally);
  } catch (err) {
    if (!(err instanceof ImportStopped)) throw err;
    add(tally, await writer.flush());
    return {
      path,
      format: null,
      sensor: opts.sensorId ?? sensorFromPath(path),
      status: 'stopped',
      lines: 0,
      events: tally.added,
      duplicates: tally.duplicates,
      rejected: 0,
      rejects: [],
      error: err.message,
    };
  }
}

/**
 * The format of a file from its first 64 KiB, or, when a line is longer
 * than that (a JSON line with a huge value), from enough bytes to hold
 * the longest line an import accepts and the lines after it.
 */
async function detect(info: FileInfo): Promise<Format | null> {
  const sample = await peek(info, SAMPLE_BYTES);
  const format = detectFormat(sample);
  if (format !== null || sample.length < SAMPLE_BYTES) return format;
  return detectFormat(await peek(info, 2 * MAX_LINE_BYTES));
}

/** Files of a simulator run that are not logs: passed over in silence when found in a directory. */
const SIMULATOR_FILES = new Set(['truth.json', 'number-labels.csv']);

/**
 * A file of no known format. Named by the user: an error (the import exits 1
 * once the other files are in). Found in a directory: skipped with a note,
 * or nothing at all for the simulator's own truth.json and number-labels.csv.
 */
function unknownFormat(
  base: Omit<FileReport, 'status' | 'format'>,
  src: SourcePath,
  why: string,
): FileReport | null {
  if (src.named) {
    return {
      ...base,
      format: null,
      status: 'error',
      error: `${why}: not our JSON lines, a legacy listener log, Honeynet records, an Asterisk/FreeSWITCH log, pcap or pcapng`,
    };
  }
  if (SIMULATOR_FILES.has(basename(src.path))) return null;
  return { ...base, format: null, status: 'skipped', error: `${why} (found in a directory)` };
}

/** `hp01` or `hp01, hp02, +3 more`: the sensor ids of a JSON-lines file, for its summary. */
function sensorList(ids: ReadonlySet<string>, fallback: string): string {
  if (ids.size === 0) return fallback;
  const list = [...ids].sort();
  const shown = list.slice(0, 5).join(', ');
  return list.length > 5 ? `${shown}, +${list.length - 5} more` : shown;
}

/** Where a file's import starts and how its records are keyed. */
interface FilePlan {
  readonly path: string;
  readonly sensor: string;
  readonly info: FileInfo;
  readonly format: Format;
  /** Prefix of the ids of the file's records (its sensor and first bytes). */
  readonly prefix: string;
  /** Byte and line to resume from (0 and 1 for a new file or a capture). */
  readonly start: number;
  readonly startLine: number;
  /** Reports progress; throws ImportStopped once the stop signal fired. */
  readonly progress: (bytes: number, lines: number) => void;
}

/** What reading a file gave. */
interface FileRun {
  readonly bytesDone: number;
  readonly linesDone: number;
  readonly lines: number;
  readonly rejected: number;
  readonly rejects: readonly Reject[];
}

async function importFile(
  store: Store,
  writer: StoreWriter,
  src: SourcePath,
  opts: IngestOptions,
  tally: Tally,
): Promise<FileReport | null> {
  const { path } = src;
  const sensor = opts.sensorId ?? sensorFromPath(path);
  const base = { path, sensor, lines: 0, events: 0, duplicates: 0, rejected: 0, rejects: [] };
  const info = fileInfo(path);
  const format = await detect(info);
  if (format === null) return unknownFormat(base, src, 'unknown format');
  const prior = await findPrior(store.conn, sensor, info);
  const isCapture = format === 'pcap' || format === 'pcapng';
  if (prior && isCapture && prior.bytesDone === info.size) {
    return { ...base, format, status: 'unchanged' };
  }
  const headSha = prior?.headSha ?? info.headSha;
  const start = prior && !isCapture ? prior.bytesDone : 0;
  const plan: FilePlan = {
    path,
    sensor,
    info,
    format,
    prefix: idPrefix(sensor, headSha),
    start,
    startLine: prior && !isCapture ? prior.linesDone + 1 : 1,
    progress: (bytes, lines) => {
      if (opts.signal?.aborted === true) throw new ImportStopped();
      opts.onProgress?.({ path, bytes: bytes + start, totalBytes: info.size, lines });
    },
  };
  const jsonlSensors = new Set<string>();
  const run = isCapture
    ? await readCapture(writer, plan, tally)
    : await readText(store, writer, plan, tally, jsonlSensors);
  if (run === null) return unknownFormat(base, src, 'unsupported format');
  add(tally, await writer.flush());
  if (run.lines === 0 && prior) return { ...base, format, status: 'unchanged' };
  await saveImport(store.conn, {
    path,
    sensor,
    format,
    headSha,
    headBytes: prior?.headBytes ?? info.headBytes,
    bytesDone: run.bytesDone,
    linesDone: run.linesDone,
    eventsAdded: (prior?.eventsAdded ?? 0) + tally.added,
    rejected: (prior?.rejected ?? 0) + run.rejected,
  });
  return {
    ...base,
    // JSON lines keep their own sensor ids: the summary names them, not the file.
    sensor: format === 'jsonl' ? sensorList(jsonlSensors, sensor) : sensor,
    format,
    status: 'imported',
    lines: run.lines,
    events: tally.added,
    duplicates: tally.duplicates,
    rejected: run.rejected,
    rejects: run.rejects,
  };
}

/** A whole pcap or pcapng capture (re-read from the start when it grew). */
async function readCapture(writer: StoreWriter, plan: FilePlan, tally: Tally): Promise<FileRun> {
  const r = await importCapture(
    plan.info,
    writer,
    plan.sensor,
    plan.prefix,
    async () => {
      if (writer.staged >= FLUSH_ROWS) add(tally, await writer.flush());
    },
    plan.progress,
  );
  return {
    bytesDone: plan.info.size,
    linesDone: 0,
    lines: r.messages,
    rejected: r.rejected,
    rejects: r.rejects,
  };
}

/**
 * A text file from where the last import stopped: a fresh legacy log
 * through DuckDB's reader (legacy-sql.ts), anything else line by line.
 * Null for a format with no line reader.
 */
async function readText(
  store: Store,
  writer: StoreWriter,
  plan: FilePlan,
  tally: Tally,
  jsonlSensors: Set<string>,
): Promise<FileRun | null> {
  const { format, info } = plan;
  const handler = handlerFor(format, writer, plan.sensor, plan.prefix, info, jsonlSensors);
  if (handler === null) return null;
  if (format === 'legacy') await writer.beginLegacy(plan.prefix, plan.sensor);
  if (format === 'legacy' && sqlReadable(info, plan.start)) {
    const bulk = await stageLegacyFileSql(
      store.conn,
      info,
      handler,
      FLUSH_ROWS,
      async (rows, lines, total) => {
        writer.noteStagedLegacy(rows);
        add(tally, await writer.flush());
        plan.progress(Math.round((info.size * lines) / total), lines);
      },
    );
    if (bulk) return bulk;
  }
  handler.afterChunk = async () => {
    if (writer.staged >= FLUSH_ROWS) add(tally, await writer.flush());
  };
  return readLines(info, plan.start, plan.startLine, handler, { onProgress: plan.progress });
}

/**
 * Imports every file under `paths` (files or directories) and rebuilds the
 * unified INVITEs. Returns per-file details and totals.
 */
export async function ingestPaths(
  store: Store,
  paths: readonly string[],
  opts: IngestOptions,
): Promise<IngestReport> {
  const files = await expandPaths(paths);
  const writer = await StoreWriter.create(store, {
    enricher: opts.enricher,
    gapMinutes: opts.gapMinutes,
    sourceRollup: 'defer',
  });
  const reports: FileReport[] = [];
  try {
    for (const src of files) {
      const { path } = src;
      if (opts.signal?.aborted === true) break;
      try {
        const report = await importOne(store, writer, src, opts);
        if (report !== null) reports.push(report);
      } catch (err) {
        reports.push({
          path,
          format: null,
          sensor: opts.sensorId ?? sensorFromPath(path),
          status: 'error',
          lines: 0,
          events: 0,
          duplicates: 0,
          rejected: 0,
          rejects: [],
          error: err instanceof Error ? err.message : String(err),
        });
      }
    }
  } finally {
    await writer.close();
  }
  const calls = await rebuildCalls(store.conn, opts.gapMinutes);
  await catchUpSourceRollup(store.conn);
  await rebuildRollups(store.conn);
  if (opts.enricher.dataDate) await store.setMeta('geo_data_date', opts.enricher.dataDate);
  await store.setMeta('calls_gap_minutes', String(opts.gapMinutes));
  return {
    files: reports,
    events: reports.reduce((a, r) => a + r.events, 0),
    duplicates: reports.reduce((a, r) => a + r.duplicates, 0),
    rejected: reports.reduce((a, r) => a + r.rejected, 0),
    calls,
  };
}
