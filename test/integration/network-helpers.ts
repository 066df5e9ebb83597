/**
 * @module
 * Processes for the network tests: `sipsnare collect` as a child process
 * (stop with SIGTERM, or kill with SIGKILL, and start again on the same
 * store), the collector's counts over its HTTP endpoint, and INVITEs sent
 * to a sensor the way toll-fraud scanners send them. Every process started
 * here is ended by its PID.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { REPO_ROOT } from '../helpers/shared.js';
import { freePort } from './sensor-process.js';

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
    while (!err.includes('answering reports')) {
      if (c.exitCode !== null || Date.now() - t0 > 30000) {
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
    const killer = setTimeout(() => c.kill('SIGKILL'), 20000);
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
): Promise<void> {
  const end = Date.now() + ms;
  for (;;) {
    try {
      if (await cond()) return;
    } catch {
      // not ready yet
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
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
