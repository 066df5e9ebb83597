/**
 * @module
 * The dashboard server over a fixture store, for the server's tests: made
 * before the suite, closed (server, then store) after it.
 */
import { after, before } from 'node:test';
import { silentLogger } from '../../src/log.js';
import { startServer, type RunningServer, type ServerOptions } from '../../src/server/start.js';
import { createFixtureDb, type FixtureDb } from '../fixtures/analysis/fixture-db.js';

export interface FixtureServer {
  /** The store, once the suite started. */
  readonly fx: FixtureDb;
  /** The server, once the suite started. */
  readonly server: RunningServer;
}

/**
 * Registers the suite's `before` and `after`: a fixture store filled by
 * `fill`, a server over it on a free loopback port with no token (unless
 * `options` say otherwise).
 */
export function fixtureServer(
  fill: (fx: FixtureDb) => Promise<void>,
  options: (fx: FixtureDb) => Partial<ServerOptions> = () => ({}),
): FixtureServer {
  let fx: FixtureDb | null = null;
  let server: RunningServer | null = null;
  before(async () => {
    fx = await createFixtureDb();
    await fill(fx);
    server = await startServer({
      instance: fx.instance,
      listen: '127.0.0.1:0',
      token: null,
      log: silentLogger(),
      ...options(fx),
    });
  });
  after(async () => {
    await server?.close();
    fx?.close();
  });
  return {
    get fx(): FixtureDb {
      if (fx === null) throw new Error('the fixture server is made before the suite');
      return fx;
    },
    get server(): RunningServer {
      if (server === null) throw new Error('the fixture server is made before the suite');
      return server;
    },
  };
}
