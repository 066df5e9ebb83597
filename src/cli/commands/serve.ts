/**
 * @module
 * `sipsnare serve`: the dashboard and REST API over a store that no other
 * process writes (DuckDB allows one writer; `run` and `collect` serve the
 * store they write themselves). Opens the store read-only.
 */
import { parseArgs } from 'node:util';
import { openStoreReadOnly } from '../../store/open-read-only.js';
import { UsageError } from '../../errors.js';
import { createLogger } from '../../log.js';
import { DEFAULT_HTTP, startServer } from '../../server/start.js';
import type { Command } from '../command.js';

const USAGE = `usage: sipsnare serve --db FILE [--http HOST:PORT] [--token TOKEN]

  --db FILE          the store (opened read-only)
  --http HOST:PORT   where to listen (default ${DEFAULT_HTTP}); IPv6 in brackets
  --token TOKEN      require this token (Authorization: Bearer TOKEN, or ?token=
                     once in a browser); required when HOST is not loopback.
                     SIPSNARE_HTTP_TOKEN in the environment works too.

Serves the dashboard at / and the API under /api/ (docs/api.md) until SIGINT or SIGTERM.`;

export const command: Command = {
  name: 'serve',
  summary: 'dashboard and REST API over a store',
  usage: USAGE,
  async run(argv, io) {
    let values: { db?: string | undefined; http?: string | undefined; token?: string | undefined };
    try {
      ({ values } = parseArgs({
        args: [...argv],
        options: { db: { type: 'string' }, http: { type: 'string' }, token: { type: 'string' } },
        allowPositionals: false,
        strict: true,
      }));
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
    if (values.db === undefined) throw new UsageError('--db FILE is required');
    const token = values.token ?? process.env['SIPSNARE_HTTP_TOKEN'] ?? null;
    const log = createLogger();
    const store = await openStoreReadOnly(values.db);
    let server;
    try {
      server = await startServer({
        instance: store.instance,
        listen: values.http ?? DEFAULT_HTTP,
        token,
        log,
        // Read-only, and no other process can write it meanwhile: it never changes.
        generation: () => 0,
      });
    } catch (err) {
      store.close();
      throw err;
    }
    io.stdout.write(`sipsnare dashboard: ${server.url}\n`);
    log.info({ url: server.url, db: values.db }, 'serving');
    await new Promise<void>((resolve) => {
      if (io.stopSignal.aborted) resolve();
      else
        io.stopSignal.addEventListener(
          'abort',
          () => {
            resolve();
          },
          { once: true },
        );
    });
    await server.close();
    store.close();
    return 0;
  },
};
