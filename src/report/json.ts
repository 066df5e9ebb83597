/**
 * @module
 * `--format json`: the Report object as built (the report JSON keys of docs/report.md
 * plus the extra sections). Infinite robust z-scores become null, since JSON
 * has no infinity.
 */
import type { Report } from '../analysis/types.js';
import { escapeC1 } from '../log.js';

/** Pretty-printed JSON of the report; C1 controls escaped like C0 ones (`\u0085`). */
export function renderJson(r: Report): string {
  return escapeC1(
    JSON.stringify(
      r,
      (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v),
      2,
    ) + '\n',
  );
}
