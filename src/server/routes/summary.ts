/**
 * @module
 * `/api/summary`: the report's summary section (Table 1 of "Anatomy of SIP
 * Attacks", CERT.br, 2012), with the report's field names.
 */
import { querySummary } from '../../analysis/queries/summary.js';
import type { RouteModule } from '../context.js';
import { SCOPE_QUERY, scopeOf } from './params.js';

export const summaryRoutes: RouteModule = (ctx) => [
  {
    url: '/api/summary',
    cached: true,
    summary: 'headline counts (the report summary)',
    description:
      'Messages by method, unified INVITEs (INVITEs from one source to one number less than an hour apart), distinct sources, ASNs, countries and days.',
    query: SCOPE_QUERY,
    response: {
      type: 'object',
      properties: {
        register_messages: { type: 'integer' },
        invite_messages: { type: 'integer' },
        unified_invites: { type: 'integer' },
        unique_ips: { type: 'integer' },
        unique_asns: { type: 'integer' },
        unique_source_countries: { type: 'integer' },
        days: { type: 'integer' },
      },
    },
    handler: ({ query }) => querySummary(ctx.db, scopeOf(query)),
  },
];
