/**
 * @module
 * One running sipsnare process that records events: the lifecycle shared by
 * `sipsnare run`, `sipsnare sensor` and the commands that record events
 * from elsewhere. In order:
 *
 * 1. the sinks of the configuration (JSON lines, legacy log, the embedded
 *    store `store.db` names), fanned out with failure isolation, then the
 *    in-process feed;
 * 2. the services (a dashboard, a collector's receiver), in order;
 * 3. the sensor on the configured listeners, unless told not to answer SIP.
 *
 * Stopping runs it backwards: the listeners close (pending drops are
 * reported and the sinks flushed), the services stop in reverse order, the
 * sinks are flushed and closed, so an event recorded before the stop is on
 * disk when `stop()` resolves. Then the shutdown summary.
 */
import type { SensorConfig } from '../config/types.js';
import { SnareError } from '../errors.js';
import type { SnareEvent } from '../events/catalog.js';
import { EventFeed, type EventListener } from '../events/feed.js';
import { FanoutSink } from '../events/fanout.js';
import { JsonlSink } from '../events/jsonl.js';
import type { EventSink } from '../events/sink.js';
import { chooseLogFormat, LogThrottle, type Logger } from '../log.js';
import { startSensor, type Sensor } from '../sensor/index.js';
import type { StoreSink } from '../store/sink.js';
import { keepHeapNearLive } from './heap.js';
import { checkStoreWritable, fileSinks, storeSink } from './sinks.js';
import { logStartup, logTrafficEvery, TrafficCounter, TRAFFIC_INTERVAL_MS } from './traffic.js';

/** What the runtime offers its services. */
export interface RuntimeContext {
  readonly config: SensorConfig;
  readonly log: Logger;
  /** Every sink of the runtime: a service that brings events of its own writes them here. */
  readonly sink: EventSink;
  /** The embedded store's sink, when `store.db` names one that opened (a dashboard reads its instance). */
  readonly store: StoreSink | null;
  /** Calls `listener` with each event after the sinks took it; returns the unsubscribe function. */
  subscribe(listener: EventListener): () => void;
  /**
   * What the sensor lost since start, by place (Sensor.drops: `kernel`,
   * `io_thread`, `event_lines` lost by the JSON-lines and legacy-log files,
   * `replies`); empty before the sensor starts or when there is none. Read
   * it when needed (a metrics scrape): it changes.
   */
  drops(): Readonly<Record<string, number>>;
}

/** Something started after the sinks and stopped before them (a dashboard, a receiver). */
export interface RuntimeService {
  readonly name: string;
  start(ctx: RuntimeContext): Promise<void>;
  stop(): Promise<void>;
}

export interface RuntimeOptions {
  readonly config: SensorConfig;
  readonly log: Logger;
  /** Answer SIP on the configured listeners; false: record only what the services bring. Default true. */
  readonly sensor?: boolean;
  readonly services?: readonly RuntimeService[];
  /** Sinks of the caller's own, after the configured ones (tests). */
  readonly extraSinks?: readonly EventSink[];
  /** Spacing of the traffic line in the log (default one minute). */
  readonly trafficIntervalMs?: number;
}

/** What a runtime did, logged when it stops. */
export interface ShutdownSummary {
  /**
   * Events the sensor (or a service) produced, by type: each was handed to
   * every sink, which is not the same as written (see `written` and `lost`).
   */
  readonly events: Record<string, number>;
  /**
   * Events each sink really wrote: `jsonl`, the lines that reached the
   * files (handed to the kernel); `store`, the events the embedded store
   * took. A sink the configuration has not is absent.
   */
  readonly written: Record<string, number>;
  /**
   * Events each sink lost: `jsonl`, lines that never reached the disk
   * (dropped while it was full or failing, or still unwritten at close:
   * JsonlSink.lostLines); `store`, events that skipped a full store queue;
   * both with the events the sink refused (threw on).
   */
  readonly lost: Record<string, number>;
  /**
   * What the sensor lost (Sensor.drops): datagrams dropped by the kernel and
   * by the UDP I/O thread (never events), event lines reported lost in
   * sensor.dropped events, replies not sent; null when no sensor ran.
   */
  readonly drops: Readonly<Record<string, number>> | null;
}

export interface Runtime extends RuntimeContext {
  /** The sensor, when the runtime answers SIP. */
  readonly sensor: Sensor | null;
  /** Names of the sinks the events go to. */
  readonly sinkNames: readonly string[];
  stop(): Promise<ShutdownSummary>;
}

