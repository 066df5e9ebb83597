/**
 * @module
 * The dashboard of `sipsnare run`: served from the process that writes the
 * store (DuckDB allows one writing process), over the store sink's own
 * instance, with the live feed as one more event sink. The server closes
 * before the store does, so no query runs on a closed database.
 */
import type { SensorConfig } from '../../config/types.js';
import type { EventSink } from '../../events/sink.js';
import type { Logger } from '../../log.js';
import type { StoreSink } from '../../store/sink.js';
import { LiveFeed } from '../../server/live.js';
import { createMetrics } from '../../server/metrics.js';
import { startServer, type RunningServer } from '../../server/start.js';
import type { CommandIo } from '../command.js';

function isStoreSink(s: EventSink): s is StoreSink {
  return s.name === 'store' && 'store' in s;
}

/** A sink that closes the server, then the store sink it wraps. */
function closingServerFirst(sink: StoreSink, server: RunningServer): EventSink {
  return {
    name: sink.name,
    write: (ev) => {
      sink.write(ev);
    },
    flush: () => sink.flush(),
    async close() {
      await server.close();
      await sink.close();
    },
  };
}

/**
 * Starts the dashboard over the store sink among `sinks` and returns the
 * sinks to give the sensor (the live feed added, the store sink wrapped).
 * Without a store, there is nothing to serve: the sinks come back unchanged.
 */
export async function startRunDashboard(
  config: SensorConfig,
  sinks: readonly EventSink[],
  log: Logger,
  io: CommandIo,
): Promise<EventSink[]> {
  const storeSink = sinks.find(isStoreSink);
  if (storeSink === undefined) {
    log.warn('no embedded store: the dashboard needs one (store.db)');
    return [...sinks];
  }
  const metrics = createMetrics();
  const live = new LiveFeed({
    onEvent: (ev) => {
      metrics.observe(ev);
    },
  });
  metrics.addDrops(() => ({ store_queue: storeSink.dropped }));
  const server = await startServer({
    instance: storeSink.store.instance,
    listen: config.http.listen,
    token: config.http.token,
    log,
    live,
    metrics,
    storeStatus: () => ({
      queued: storeSink.queued,
      lagMs: storeSink.lagMs,
      dropped: storeSink.dropped,
    }),
  });
  io.stdout.write(`sipsnare dashboard: ${server.url}\n`);
  log.info({ url: server.url }, 'dashboard listening');
  return [...sinks.filter((s) => s !== storeSink), closingServerFirst(storeSink, server), live];
}
