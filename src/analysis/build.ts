/**
 * @module
 * Builds a whole report: runs each section's queries over one scope, applies
 * the pure analyses, and times every section. Renderers take the result;
 * nothing here formats output.
 */
import type { Queryable } from '../store/queryable.js';
import type { ReportFilter } from './filter.js';
import { analysePhases, PHASE_DEFAULTS, phaseBits } from './phase-rules.js';
import { queryTrafficUserAgents } from './queries/browse.js';
import { queryCountryPairs } from './queries/country-pairs.js';
import { queryCredentials } from './queries/credentials.js';
import {
  queryDestinationCountries,
  queryNumberMethods,
  queryNumberTypes,
  queryTopDestinations,
} from './queries/destinations.js';
import { querySourceGraphs } from './queries/graph.js';
import { queryPhases } from './queries/phases.js';
import { queryNetwork } from './queries/network.js';
import { queryCallerSpread } from './queries/rogue.js';
import { querySourceStory, type SourceStory } from './queries/source-story.js';
import { querySourceCountries, queryTopSources } from './queries/sources.js';
import { querySummary } from './queries/summary.js';
import { queryUserAgents } from './queries/user-agents.js';
import { ROGUE_DEFAULTS, scoreRogueServers, type RogueOptions } from './rogue.js';
import type { PhaseThresholds, Report } from './types.js';

export interface ReportOptions {
  readonly filter: ReportFilter;
  /** Rows per ranked list (top sources, numbers, user agents...). */
  readonly top: number;
  /** Sources drawn as link graphs; default: the top `graphTop` sources. */
  readonly graphIps?: readonly string[];
  readonly graphTop?: number;
  /** User labels for numbers (E.164 -> label), from `--labels`. */
  readonly labels?: ReadonlyMap<string, string>;
  readonly phases?: PhaseThresholds;
  /** Sources told as stories (the most active first); default min(top, 5). */
  readonly stories?: number;
  readonly rogue?: RogueOptions;
  /** Injected clock for `meta.generated_at`. */
  readonly now?: () => Date;
}

/** Sections in report order: names used in timings, CSV files and the HTML. */
export const SECTIONS = [
  'summary',
  'user_agents',
  'source_stories',
  'sources',
  'rogue_servers',
  'destinations',
  'country_pairs',
  'graph',
  'phases',
  'credentials',
  'network',
] as const;
export type SectionName = (typeof SECTIONS)[number];

async function timed<T>(
  timings: Record<string, number>,
  name: SectionName,
  fn: () => Promise<T>,
): Promise<T> {
  const t0 = performance.now();
  try {
    return await fn();
  } finally {
    timings[name] = Math.round(performance.now() - t0);
  }
}

/** Destination countries, top numbers (with the operator's labels), number types and methods. */
async function queryDestinationSections(
  db: Queryable,
  filter: ReportFilter,
  top: number,
  labels: ReportOptions['labels'],
) {
  const destinations = await queryTopDestinations(db, filter, top);
  if (labels) for (const d of destinations) d.label = labels.get(d.number) ?? null;
  return [
    await queryDestinationCountries(db, filter),
    destinations,
    await queryNumberTypes(db, filter),
    await queryNumberMethods(db, filter),
  ] as const;
}

/** The stories of `ips`, in that order (a source with no event in scope has none). */
async function queryStories(
  db: Queryable,
  filter: ReportFilter,
  ips: readonly string[],
): Promise<SourceStory[]> {
  const out: SourceStory[] = [];
  for (const ip of ips) {
    const story = await querySourceStory(db, filter, ip);
    if (story !== null) out.push(story);
  }
  return out;
}

/** Runs every section. Sections run one after another: DuckDB parallelises each query itself. */
export async function buildReport(db: Queryable, opts: ReportOptions): Promise<Report> {
  const { filter, top } = opts;
  const t: Record<string, number> = {};
  const summary = await timed(t, 'summary', () => querySummary(db, filter));
  const [ua, uaTraffic] = await timed(
    t,
    'user_agents',
    async () =>
      [
        await queryUserAgents(db, filter, top),
        await queryTrafficUserAgents(db, filter, top),
      ] as const,
  );
  const [sourceCountries, topSources] = await timed(
    t,
    'sources',
    async () =>
      [await querySourceCountries(db, filter), await queryTopSources(db, filter, top)] as const,
  );
  const rogue = await timed(t, 'rogue_servers', async () =>
    scoreRogueServers(await queryCallerSpread(db, filter), opts.rogue ?? ROGUE_DEFAULTS),
  );
  const [destCountries, destinations, numberTypes, numberMethods] = await timed(
    t,
    'destinations',
    () => queryDestinationSections(db, filter, top, opts.labels),
  );
  const pairs = await timed(t, 'country_pairs', () => queryCountryPairs(db, filter));
  const graphIps = opts.graphIps ?? topSources.slice(0, opts.graphTop ?? 3).map((s) => s.ip);
  const graph = await timed(t, 'graph', () => querySourceGraphs(db, filter, graphIps));
  const thresholds = opts.phases ?? PHASE_DEFAULTS;
  const phases = await timed(t, 'phases', async () => {
    const { activity, daily } = await queryPhases(db, filter, (a) => phaseBits(a, thresholds));
    return analysePhases(activity, daily, thresholds, top);
  });
  const storyIps = phases.sources.slice(0, opts.stories ?? Math.min(top, 5)).map((x) => x.ip);
  const stories = await timed(t, 'source_stories', () => queryStories(db, filter, storyIps));
  const credentials = await timed(t, 'credentials', () => queryCredentials(db, filter, top));
  const network = await timed(t, 'network', () => queryNetwork(db, filter, top));
  return {
    meta: {
      generated_at: (opts.now ?? (() => new Date()))().toISOString(),
      filter: { from: filter.from ?? null, to: filter.to ?? null, sensor: filter.sensor ?? null },
      top,
      timings_ms: t,
      shares: 'fractions 0..1',
    },
    summary,
    user_agents: ua.labels,
    user_agent_breakdown: ua,
    user_agents_all_traffic: uaTraffic,
    source_stories: stories,
    source_countries: sourceCountries,
    top_sources: topSources,
    rogue_servers: rogue,
    destination_countries: destCountries,
    destinations,
    number_types: numberTypes,
    number_methods: numberMethods,
    country_pairs: pairs,
    graph,
    phases,
    credentials,
    network,
  };
}
