/**
 * @module
 * Network benchmark: three `sipsnare ship` processes publish three sensors'
 * JSON lines through a JetStream server (Debian's nats-server on loopback,
 * file storage in a temp dir) to a collector writing one central store.
 *  1. Throughput: SNARE_BENCH_NET_EVENTS (default 300,000) events already
 *     on disk, split over the three sensors; events/s from the first publish
 *     until the last row is committed.
 *  2. Lag: three writers append lines at SNARE_BENCH_NET_RATE (default 5,000)
 *     events/s in total for SNARE_BENCH_NET_SECONDS (default 20) s, each
 *     line stamped when written; the lag of an event is from that stamp to
 *     the commit of its row (median and p99).
 * Both are measured twice: with one event per message (the default,
 * `ship.events_per_message` 1) and batched (SNARE_BENCH_NET_BATCH events
 * per message, default 100); SNARE_BENCH_NET_MODES=event or =batch runs
 * one of them only. SNARE_BENCH_NET_DEBUG=1 shows the collector's log
 * (info), the shippers' warnings and nats-server's log on stderr.
 * The collector runs in this process (the same classes as `sipsnare
 * collect`), so it sees each commit. Beside the rates it prints the CPU
 * time each part spent per event (collector, shippers, nats-server: a
 * figure that holds on a busy machine, where rates do not), the bytes an
 * event takes in the files, the stream and the store, and the load average.
 * Run: npm run bench -- network
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import {
  appendFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import os, { loadavg, tmpdir } from 'node:os';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { CentralStore } from '../src/collect/central-store.js';
import { Collector } from '../src/collect/collector.js';
import { defaultConfig } from '../src/config/defaults.js';
import { eventOf } from '../src/events/catalog.js';
import { createLogger, silentLogger } from '../src/log.js';
import { DEFAULT_GAP_MINUTES } from '../src/store/calls.js';
import { loadEnricher } from '../src/store/enricher.js';
import { freePort } from '../test/integration/sensor-process.js';

const TOTAL = Number(process.env['SNARE_BENCH_NET_EVENTS'] ?? 300_000);
const RATE = Number(process.env['SNARE_BENCH_NET_RATE'] ?? 5_000);
const SECONDS = Number(process.env['SNARE_BENCH_NET_SECONDS'] ?? 20);
const BATCH = Number(process.env['SNARE_BENCH_NET_BATCH'] ?? 100);
const MODES = (process.env['SNARE_BENCH_NET_MODES'] ?? 'event,batch').split(',');
/** The modes measured: events per message, and the name printed. */
const RUNS = [
  { mode: 'event', perMessage: 1, name: 'one event per message' },
  { mode: 'batch', perMessage: BATCH, name: `batched, ${BATCH} events per message` },
].filter((r) => MODES.includes(r.mode));
const SENSORS = ['bn01', 'bn02', 'bn03'];
const BIN = join(import.meta.dirname, '..', 'bin', 'sipsnare');

if (spawnSync('nats-server', ['--version']).status !== 0)
  throw new Error('nats-server is not installed (apt-get install nats-server)');
const dir = mkdtempSync(join(tmpdir(), 'snare-bench-net-'));
const children: ChildProcess[] = [];
let natsServer: ChildProcess | null = null;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function line(sensor: string, i: number, ts: string): string {
  return (
    JSON.stringify(
      eventOf(
        {
          event: 'sip.request',
          event_id: crypto.randomUUID(),
          ts,
          sensor,
          transport: 'udp',
          src_ip: `203.0.113.${i % 250}`,
          src_port: 5060,
          dst_ip: '127.0.0.1',
          dst_port: 5060,
        },
        {
          method: i % 10 === 0 ? 'INVITE' : 'REGISTER',
          from_user: '100',
          to_user: '100',
          user_agent: 'friendly-scanner',
          dialed: i % 10 === 0 ? `00972599${String(i % 1000).padStart(6, '0')}` : null,
        },
      ),
    ) + '\n'
  );
}

