/**
 * @module
 * The Fastify application: security headers, the token check, the API
 * routes (validated by their JSON schemas, documented at /api/openapi.json),
 * the live feed, /metrics, /healthz and the dashboard's pages. Builds the
 * app without listening, so tests can `inject` requests.
 *
 * Must stay read-only: every route is a GET over the store.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { installAuth } from './auth.js';
import { AnswerCache, answerKey } from './answer-cache.js';
import { HttpError, type ApiRoute, type RouteModule, type ServerContext } from './context.js';
import { installSecurityHeaders } from './headers.js';
import { openApiDocument } from './openapi.js';
import { PoolBusyError } from './pool.js';
import { API_MODULES } from './routes/index.js';

/** A longer path parameter is answered 414. */
export const MAX_PATH_PARAM_CHARS = 200;

export interface AppOptions {
  /** Required on a bind other than loopback; null: no check. */
  readonly token: string | null;
  /** Route modules beyond the built-in ones (e.g. the collector's). */
  readonly routes?: readonly RouteModule[];
  /** Extra Fastify plugins registered last (pages, live feed, metrics). */
  readonly plugins?: readonly ((app: FastifyInstance, ctx: ServerContext) => void)[];
  /** OpenAPI path items of what the plugins serve (the live feed), by path. */
  readonly documentedPaths?: Readonly<Record<string, unknown>>;
  readonly version?: string;
}

function querySchema(route: ApiRoute): Record<string, unknown> {
  return { type: 'object', additionalProperties: false, properties: route.query ?? {} };
}

function paramsSchema(route: ApiRoute): Record<string, unknown> {
  const props = route.params ?? {};
  return { type: 'object', properties: props, required: Object.keys(props) };
}

/**
 * What the schema validator lets through and SQL could not take: Ajv's
 * type coercion turns "1e400" into Infinity and "1e23" into a number past
 * 2^53, both reported valid integers (even beyond a `maximum`); a
 * date-time with a leap second passes its format. Refused here with 400,
 * so such a value never reaches a query.
 */
function checkValues(route: ApiRoute, query: Readonly<Record<string, unknown>>): void {
  for (const [name, schema] of Object.entries(route.query ?? {})) {
    const v = query[name];
    if (v === undefined) continue;
    if (schema['type'] === 'integer') {
      const min = typeof schema['minimum'] === 'number' ? schema['minimum'] : -Infinity;
      const max = typeof schema['maximum'] === 'number' ? schema['maximum'] : Infinity;
      if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min || v > max) {
        throw new HttpError(400, `${name}: not an integer in range`);
      }
    } else if (schema['format'] === 'date-time') {
      if (typeof v !== 'string' || !Number.isFinite(Date.parse(v))) {
        throw new HttpError(400, `${name}: not a date-time`);
      }
    }
  }
}

function registerApi(
  app: FastifyInstance,
  routes: readonly ApiRoute[],
  cache: AnswerCache | null,
): void {
  for (const route of routes) {
    app.get(
      route.url,
      { schema: { querystring: querySchema(route), params: paramsSchema(route) } },
      async (req) => {
        const query = req.query as Record<string, unknown>;
        checkValues(route, query);
        const input = { query, params: req.params as Record<string, string> };
        if (cache === null || route.cached !== true) return route.handler(input);
        return cache.get(answerKey(route.url, query), () => route.handler(input));
      },
    );
  }
}

/** Builds the app over `ctx`; call `listen` (start.ts) or `inject` on it. */
export function buildApp(ctx: ServerContext, opts: AppOptions): FastifyInstance {
  const app = Fastify({
    logger: false,
    // Live streams never go idle: close them with the server.
    forceCloseConnections: true,
    // A path parameter (an address, a number) is never long.
    routerOptions: { maxParamLength: MAX_PATH_PARAM_CHARS },
    bodyLimit: 1024,
    ajv: { customOptions: { coerceTypes: true, removeAdditional: false, allErrors: false } },
  });
  installSecurityHeaders(app);
  installAuth(app, opts.token);
  app.setErrorHandler((err, _req, reply) => {
    if (err instanceof HttpError) return reply.code(err.status).send({ error: err.message });
    if (err instanceof PoolBusyError) return reply.code(503).send({ error: err.message });
    const e = err as { validation?: unknown; statusCode?: number; message: string };
    if (e.validation !== undefined || e.statusCode === 400) {
      return reply.code(400).send({ error: 'bad request', message: e.message });
    }
    if (e.statusCode !== undefined && e.statusCode < 500) {
      return reply.code(e.statusCode).send({ error: e.message });
    }
    ctx.log.error({ err: e.message }, 'API request failed');
    return reply.code(500).send({ error: 'internal error' });
  });
  app.setNotFoundHandler((_req, reply) => reply.code(404).send({ error: 'not found' }));

  const routes = [...API_MODULES, ...(opts.routes ?? [])].flatMap((m) => m(ctx));
  const gen = ctx.generation ?? null;
  registerApi(app, routes, gen === null ? null : new AnswerCache({ generation: gen }));
  const doc = openApiDocument(routes, opts.version ?? '0', opts.documentedPaths);
  app.get('/api/openapi.json', () => doc);
  app.get('/healthz', () => ({ status: 'ok' }));
  for (const plugin of opts.plugins ?? []) plugin(app, ctx);
  return app;
}
