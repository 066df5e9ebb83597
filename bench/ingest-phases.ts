/**
 * @module
 * Where a legacy import's time goes: imports one generated legacy file
 * (bench/ingest-gen.ts, seed 7) into a fresh store as the ingest bench
 * does, and sums wall and CPU time (user+sys of the whole process, DuckDB's
 * threads included) per kind of SQL statement and per phase (read and cut,
 * flushes into `events`, `calls`, rollups), with the CPU of the busiest
 * thread (a statement that runs on one thread has it near its whole CPU). CPU time is what to compare
 * between builds on a shared machine; the load average is printed beside it.
 * Run: node --import tsx bench/ingest-phases.ts [LINES] [FILE]
 * (FILE: reuse a generated file, made when missing; default a temp dir).
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { DEFAULT_INGEST_MEMORY } from '../src/cli/commands/ingest.js';
import { ingestPaths } from '../src/ingest/pipeline.js';
import { loadEnricher } from '../src/store/enricher.js';
import { openStore } from '../src/store/store.js';
import { generateLog } from './ingest-gen.js';

const lines = Number(process.argv[2] ?? 2_000_000);
const dir = mkdtempSync(join(tmpdir(), 'snare-bench-phases-'));
const file = process.argv[3] ?? join(dir, 'bench.log');

/** A statement's kind: its first words, values and names of temp tables cut off. */
function kind(sql: string): string {
  const s = sql.replace(/\s+/g, ' ').trim();
  const m =
    /^(CREATE OR REPLACE TEMP (?:TABLE|VIEW) \w+|INSERT INTO \w+|DELETE FROM \w+|MERGE INTO \w+|UPDATE \w+|SELECT .{0,40}|[A-Z ]+)/.exec(
      s,
    );
  return (m?.[1] ?? s.slice(0, 40)).slice(0, 60);
}

interface Tally {
  n: number;
  wall: number;
  cpu: number;
  /** CPU of the busiest thread: near `cpu` for a statement that ran on one thread. */
  top: number;
}

/** CPU seconds of each thread of this process (Linux; empty elsewhere). */
function threadCpu(): Map<string, number> {
  const m = new Map<string, number>();
  try {
    for (const t of readdirSync('/proc/self/task')) {
      const f = readFileSync(`/proc/self/task/${t}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
      m.set(t, (Number(f[11]) + Number(f[12])) / 100);
    }
  } catch {
    // not Linux: no per-thread figures
  }
  return m;
}
const byKind = new Map<string, Tally>();

function cpuNow(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

/** Wraps the connection's statement calls to time each one (once: runAndReadAll calls run). */
function instrument(conn: DuckDBConnection): void {
  let depth = 0;
  for (const name of ['run', 'runAndReadAll'] as const) {
    const orig = conn[name].bind(conn) as (sql: string, ...rest: unknown[]) => Promise<unknown>;
    (conn as unknown as Record<string, unknown>)[name] = async (
      sql: string,
      ...rest: unknown[]
    ) => {
      if (depth > 0) return orig(sql, ...rest);
      depth++;
      const w0 = performance.now();
      const c0 = cpuNow();
      const t0 = threadCpu();
      try {
        return await orig(sql, ...rest);
      } finally {
        depth--;
        const k = kind(sql);
        const t = byKind.get(k) ?? { n: 0, wall: 0, cpu: 0, top: 0 };
        const t1 = threadCpu();
        t.top += Math.max(0, ...[...t1].map(([id, v]) => v - (t0.get(id) ?? 0)));
        t.n++;
        t.wall += (performance.now() - w0) / 1000;
        t.cpu += cpuNow() - c0;
        byKind.set(k, t);
      }
    };
  }
}

try {
  if (!existsSync(file)) generateLog(file, lines, 'legacy');
  const db = join(dir, 'legacy.duckdb');
  const store = await openStore(db, { memoryLimit: DEFAULT_INGEST_MEMORY });
  const enricher = await loadEnricher();
  instrument(store.conn);
  const load0 = loadavg()[0] ?? 0;
  const w0 = performance.now();
  const c0 = cpuNow();
  const r = await ingestPaths(store, [file], { enricher, gapMinutes: 60 });
  const wall = (performance.now() - w0) / 1000;
  const cpu = cpuNow() - c0;
  store.close();
  const rows = [...byKind.entries()].sort((a, b) => b[1].cpu - a[1].cpu);
  for (const [k, t] of rows.slice(0, 25)) {
    console.log(
      `${t.cpu.toFixed(2).padStart(7)} s cpu ${t.wall.toFixed(2).padStart(7)} s wall ` +
        `${t.top.toFixed(2).padStart(7)} s busiest thread ${String(t.n).padStart(5)}x  ${k}`,
    );
  }
  const sqlCpu = rows.reduce((a, [, t]) => a + t.cpu, 0);
  console.log(
    `import ${lines.toLocaleString('en-US')} lines: ${wall.toFixed(1)} s wall, ${cpu.toFixed(1)} s cpu ` +
      `(in statements ${sqlCpu.toFixed(1)} s), ${Math.round(lines / wall).toLocaleString('en-US')} lines/s; ` +
      `events ${r.events}, calls ${r.calls}; peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB; ` +
      `load ${load0.toFixed(1)} -> ${(loadavg()[0] ?? 0).toFixed(1)}`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
