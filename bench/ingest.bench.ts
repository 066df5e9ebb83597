/**
 * @module
 * Import benchmark: generates a year of realistic legacy-log lines and JSON
 * lines (and, when asked, a packet capture of the same traffic) in a temp
 * dir, imports each into a fresh store with enrichment on, and reports
 * lines/s, store size and peak RSS, with DuckDB's memory bounded as
 * `sipsnare ingest` bounds it. Sizes from the environment:
 * SNARE_BENCH_LEGACY (default 10,000,000) and SNARE_BENCH_JSONL (default
 * 10,000,000) lines, SNARE_BENCH_PCAP (default 0) requests, each captured
 * with its answer (two packets; the figure counts requests).
 * Run: npm run bench -- ingest
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_INGEST_MEMORY } from '../src/cli/commands/ingest.js';
import { ingestPaths } from '../src/ingest/pipeline.js';
import { loadEnricher } from '../src/store/enricher.js';
import { openStore } from '../src/store/store.js';
import { generateLog } from './ingest-gen.js';

const legacyLines = Number(process.env['SNARE_BENCH_LEGACY'] ?? 10_000_000);
const jsonlLines = Number(process.env['SNARE_BENCH_JSONL'] ?? 10_000_000);
const pcapRequests = Number(process.env['SNARE_BENCH_PCAP'] ?? 0);
const dir = mkdtempSync(join(tmpdir(), 'snare-bench-ingest-'));

const EXTENSION = { legacy: 'log', jsonl: 'jsonl', pcap: 'pcap' } as const;

async function run(format: 'legacy' | 'jsonl' | 'pcap', lines: number): Promise<void> {
  if (lines <= 0) return;
  const file = join(dir, `bench.${EXTENSION[format]}`);
  const g0 = performance.now();
  const gen = generateLog(file, lines, format);
  const genS = (performance.now() - g0) / 1000;
  const db = join(dir, `${format}.duckdb`);
  // DuckDB bounded as `sipsnare ingest` bounds it.
  const store = await openStore(db, { memoryLimit: DEFAULT_INGEST_MEMORY });
  const enricher = await loadEnricher();
  const t0 = performance.now();
  const r = await ingestPaths(store, [file], { enricher, gapMinutes: 60 });
  const s = (performance.now() - t0) / 1000;
  store.close();
  const size = statSync(db).size;
  console.log(
    `${format.padEnd(6)} ${lines.toLocaleString('en-US')} lines (${(gen.bytes / 2 ** 20).toFixed(0)} MiB, ${gen.invites} INVITEs, generated in ${genS.toFixed(0)} s): ` +
      `imported in ${s.toFixed(1)} s = ${Math.round(lines / s).toLocaleString('en-US')} lines/s; ` +
      `events ${r.events.toLocaleString('en-US')}, rejected ${r.rejected}, calls ${r.calls}; ` +
      `store ${(size / 2 ** 20).toFixed(0)} MiB; peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`,
  );
  if (format === 'legacy')
    console.log(
      `legacy import: ${Math.round(lines / s).toLocaleString('en-US')} lines/s, target >= 250,000 lines/s (${lines / s >= 250_000 ? 'met' : 'missed'})`,
    );
  rmSync(file, { force: true });
  rmSync(db, { force: true });
}

try {
  await run('legacy', legacyLines);
  await run('jsonl', jsonlLines);
  await run('pcap', pcapRequests);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
