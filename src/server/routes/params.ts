/**
 * @module
 * Query parameters shared by many endpoints, as JSON schemas (validated by
 * Fastify before a handler runs), and their translation into the report's
 * scope. Patterns are strict: what they let through still only ever
 * reaches SQL as a bound parameter.
 */
import type { ReportFilter } from '../../analysis/filter.js';
import { HttpError, type JsonSchema } from '../context.js';
import { isIsoDate } from '../../analysis/filter.js';

export const DATE: JsonSchema = {
  type: 'string',
  pattern: '^\\d{4}-\\d{2}-\\d{2}$',
  description: 'UTC date YYYY-MM-DD',
};
export const SENSOR: JsonSchema = {
  type: 'string',
  maxLength: 64,
  description: 'only events recorded by this sensor id',
};

/** `from`, `to`, `sensor`: the report's scope. */
export const SCOPE_QUERY: Readonly<Record<string, JsonSchema>> = {
  from: { ...DATE, description: 'first UTC date included (YYYY-MM-DD)' },
  to: { ...DATE, description: 'last UTC date included (YYYY-MM-DD)' },
  sensor: SENSOR,
};

export function topQuery(max = 1000, dflt = 20): JsonSchema {
  return { type: 'integer', minimum: 1, maximum: max, default: dflt, description: 'rows at most' };
}

/** The ReportFilter of validated query parameters; 400 for an impossible date. */
export function scopeOf(query: Readonly<Record<string, unknown>>): ReportFilter {
  const f: { from?: string; to?: string; sensor?: string } = {};
  for (const key of ['from', 'to'] as const) {
    const v = query[key];
    if (typeof v === 'string') {
      if (!isIsoDate(v)) throw new HttpError(400, `${key}: not a calendar date`);
      f[key] = v;
    }
  }
  if (typeof query['sensor'] === 'string') f.sensor = query['sensor'];
  return f;
}
