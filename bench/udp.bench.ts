/**
 * @module
 * Sensor: UDP throughput. Finds the highest rate of realistic scanner
 * datagrams the sensor (`bin/sipsnare sensor`, built dist/) sustains on
 * loopback with zero loss: every datagram sent becomes an event line and
 * the kernel's UDP InErrors/RcvbufErrors (/proc/net/snmp) do not move.
 * Steps the rate up until loss, three rounds, and reports medians, with the
 * sensor's CPU and peak RSS; then the same for a bare Node receive loop (the
 * ceiling), and once more with the loop answering every datagram (what Node
 * and the kernel alone cost per answered message). Every response budget is
 * raised so every message is answered.
 *
 * With BENCH_UDP_STORE=1 the sensor also writes into an embedded store, as
 * `npm start` (`sipsnare run`) does. BENCH_UDP_FLOOD=1 measures memory
 * under floods: `sipsnare run` (sensor, store and dashboard, as `npm
 * start`), every rate of the list whatever was lost, each step's peak RSS
 * (VmHWM) and what the sensor dropped. The sensor is started as an
 * executable, with the settings of its first lines; BENCH_UDP_NODE_FLAGS
 * adds Node/V8 flags through NODE_OPTIONS (a profile, a GC setting).
 *
 * usage: npm run bench -- udp     (BENCH_UDP_RATES=10000,20000 BENCH_UDP_ROUNDS=1 to shorten)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import {
  closeSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { REPO_ROOT } from '../test/helpers/shared.js';
import { freePort } from '../test/integration/sensor-process.js';
import { openStore } from '../src/store/store.js';

const RATES = (process.env['BENCH_UDP_RATES'] ?? '2500,5000,10000,15000,20000,30000,40000,60000')
  .split(',')
  .map(Number);
const ROUNDS = Number(process.env['BENCH_UDP_ROUNDS'] ?? 3);
const DURATION_MS = Number(process.env['BENCH_UDP_DURATION_MS'] ?? 3000);
const SOCKETS = 8;
/** The sensor also writes into an embedded store (`sipsnare run`). */
const FLOOD = process.env['BENCH_UDP_FLOOD'] === '1';
const WITH_STORE = FLOOD || process.env['BENCH_UDP_STORE'] === '1';
/** Node/V8 flags added to the sensor process, space-separated (e.g. `--single-threaded-gc`). */
const SENSOR_FLAGS = process.env['BENCH_UDP_NODE_FLAGS'] ?? '';
/**
 * What the whole `sipsnare run` process (store and dashboard included) is
 * meant to stay under, whatever the flood: each BENCH_UDP_FLOOD step's peak
 * RSS is shown against it.
 */
const RSS_TARGET_MB = 300;
/** Every step of the sensor's rounds, for the peak RSS summary of BENCH_UDP_FLOOD. */
const sensorSteps: Run[] = [];
/** Rate of the warm-up load sent before measuring. */
const WARMUP_RATE = 2000;
const CLK_TCK = 100;

interface Run {
  rate: number;
  sent: number;
  received: number;
  kernelErrors: number;
  achievedRate: number;
  cpuPercent: number | null;
  peakRssMb: number | null;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function udpErrors(): number {
  const lines = readFileSync('/proc/net/snmp', 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('Udp:'));
  const names = (lines[0] ?? '').split(/\s+/);
  const values = (lines[1] ?? '').split(/\s+/).map(Number);
  const get = (n: string) => values[names.indexOf(n)] ?? 0;
  return get('InErrors') + get('RcvbufErrors');
}

function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(f[11]) + Number(f[12]); // utime + stime
}

/** CPU share of `pid` since `ticks0`, over a load step of `elapsedMs` plus the 600 ms it settles. */
function cpuPercentSince(pid: number, ticks0: number, elapsedMs: number): number {
  return Math.round((((cpuTicks(pid) - ticks0) / CLK_TCK) * 100 * 1000) / (elapsedMs + 600));
}

function peakRssMb(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Math.round(Number(m[1]) / 1024) : NaN;
}

