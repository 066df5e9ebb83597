/**
 * @module
 * The dashboard of `sipsnare run`, as a runtime service: served from the
 * process that writes the store (DuckDB allows one writing process), over
 * the store sink's own instance, with the live feed subscribed to the
 * runtime's events. The runtime stops services before it closes the
 * sinks, so the server closes before the store does and no query runs on a
 * closed database. A port already taken leaves the sensor running without
 * a dashboard (warned). While its queries run, DuckDB has `readThreads`
 * threads (default SINK_READ_THREADS; the store's batches alone, one) and
 * the larger memory bound SINK_READ_MEMORY_LIMIT.
 */
import type { SensorConfig } from '../../config/types.js';
import { SnareError } from '../../errors.js';
import type { Logger } from '../../log.js';
import type { RuntimeContext, RuntimeService } from '../../runtime/runtime.js';
import { LiveFeed } from '../../server/live.js';
import { createMetrics } from '../../server/metrics.js';
import { startServer, type RunningServer } from '../../server/start.js';
import {
  SINK_MEMORY_LIMIT,
  SINK_READ_MEMORY_LIMIT,
  SINK_READ_THREADS,
  SINK_THREADS,
} from '../../store/sink.js';
import type { CommandIo } from '../command.js';

/** The dashboard over the runtime's store; without a store there is nothing to serve. */
export function dashboardService(
  config: SensorConfig,
  log: Logger,
  io: CommandIo,
  readThreads = SINK_READ_THREADS,
): RuntimeService {
  let server: RunningServer | null = null;
  let live: LiveFeed | null = null;
  let unsubscribe: (() => void) | null = null;
  return {
    name: 'dashboard',
    async start(ctx: RuntimeContext) {
      const storeSink = ctx.store;
      if (storeSink === null) {
        log.warn('no embedded store: the dashboard needs one (store.db)');
        return;
      }
      const metrics = createMetrics();
      const feed = new LiveFeed({
        onEvent: (ev) => {
          metrics.observe(ev);
        },
      });
      // Read at each scrape: the sensor starts after the services.
      metrics.addDrops(() => ({ ...ctx.drops(), store_queue: storeSink.dropped }));
      try {
        server = await startServer({
          instance: storeSink.store.instance,
          listen: config.http.listen,
          token: config.http.token,
          log,
          live: feed,
          metrics,
          generation: () => storeSink.generation,
          // Reads get a second DuckDB thread and a larger memory bound; batches alone keep one, and the small bound.
          threads: { read: readThreads, idle: SINK_THREADS },
          memoryLimit: { read: SINK_READ_MEMORY_LIMIT, idle: SINK_MEMORY_LIMIT },
          storeStatus: () => ({
            queued: storeSink.queued,
            lagMs: storeSink.lagMs,
            dropped: storeSink.dropped,
          }),
        });
      } catch (err) {
        // A wrong address or a missing token is the user's mistake: stop. A
        // busy port must not stop the honeypot: it records without a dashboard.
        if (err instanceof SnareError && err.code === 'SNARE_ERR_USAGE') throw err;
        log.warn({ err: (err as Error).message }, 'dashboard not started; the sensor runs on');
        return;
      }
      live = feed;
      unsubscribe = ctx.subscribe((ev) => {
        feed.write(ev);
      });
      io.stdout.write(`sipsnare dashboard: ${server.url}\n`);
      log.info({ url: server.url }, 'dashboard listening');
    },
    async stop() {
      unsubscribe?.();
      await server?.close();
      await live?.close();
    },
  };
}
