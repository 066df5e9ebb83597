/**
 * @module
 * The floor under the network bench: what JetStream itself costs per event
 * with the pipeline's contract (one message per event on
 * `<prefix>.<sensor>`, `Nats-Msg-Id`, an acknowledgement per publish, a
 * durable pull consumer acknowledged once per batch), with no shipper or
 * collector work at all: payloads of SNARE_BENCH_FLOOR_BYTES (default
 * 606, an event line) made once, published by a bare loop over the NATS
 * client (window of 2,000), then consumed by a bare `consume()` that only
 * counts and acknowledges the last message of every 25,000.
 * Publishing and consuming run one after the other, so the CPU of each
 * phase is apart: nats-server's (from /proc) and the client's (this
 * process). Their sum is the CPU an event costs before a line is read or
 * a row written; 2 cores divided by it bounds the whole pipeline.
 * Run: npm run bench -- jetstream-floor
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os, { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { AckPolicy, jetstream, jetstreamManager, type JsMsg } from '@nats-io/jetstream';
import { connect, createInbox } from '@nats-io/transport-node';
import { defaultConfig } from '../src/config/defaults.js';
import { ensureStream } from '../src/nats/connect.js';
import { MsgIdHeader } from '../src/ship/msg-id-header.js';
import { freePort } from '../test/integration/sensor-process.js';

const TOTAL = Number(process.env['SNARE_BENCH_FLOOR_EVENTS'] ?? 300_000);
const BYTES = Number(process.env['SNARE_BENCH_FLOOR_BYTES'] ?? 606);
const WINDOW = 2000;
const BATCH = 25_000;

if (spawnSync('nats-server', ['--version']).status !== 0)
  throw new Error('nats-server is not installed (apt-get install nats-server)');
const dir = mkdtempSync(join(tmpdir(), 'snare-bench-floor-'));
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const load = (): string =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(', ');

/** CPU ms of a process (Linux /proc: utime + stime, 100 ticks per second). */
function pidCpuMs(pid: number | undefined): number {
  if (pid === undefined) return 0;
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) * 10;
}

function ownCpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

const port = await freePort();
writeFileSync(
  join(dir, 'nats.conf'),
  `listen: 127.0.0.1:${port}\njetstream { store_dir: "${join(dir, 'js')}" }\n`,
);
const server = spawn('nats-server', ['-c', join(dir, 'nats.conf')], { stdio: 'ignore' });
try {
  await sleep(1000);
  process.stdout.write(`load average before: ${load()} (${os.cpus().length} cores)\n`);
  const url = `nats://127.0.0.1:${port}`;
  const ship = { ...defaultConfig().ship, servers: [url] };
  const nc = await connect({ servers: url });
  await ensureStream(nc, ship);
  const jsm = await jetstreamManager(nc);
  await jsm.consumers.add(ship.stream, {
    durable_name: 'floor',
    ack_policy: AckPolicy.All,
    max_ack_pending: 50_000,
  });
  const payload = new Uint8Array(BYTES).fill(0x61);
  const ids = Array.from({ length: TOTAL }, () => crypto.randomUUID());
  const subjects = ['bf01', 'bf02', 'bf03'].map((s) => `${ship.subject_prefix}.${s}`);

  // Publish: reply subject and Nats-Msg-Id per message, at most WINDOW waiting for their acks.
  const inbox = createInbox();
  let acked = 0;
  let wake: (() => void) | null = null;
  nc.subscribe(`${inbox}.*`, {
    callback: () => {
      acked++;
      if (wake !== null) {
        const w = wake;
        wake = null;
        w();
      }
    },
  });
  const h = new MsgIdHeader();
  const s0 = pidCpuMs(server.pid);
  const c0 = ownCpuMs();
  let sent = 0;
  while (acked < TOTAL) {
    while (sent < TOTAL && sent - acked < WINDOW) {
      h.id = ids[sent] ?? '';
      nc.publish(subjects[sent % 3] ?? '', payload, { reply: `${inbox}.${sent}`, headers: h });
      sent++;
    }
    await new Promise<void>((r) => (wake = r));
  }
  const pubServer = pidCpuMs(server.pid) - s0;
  const pubClient = ownCpuMs() - c0;

  // Consume: count, acknowledge the last of every BATCH (AckAll), as the collector does.
  const s1 = pidCpuMs(server.pid);
  const c1 = ownCpuMs();
  const consumer = await jetstream(nc).consumers.get(ship.stream, 'floor');
  let got = 0;
  await new Promise<void>((resolve) => {
    void consumer.consume({
      max_messages: 2 * BATCH,
      expires: 5000,
      callback: (m: JsMsg) => {
        got++;
        if (got % BATCH === 0 || got === TOTAL) m.ack();
        if (got === TOTAL) resolve();
      },
    });
  });
  const subServer = pidCpuMs(server.pid) - s1;
  const subClient = ownCpuMs() - c1;
  await nc.close();

  const us = (ms: number): string => ((ms * 1000) / TOTAL).toFixed(1);
  const all = pubServer + pubClient + subServer + subClient;
  process.stdout.write(
    [
      `${TOTAL} messages of ${BYTES} bytes, one per event, Nats-Msg-Id, file stream, acked publishes, AckAll per ${BATCH}:`,
      `  nats-server: ${us(pubServer)} us per message stored, ${us(subServer)} us delivered; ${us(pubServer + subServer)} us in all`,
      `  bare NATS client: ${us(pubClient)} us to publish, ${us(subClient)} us to consume`,
      `  floor: ${us(all)} us of CPU per event before any shipper or collector work = at most ${Math.round((os.cpus().length * 1e6) / ((all * 1000) / TOTAL))} events/s on ${os.cpus().length} cores`,
      `load average after: ${load()}`,
    ].join('\n') + '\n',
  );
} finally {
  server.kill('SIGTERM');
  await sleep(500);
  rmSync(dir, { recursive: true, force: true });
}