interface LoadResult {
  sent: number;
  paced: number;
  elapsed_ms: number;
  replies: number;
}

function runLoad(port: number, rate: number): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        join(REPO_ROOT, 'bench', 'udp-load.ts'),
        String(port),
        String(rate),
        String(DURATION_MS),
        String(SOCKETS),
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const killer = setTimeout(() => child.kill('SIGKILL'), DURATION_MS * 3 + 20000);
    child.on('exit', () => {
      clearTimeout(killer);
      try {
        resolve(JSON.parse(out) as LoadResult);
      } catch {
        reject(new Error(`load generator failed: ${out}`));
      }
    });
  });
}

async function waitFor(child: ChildProcess, text: string, get: () => string): Promise<void> {
  const t0 = Date.now();
  while (!get().includes(text)) {
    if (child.exitCode !== null || Date.now() - t0 > 20000)
      throw new Error(`did not start: ${get()}`);
    await sleep(20);
  }
}

/** Lines in the event files, and how many of them are rate-limit reports. */
function countEvents(dir: string): { lines: number; reports: number } {
  let lines = 0;
  let reports = 0;
  const buf = Buffer.alloc(1 << 20);
  let carry = '';
  for (const f of readdirSync(dir)) {
    const fd = openSync(join(dir, f), 'r');
    for (let n = readSync(fd, buf); n > 0; n = readSync(fd, buf)) {
      for (let i = buf.indexOf(10); i !== -1 && i < n; i = buf.indexOf(10, i + 1)) lines++;
      const text = carry + buf.toString('latin1', 0, n);
      reports += text.split('"event":"sensor.rate_limited"').length - 1;
      carry = text.slice(-40);
    }
    closeSync(fd);
  }
  return { lines, reports };
}

function dirBytes(dir: string): number {
  return readdirSync(dir).reduce((n, f) => n + statSync(join(dir, f)).size, 0);
}

/** Lines in the event files now (after the sensor flushed them). */
async function settledLines(dir: string): Promise<{ lines: number; reports: number }> {
  let last = -1;
  for (let i = 0; i < 200; i++) {
    const b = dirBytes(dir);
    if (b === last) break;
    last = b;
    await sleep(300);
  }
  return countEvents(dir);
}

/**
 * One sensor process per round: started, warmed up (V8 compiles the hot
 * path during the first thousands of messages, which would otherwise count
 * as loss), then driven at each rate in turn; each step's events are the
 * growth of the event files.
 */
async function sensorRound(label: string): Promise<Run | null> {
  const dir = mkdtempSync(join(tmpdir(), 'snare-bench-'));
  const port = await freePort();
  const big = 10_000_000;
  writeFileSync(
    join(dir, 'c.yaml'),
    stringify({
      sensor_id: 'bench',
      listen: [`udp://127.0.0.1:${port}`],
      events: { jsonl: join(dir, 'ev') },
      store: { db: WITH_STORE ? join(dir, 'store.duckdb') : null },
      ...(FLOOD ? { http: { listen: `127.0.0.1:${await freePort()}` } } : {}),
      limits: {
        responses_per_source_per_s: big,
        responses_per_source_burst: big,
        responses_global_per_s: big,
      },
    }),
  );
  // Started as `sipsnare` is installed: the executable, with the settings of its first lines.
  const env: NodeJS.ProcessEnv = { ...process.env, SIPSNARE_LOG_LEVEL: 'info' };
  if (SENSOR_FLAGS !== '')
    env['NODE_OPTIONS'] = `${env['NODE_OPTIONS'] ?? ''} ${SENSOR_FLAGS}`.trim();
  const child = spawn(
    join(REPO_ROOT, 'bin', 'sipsnare'),
    [FLOOD ? 'run' : 'sensor', '--config', join(dir, 'c.yaml')],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
      env,
    },
  );
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  let best: Run | null = null;
  try {
    await waitFor(child, 'sensor started', () => err);
    const pid = child.pid ?? 0;
    const ev = join(dir, 'ev');
    await runLoad(port, WARMUP_RATE);
    let before = await settledLines(ev);
    for (const rate of RATES) {
      const cpu0 = cpuTicks(pid);
      const errs0 = udpErrors();
      const load = await runLoad(port, rate);
      const after = await settledLines(ev);
      const r: Run = {
        rate,
        sent: load.sent,
        received: after.lines - after.reports - (before.lines - before.reports),
        kernelErrors: udpErrors() - errs0,
        achievedRate: Math.round((load.paced * 1000) / load.elapsed_ms),
        cpuPercent: cpuPercentSince(pid, cpu0, load.elapsed_ms),
        peakRssMb: peakRssMb(pid),
      };
      report(label, r);
      sensorSteps.push(r);
      if (!lossless(r) && !FLOOD) break;
      best = r;
      before = after;
    }
  } finally {
    child.kill('SIGTERM');
    if (child.exitCode === null) await new Promise((r) => child.once('exit', r));
    if (WITH_STORE) await reportStored(label, dir);
    rmSync(dir, { recursive: true, force: true });
  }
  return best;
}

