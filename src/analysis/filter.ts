/**
 * @module
 * The report's scope (date range, sensor) as SQL conditions with bound
 * parameters. Every query module builds its WHERE clauses here so that all
 * sections of one report count over exactly the same data.
 *
 * Must never put a user-supplied value into SQL text: values go to `params`
 * and the text only carries `$n` placeholders.
 */
import type { Param } from '../store/queryable.js';

/** What part of the store a report covers. Dates are UTC calendar dates, both ends inclusive. */
export interface ReportFilter {
  /** First UTC date included, `YYYY-MM-DD`. */
  readonly from?: string;
  /** Last UTC date included, `YYYY-MM-DD`. */
  readonly to?: string;
  /** Only events recorded by this sensor id (calls: those with an INVITE seen by it). */
  readonly sensor?: string;
}

const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;

/** `true` for a real calendar date in `YYYY-MM-DD` form. */
export function isIsoDate(text: string): boolean {
  if (!DATE_RE.test(text)) return false;
  const d = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === text;
}

/** The day after a `YYYY-MM-DD` date, same form: the exclusive end of a `to` date. */
export function nextDay(date: string): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

/** Collects bound parameters and hands out their `$n` placeholders. */
export class SqlParams {
  readonly values: Param[] = [];
  /** Adds a value and returns its placeholder. */
  add(value: Param): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

function joinAnd(parts: string[]): string {
  return parts.length === 0 ? 'TRUE' : parts.join(' AND ');
}

/** Condition on `events` (aliased `alias`) for the filter. */
export function eventsWhere(filter: ReportFilter, p: SqlParams, alias = 'events'): string {
  const parts: string[] = [];
  if (filter.from !== undefined)
    parts.push(`${alias}.ts >= CAST(${p.add(filter.from)} AS TIMESTAMP)`);
  if (filter.to !== undefined) {
    parts.push(`${alias}.ts < CAST(${p.add(nextDay(filter.to))} AS TIMESTAMP)`);
  }
  if (filter.sensor !== undefined) parts.push(`${alias}.sensor = ${p.add(filter.sensor)}`);
  return joinAnd(parts);
}

/**
 * Condition on `calls` (aliased `alias`). A unified INVITE belongs to the
 * range by its first INVITE; to a sensor when that sensor saw one of its
 * INVITEs (the `calls` table keeps only a sensor count, so this looks into
 * `events`).
 */
export function callsWhere(filter: ReportFilter, p: SqlParams, alias = 'calls'): string {
  const parts: string[] = [];
  if (filter.from !== undefined) {
    parts.push(`${alias}.first_ts >= CAST(${p.add(filter.from)} AS TIMESTAMP)`);
  }
  if (filter.to !== undefined) {
    parts.push(`${alias}.first_ts < CAST(${p.add(nextDay(filter.to))} AS TIMESTAMP)`);
  }
  if (filter.sensor !== undefined) {
    parts.push(
      `EXISTS (SELECT 1 FROM events s WHERE s.sensor = ${p.add(filter.sensor)} ` +
        `AND s.method = 'INVITE' AND s.src_ip = ${alias}.src_ip ` +
        `AND s.dialed_number = ${alias}.dialed_number ` +
        `AND s.ts BETWEEN ${alias}.first_ts AND ${alias}.last_ts)`,
    );
  }
  return joinAnd(parts);
}

/**
 * `WITH c AS (calls in scope)`: the common table expression every call
 * section starts from.
 */
export function callsCte(filter: ReportFilter, p: SqlParams): string {
  return `c AS (SELECT * FROM calls WHERE ${callsWhere(filter, p)})`;
}

/** `e AS (events in scope)`. */
export function eventsCte(filter: ReportFilter, p: SqlParams): string {
  return `e AS (SELECT * FROM events WHERE ${eventsWhere(filter, p)})`;
}