async function startNats(): Promise<string> {
  const port = await freePort();
  writeFileSync(
    join(dir, 'nats.conf'),
    `listen: 127.0.0.1:${port}\njetstream { store_dir: "${join(dir, 'js')}" }\nmax_payload: 1MB\n`,
  );
  const c = spawn('nats-server', ['-c', join(dir, 'nats.conf')], {
    stdio: process.env['SNARE_BENCH_NET_DEBUG'] ? ['ignore', 'ignore', 'inherit'] : 'ignore',
  });
  children.push(c);
  natsServer = c;
  await sleep(1000);
  return `nats://127.0.0.1:${port}`;
}

function ship(sensor: string, url: string, stream: string, perMessage: number): ChildProcess {
  const cfg = join(dir, `${sensor}-${stream}.yaml`);
  writeFileSync(
    cfg,
    stringify({
      sensor_id: sensor,
      ship: {
        servers: [url],
        stream,
        subject_prefix: `${stream.toLowerCase()}.events`,
        events_per_message: perMessage,
      },
    }),
  );
  const c = spawn(
    process.execPath,
    [BIN, 'ship', '--events', join(dir, stream, sensor), '--config', cfg],
    {
      stdio: process.env['SNARE_BENCH_NET_DEBUG'] ? ['ignore', 'ignore', 'inherit'] : 'ignore',
      env: { ...process.env, SIPSNARE_LOG_LEVEL: 'warn' },
    },
  );
  children.push(c);
  return c;
}

async function collector(
  url: string,
  stream: string,
  onCommit: (evs: readonly { ts: string }[], at: number) => void,
) {
  const base = defaultConfig();
  const store = new CentralStore({
    path: join(dir, `${stream}.duckdb`),
    enricher: await loadEnricher(),
    gapMinutes: DEFAULT_GAP_MINUTES,
  });
  const c = new Collector({
    servers: [url],
    ship: { ...base.ship, stream, subject_prefix: `${stream.toLowerCase()}.events` },
    collect: { ...base.collect, durable: `bench-${stream}` },
    store,
    rejectedFile: join(dir, `${stream}.rejected.jsonl`),
    log: process.env['SNARE_BENCH_NET_DEBUG'] ? createLogger('info') : silentLogger(),
    onCommit,
  });
  await c.start();
  return c;
}

