/**
 * @module
 * Starts the dashboard and API over a store: `serve` over a read-only store,
 * `run` and the collector over the store they write (DuckDB allows one
 * writing process, so the server shares its instance through a few
 * connections of its own). Refuses a bind other than loopback without a
 * token.
 */
import type { DuckDBInstance } from '@duckdb/node-api';
import type { FastifyInstance } from 'fastify';
import { SnareError } from '../errors.js';
import type { Logger } from '../log.js';
import { buildApp } from './app.js';
import { isLoopbackHost } from './auth.js';
import type { RouteModule, ServerContext, StoreStatus } from './context.js';
import type { LiveFeed } from './live.js';
import { createMetrics, type ServerMetrics } from './metrics.js';
import { installPages } from './pages.js';
import { openPool, type PoolOptions, type QueryPool } from './pool.js';
import { LIVE_OPENAPI } from './live-doc.js';
import { REPORT_PATH } from '../analysis/remote.js';
import { installReportRoute, REPORT_OPENAPI, type ReportSource } from './report-route.js';
import { installLive } from './sse.js';

export const DEFAULT_HTTP = '127.0.0.1:8080';

export interface ServerOptions {
  /** The store's DuckDB instance: the server opens its own connections on it. */
  readonly instance?: DuckDBInstance;
  /** Instead of `instance`: the queries go through this pool (the collector's store). */
  readonly pool?: QueryPool;
  /** The writing process answers `report --url` (POST /api/report) over its store. */
  readonly report?: ReportSource;
  /** HOST:PORT; port 0 picks a free one. */
  readonly listen: string;
  readonly token: string | null;
  readonly log: Logger;
  readonly live?: LiveFeed | null;
  readonly metrics?: ServerMetrics;
  readonly storeStatus?: (() => StoreStatus) | null;
  /** The store's generation (ServerContext.generation); absent: nothing is cached. */
  readonly generation?: () => number;
  readonly routes?: readonly RouteModule[];
  /** Directory of the built front end (default: dist/web). */
  readonly webRoot?: string;
  readonly poolSize?: number;
  /** DuckDB threads while the dashboard's queries run, and after (PoolOptions.threads). */
  readonly threads?: PoolOptions['threads'];
  /** DuckDB's memory bound while the dashboard's queries run, and after (PoolOptions.memoryLimit). */
  readonly memoryLimit?: PoolOptions['memoryLimit'];
}

export interface RunningServer {
  /** `http://HOST:PORT/` as bound (the real port when 0 was asked). */
  readonly url: string;
  readonly app: FastifyInstance;
  readonly metrics: ServerMetrics;
  close(): Promise<void>;
}

/** Splits `HOST:PORT` (`[::1]:8080` for IPv6). */
export function parseHostPort(text: string): { host: string; port: number } {
  const m = /^(\[[0-9a-fA-F:.]+\]|[^:[\]]+):(\d{1,5})$/.exec(text);
  const port = Number(m?.[2]);
  if (!m?.[1] || !Number.isInteger(port) || port > 65535) {
    throw new SnareError('SNARE_ERR_USAGE', `--http: expected HOST:PORT, got "${text}"`);
  }
  return { host: m[1].replace(/^\[|\]$/g, ''), port };
}

/** Refuses a non-loopback bind without a token (DESIGN: the dashboard binds to loopback unless told). */
export function checkBind(host: string, token: string | null): void {
  if (!isLoopbackHost(host) && (token === null || token === '')) {
    throw new SnareError(
      'SNARE_ERR_USAGE',
      `listening on ${host} (not loopback) requires a token (--token, or http.token)`,
    );
  }
}

export async function startServer(opts: ServerOptions): Promise<RunningServer> {
  const { host, port } = parseHostPort(opts.listen);
  checkBind(host, opts.token);
  let pool: QueryPool;
  if (opts.pool !== undefined) pool = opts.pool;
  else if (opts.instance !== undefined)
    pool = await openPool(opts.instance, {
      size: opts.poolSize ?? 3,
      ...(opts.threads === undefined ? {} : { threads: opts.threads }),
      ...(opts.memoryLimit === undefined ? {} : { memoryLimit: opts.memoryLimit }),
    });
  else throw new Error('startServer: give instance or pool');
  const metrics = opts.metrics ?? createMetrics();
  const storeStatus = opts.storeStatus ?? null;
  if (storeStatus) metrics.setStoreStatus(storeStatus);
  const ctx: ServerContext = {
    db: pool,
    log: opts.log,
    metrics,
    live: opts.live ?? null,
    storeStatus,
    generation: opts.generation ?? null,
  };
  const app = buildApp(ctx, {
    token: opts.token === '' ? null : opts.token,
    ...(opts.routes === undefined ? {} : { routes: opts.routes }),
    documentedPaths: {
      '/api/live': LIVE_OPENAPI,
      ...(opts.report === undefined ? {} : { [REPORT_PATH]: REPORT_OPENAPI }),
    },
    plugins: [
      (a) => {
        if (opts.report !== undefined) installReportRoute(a, opts.report);
      },
      (a) => {
        installPages(a, opts.webRoot);
      },
      (a, c) => {
        installLive(a, c);
      },
      (a) => {
        a.get('/metrics', async (_req, reply) =>
          reply.type(metrics.registry.contentType).send(await metrics.registry.metrics()),
        );
      },
    ],
  });
  try {
    await app.listen({ host, port });
  } catch (err) {
    pool.close();
    throw new SnareError(
      'SNARE_ERR_IO',
      `cannot listen on ${opts.listen}: ${(err as Error).message}`,
      {
        cause: err,
      },
    );
  }
  const addr = app.server.address();
  const boundPort = typeof addr === 'object' && addr !== null ? addr.port : port;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shownHost}:${boundPort}/`,
    app,
    metrics,
    async close() {
      await app.close();
      pool.close();
    },
  };
}
