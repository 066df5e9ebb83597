/**
 * @module
 * `/api/sources` (filter, sort, cursor pages) and `/api/sources/{ip}` (one
 * source's whole story).
 */
import {
  querySourceList,
  SOURCE_SORTS,
  type SourceQuery,
  type SourceSort,
} from '../../analysis/queries/source-list.js';
import { querySourceStory } from '../../analysis/queries/source-story.js';
import { HttpError, type RouteModule } from '../context.js';
import { SCOPE_QUERY, scopeOf } from './params.js';

const IP = { type: 'string', pattern: '^[0-9A-Fa-f.:]{2,45}$', description: 'source address' };

function opt<K extends string, V>(key: K, v: V | undefined): Partial<Record<K, V>> {
  return v === undefined ? {} : ({ [key]: v } as Record<K, V>);
}

export const sourcesRoutes: RouteModule = (ctx) => [
  {
    url: '/api/sources',
    summary: 'sources (one row per source address) with filters, sorting and cursor pages',
    description:
      'Counts every message of each source in scope. Pass next_cursor back as cursor for the next page.',
    query: {
      ...SCOPE_QUERY,
      sort: { type: 'string', enum: Object.keys(SOURCE_SORTS), default: 'messages' },
      order: { type: 'string', enum: ['asc', 'desc'], default: 'desc' },
      limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 },
      cursor: { type: 'string', maxLength: 400 },
      cc: { type: 'string', pattern: '^[A-Z]{2}$', description: 'source country (ISO)' },
      asn: { type: 'integer', minimum: 0, maximum: 4294967295 },
      ip: { type: 'string', pattern: '^[0-9A-Fa-f.:]{1,45}$', description: 'address prefix' },
      user_agent: { type: 'string', maxLength: 200, description: 'user agent contains' },
      min_messages: { type: 'integer', minimum: 1, maximum: 2 ** 53 - 1 },
    },
    async handler({ query }) {
      const q: SourceQuery = {
        sort: (query['sort'] ?? 'messages') as SourceSort,
        order: query['order'] === 'asc' ? 'asc' : 'desc',
        limit: Number(query['limit'] ?? 50),
        ...opt('cursor', query['cursor'] as string | undefined),
        ...opt('cc', query['cc'] as string | undefined),
        ...opt('asn', query['asn'] as number | undefined),
        ...opt('ip', query['ip'] as string | undefined),
        ...opt('user_agent', query['user_agent'] as string | undefined),
        ...opt('min_messages', query['min_messages'] as number | undefined),
      };
      try {
        const { items, next_cursor } = await querySourceList(ctx.db, scopeOf(query), q);
        return { items, next_cursor };
      } catch (err) {
        if (err instanceof RangeError) throw new HttpError(400, err.message);
        throw err;
      }
    },
  },
  {
    url: '/api/sources/:ip',
    summary: "one source's story",
    description:
      'Phases with their times, extensions tried, credentials tried and cracked, numbers called with countries, user agents, sensors, AS and country, and a timeline of messages per hour and phase.',
    params: { ip: IP },
    query: SCOPE_QUERY,
    async handler({ query, params }) {
      const story = await querySourceStory(ctx.db, scopeOf(query), params['ip'] ?? '');
      if (story === null) throw new HttpError(404, 'no events from this source in scope');
      return story;
    },
  },
];