/**
 * How much of the round the store kept (events beyond its queue skip it
 * and stay in the JSON lines), after the sensor stopped: its events
 * against the event lines.
 */
async function reportStored(label: string, dir: string): Promise<void> {
  const { lines, reports } = await settledLines(join(dir, 'ev'));
  const store = await openStore(join(dir, 'store.duckdb'));
  try {
    const r = await store.conn.runAndReadAll('SELECT count(*) AS n FROM events');
    const stored = Number(r.getRowObjectsJS()[0]?.['n'] ?? 0);
    const events = lines - reports;
    console.log(
      `  ${label}: the store holds ${stored} of ${events} events (${((100 * stored) / Math.max(1, events)).toFixed(1)} %)`,
    );
  } finally {
    store.close();
  }
}

async function runBare(rate: number, echo = false): Promise<Run> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(REPO_ROOT, 'bench', 'udp-bare.ts'), '0', ...(echo ? ['echo'] : [])],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  try {
    await waitFor(child, 'ready', () => out);
    const port = Number(/ready (\d+)/.exec(out)?.[1]);
    const pid = child.pid ?? 0;
    // The echo loop is warmed up like the sensor; its datagrams are not counted below.
    const warm = echo ? (await runLoad(port, WARMUP_RATE)).sent : 0;
    const cpu0 = cpuTicks(pid);
    const errs0 = udpErrors();
    const load = await runLoad(port, rate);
    await sleep(300);
    const kernelErrors = udpErrors() - errs0;
    const cpuPercent = cpuPercentSince(pid, cpu0, load.elapsed_ms);
    const rss = peakRssMb(pid);
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    const received = Number(/count (\d+)/.exec(out)?.[1] ?? 0) - warm;
    return {
      rate,
      sent: load.sent,
      received,
      kernelErrors,
      achievedRate: Math.round((load.sent * 1000) / load.elapsed_ms),
      cpuPercent,
      peakRssMb: rss,
    };
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
}

/** A peak RSS against RSS_TARGET_MB: `under the 300 MB target by 12 MB` or `over ... by 40 MB`. */
function rssAgainstTarget(mb: number): string {
  const d = RSS_TARGET_MB - mb;
  return `${d >= 0 ? 'under' : 'OVER'} the ${RSS_TARGET_MB} MB target by ${Math.abs(d)} MB`;
}

const lossless = (r: Run) =>
  r.received === r.sent && r.kernelErrors === 0 && r.achievedRate >= r.rate * 0.95;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

function report(label: string, r: Run): void {
  process.stdout.write(
    `  ${label} ${r.rate}/s: sent ${r.sent} (${r.achievedRate}/s paced) got ${r.received} kernel errors ${r.kernelErrors}` +
      (r.cpuPercent !== null ? ` cpu ${r.cpuPercent}% rss ${r.peakRssMb} MB` : '') +
      (FLOOD && r.peakRssMb !== null ? ` (${rssAgainstTarget(r.peakRssMb)})` : '') +
      (lossless(r) ? '' : '  LOSS') +
      '\n',
  );
}

