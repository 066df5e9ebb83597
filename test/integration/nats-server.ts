/**
 * @module
 * Runs Debian's `nats-server` (JetStream on, loopback only, a temporary
 * store directory) for the shipping and collection tests; can stop, kill
 * and restart it on the same port and store, and form a 3-node cluster.
 * Every process it starts it ends by PID.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { freePort } from './sensor-process.js';

/** Why the NATS tests skip, or null when nats-server is there. */
export function natsMissing(): string | null {
  const r = spawnSync('nats-server', ['--version'], { encoding: 'utf8' });
  return r.status === 0 ? null : 'nats-server is not installed (apt-get install nats-server)';
}

export interface NatsServer {
  readonly url: string;
  readonly port: number;
  readonly dir: string;
  /** Server log so far. */
  log(): string;
  /** SIGTERM and wait. */
  stop(): Promise<void>;
  /** SIGKILL and wait. */
  kill(): Promise<void>;
  /** Starts it again (same port, same store). */
  start(): Promise<void>;
  /** stop() and remove the directory. */
  cleanup(): Promise<void>;
}

export interface NatsServerOptions {
  /** Extra configuration text (authorization, accounts, cluster...). */
  readonly extra?: string;
  readonly name?: string;
  readonly port?: number;
  readonly dir?: string;
}

async function waitListening(child: ChildProcess, log: () => string): Promise<void> {
  const started = Date.now();
  while (!log().includes('Server is ready')) {
    if (child.exitCode !== null) throw new Error(`nats-server exited: ${log()}`);
    if (Date.now() - started > 15000) throw new Error(`nats-server did not start: ${log()}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export async function startNatsServer(opts: NatsServerOptions = {}): Promise<NatsServer> {
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'snare-nats-'));
  const port = opts.port ?? (await freePort());
  const name = opts.name ?? `n${port}`;
  const conf = join(dir, `${name}.conf`);
  writeFileSync(
    conf,
    `server_name: ${name}
listen: 127.0.0.1:${port}
jetstream { store_dir: "${join(dir, name)}", max_memory_store: 64MB, max_file_store: 1GB }
${opts.extra ?? ''}
`,
  );
  let child: ChildProcess | null = null;
  let out = '';
  let exited: Promise<void> = Promise.resolve();
  const launch = async (): Promise<void> => {
    out = '';
    const c = spawn('nats-server', ['-c', conf], { stdio: ['ignore', 'pipe', 'pipe'] });
    child = c;
    c.stdout.on('data', (d: Buffer) => (out += d.toString()));
    c.stderr.on('data', (d: Buffer) => (out += d.toString()));
    exited = new Promise((resolve) =>
      c.once('exit', () => {
        resolve();
      }),
    );
    await waitListening(c, () => out);
  };
  const end = async (signal: NodeJS.Signals): Promise<void> => {
    const c = child;
    if (c === null || c.exitCode !== null || c.signalCode !== null) return;
    c.kill(signal);
    const killer = setTimeout(() => c.kill('SIGKILL'), 10000);
    await exited;
    clearTimeout(killer);
  };
  await launch();
  return {
    url: `nats://127.0.0.1:${port}`,
    port,
    dir,
    log: () => out,
    stop: () => end('SIGTERM'),
    kill: () => end('SIGKILL'),
    start: launch,
    async cleanup() {
      await end('SIGTERM');
      if (opts.dir === undefined) rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface NatsSuite {
  /** The suite's temporary directory (made before its tests, removed after). */
  readonly dir: string;
  /** Starts a nats-server with `extra` configuration, in a directory of the suite; ended after it. */
  serve(extra?: string): Promise<NatsServer>;
  /** Runs `close` after the suite, before what was deferred earlier (last in, first out). */
  defer(close: () => Promise<unknown>): void;
}

/**
 * Inside a `describe`: a temporary directory for the suite and the
 * nats-servers its tests start; after the suite, everything deferred runs
 * in reverse order (clients before the servers they use), then the
 * directory goes.
 */
export function natsSuite(prefix: string): NatsSuite {
  let dir: string | null = null;
  const closers: (() => Promise<unknown>)[] = [];
  before(() => {
    dir = mkdtempSync(join(tmpdir(), prefix));
  });
  after(async () => {
    for (const close of closers.reverse()) await close();
    if (dir !== null) rmSync(dir, { recursive: true, force: true });
  });
  const suite: NatsSuite = {
    get dir(): string {
      if (dir === null) throw new Error('the NATS suite directory is made before the suite');
      return dir;
    },
    async serve(extra) {
      const s = await startNatsServer({
        dir: mkdtempSync(join(suite.dir, 'nats-')),
        ...(extra === undefined ? {} : { extra }),
      });
      closers.push(() => s.cleanup());
      return s;
    },
    defer(close) {
      closers.push(close);
    },
  };
  return suite;
}
