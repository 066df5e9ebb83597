/**
 * @module
 * `--format json`: the Report object as built (DESIGN.md "Report JSON" keys
 * plus the extra sections). Infinite robust z-scores become null, since JSON
 * has no infinity.
 */
import type { Report } from '../analysis/types.js';

/** Pretty-printed JSON of the report. */
export function renderJson(r: Report): string {
  return (
    JSON.stringify(
      r,
      (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v),
      2,
    ) + '\n'
  );
}
