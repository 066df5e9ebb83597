/**
 * @module
 * The wire format of a report built by another process (`report --url`):
 * the client sends its report options as JSON, the process that writes the
 * store builds the report over its own live store and sends it back, and
 * the client renders it like a local one. DuckDB lets one process write a
 * store, so this is how current numbers are read while it runs.
 *
 * Non-finite numbers (an infinite robust z-score) travel as
 * `{"$number": "Infinity"}`, so the rendered output is the same as local.
 *
 * Must never trust a request: every option is checked, and bounded.
 */
import type { ReportOptions } from './build.js';
import { isIsoDate } from './filter.js';
import type { Report } from './types.js';

/** The path a store-writing process answers reports on. */
export const REPORT_PATH = '/api/report';
/** Largest request body read (options and labels). */
export const MAX_REQUEST_BYTES = 4 * 1024 * 1024;

/** Options as JSON (labels as pairs, no clock). */
export interface WireOptions {
  filter: { from?: string; to?: string; sensor?: string };
  top: number;
  graphIps?: string[];
  graphTop?: number;
  labels?: [string, string][];
  phases?: ReportOptions['phases'];
  rogue?: ReportOptions['rogue'];
}

export function encodeOptions(o: ReportOptions): string {
  const w: WireOptions = {
    filter: { ...o.filter },
    top: o.top,
    ...(o.graphIps ? { graphIps: [...o.graphIps] } : {}),
    ...(o.graphTop !== undefined ? { graphTop: o.graphTop } : {}),
    ...(o.labels ? { labels: [...o.labels] } : {}),
    ...(o.phases ? { phases: o.phases } : {}),
    ...(o.rogue ? { rogue: o.rogue } : {}),
  };
  return JSON.stringify(w);
}

const isObj = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const isCount = (v: unknown): v is number =>
  typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 1e9;

function numbers<T extends object>(v: unknown, keys: readonly (keyof T & string)[]): T | null {
  if (!isObj(v)) return null;
  const out: Record<string, number> = {};
  for (const k of keys) {
    const x = v[k];
    if (typeof x !== 'number' || !Number.isFinite(x)) return null;
    out[k] = x;
  }
  return out as T;
}

/** The options of a request body; a message naming what is wrong otherwise. */
export function decodeOptions(text: string): ReportOptions | string {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return 'body is not JSON';
  }
  if (!isObj(v) || !isObj(v['filter'])) return 'expected { filter, top, ... }';
  const f = v['filter'];
  const filter: { from?: string; to?: string; sensor?: string } = {};
  for (const k of ['from', 'to'] as const) {
    const d = f[k];
    if (d === undefined) continue;
    if (typeof d !== 'string' || !isIsoDate(d)) return `filter.${k} must be YYYY-MM-DD`;
    filter[k] = d;
  }
  if (f['sensor'] !== undefined) {
    if (typeof f['sensor'] !== 'string' || f['sensor'].length > 128)
      return 'filter.sensor must be a string';
    filter.sensor = f['sensor'];
  }
  if (!isCount(v['top']) || v['top'] < 1) return 'top must be a positive integer';
  const opts: {
    -readonly [K in keyof ReportOptions]: ReportOptions[K];
  } = { filter, top: v['top'] };
  const g = v['graphIps'];
  if (g !== undefined) {
    if (!Array.isArray(g) || g.length > 1000 || !g.every((x) => typeof x === 'string'))
      return 'graphIps must be a list of addresses';
    opts.graphIps = g;
  }
  if (v['graphTop'] !== undefined) {
    if (!isCount(v['graphTop'])) return 'graphTop must be an integer';
    opts.graphTop = v['graphTop'];
  }
  const l = v['labels'];
  if (l !== undefined) {
    if (
      !Array.isArray(l) ||
      !l.every((p) => Array.isArray(p) && p.length === 2 && p.every((x) => typeof x === 'string'))
    )
      return 'labels must be a list of [number, label]';
    opts.labels = new Map(l as [string, string][]);
  }
  if (v['phases'] !== undefined) {
    const p = numbers<NonNullable<ReportOptions['phases']>>(v['phases'], [
      'scan_min_requests',
      'enum_min_targets',
      'brute_min_attempts',
      'brute_min_registers',
      'abuse_min_invites',
    ]);
    if (p === null) return 'phases must hold the five thresholds';
    opts.phases = p;
  }
  if (v['rogue'] !== undefined) {
    const r = numbers<NonNullable<ReportOptions['rogue']>>(v['rogue'], ['minCountries', 'minZ']);
    if (r === null) return 'rogue must hold minCountries and minZ';
    opts.rogue = r;
  }
  return opts;
}

export function encodeReport(r: Report): string {
  return JSON.stringify(r, (_k, v: unknown) =>
    typeof v === 'number' && !Number.isFinite(v) ? { $number: String(v) } : v,
  );
}

export function decodeReport(text: string): Report {
  return JSON.parse(text, (_k, v: unknown) => {
    if (isObj(v) && typeof v['$number'] === 'string' && Object.keys(v).length === 1)
      return Number(v['$number']);
    return v;
  }) as Report;
}