/** CPU milliseconds (user + system) a child process has used so far (Linux /proc). */
function childCpuMs(c: ChildProcess | null): number {
  if (c?.pid === undefined) return 0;
  try {
    const stat = readFileSync(`/proc/${c.pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15 of stat, in clock ticks (100 per second on Linux).
    return (Number(f[11]) + Number(f[12])) * 10;
  } catch {
    return 0;
  }
}

/** CPU milliseconds this process has used so far (the collector, all its threads). */
function ownCpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

const load = (): string =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(', ');

function stopChildren(cs: readonly ChildProcess[]): void {
  for (const c of cs) c.kill('SIGTERM');
}

const pct = (xs: number[], p: number): number =>
  xs[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))] ?? NaN;

async function throughput(url: string, stream: string, perMessage: number): Promise<void> {
  const per = Math.floor(TOTAL / SENSORS.length);
  const ts0 = Date.UTC(2026, 11, 6);
  let fileBytes = 0;
  for (const s of SENSORS) {
    mkdirSync(join(dir, stream, s), { recursive: true });
    let text = '';
    for (let i = 0; i < per; i++) text += line(s, i, new Date(ts0 + i).toISOString());
    writeFileSync(join(dir, stream, s, 'events-2026-12-06.jsonl'), text);
    fileBytes += Buffer.byteLength(text);
  }
  const total = per * SENSORS.length;
  let stored = 0;
  let last = 0;
  const col = await collector(url, stream, (evs, at) => {
    stored += evs.length;
    last = at;
  });
  const natsCpu0 = childCpuMs(natsServer);
  const cpu0 = ownCpuMs();
  const t0 = Date.now();
  const shippers = SENSORS.map((s) => ship(s, url, stream, perMessage));
  while (stored < total) await sleep(50);
  const collectorCpu = ownCpuMs() - cpu0;
  const natsCpu = childCpuMs(natsServer) - natsCpu0;
  const shipCpu = shippers.reduce((a, c) => a + childCpuMs(c), 0);
  stopChildren(shippers);
  const secs = (last - t0) / 1000;
  const nc = await connect({ servers: url });
  const info = await (await jetstreamManager(nc)).streams.info(stream);
  await nc.close();
  const cs = col.stats;
  await col.stop();
  const storeBytes = statSync(join(dir, `${stream}.duckdb`)).size;
  const us = (ms: number): string => ((ms * 1000) / total).toFixed(1);
  const out = [
    `throughput: ${total} events from 3 shippers into the store in ${secs.toFixed(1)} s = ${Math.round(total / secs)} events/s (target: at least 40,000 events/s)`,
    `  CPU per event: collector ${us(collectorCpu)} us (= ${Math.round((total * 1000) / collectorCpu)} events/s per collector core), shippers ${us(shipCpu)} us, nats-server ${us(natsCpu)} us; all three ${us(collectorCpu + shipCpu + natsCpu)} us`,
    `  collector: ${cs.batches} batches, ${cs.duplicates} duplicates dropped, ${cs.resets} consumer resets, ${cs.pauses} pauses`,
    `  bytes per event: ${Math.round(fileBytes / total)} in the JSON lines, ${Math.round(info.state.bytes / total)} in the stream (${info.state.messages} messages), ${Math.round(storeBytes / total)} in the store (${total} events, DuckDB file after checkpoint)`,
  ];
  process.stdout.write(out.join('\n') + '\n');
}

async function lag(url: string, stream: string, perMessage: number): Promise<void> {
  const lags: number[] = [];
  const col = await collector(url, stream, (evs, at) => {
    for (const e of evs) lags.push(at - Date.parse(e.ts));
  });
  const files = SENSORS.map((s) => {
    mkdirSync(join(dir, stream, s), { recursive: true });
    return join(dir, stream, s, `events-${new Date().toISOString().slice(0, 10)}.jsonl`);
  });
  const shippers = SENSORS.map((s) => ship(s, url, stream, perMessage));
  const t0 = Date.now();
  let written = 0;
  while (Date.now() - t0 < SECONDS * 1000) {
    const due = Math.floor(((Date.now() - t0) * RATE) / 1000);
    const per: string[] = files.map(() => '');
    for (; written < due; written++) {
      const k = written % files.length;
      per[k] = (per[k] ?? '') + line(SENSORS[k] ?? '', written, new Date().toISOString());
    }
    files.forEach((f, k) => {
      if (per[k] !== '') appendFileSync(f, per[k] ?? '');
    });
    await sleep(10);
  }
  while (lags.length < written) await sleep(50);
  stopChildren(shippers);
  await col.stop();
  lags.sort((a, b) => a - b);
  process.stdout.write(
    `lag at ${RATE} events/s for ${SECONDS} s (${written} events): median ${pct(lags, 50)} ms, p99 ${pct(lags, 99)} ms (target: p99 under 2,000 ms), max ${lags[lags.length - 1]} ms\n`,
  );
}

try {
  process.stdout.write(`load average before: ${load()} (${os.cpus().length} cores)\n`);
  const url = await startNats();
  for (const [i, r] of RUNS.entries()) {
    process.stdout.write(`-- ${r.name} (ship.events_per_message: ${r.perMessage})\n`);
    await throughput(url, `TPUT${i}`, r.perMessage);
    process.stdout.write(`load average: ${load()}\n`);
    await lag(url, `LAG${i}`, r.perMessage);
    process.stdout.write(`load average: ${load()}\n`);
  }
} finally {
  for (const c of children) c.kill('SIGTERM');
  await sleep(500);
  rmSync(dir, { recursive: true, force: true });
}
