/**
 * @module
 * Routes of a process that writes a store and answers for it (`collect
 * --http`): `POST /api/report` builds the whole report over the live store
 * for `sipsnare report --url` (analysis/remote.ts is the wire format), and
 * `GET /api/status` gives the writer's counts.
 *
 * Reports are cached per store generation: the writer counts its commits
 * that added rows, and a report asked again before the next such commit
 * is sent from memory (the store has not changed, so neither has the
 * answer). Identical requests that arrive together share one build.
 *
 * Must never run SQL from a request: a request only chooses report options,
 * checked and bounded by decodeOptions.
 */
import type { FastifyInstance } from 'fastify';
import type { ReportOptions } from '../analysis/build.js';
import {
  decodeOptions,
  encodeOptions,
  encodeReport,
  MAX_REQUEST_BYTES,
  REPORT_PATH,
} from '../analysis/remote.js';
import type { Report } from '../analysis/types.js';
import { HttpError, type RouteModule } from './context.js';

/** What the report route needs from the writing process. */
export interface ReportSource {
  /** Grows whenever a commit added rows: equal generations mean an unchanged store. */
  generation(): number;
  /** Builds the report over the live store (unified INVITEs brought up to date first). */
  build(opts: ReportOptions): Promise<Report>;
}

/** Reports kept per generation (distinct option sets asked since the last commit). */
export const REPORT_CACHE_ENTRIES = 16;

/** The report cache: encoded reports by encoded options, dropped when the generation moves. */
export class ReportCache {
  private generation = -1;
  private readonly entries = new Map<string, Promise<string>>();
  builds = 0;

  constructor(private readonly source: ReportSource) {}

  /** The encoded report for `opts`, built at most once per store generation. */
  get(opts: ReportOptions): Promise<string> {
    const gen = this.source.generation();
    if (gen !== this.generation) {
      this.entries.clear();
      this.generation = gen;
    }
    const key = encodeOptions(opts);
    const hit = this.entries.get(key);
    if (hit) return hit;
    if (this.entries.size >= REPORT_CACHE_ENTRIES) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.builds++;
    const built = this.source.build(opts).then(encodeReport);
    this.entries.set(key, built);
    // A failed build is not kept: the next request tries again.
    built.catch(() => {
      if (this.entries.get(key) === built) this.entries.delete(key);
    });
    return built;
  }
}

const DATE = { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$' } as const;

/** The OpenAPI path item of `POST /api/report`. */
export const REPORT_OPENAPI = {
  post: {
    summary: 'the whole report over the live store (`sipsnare report --url`)',
    description:
      'The report options in, the report out, with the field names of `report --format json` (an infinite number as {"$number": "Infinity"}). ' +
      'Cached until the next commit that adds rows.',
    requestBody: {
      required: true,
      content: {
        'application/json': {
          schema: {
            type: 'object',
            required: ['filter', 'top'],
            properties: {
              filter: {
                type: 'object',
                properties: { from: DATE, to: DATE, sensor: { type: 'string', maxLength: 128 } },
              },
              top: { type: 'integer', minimum: 1 },
              graphIps: { type: 'array', maxItems: 1000, items: { type: 'string' } },
              graphTop: { type: 'integer', minimum: 0 },
              labels: {
                type: 'array',
                items: { type: 'array', minItems: 2, maxItems: 2, items: { type: 'string' } },
              },
              phases: { type: 'object' },
              rogue: { type: 'object' },
            },
          },
        },
      },
    },
    responses: {
      '200': {
        description: 'the report',
        content: { 'application/json': { schema: { type: 'object' } } },
      },
      '400': { description: 'the options are not valid' },
      '401': { description: 'a token is required and was missing or wrong' },
      '413': { description: `a body over ${MAX_REQUEST_BYTES} bytes` },
    },
  },
} as const;

/** Adds `POST /api/report` over `source` to `app` (the token check and headers apply). */
export function installReportRoute(app: FastifyInstance, source: ReportSource): ReportCache {
  const cache = new ReportCache(source);
  void app.register((scope, _opts, done) => {
    // The body is the options as JSON text; decodeOptions parses and checks it.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser(
      '*',
      { parseAs: 'string', bodyLimit: MAX_REQUEST_BYTES },
      (_req, body, next) => {
        next(null, body);
      },
    );
    scope.post(REPORT_PATH, { bodyLimit: MAX_REQUEST_BYTES }, async (req, reply) => {
      const opts = decodeOptions(typeof req.body === 'string' ? req.body : '');
      if (typeof opts === 'string') throw new HttpError(400, opts);
      const body = await cache.get(opts);
      return reply
        .type('application/json; charset=utf-8')
        .header('cache-control', 'no-store')
        .send(body);
    });
    done();
  });
  return cache;
}

/** `GET /api/status`: the writing process's counts, as it reports them. */
export function statusRoutes(status: () => Readonly<Record<string, unknown>>): RouteModule {
  return () => [
    {
      url: '/api/status',
      summary: 'counts of the process writing the store',
      description:
        'For `sipsnare collect`: rows stored, duplicates skipped, messages rejected (by sensor and reason), batches committed, and whether commits fail right now.',
      handler: () => Promise.resolve(status()),
    },
  ];
}