/** Counts the events that reach it, by type: the summary's numbers. */
class CountingSink implements EventSink {
  readonly name = 'counts';
  readonly counts = new Map<string, number>();
  write(event: SnareEvent): void {
    this.counts.set(event.event, (this.counts.get(event.event) ?? 0) + 1);
  }
  flush(): Promise<void> {
    return Promise.resolve();
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

/** Starts services in order; on a failure stops those started and rethrows. */
async function startServices(
  services: readonly RuntimeService[],
  ctx: RuntimeContext,
): Promise<void> {
  const started: RuntimeService[] = [];
  try {
    for (const service of services) {
      await service.start(ctx);
      started.push(service);
    }
  } catch (err) {
    await stopServices(started, ctx.log);
    throw err;
  }
}

/** Stops services in reverse order; a failure is logged and the others still stop. */
async function stopServices(services: readonly RuntimeService[], log: Logger): Promise<void> {
  for (const service of [...services].reverse()) {
    try {
      await service.stop();
    } catch (err) {
      log.error({ service: service.name, err }, 'service failed to stop');
    }
  }
}

/**
 * Starts everything `opts` asks for. A failure to start closes what was
 * opened and throws a SnareError (`SNARE_ERR_IO` when the cause was not one).
 */
export async function startRuntime(opts: RuntimeOptions): Promise<Runtime> {
  const { config, log } = opts;
  // Every check that can refuse the start comes before anything opens.
  checkStoreWritable(config);
  const files = fileSinks(config, log);
  const store = await storeSink(config, log);
  const sinks = [...files, ...(store === null ? [] : [store]), ...(opts.extraSinks ?? [])];
  const sinkNames = sinks.map((s) => s.name);
  const counting = new CountingSink();
  const traffic = new TrafficCounter();
  const feedErrors = new LogThrottle();
  const feed = new EventFeed((err) => {
    const held = feedErrors.take();
    if (held !== null) log.error({ err, held }, 'event feed listener threw');
  });
  const sink = new FanoutSink([...sinks, counting, traffic, feed], (name, failures, err) => {
    log.warn({ sink: name, failures, err }, 'event sink failing; other sinks continue');
  });
  let sensor: Sensor | null = null;
  const ctx: RuntimeContext = {
    config,
    log,
    sink,
    store,
    subscribe: (listener) => feed.subscribe(listener),
    drops: () => sensor?.drops ?? {},
  };
  const services = opts.services ?? [];
  try {
    await startServices(services, ctx);
    try {
      if (opts.sensor !== false) sensor = await startSensor(config, sink, log);
    } catch (err) {
      await stopServices(services, log);
      throw err;
    }
  } catch (err) {
    await sink.close();
    if (err instanceof SnareError) throw err;
    throw new SnareError('SNARE_ERR_IO', `cannot start: ${(err as Error).message}`, { cause: err });
  }
  const stopTraffic = logTrafficEvery(traffic, log, opts.trafficIntervalMs ?? TRAFFIC_INTERVAL_MS);
  let stopped: Promise<ShutdownSummary> | null = null;
  const stop = async (): Promise<ShutdownSummary> => {
    stopTraffic();
    if (sensor !== null) await sensor.stop();
    await stopServices(services, log);
    await sink.close();
    return summarise(counting, sink, sinks, store, sensor);
  };
  return {
    ...ctx,
    sensor,
    sinkNames,
    stop: () => (stopped ??= stop()),
  };
}

/** The shutdown summary, once every sink is closed (lines unwritten at close are known then). */
function summarise(
  counting: CountingSink,
  fanout: FanoutSink,
  sinks: readonly EventSink[],
  store: StoreSink | null,
  sensor: Sensor | null,
): ShutdownSummary {
  let total = 0;
  for (const n of counting.counts.values()) total += n;
  const written: Record<string, number> = {};
  const lost: Record<string, number> = {};
  const jsonl = sinks.find((s): s is JsonlSink => s instanceof JsonlSink);
  const account = (name: string, n: number): void => {
    lost[name] = n + fanout.lostWrites(name);
    written[name] = Math.max(0, total - (lost[name] ?? 0));
  };
  if (jsonl !== undefined) account('jsonl', jsonl.lostLines);
  if (store !== null) account('store', store.dropped);
  return {
    events: Object.fromEntries(counting.counts),
    written,
    lost,
    drops: sensor === null ? null : sensor.drops,
  };
}

/** The summary in words: events, what each sink wrote and lost, the sensor's drops. */
function stoppedLine(summary: ShutdownSummary): string {
  const total = Object.values(summary.events).reduce((a, b) => a + b, 0);
  const sinks = Object.keys(summary.written).map(
    (name) =>
      `${name} ${String(summary.written[name] ?? 0)} written, ${String(summary.lost[name] ?? 0)} lost`,
  );
  const drops =
    summary.drops === null
      ? []
      : [
          `dropped: ${Object.entries(summary.drops)
            .map(([k, v]) => `${k} ${String(v)}`)
            .join(', ')}`,
        ];
  return ['sensor stopped', `${String(total)} events`, ...sinks, ...drops].join('; ');
}

function waitForStop(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) {
      resolve();
      return;
    }
    signal.addEventListener(
      'abort',
      () => {
        resolve();
      },
      { once: true },
    );
  });
}

/**
 * Starts a runtime, runs it until `stopSignal` (SIGINT or SIGTERM), stops
 * it and logs the summary. Returns the exit code. The process's heap is
 * kept near its live data from here on (a command runs once per process).
 */
export async function runUntilStopped(
  opts: RuntimeOptions,
  stopSignal: AbortSignal,
): Promise<number> {
  const { config, log } = opts;
  keepHeapNearLive();
  const running = await startRuntime(opts);
  const listen = running.sensor?.addresses.map((a) => a.url) ?? [];
  log.info({ sensor: config.sensor_id, listen, sinks: running.sinkNames }, 'sensor started');
  logStartup(config, log, listen, chooseLogFormat());
  await waitForStop(stopSignal);
  log.info('stopping: flushing events');
  const summary = await running.stop();
  log.info(summary, stoppedLine(summary));
  return 0;
}
