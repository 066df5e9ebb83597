/**
 * @module
 * Import progress on stderr: a bar redrawn in place when stderr is a
 * terminal (lines, lines/s, bytes %), a plain line every few seconds
 * otherwise (logs, CI). Never writes to stdout, which belongs to `--json`.
 */
import type { ProgressInfo } from './pipeline.js';

export interface ProgressOut {
  write(s: string): unknown;
  isTTY?: boolean;
}

/** Off a terminal, a progress line at most this often. */
export const PLAIN_PROGRESS_MS = 5000;

/** Returns the progress callback and a `done` that clears the bar. */
export function progressReporter(
  out: ProgressOut,
  now: () => number = Date.now,
): { onProgress: (p: ProgressInfo) => void; done: () => void } {
  const tty = out.isTTY === true;
  const every = tty ? 200 : PLAIN_PROGRESS_MS;
  const started = now();
  let last = 0;
  let drawn = false;
  let linesBefore = 0;
  let path = '';
  let fileLines = 0;
  return {
    onProgress(p) {
      if (p.path !== path) {
        linesBefore += fileLines;
        path = p.path;
      }
      fileLines = p.lines;
      const t = now();
      if (t - last < every) return;
      last = t;
      const lines = linesBefore + p.lines;
      const rate = Math.round(lines / Math.max(0.001, (t - started) / 1000));
      const pct = p.totalBytes > 0 ? Math.min(100, (100 * p.bytes) / p.totalBytes) : 0;
      const name = p.path.length > 40 ? `...${p.path.slice(-37)}` : p.path;
      if (tty) {
        const width = 24;
        const fill = Math.round((pct / 100) * width);
        out.write(
          `\r[${'#'.repeat(fill)}${'.'.repeat(width - fill)}] ${pct.toFixed(0).padStart(3)}% ` +
            `${lines.toLocaleString('en-US')} lines ${rate.toLocaleString('en-US')}/s ${name}\x1b[K`,
        );
        drawn = true;
      } else {
        out.write(`ingest: ${name} ${pct.toFixed(1)}% ${lines} lines ${rate} lines/s\n`);
      }
    },
    done() {
      if (drawn) out.write('\r\x1b[K');
    },
  };
}
