/**
 * @module
 * The HTTP side of `sipsnare collect --http`: the same Fastify server as
 * `serve` and `run` (dashboard, REST API, /metrics), over the collector's
 * live store, plus `POST /api/report` for `sipsnare report --url` and
 * `GET /api/status` for the collector's counts. One HTTP server per
 * process.
 *
 * The store may be closed and opened again by the collector (after a
 * failed commit), so the server never holds connections of its own: each
 * query borrows a fresh connection from the central store, and at most
 * MAX_QUERIES run at once (more wait, up to MAX_WAITING; beyond, 503).
 */
import { buildReport } from '../analysis/build.js';
import type { CentralStore } from '../collect/central-store.js';
import type { Collector } from '../collect/collector.js';
import type { Logger } from '../log.js';
import { PoolBusyError, type QueryPool } from '../server/pool.js';
import { statusRoutes } from '../server/report-route.js';
import { startServer, type RunningServer } from '../server/start.js';

/** Queries on the store at once, and waiting beyond those. */
export const MAX_QUERIES = 3;
export const MAX_WAITING = 64;

/** The central store as the server's query pool (bounded like server/pool.ts). */
export function centralPool(store: CentralStore): QueryPool {
  let running = 0;
  const line: (() => void)[] = [];
  let closed = false;
  return {
    get waiting() {
      return line.length;
    },
    async all(sql, params) {
      if (closed) throw new Error('query pool closed');
      if (running >= MAX_QUERIES) {
        if (line.length >= MAX_WAITING) throw new PoolBusyError();
        await new Promise<void>((resolve) => line.push(resolve));
      }
      running++;
      try {
        return await store.read((db) => db.all(sql, params));
      } finally {
        running--;
        line.shift()?.();
      }
    },
    close() {
      closed = true;
    },
  };
}

export function startCollectorServer(
  store: CentralStore,
  collector: Collector,
  listen: string,
  token: string | null,
  log: Logger,
): Promise<RunningServer> {
  return startServer({
    pool: centralPool(store),
    listen,
    token,
    log,
    routes: [statusRoutes(() => ({ ...collector.stats }))],
    generation: () => store.generation,
    report: {
      generation: () => store.generation,
      build: (opts) => store.query((db) => buildReport(db, opts)),
    },
  });
}
