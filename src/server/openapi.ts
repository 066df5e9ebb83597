/**
 * @module
 * The OpenAPI 3.1 document of the API, built from the same route table
 * Fastify validates with, so the document cannot drift from the code.
 */
import type { ApiRoute, JsonSchema } from './context.js';

function toOpenApiPath(url: string): string {
  return url.replace(/:([A-Za-z_]+)/g, '{$1}');
}

function parameters(route: ApiRoute): JsonSchema[] {
  const out: JsonSchema[] = [];
  for (const [name, schema] of Object.entries(route.params ?? {})) {
    out.push({ name, in: 'path', required: true, schema, description: schema['description'] });
  }
  for (const [name, schema] of Object.entries(route.query ?? {})) {
    out.push({ name, in: 'query', required: false, schema, description: schema['description'] });
  }
  return out;
}

/**
 * The document of `routes`, plus `extraPaths`: OpenAPI path items of
 * endpoints that are not JSON routes (the live feed), described by the
 * module that serves them.
 */
export function openApiDocument(
  routes: readonly ApiRoute[],
  version: string,
  extraPaths: Readonly<Record<string, unknown>> = {},
): JsonSchema {
  const paths: Record<string, unknown> = {};
  for (const r of routes) {
    paths[toOpenApiPath(r.url)] = {
      get: {
        summary: r.summary,
        ...(r.description === undefined ? {} : { description: r.description }),
        parameters: parameters(r),
        responses: {
          '200': {
            description: 'OK',
            content: { 'application/json': { schema: r.response ?? { type: 'object' } } },
          },
          '400': { description: 'a query or path parameter is not valid' },
          '401': { description: 'a token is required and was missing or wrong' },
        },
      },
    };
  }
  Object.assign(paths, extraPaths);
  return {
    openapi: '3.1.0',
    info: {
      title: 'sipsnare API',
      version,
      description:
        'Read-only JSON API over a sipsnare store. Field names are those of the events and of `report --format json`. ' +
        'When the server requires a token, send `Authorization: Bearer TOKEN`.',
    },
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
    },
    security: [{}, { bearer: [] }],
    paths,
  };
}
