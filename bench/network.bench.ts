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
 * The collector runs in this process (the same classes as `sipsnare
 * collect`), so it sees each commit. Run: npm run bench -- network
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { CentralStore } from '../src/collect/central-store.js';
import { Collector } from '../src/collect/collector.js';
import { defaultConfig } from '../src/config/defaults.js';
import { eventOf } from '../src/events/catalog.js';
import { silentLogger } from '../src/log.js';
import { DEFAULT_GAP_MINUTES } from '../src/store/calls.js';
import { loadEnricher } from '../src/store/enricher.js';
import { freePort } from '../test/integration/sensor-process.js';

const TOTAL = Number(process.env['SNARE_BENCH_NET_EVENTS'] ?? 300_000);
const RATE = Number(process.env['SNARE_BENCH_NET_RATE'] ?? 5_000);
const SECONDS = Number(process.env['SNARE_BENCH_NET_SECONDS'] ?? 20);
const SENSORS = ['bn01', 'bn02', 'bn03'];
const BIN = join(import.meta.dirname, '..', 'bin', 'sipsnare');

if (spawnSync('nats-server', ['--version']).status !== 0)
  throw new Error('nats-server is not installed (apt-get install nats-server)');
const dir = mkdtempSync(join(tmpdir(), 'snare-bench-net-'));
const children: ChildProcess[] = [];
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
  const c = spawn('nats-server', ['-c', join(dir, 'nats.conf')], { stdio: 'ignore' });
  children.push(c);
  await sleep(1000);
  return `nats://127.0.0.1:${port}`;
}

function ship(sensor: string, url: string, stream: string): ChildProcess {
  const cfg = join(dir, `${sensor}-${stream}.yaml`);
  writeFileSync(
    cfg,
    stringify({
      sensor_id: sensor,
      ship: { servers: [url], stream, subject_prefix: `${stream.toLowerCase()}.events` },
    }),
  );
  const c = spawn(
    process.execPath,
    [BIN, 'ship', '--events', join(dir, stream, sensor), '--config', cfg],
    {
      stdio: 'ignore',
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
    log: silentLogger(),
    onCommit,
  });
  await c.start();
  return c;
}

const pct = (xs: number[], p: number): number =>
  xs[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))] ?? NaN;

async function throughput(url: string): Promise<void> {
  const per = Math.floor(TOTAL / SENSORS.length);
  const ts0 = Date.UTC(2026, 11, 6);
  for (const s of SENSORS) {
    mkdirSync(join(dir, 'TPUT', s), { recursive: true });
    let text = '';
    for (let i = 0; i < per; i++) text += line(s, i, new Date(ts0 + i).toISOString());
    writeFileSync(join(dir, 'TPUT', s, 'events-2026-12-06.jsonl'), text);
  }
  let stored = 0;
  let last = 0;
  const col = await collector(url, 'TPUT', (evs, at) => {
    stored += evs.length;
    last = at;
  });
  const t0 = Date.now();
  for (const s of SENSORS) ship(s, url, 'TPUT');
  while (stored < per * SENSORS.length) await sleep(50);
  const secs = (last - t0) / 1000;
  await col.stop();
  process.stdout.write(
    `throughput: ${per * SENSORS.length} events from 3 shippers into the store in ${secs.toFixed(1)} s = ${Math.round((per * SENSORS.length) / secs)} events/s\n`,
  );
}

async function lag(url: string): Promise<void> {
  const lags: number[] = [];
  const col = await collector(url, 'LAG', (evs, at) => {
    for (const e of evs) lags.push(at - Date.parse(e.ts));
  });
  const files = SENSORS.map((s) => {
    mkdirSync(join(dir, 'LAG', s), { recursive: true });
    return join(dir, 'LAG', s, `events-${new Date().toISOString().slice(0, 10)}.jsonl`);
  });
  for (const s of SENSORS) ship(s, url, 'LAG');
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
  await col.stop();
  lags.sort((a, b) => a - b);
  process.stdout.write(
    `lag at ${RATE} events/s for ${SECONDS} s (${written} events): median ${pct(lags, 50)} ms, p99 ${pct(lags, 99)} ms, max ${lags[lags.length - 1]} ms\n`,
  );
}

try {
  const url = await startNats();
  await throughput(url);
  await lag(url);
} finally {
  for (const c of children) c.kill('SIGTERM');
  await sleep(500);
  rmSync(dir, { recursive: true, force: true });
}
