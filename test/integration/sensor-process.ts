/**
 * @module
 * Runs `bin/sipsnare sensor` as a child process on a free loopback port with
 * a temporary configuration, for the integration tests that point real
 * tools (sipvicious, sipp, nmap) at it. Cleans up after itself: the child is
 * stopped with SIGTERM (SIGKILL after 30 s, against a hang only) and the temporary directory removed.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { stringify } from 'yaml';
import type { SnareEvent } from '../../src/events/catalog.js';
import { REPO_ROOT } from '../helpers/shared.js';

/** A port free for both UDP and TCP on 127.0.0.1 (small race, acceptable in tests). */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const udp = createSocket('udp4');
    const port = await new Promise<number>((resolve, reject) => {
      udp.once('error', reject);
      udp.bind(0, '127.0.0.1', () => {
        resolve(udp.address().port);
      });
    });
    const tcpOk = await new Promise<boolean>((resolve) => {
      const srv = createServer();
      srv.once('error', () => {
        resolve(false);
      });
      srv.listen(port, '127.0.0.1', () => {
        srv.close(() => {
          resolve(true);
        });
      });
    });
    await new Promise<void>((r) => {
      udp.close(() => {
        r();
      });
    });
    if (tcpOk) return port;
  }
  throw new Error('no free port');
}

export interface SensorProcess {
  readonly port: number;
  readonly dir: string;
  readonly child: ChildProcess;
  /** stderr so far (pino lifecycle lines). */
  stderr(): string;
  /** Every event in the JSON-lines files, in file order. */
  events(): SnareEvent[];
  /** SIGTERM, wait for exit (flushes events); returns the exit code. */
  stop(): Promise<number | null>;
  /** stop() and remove the temporary directory. */
  cleanup(): Promise<void>;
}

/** Starts a sensor; `config` is merged over a test base (UDP+TCP on the port, no store). */
export async function startSensorProcess(
  config: Record<string, unknown> = {},
): Promise<SensorProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'snare-it-'));
  const port = await freePort();
  const cfg = {
    sensor_id: 'it01',
    listen: [`udp://127.0.0.1:${port}`, `tcp://127.0.0.1:${port}`],
    events: { jsonl: join(dir, 'events'), legacy_log: join(dir, 'legacy.log') },
    store: { db: null },
    ...config,
  };
  const cfgPath = join(dir, 'sensor.yaml');
  writeFileSync(cfgPath, stringify(cfg));
  const child = spawn(
    process.execPath,
    [join(REPO_ROOT, 'bin', 'sipsnare'), 'sensor', '--config', cfgPath],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, SIPSNARE_LOG_LEVEL: 'info' },
    },
  );
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      resolve(code);
    }),
  );
  const started = Date.now();
  while (!err.includes('sensor started')) {
    if (child.exitCode !== null || Date.now() - started > 60000) {
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`sensor did not start: ${err}`);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  let stopped: Promise<number | null> | null = null;
  const proc: SensorProcess = {
    port,
    dir,
    child,
    stderr: () => err,
    events() {
      const evDir = join(dir, 'events');
      let files: string[] = [];
      try {
        files = readdirSync(evDir)
          .filter((f) => f.endsWith('.jsonl'))
          .sort();
      } catch {
        return [];
      }
      return files.flatMap((f) =>
        readFileSync(join(evDir, f), 'utf8')
          .split('\n')
          .filter((l) => l !== '')
          .map((l) => JSON.parse(l) as SnareEvent),
      );
    },
    stop() {
      if (stopped) return stopped;
      if (child.exitCode !== null) return Promise.resolve(child.exitCode);
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 30000);
      stopped = exited.finally(() => {
        clearTimeout(killer);
      });
      return stopped;
    },
    async cleanup() {
      await proc.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return proc;
}

/**
 * Inside a `describe`: starts a sensor with `config` before the suite's
 * tests and cleans it up after them. Returns the running sensor's getter.
 */
export function suiteSensor(config: Record<string, unknown> = {}): () => SensorProcess {
  let running: SensorProcess | null = null;
  before(async () => {
    running = await startSensorProcess(config);
  });
  after(async () => {
    await running?.cleanup();
  });
  return () => {
    if (running === null) throw new Error('the suite sensor is not running');
    return running;
  };
}

/** Runs a command to completion (bounded by `timeoutMs`); returns exit status and output. */
export function runTool(
  cmd: string,
  args: string[],
  timeoutMs = 60000,
  cwd?: string,
): { status: number | null; out: string } {
  const res = spawnSync(cmd, args, {
    encoding: 'utf8',
    timeout: timeoutMs,
    killSignal: 'SIGKILL',
    ...(cwd ? { cwd } : {}),
  });
  return { status: res.status, out: `${res.stdout}${res.stderr}` };
}

/**
 * Runs `sipsnare ARGS` (stderr piped) until stderr holds `until` or it
 * exits (20 s at most), then stops it with SIGTERM (SIGKILL after 10 s);
 * returns all it wrote on stderr and its exit code.
 */
export async function runUntilLogged(
  args: readonly string[],
  opts: { until: string; env: NodeJS.ProcessEnv; cwd?: string },
): Promise<{ stderr: string; code: number | null }> {
  const child = spawn(process.execPath, [join(REPO_ROOT, 'bin', 'sipsnare'), ...args], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: opts.env,
    ...(opts.cwd === undefined ? {} : { cwd: opts.cwd }),
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  // 'close', not 'exit': the last stderr lines are read before it fires.
  const exited = new Promise<number | null>((resolve) => child.once('close', resolve));
  const started = Date.now();
  while (!stderr.includes(opts.until) && child.exitCode === null) {
    if (Date.now() - started > 20_000) break;
    await new Promise((r) => setTimeout(r, 25));
  }
  if (child.exitCode === null) child.kill('SIGTERM');
  const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  try {
    const code = await exited; // first: stderr grows until the child has closed it
    return { stderr, code };
  } finally {
    clearTimeout(killer);
  }
}
