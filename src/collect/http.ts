/**
 * @module
 * The collector's local HTTP endpoint: `POST /api/report` builds a report
 * over the live central store (analysis/remote.ts is the wire format) for
 * `sipsnare report --url`; `GET /api/status` gives the collector's counts.
 * Binds where `--http` says (loopback unless a token is configured, then
 * every request needs `Authorization: Bearer TOKEN`).
 *
 * Must never run SQL from a request: a request only chooses report options.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import { buildReport } from '../analysis/build.js';
import { decodeOptions, encodeReport, MAX_REQUEST_BYTES, REPORT_PATH } from '../analysis/remote.js';
import type { Logger } from '../log.js';
import type { CentralStore } from './central-store.js';

export interface ReportServer {
  /** The address bound (`HOST:PORT`, port resolved). */
  readonly address: string;
  close(): Promise<void>;
}

function send(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
  });
  res.end(body);
}

function readBody(req: IncomingMessage): Promise<string | null> {
  return new Promise((resolve) => {
    const parts: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_REQUEST_BYTES) {
        resolve(null);
        req.destroy();
      } else parts.push(c);
    });
    req.on('end', () => {
      resolve(Buffer.concat(parts).toString('utf8'));
    });
    req.on('error', () => {
      resolve(null);
    });
  });
}

function authorised(req: IncomingMessage, token: string | null): boolean {
  if (token === null) return true;
  const got = Buffer.from(req.headers.authorization ?? '');
  const want = Buffer.from(`Bearer ${token}`);
  return got.length === want.length && timingSafeEqual(got, want);
}

/** Starts the endpoint on `listen` (`HOST:PORT`). */
export async function startReportServer(
  store: CentralStore,
  listen: string,
  token: string | null,
  log: Logger,
  status?: () => unknown,
): Promise<ReportServer> {
  const server = createServer((req, res) => {
    void handle(req, res).catch((err: unknown) => {
      log.error({ err: String(err) }, 'report request failed');
      if (!res.headersSent) send(res, 500, JSON.stringify({ error: 'report failed' }));
    });
  });
  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!authorised(req, token)) {
      send(res, 401, JSON.stringify({ error: 'token required' }));
      return;
    }
    const path = (req.url ?? '').split('?')[0];
    if (path === '/api/status' && req.method === 'GET') {
      send(res, 200, JSON.stringify(status?.() ?? {}));
      return;
    }
    if (path !== REPORT_PATH) {
      send(res, 404, JSON.stringify({ error: 'not found' }));
      return;
    }
    if (req.method !== 'POST') {
      send(res, 405, JSON.stringify({ error: 'POST report options' }));
      return;
    }
    const body = await readBody(req);
    if (body === null) {
      send(res, 413, JSON.stringify({ error: 'request too large' }));
      return;
    }
    const opts = decodeOptions(body);
    if (typeof opts === 'string') {
      send(res, 400, JSON.stringify({ error: opts }));
      return;
    }
    const report = await store.query((db) => buildReport(db, opts));
    send(res, 200, encodeReport(report));
  }
  const m = /^\[?([^\]]+)\]?:(\d+)$/.exec(listen);
  const host = m?.[1] ?? '127.0.0.1';
  const port = Number(m?.[2] ?? 0);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      resolve();
    });
  });
  const addr = server.address();
  const bound = typeof addr === 'object' && addr !== null ? addr.port : port;
  const address = host.includes(':') ? `[${host}]:${bound}` : `${host}:${bound}`;
  log.info({ http: address }, 'answering reports');
  return {
    address,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
        server.closeAllConnections();
      }),
  };
}
