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
import { rebuildCalls } from '../store/calls.js';
import type { Enricher } from '../store/enricher.js';
import type { Store } from '../store/store.js';
import { StoreWriter, type FlushResult } from '../store/writer.js';
import { importCapture } from './capture.js';
import { detectFormat, SAMPLE_BYTES, type Format } from './detect.js';
import { jsonlHandler, legacyHandler, pbxHandler } from './handlers.js';
import { honeynetHandler } from './honeynet.js';
import { findPrior, idPrefix, saveImport } from './import-ledger.js';
import { sqlReadable, stageLegacyFileSql } from './legacy-sql.js';
import { readLines, type LineHandler, type Reject } from './lines.js';
import { expandPaths, fileInfo, peek, sensorFromPath, type FileInfo } from './source.js';

/** Rows staged before the writer flushes into `events` (bounds memory). */
export const FLUSH_ROWS = 1_000_000;

export interface FileReport {
  readonly path: string;
  readonly format: Format | null;
  readonly sensor: string;
  /**
   * imported: new data read; unchanged: nothing new since the last import;
   * skipped: unknown format; stopped: the stop signal cut it short (events
   * counts what was stored; a re-run adds the rest); error.
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
): LineHandler | null {
  switch (format) {
    case 'jsonl':
      return jsonlHandler(writer);
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
  path: string,
  opts: IngestOptions,
): Promise<FileReport> {
  const tally: Tally = { added: 0, duplicates: 0 };
  try {
    return await importFile(store, writer, path, opts, tally);
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

async function importFile(
  store: Store,
  writer: StoreWriter,
  path: string,
  opts: IngestOptions,
  tally: Tally,
): Promise<FileReport> {
  const sensor = opts.sensorId ?? sensorFromPath(path);
  const base = { path, sensor, lines: 0, events: 0, duplicates: 0, rejected: 0, rejects: [] };
  const info = fileInfo(path);
  const format = detectFormat(await peek(info, SAMPLE_BYTES));
  if (format === null) return { ...base, format, status: 'skipped', error: 'unknown format' };
  const prior = await findPrior(store.conn, sensor, info);
  const headSha = prior?.headSha ?? info.headSha;
  const headBytes = prior?.headBytes ?? info.headBytes;
  const prefix = idPrefix(sensor, headSha);
  const isCapture = format === 'pcap' || format === 'pcapng';
  if (prior && isCapture && prior.bytesDone === info.size) {
    return { ...base, format, status: 'unchanged' };
  }
  const start = prior && !isCapture ? prior.bytesDone : 0;
  const startLine = prior && !isCapture ? prior.linesDone + 1 : 1;
  const progress = (bytes: number, lines: number): void => {
    if (opts.signal?.aborted === true) throw new ImportStopped();
    opts.onProgress?.({ path, bytes: bytes + start, totalBytes: info.size, lines });
  };
  let run: {
    bytesDone: number;
    linesDone: number;
    lines: number;
    rejected: number;
    rejects: readonly Reject[];
  };
  if (isCapture) {
    const r = await importCapture(
      info,
      writer,
      sensor,
      prefix,
      async () => {
        if (writer.staged >= FLUSH_ROWS) add(tally, await writer.flush());
      },
      progress,
    );
    run = {
      bytesDone: info.size,
      linesDone: 0,
      lines: r.messages,
      rejected: r.rejected,
      rejects: r.rejects,
    };
  } else {
    const handler = handlerFor(format, writer, sensor, prefix, info);
    if (handler === null)
      return { ...base, format, status: 'skipped', error: 'unsupported format' };
    if (format === 'legacy') await writer.beginLegacy(prefix, sensor);
    const bulk =
      format === 'legacy' && sqlReadable(info, start)
        ? await stageLegacyFileSql(
            store.conn,
            info,
            handler,
            FLUSH_ROWS,
            async (rows, lines, total) => {
              writer.noteStagedLegacy(rows);
              add(tally, await writer.flush());
              progress(Math.round((info.size * lines) / total), lines);
            },
          )
        : null;
    if (bulk) {
      run = bulk;
    } else {
      handler.afterChunk = async () => {
        if (writer.staged >= FLUSH_ROWS) add(tally, await writer.flush());
      };
      run = await readLines(info, start, startLine, handler, { onProgress: progress });
    }
  }
  add(tally, await writer.flush());
  if (run.lines === 0 && prior) return { ...base, format, status: 'unchanged' };
  await saveImport(store.conn, {
    path,
    sensor,
    format,
    headSha,
    headBytes,
    bytesDone: run.bytesDone,
    linesDone: run.linesDone,
    eventsAdded: (prior?.eventsAdded ?? 0) + tally.added,
    rejected: (prior?.rejected ?? 0) + run.rejected,
  });
  return {
    ...base,
    format,
    status: 'imported',
    lines: run.lines,
    events: tally.added,
    duplicates: tally.duplicates,
    rejected: run.rejected,
    rejects: run.rejects,
  };
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
  });
  const reports: FileReport[] = [];
  try {
    for (const path of files) {
      if (opts.signal?.aborted === true) break;
      try {
        reports.push(await importOne(store, writer, path, opts));
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
