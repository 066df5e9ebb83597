/**
 * @module
 * When the dashboard's queries may read the rollups (store/rollups.ts,
 * docs/store.md) instead of scanning `events`, and the scope's conditions
 * on them. The rollups keep the sensor, and `roll_hour`/`roll_source_hour`
 * keep the UTC hour, so a date range (whole UTC days) and a sensor
 * are exact on those; the other per-source tables keep no time, so a date range
 * sends the queries that need them back to the scan.
 *
 * Must never put a request value into SQL text: values are bound.
 */
import type { Queryable } from '../../store/queryable.js';
import { rollupsCurrent } from '../../store/rollups.js';
import { nextDay, type SqlParams, type ReportFilter } from '../filter.js';

/**
 * What the scope may read: 'all' rollups (no date range), 'timed' only the
 * hour and day tables (a date range), 'none' (rollups stale or absent).
 */
export type RollupUse = 'all' | 'timed' | 'none';

export async function rollupUse(db: Queryable, filter: ReportFilter): Promise<RollupUse> {
  if (!(await rollupsCurrent(db))) return 'none';
  return filter.from === undefined && filter.to === undefined ? 'all' : 'timed';
}

/**
 * The filter on a rollup table: `time` names its hour or day column (null
 * for the per-source tables, which the caller uses only without dates).
 */
export function rollWhere(filter: ReportFilter, p: SqlParams, time: 'hr' | 'd' | null): string {
  const parts: string[] = [];
  if (time !== null && filter.from !== undefined) {
    parts.push(`${time} >= CAST(${p.add(filter.from)} AS ${time === 'hr' ? 'TIMESTAMP' : 'DATE'})`);
  }
  if (time !== null && filter.to !== undefined) {
    parts.push(
      `${time} < CAST(${p.add(nextDay(filter.to))} AS ${time === 'hr' ? 'TIMESTAMP' : 'DATE'})`,
    );
  }
  if (filter.sensor !== undefined) parts.push(`sensor = ${p.add(filter.sensor)}`);
  return parts.length === 0 ? 'TRUE' : parts.join(' AND ');
}
