/**
 * @module
 * Processes for the network tests: `sipsnare collect` as a child process
 * (stop with SIGTERM, or kill with SIGKILL, and start again on the same
 * store), the collector's counts over its HTTP endpoint, a nats-server with
 * shipping sensors and a collector started together, UDP load and INVITEs
 * sent to a sensor the way toll-fraud scanners send them, and waits that
 * follow progress rather than the clock. Every process started here is
 * ended by its PID.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { stringify } from 'yaml';
import { REPO_ROOT } from '../helpers/shared.js';
import { startNatsServer, type NatsServer } from './nats-server.js';
import { freePort, startSensorProcess, type SensorProcess } from './sensor-process.js';

/** How long a collector may take to start, and to stop after SIGTERM (then SIGKILL): only a hang takes this long. */
const COLLECTOR_START_MS = 120_000;
const COLLECTOR_STOP_MS = 90_000;

export interface CollectorProcess {
  readonly url: string;
  stderr(): string;
  start(): Promise<void>;
  /** SIGTERM and wait for the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL and wait. */
  kill(): Promise<void>;
  /** The collector's counts (`/api/status`). */
  status(): Promise<{
    stored: number;
    rejected: number;
    failing: boolean;
    rejected_by: Record<string, number>;
  }>;
}

export async function startCollector(
  dir: string,
  db: string,
  nats: string[],
  config: Record<string, unknown> = {},
): Promise<CollectorProcess> {
  const port = await freePort();
  const cfgPath = join(dir, `collect-${port}.yaml`);
  writeFileSync(cfgPath, stringify({ collect: { batch_ms: 100 }, ...config }));
  let child: ChildProcess | null = null;
  let err = '';
  let exited: Promise<number | null> = Promise.resolve(null);
  const start = async (): Promise<void> => {
    const c = spawn(
      process.execPath,
      [
        join(REPO_ROOT, 'bin', 'sipsnare'),
        'collect',
        '--nats',
        nats.join(','),
        '--db',
        db,
        '--http',
        `127.0.0.1:${port}`,
        '--config',
        cfgPath,
      ],
      { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, SIPSNARE_LOG_LEVEL: 'info' } },
    );
    child = c;
    c.stderr.on('data', (d: Buffer) => (err += d.toString()));
    exited = new Promise((resolve) =>
      c.once('exit', (code) => {
        resolve(code);
      }),
    );
    const t0 = Date.now();
    // Bounded only against a hang: a loaded machine may take a while to start it.
    while (!err.includes('answering reports')) {
      if (c.exitCode !== null || Date.now() - t0 > COLLECTOR_START_MS) {
        c.kill('SIGKILL');
        throw new Error(`collector did not start: ${err}`);
      }
      await new Promise((r) => setTimeout(r, 25));
    }
  };
  const end = async (signal: NodeJS.Signals): Promise<number | null> => {
    const c = child;
    if (c === null || c.exitCode !== null || c.signalCode !== null) return c?.exitCode ?? null;
    c.kill(signal);
    const killer = setTimeout(() => c.kill('SIGKILL'), COLLECTOR_STOP_MS);
    const code = await exited;
    clearTimeout(killer);
    return code;
  };
  await start();
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    stderr: () => err,
    start,
    stop: () => end('SIGTERM'),
    async kill() {
      await end('SIGKILL');
    },
    async status() {
      const res = await fetch(`${url}/api/status`);
      return (await res.json()) as Awaited<ReturnType<CollectorProcess['status']>>;
    },
  };
}