/** One round of the bare loop: step the rate up until a run loses something. */
async function bareRound(label: string): Promise<Run | null> {
  let best: Run | null = null;
  for (const rate of RATES) {
    const r = await runBare(rate);
    report(label, r);
    if (!lossless(r)) break;
    best = r;
  }
  return best;
}

async function main(): Promise<void> {
  const machine = `${cpus().length} x ${cpus()[0]?.model ?? '?'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
  process.stdout.write(
    `machine: ${machine}\nduration ${DURATION_MS} ms per step, ${SOCKETS} source ports, rates ${RATES.join(', ')}, store ${WITH_STORE ? 'on' : 'off'}\n`,
  );
  // Each round's best run; null when it lost at the first rate (it counts in the median as 0).
  const sensorRounds: (Run | null)[] = [];
  const bareRounds: (Run | null)[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    sensorRounds.push(await sensorRound(`round ${i + 1} sensor${WITH_STORE ? '+store' : ''}`));
    bareRounds.push(await bareRound(`round ${i + 1} bare  `));
  }
  const medianRate = (rounds: (Run | null)[]) => median(rounds.map((r) => r?.rate ?? 0));
  // CPU and RSS of the rounds whose best rate is the median one.
  const sensorRate = medianRate(sensorRounds);
  const sensorBest = sensorRounds.filter((r): r is Run => r !== null && r.rate === sensorRate);
  // What Node and the kernel alone spend per answered message, at the sensor's best rate.
  const echoRate = sensorRate > 0 ? sensorRate : RATES[0];
  const echo = echoRate === undefined ? null : await runBare(echoRate, true);
  if (echo) report('bare echo loop', echo);
  const fmt = (rounds: (Run | null)[]) => {
    const m = medianRate(rounds);
    const each = rounds.map((r) => r?.rate ?? 'none').join(', ');
    return `${m > 0 ? `${m} msgs/s` : `none (lost at ${RATES[0]}/s)`} (rounds: ${each})`;
  };
  process.stdout.write(
    `\nmax zero-loss rate (median of ${ROUNDS} rounds, a round lossy at the first rate counting as 0): sensor ${fmt(sensorRounds)}, bare Node receive loop ${fmt(bareRounds)}\n` +
      (sensorBest.length > 0
        ? `sensor at its max: cpu ${median(sensorBest.map((r) => r.cpuPercent ?? NaN))}%, peak RSS ${median(sensorBest.map((r) => r.peakRssMb ?? NaN))} MB\n`
        : '') +
      (echo && sensorBest.length > 0
        ? `CPU per message at ${echo.rate}/s (the same ${DURATION_MS / 1000} s step plus 600 ms): sensor ${cpuPerMessage(median(sensorBest.map((r) => r.cpuPercent ?? NaN)), echo.rate)} µs, bare echo loop ${cpuPerMessage(echo.cpuPercent ?? NaN, echo.rate)} µs\n`
        : ''),
  );
  if (FLOOD) {
    process.stdout.write(
      `\npeak RSS of sipsnare run per offered rate (rounds; target ${RSS_TARGET_MB} MB):\n`,
    );
    for (const rate of RATES) {
      const steps = sensorSteps.filter((r) => r.rate === rate && r.peakRssMb !== null);
      if (steps.length === 0) continue;
      const peak = Math.max(...steps.map((r) => r.peakRssMb ?? 0));
      process.stdout.write(
        `  ${rate}/s: ${steps.map((r) => r.peakRssMb).join(', ')} MB, received ${steps.map((r) => `${r.received} of ${r.sent}`).join(', ')}; highest ${rssAgainstTarget(peak)}\n`,
      );
    }
  }
}

/** Microseconds of CPU per paced message, from a CPU share measured over the step plus 600 ms. */
function cpuPerMessage(cpuPercent: number, rate: number): string {
  const cpuUs = (cpuPercent / 100) * (DURATION_MS + 600) * 1000;
  const messages = (rate * DURATION_MS) / 1000;
  return (cpuUs / messages).toFixed(1);
}

await main();
