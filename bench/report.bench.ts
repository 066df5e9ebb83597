/**
 * @module
 * Report time per section over a synthetic store of BENCH_EVENTS events
 * (default 10 M; the article's year was 65 M). Builds the store in a temp
 * file, runs the whole report three times and prints each section's median.
 * Target: every section under 5 s at 10 M events.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { buildReport, SECTIONS } from '../src/analysis/build.js';
import { queryable } from '../src/store/queryable.js';
import { renderHtml } from '../src/report/html.js';
import { STORAGE_VERSION } from '../src/store/store.js';
import { generate } from './report-data.js';

const events = Number(process.env['BENCH_EVENTS'] ?? 10_000_000);
const runs = Number(process.env['BENCH_RUNS'] ?? 3);
const dir = mkdtempSync(join(tmpdir(), 'sipsnare-report-bench-'));
try {
  // BENCH_DB: reuse a store made earlier by the same generator instead of a new one.
  const reuse = process.env['BENCH_DB'];
  const path = reuse !== undefined && existsSync(reuse) ? reuse : join(dir, 'bench.duckdb');
  if (path !== reuse) {
    // The storage format of the stores sipsnare creates.
    const gen = await DuckDBInstance.create(path, {
      storage_compatibility_version: STORAGE_VERSION,
    });
    const gconn = await gen.connect();
    const seconds = await generate(gconn, events);
    gconn.closeSync();
    gen.closeSync();
    process.stdout.write(
      `generated ${events.toLocaleString('en-US')} events in ${seconds.toFixed(1)} s\n`,
    );
  }

  const instance = await DuckDBInstance.create(path, { access_mode: 'READ_ONLY' });
  const conn = await instance.connect();
  const db = queryable(conn);
  const [counts] = await db.all(
    `SELECT (SELECT count(*) FROM events) AS e, (SELECT count(*) FROM calls) AS c`,
  );
  process.stdout.write(`store: ${JSON.stringify(counts)}\n`);
  const times: Record<string, number[]> = {};
  const totals: number[] = [];
  let html = 0;
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    const report = await buildReport(db, { filter: {}, top: 10 });
    totals.push(performance.now() - t0);
    const h0 = performance.now();
    renderHtml(report, 10);
    html = performance.now() - h0;
    for (const s of SECTIONS) (times[s] ??= []).push(report.meta.timings_ms[s] ?? 0);
  }
  const med = (xs: number[]): number =>
    [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
  process.stdout.write(
    `\n| section | median ms (${runs} runs) | max ms |\n| --- | ---: | ---: |\n`,
  );
  for (const s of SECTIONS) {
    const xs = times[s] ?? [];
    process.stdout.write(`| ${s} | ${med(xs)} | ${Math.max(...xs)} |\n`);
  }
  process.stdout.write(
    `| whole report | ${Math.round(med(totals))} | ${Math.round(Math.max(...totals))} |\n`,
  );
  process.stdout.write(`| HTML rendering | ${Math.round(html)} | |\n`);
  process.stdout.write(
    `load average at the end: ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}\n`,
  );
  conn.closeSync();
  instance.closeSync();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
