/**
 * @module
 * The report's other sections, one endpoint each, with the report's field
 * names: user agents (of calls and of all traffic), destinations and one
 * number, country pairs, rogue candidates, phases (and per-hour activity by
 * phase), credentials, events and metadata.
 */
import { queryCountryPairs } from '../../analysis/queries/country-pairs.js';
import { queryCredentials } from '../../analysis/queries/credentials.js';
import {
  queryDestinationCountries,
  queryNumberMethods,
  queryNumberTypes,
  queryTopDestinations,
} from '../../analysis/queries/destinations.js';
import {
  queryEventPage,
  queryHourlyPhases,
  queryMetadata,
  queryNumber,
  queryTrafficUserAgents,
} from '../../analysis/queries/browse.js';
import { queryPhases } from '../../analysis/queries/phases.js';
import { queryCallerSpread } from '../../analysis/queries/rogue.js';
import { querySourceCountries } from '../../analysis/queries/sources.js';
import { queryUserAgents } from '../../analysis/queries/user-agents.js';
import { analysePhases, PHASE_DEFAULTS, phaseBits } from '../../analysis/phase-rules.js';
import { ROGUE_DEFAULTS, scoreRogueServers } from '../../analysis/rogue.js';
import { HttpError, type RouteModule } from '../context.js';
import { SCOPE_QUERY, scopeOf, topQuery } from './params.js';

const TOP = { ...SCOPE_QUERY, top: topQuery() };
const top = (q: Readonly<Record<string, unknown>>): number => Number(q['top'] ?? 20);
const HOURS = { type: 'integer', minimum: 1, maximum: 24 * 366, default: 168 };

export const sectionRoutes: RouteModule = (ctx) => [
  {
    url: '/api/user-agents',
    cached: true,
    summary: 'user agents of all traffic and of calls',
    description:
      '`all_traffic`: every request by User-Agent label; `calls`: unified INVITEs by the label of their first INVITE (Table 2 of "Anatomy of SIP Attacks", CERT.br, 2012).',
    query: TOP,
    handler: async ({ query }) => ({
      all_traffic: await queryTrafficUserAgents(ctx.db, scopeOf(query), top(query)),
      calls: await queryUserAgents(ctx.db, scopeOf(query), top(query)),
    }),
  },
  {
    url: '/api/destinations',
    cached: true,
    summary: 'destination numbers, countries and number types of the unified INVITEs',
    query: TOP,
    handler: async ({ query }) => {
      const f = scopeOf(query);
      return {
        destinations: await queryTopDestinations(ctx.db, f, top(query)),
        destination_countries: await queryDestinationCountries(ctx.db, f),
        number_types: await queryNumberTypes(ctx.db, f),
        number_methods: await queryNumberMethods(ctx.db, f),
        source_countries: await querySourceCountries(ctx.db, f),
      };
    },
  },
  {
    url: '/api/numbers/:number',
    summary: 'one destination number: its calls per source',
    params: { number: { type: 'string', pattern: '^\\+?[0-9X]{1,20}$' } },
    handler: async ({ params }) => {
      const rows = await queryNumber(ctx.db, params['number'] ?? '', 500);
      if (rows.length === 0) throw new HttpError(404, 'no calls to this number');
      return { number: params['number'], sources: rows };
    },
  },
  {
    url: '/api/country-pairs',
    cached: true,
    summary: 'source country to destination country pairs of the unified INVITEs',
    query: SCOPE_QUERY,
    handler: async ({ query }) => ({
      country_pairs: await queryCountryPairs(ctx.db, scopeOf(query)),
    }),
  },
  {
    url: '/api/rogue-servers',
    cached: true,
    summary: 'rogue VoIP server candidates, with why',
    query: SCOPE_QUERY,
    handler: async ({ query }) =>
      scoreRogueServers(await queryCallerSpread(ctx.db, scopeOf(query)), ROGUE_DEFAULTS),
  },
  {
    url: '/api/activity',
    cached: true,
    summary: 'requests per UTC hour by message class (the overview chart)',
    description:
      'The `hourly` of `/api/phases` alone: each request counted in its class (abuse, brute_force, scanning, enumeration), for the last `hours` hours with data. Read from the hour rollup, without classifying the sources.',
    query: { ...SCOPE_QUERY, hours: HOURS },
    handler: async ({ query }) => ({
      hourly: await queryHourlyPhases(ctx.db, scopeOf(query), Number(query['hours'] ?? 168)),
    }),
  },
  {
    url: '/api/phases',
    cached: true,
    summary:
      'attack phases: how many sources reached each phase, the funnel, and per-hour activity',
    query: { ...TOP, hours: HOURS },
    handler: async ({ query }) => {
      const f = scopeOf(query);
      const { activity, daily } = await queryPhases(ctx.db, f, (a) => phaseBits(a, PHASE_DEFAULTS));
      return {
        ...analysePhases(activity, daily, PHASE_DEFAULTS, top(query)),
        hourly: await queryHourlyPhases(ctx.db, f, Number(query['hours'] ?? 168)),
      };
    },
  },
  {
    url: '/api/credentials',
    cached: true,
    summary: 'cracked extensions, guessed passwords, usernames tried',
    query: TOP,
    handler: ({ query }) => queryCredentials(ctx.db, scopeOf(query), top(query)),
  },
  {
    url: '/api/events',
    summary: 'events, newest first, with filters and cursor pages',
    query: {
      ...SCOPE_QUERY,
      since: { type: 'string', format: 'date-time', description: 'from this instant (ISO 8601)' },
      until: { type: 'string', format: 'date-time', description: 'before this instant' },
      method: { type: 'string', pattern: '^[A-Z]{1,16}$' },
      src_ip: { type: 'string', pattern: '^[0-9A-Fa-f.:]{2,45}$' },
      response: { type: 'integer', minimum: 100, maximum: 699 },
      event: { type: 'string', pattern: '^[a-z_.]{1,32}$' },
      limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
      cursor: { type: 'string', maxLength: 400 },
    },
    handler: async ({ query }) => {
      const q: Record<string, unknown> = { limit: Number(query['limit'] ?? 100) };
      for (const k of ['cursor', 'method', 'src_ip', 'response', 'event']) {
        if (query[k] !== undefined) q[k] = query[k];
      }
      // As UTC: the store's timestamps are UTC, and an offset would not cast.
      for (const k of ['since', 'until']) {
        if (typeof query[k] === 'string') q[k] = new Date(query[k]).toISOString();
      }
      try {
        return await queryEventPage(ctx.db, scopeOf(query), q as { limit: number });
      } catch (err) {
        if (err instanceof RangeError) throw new HttpError(400, err.message);
        throw err;
      }
    },
  },
  {
    url: '/api/metadata',
    summary: 'data dates, sensors, store metadata and the store writer lag',
    handler: async () => {
      const m = await queryMetadata(ctx.db);
      const s = ctx.storeStatus?.() ?? null;
      return {
        ...m,
        store: s === null ? null : { queued: s.queued, lag_ms: s.lagMs, dropped: s.dropped },
        live: ctx.live !== null,
      };
    },
  },
];
