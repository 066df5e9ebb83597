/**
 * @module
 * What route modules get and give. A module is a function of the server's
 * context returning API routes: a URL, its documentation, JSON schemas for
 * its path and query parameters (Fastify validates them before the handler
 * runs, and the OpenAPI document is built from the same schemas), and a
 * handler that returns the JSON body. Modules never see Fastify, so adding
 * an endpoint is one file under routes/ and one line in routes/index.ts (or
 * a module passed to startServer by a command, such as the collector's).
 */
import type { Queryable } from '../store/queryable.js';
import type { Logger } from '../log.js';
import type { LiveFeed } from './live.js';
import type { ServerMetrics, StoreStatus } from './metrics.js';

export type { StoreStatus } from './metrics.js';

/** A JSON schema as Fastify and OpenAPI take it. */
export type JsonSchema = Readonly<Record<string, unknown>>;

export interface ServerContext {
  readonly db: Queryable;
  readonly log: Logger;
  readonly metrics: ServerMetrics;
  /** Live events and findings; null when nothing writes the store in this process. */
  readonly live: LiveFeed | null;
  /** The writer's state; null for `serve` over a store nobody writes here. */
  readonly storeStatus: (() => StoreStatus) | null;
  /**
   * Grows whenever the store changed (commits that added rows, rebuilds of
   * the unified INVITEs); routes marked `cached` are answered per value
   * (server/answer-cache.ts). Null: unknown, nothing is cached.
   */
  readonly generation?: (() => number) | null;
}

export interface ApiInput {
  readonly query: Readonly<Record<string, unknown>>;
  readonly params: Readonly<Record<string, string>>;
}

/** An error a handler throws to answer with a status (404 for an unknown source...). */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export interface ApiRoute {
  /** Fastify path syntax: `/api/sources/:ip`. Always under /api/. */
  readonly url: string;
  readonly summary: string;
  readonly description?: string;
  /** Properties of the query string, each a JSON schema; unknown keys are refused. */
  readonly query?: Readonly<Record<string, JsonSchema>>;
  /** Path parameters, each a JSON schema. */
  readonly params?: Readonly<Record<string, JsonSchema>>;
  /** Schema of the answer, for the OpenAPI document. */
  readonly response?: JsonSchema;
  /** An aggregate over the whole store: kept per store generation (server/answer-cache.ts). */
  readonly cached?: boolean;
  handler(input: ApiInput): Promise<unknown>;
}

export type RouteModule = (ctx: ServerContext) => readonly ApiRoute[];