/** Polls until `cond` holds (bounded). */
export async function waitFor(
  cond: () => Promise<boolean> | boolean,
  ms: number,
  what: string,
  everyMs = 100,
): Promise<void> {
  const end = Date.now() + ms;
  for (;;) {
    try {
      if (await cond()) return;
    } catch {
      // not ready yet
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/**
 * Polls `count` until it reaches `target`, for as long as it keeps moving:
 * fails when it passes `target`, or when it has not changed for `stallMs`
 * (a stall, not a slow machine), or after `maxMs` in all.
 */
export async function waitForCount(
  count: () => Promise<number>,
  target: number | (() => number),
  what: string,
  { stallMs = 60_000, maxMs = 600_000, everyMs = 250 } = {},
): Promise<void> {
  const start = Date.now();
  let last = -1;
  let movedAt = start;
  for (;;) {
    let now = last;
    try {
      now = await count();
    } catch {
      // not answering yet
    }
    const want = typeof target === 'number' ? target : target();
    if (now === want) return;
    if (now > want) throw new Error(`${what}: ${now}, more than ${want}`);
    const t = Date.now();
    if (now !== last) {
      last = now;
      movedAt = t;
    }
    if (t - movedAt > stallMs)
      throw new Error(`${what}: stuck at ${now} of ${want} for ${stallMs} ms`);
    if (t - start > maxMs) throw new Error(`${what}: ${now} of ${want} after ${maxMs} ms`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Sends `numbers.length` INVITEs over UDP to 127.0.0.1:port from one socket, like a fraud scanner. */
export async function sendInvites(
  port: number,
  numbers: readonly string[],
  tag: string,
): Promise<void> {
  const sock = createSocket('udp4');
  await new Promise<void>((r) =>
    sock.bind(0, '127.0.0.1', () => {
      r();
    }),
  );
  const local = sock.address().port;
  for (const [i, n] of numbers.entries()) {
    const msg =
      `INVITE sip:${n}@127.0.0.1 SIP/2.0\r\n` +
      `Via: SIP/2.0/UDP 127.0.0.1:${local};branch=z9hG4bK${tag}${i}\r\n` +
      `Max-Forwards: 70\r\nFrom: "100" <sip:100@127.0.0.1>;tag=${tag}${i}\r\n` +
      `To: <sip:${n}@127.0.0.1>\r\nCall-ID: ${tag}-${i}@scanner\r\nCSeq: 1 INVITE\r\n` +
      `Contact: <sip:100@127.0.0.1:${local}>\r\nUser-Agent: friendly-scanner\r\nContent-Length: 0\r\n\r\n`;
    await new Promise<void>((resolve, reject) => {
      sock.send(msg, port, '127.0.0.1', (e) => {
        if (e) reject(e);
        else resolve();
      });
    });
  }
  await new Promise((r) => setTimeout(r, 200));
  await new Promise<void>((r) =>
    sock.close(() => {
      r();
    }),
  );
}

export { freePort };

/** UDP OPTIONS at `perSecond` to a sensor for `ms`; counts what was sent and answered. */
export async function udpLoad(
  port: number,
  perSecond: number,
  ms: number,
): Promise<{ sent: number; answered: number }> {
  // A large receive buffer, so that answers are not lost here while a loaded
  // machine keeps this process from reading them (the default holds ~400).
  const sock = createSocket({ type: 'udp4', recvBufferSize: 4 * 1024 * 1024 });
  let answered = 0;
  sock.on('message', () => {
    answered++;
  });
  await new Promise<void>((r) => {
    sock.bind(0, '127.0.0.1', () => {
      r();
    });
  });
  const local = sock.address().port;
  let sent = 0;
  const t0 = Date.now();
  while (Date.now() - t0 < ms) {
    const due = Math.floor(((Date.now() - t0) * perSecond) / 1000);
    for (; sent < due; sent++) {
      const msg =
        `OPTIONS sip:100@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:${local};branch=z9hG4bKload${sent}\r\n` +
        `Max-Forwards: 70\r\nFrom: <sip:load@127.0.0.1>;tag=l${sent}\r\nTo: <sip:100@127.0.0.1>\r\n` +
        `Call-ID: load-${local}-${sent}\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n`;
      sock.send(msg, port, '127.0.0.1');
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  // Answers still on their way (a loaded machine may be seconds behind): wait
  // while they keep coming, until every message is answered or none came for 3 s.
  let seen = -1;
  for (let quiet = 0; answered < sent && quiet < 3000;) {
    quiet = answered === seen ? quiet + 100 : 0;
    seen = answered;
    await new Promise((r) => setTimeout(r, 100));
  }
  await new Promise<void>((r) => {
    sock.close(() => {
      r();
    });
  });
  return { sent, answered };
}

/** Restarts a sensor of `startSensorProcess` on its directory, configuration and port. */
export async function runSensorAgain(
  dir: string,
): Promise<{ stop(): Promise<void>; kill(): Promise<void> }> {
  const c = spawn(
    process.execPath,
    [join(REPO_ROOT, 'bin', 'sipsnare'), 'sensor', '--config', join(dir, 'sensor.yaml')],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let err = '';
  c.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<void>((resolve) =>
    c.once('exit', () => {
      resolve();
    }),
  );
  await waitFor(() => err.includes('sensor started'), 120_000, 'the sensor to start again');
  const end = async (sig: NodeJS.Signals): Promise<void> => {
    if (c.exitCode !== null || c.signalCode !== null) return;
    c.kill(sig);
    await exited;
  };
  return { stop: () => end('SIGTERM'), kill: () => end('SIGKILL') };
}

/** Every line of a sensor's event files. */
export function eventLines(dir: string): string[] {
  const ev = join(dir, 'events');
  return readdirSync(ev)
    .filter((f) => f.endsWith('.jsonl'))
    .sort()
    .flatMap((f) =>
      readFileSync(join(ev, f), 'utf8')
        .split('\n')
        .filter((l) => l !== ''),
    );
}

export interface ShippingNetwork {
  /** The nats-server started for it, or null when it was given `servers`. */
  readonly nats: NatsServer | null;
  readonly servers: readonly string[];
  /** One per sensor id, each shipping its JSON lines to `servers`. */
  readonly sensors: readonly SensorProcess[];
  /** `sipsnare collect` from `servers` into the store. */
  readonly collector: CollectorProcess;
  /** Stops the collector, then the sensors, then the nats-server started here, each by its PID. */
  cleanup(): Promise<void>;
}

/**
 * A small network on loopback: a nats-server (unless `servers` names a
 * running one or a cluster), sensors that ship to it, and a collector into
 * `db`. `sensor` is configuration for every sensor; `ship` adds to its ship
 * settings. What started is ended again if a later start fails.
 */
export async function startShippingNetwork(opts: {
  readonly dir: string;
  readonly db: string;
  readonly sensorIds: readonly string[];
  readonly sensor?: Record<string, unknown>;
  readonly ship?: Record<string, unknown>;
  readonly servers?: readonly string[];
}): Promise<ShippingNetwork> {
  const nats = opts.servers === undefined ? await startNatsServer() : null;
  const servers = opts.servers ?? (nats === null ? [] : [nats.url]);
  const sensors: SensorProcess[] = [];
  let collector: CollectorProcess | null = null;
  const cleanup = async (): Promise<void> => {
    await collector?.stop();
    for (const s of sensors) await s.cleanup();
    await nats?.cleanup();
  };
  try {
    for (const id of opts.sensorIds)
      sensors.push(
        await startSensorProcess({
          sensor_id: id,
          ...opts.sensor,
          ship: { servers: [...servers], ...opts.ship },
        }),
      );
    collector = await startCollector(opts.dir, opts.db, [...servers]);
  } catch (err) {
    await cleanup();
    throw err;
  }
  return { nats, servers, sensors, collector, cleanup };
}

/** Rows, and distinct event ids, of a store (opened read-only once its writer stopped). */
export async function rows(db: string): Promise<{ rows: number; ids: number }> {
  const inst = await DuckDBInstance.create(db, { access_mode: 'READ_ONLY' });
  const conn = await inst.connect();
  const r = await conn.runAndReadAll(
    'SELECT count(*)::INTEGER AS n, count(DISTINCT event_id)::INTEGER AS d FROM events',
  );
  const row = r.getRowObjectsJS()[0] ?? {};
  conn.closeSync();
  inst.closeSync();
  return { rows: Number(row['n']), ids: Number(row['d']) };
}
