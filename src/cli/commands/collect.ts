/**
 * @module
 * `sipsnare collect`: the central collector. Consumes the sensors' events
 * from JetStream (durable consumer), validates, enriches and writes them
 * into one DuckDB store in batches, acknowledging after each commit.
 * SIGINT or SIGTERM stop it after the batch in progress.
 */
import { parseArgs } from 'node:util';
import { Collector } from '../../collect/collector.js';
import { CentralStore } from '../../collect/central-store.js';
import { loadConfig } from '../../config/load.js';
import { UsageError } from '../../errors.js';
import { createLogger } from '../../log.js';
import { DEFAULT_GAP_MINUTES } from '../../store/calls.js';
import { loadEnricher } from '../../store/enricher.js';
import type { Command } from '../command.js';
import { startCollectorServer } from '../collector-http.js';
import { waitForAbort } from '../wait-for-abort.js';

const USAGE = `usage: sipsnare collect --nats URL --db FILE [--http HOST:PORT] [--config FILE]

  --nats URL        NATS server (nats://HOST:PORT or tls://HOST:PORT); repeat or
                    separate with commas for a cluster; default: ship.servers
  --db FILE         central store to write (created when missing)
  --http HOST:PORT  serve the dashboard, the API and \`sipsnare report --url\`
                    on this address; loopback unless http.token is set
  --config FILE     configuration: ship: (stream, subjects, credentials, TLS)
                    and collect: (durable name, batch size and wait) keys

Rejected messages are kept in FILE.rejected.jsonl (collect.rejected_file).
Runs until SIGINT or SIGTERM; stops after the batch in progress.`;

export const command: Command = {
  name: 'collect',
  summary: 'central collector: events from NATS JetStream into one store',
  usage: USAGE,
  async run(argv, io) {
    let values: { nats?: string[]; db?: string; http?: string; config?: string };
    try {
      ({ values } = parseArgs({
        args: [...argv],
        options: {
          nats: { type: 'string', multiple: true },
          db: { type: 'string' },
          http: { type: 'string' },
          config: { type: 'string' },
        },
        allowPositionals: false,
        strict: true,
      }));
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
    if (values.db === undefined) throw new UsageError('--db FILE is required');
    const flags: Record<string, unknown> = {};
    if (values.nats !== undefined)
      flags['ship.servers'] = values.nats.flatMap((s) => s.split(',')).filter((s) => s !== '');
    if (values.http !== undefined) flags['http.listen'] = values.http;
    const config = loadConfig({ file: values.config ?? null, env: process.env, flags });
    if (config.ship.servers.length === 0)
      throw new UsageError('give --nats URL (or ship.servers in the configuration)');
    const log = createLogger();
    const store = new CentralStore({
      path: values.db,
      enricher: await loadEnricher(),
      gapMinutes: DEFAULT_GAP_MINUTES,
    });
    const collector = new Collector({
      servers: config.ship.servers,
      ship: config.ship,
      collect: config.collect,
      store,
      rejectedFile: config.collect.rejected_file ?? `${values.db}.rejected.jsonl`,
      log,
    });
    await collector.start();
    let http = null;
    if (values.http !== undefined) {
      http = await startCollectorServer(
        store,
        collector,
        config.http.listen,
        config.http.token,
        log,
      );
      io.stdout.write(`sipsnare collector dashboard: ${http.url}\n`);
      log.info({ http: http.url }, 'answering reports, the dashboard and the API');
    }
    await waitForAbort(io.stopSignal);
    log.info('stopping after the batch in progress');
    await http?.close();
    await collector.stop();
    log.info({ ...collector.stats }, 'collector stopped');
    return 0;
  },
};
