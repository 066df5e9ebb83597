/**
 * @module
 * `sipsnare run` started for a flood, as the flood test and the flood
 * benches need it: the executable itself (its first lines set the
 * allocator and V8 flags, as installed), UDP on a free loopback port, every
 * response budget raised so that every message is answered, the peak
 * resident set (VmHWM) sampled every 250 ms. `stop()` ends it (SIGTERM,
 * SIGKILL after 10 s) and removes its directory.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { REPO_ROOT } from '../helpers/shared.js';
import { freePort } from './sensor-process.js';

/** MB of a process's resident set now (VmRSS) or at its peak so far (VmHWM), from /proc. */
export function procStatusMb(pid: number, key: 'VmHWM' | 'VmRSS'): number {
  const m = new RegExp(`${key}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

export interface FloodedRun {
  readonly child: ChildProcess;
  readonly pid: number;
  /** The UDP port the sensor listens on (127.0.0.1). */
  readonly port: number;
  /** The highest VmHWM sampled so far (MB). */
  peak(): number;
  /** What the process wrote to stderr so far. */
  stderr(): string;
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Starts `bin/sipsnare run` (with the store unless `store` is false) and waits for "sensor started". */
export async function startFloodedRun(opts: { store?: boolean } = {}): Promise<FloodedRun> {
  const dir = mkdtempSync(join(tmpdir(), 'snare-flood-'));
  const port = await freePort();
  const big = 10_000_000;
  writeFileSync(
    join(dir, 'c.yaml'),
    stringify({
      sensor_id: 'flood',
      listen: [`udp://127.0.0.1:${port}`],
      events: { jsonl: join(dir, 'events') },
      store: { db: opts.store === false ? null : join(dir, 'store.duckdb') },
      http: { listen: `127.0.0.1:${await freePort()}` },
      limits: {
        responses_per_source_per_s: big,
        responses_per_source_burst: big,
        responses_global_per_s: big,
      },
    }),
  );
  const child = spawn(
    join(REPO_ROOT, 'bin', 'sipsnare'),
    ['run', '--config', join(dir, 'c.yaml')],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, SIPSNARE_LOG_LEVEL: 'info' },
    },
  );
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((r) => child.once('exit', r));
  const pid = child.pid ?? 0;
  let peak = 0;
  const sample = (): void => {
    if (child.exitCode === null) peak = Math.max(peak, procStatusMb(pid, 'VmHWM'));
  };
  const sampler = setInterval(sample, 250);
  const stop = async (): Promise<void> => {
    clearInterval(sampler);
    if (child.exitCode === null) child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(killer);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const t0 = Date.now();
    while (!err.includes('sensor started')) {
      if (child.exitCode !== null || Date.now() - t0 > 20_000)
        throw new Error(`run did not start: ${err}`);
      await sleep(25);
    }
  } catch (e) {
    await stop();
    throw e;
  }
  return {
    child,
    pid,
    port,
    peak: () => {
      sample();
      return peak;
    },
    stderr: () => err,
    stop,
  };
}

/**
 * Calls `send(i)` for i = 0, 1, ... at `rate` per second (a 1 ms timer
 * catches up with what is due) until `total` calls, or `maxMs` plus 2 s
 * have passed; returns how many were made.
 */
export async function paced(
  total: number,
  rate: number,
  maxMs: number,
  send: (i: number) => void,
): Promise<number> {
  let sent = 0;
  const t0 = performance.now();
  await new Promise<void>((resolve) => {
    const tick = (): void => {
      const now = performance.now();
      const due = Math.min(total, Math.floor(((now - t0) * rate) / 1000));
      for (; sent < due; sent++) send(sent);
      if (sent >= total || now - t0 > maxMs + 2000) resolve();
      else setTimeout(tick, 1);
    };
    tick();
  });
  return sent;
}
