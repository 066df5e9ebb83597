/**
 * @module
 * The OpenAPI description of `/api/live` (Server-Sent Events), built from
 * the event catalogue, the live feed's field list and the finding kinds, so
 * it cannot drift from what the stream sends. The stream is not JSON: its
 * media type is `text/event-stream`, and the JSON of each message kind is
 * given in the `x-sse-messages` extension of that media type.
 */
import { FIELDS } from '../events/catalog.js';
import type { JsonSchema } from './context.js';
import { FINDING_KINDS } from './findings.js';
import { LIVE_FIELDS } from './live.js';

const TYPES = { string: 'string', int: 'integer', bool: 'boolean', timestamp: 'string' } as const;

function liveEventSchema(): JsonSchema {
  const properties: Record<string, JsonSchema> = {};
  for (const name of LIVE_FIELDS) {
    const spec = FIELDS[name];
    const type = TYPES[spec.kind];
    properties[name] = {
      type: spec.nullable ? [type, 'null'] : type,
      ...(spec.kind === 'timestamp' ? { format: 'date-time' } : {}),
      ...('values' in spec ? { enum: [...spec.values, ...(spec.nullable ? [null] : [])] } : {}),
      description: spec.doc,
    };
  }
  return { type: 'object', properties, required: [...LIVE_FIELDS] };
}

const NULLABLE_STRING = { type: ['string', 'null'] } as const;

const FINDING: JsonSchema = {
  type: 'object',
  description:
    'new_source: a source seen for the first time since the process started; extension_cracked: a digest that matched the ' +
    'configured password (user: the extension, detail: the password); toll_fraud_invite: an INVITE for an external number ' +
    '(user: the dial string, detail: the E.164 number); rogue_candidate: the rule of the rogue_servers report section (at least 5 ' +
    'destination countries and a robust z-score of at least 3.5 among the callers this process saw), checked each time a ' +
    "source's count of countries grows (detail: the countries, space-separated, and the z-score).",
  properties: {
    kind: { type: 'string', enum: [...FINDING_KINDS] },
    ts: { type: 'string', format: 'date-time' },
    src_ip: { type: 'string' },
    sensor: { type: 'string' },
    event_id: { type: 'string' },
    user: NULLABLE_STRING,
    detail: NULLABLE_STRING,
    user_agent: NULLABLE_STRING,
  },
  required: ['kind', 'ts', 'src_ip', 'sensor', 'event_id', 'user', 'detail', 'user_agent'],
};

/** The query parameters of /api/live (Fastify validates them with the same schemas). */
export const LIVE_QUERY = {
  method: { type: 'string', pattern: '^[A-Z]{1,16}$', description: 'only this SIP method' },
  src_ip: { type: 'string', maxLength: 64, description: 'only this source address' },
  sensor: { type: 'string', maxLength: 64, description: 'only this sensor id' },
} as const;

/** The OpenAPI path item of /api/live. */
export const LIVE_OPENAPI: JsonSchema = {
  get: {
    summary: 'live feed: new events and findings as Server-Sent Events',
    description:
      'A stream (`text/event-stream`) that stays open. First one `hello` message with the latest findings (up to 100), ' +
      'then, every 250 ms while events arrive, one `events` message (the events of that interval, at most 200; ' +
      '`skipped` counts those left out) and one `finding` message per finding; a comment line every 15 s keeps proxies ' +
      'from closing it. Each message is `event: KIND` and `data: JSON` lines. The filters apply to `events` messages only. ' +
      'Served only by a process that writes the store (`sipsnare run`, the collector); at most 32 streams at once.',
    parameters: Object.entries(LIVE_QUERY).map(([name, schema]) => ({
      name,
      in: 'query',
      required: false,
      schema,
      description: schema.description,
    })),
    responses: {
      '200': {
        description: 'the stream',
        content: {
          'text/event-stream': {
            schema: { type: 'string' },
            'x-sse-messages': {
              hello: {
                type: 'object',
                properties: { recent: { type: 'array', items: FINDING } },
                required: ['recent'],
              },
              events: {
                type: 'object',
                properties: {
                  events: { type: 'array', items: liveEventSchema() },
                  skipped: { type: 'integer', minimum: 0 },
                },
                required: ['events', 'skipped'],
              },
              finding: FINDING,
            },
          },
        },
      },
      '400': { description: 'a query parameter is not valid' },
      '401': { description: 'a token is required and was missing or wrong' },
      '404': { description: 'no live feed: this server reads a store nobody writes here' },
      '503': { description: 'too many live streams open' },
    },
  },
};
