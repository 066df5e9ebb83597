/**
 * @module
 * The plan of a run: the period (with the outage days that make the
 * article's 358 days out of a year), the actors and their roles, and every
 * session sorted by start time. Volumes follow Table 1 per day, times the
 * scale; populations (addresses, ASNs, countries) grow sub-linearly with the
 * volume so a short run still looks like a network of honeypots. The named
 * actors of Table 3 and Table 4 are present at every size.
 */
import {
  FAMOUS,
  OPTIONS_PER_YEAR,
  PAIRS,
  POPULAR,
  SCANNER_UA,
  TABLE3,
  TABLE3_SUM,
  UA_MIX,
  YEAR,
} from './article-data.js';
import type { Actor, CallTargets, Role, SessionKind, SessionPlan } from './model.js';
import {
  apportion,
  ScenarioBuilder,
  uaHabit,
  zipfWeights,
  type ScenarioOptions,
  type Size,
} from './scenario-builder.js';
import { DEST_REGIONS, type DestNumber, type NumberFactory } from './numbers.js';

export type { ScenarioOptions } from './scenario-builder.js';

/** Everything the engine needs to generate the run. */
export interface Scenario {
  readonly startSec: number;
  readonly days: number;
  readonly outages: ReadonlySet<number>;
  readonly actors: readonly Actor[];
  readonly sessions: readonly SessionPlan[];
  readonly famous: readonly DestNumber[];
  readonly famousLabels: readonly string[];
}

/** A calling actor and the unified calls it is to make. */
interface CallPlan {
  readonly actor: Actor;
  readonly calls: number;
}

/** Destination regions and weights of a Table 3 source. */
function table3Regions(b: ScenarioBuilder, cc: string, idds: number): [string[], number[]] {
  if (cc === 'FR')
    return [
      ['RU', 'UA'],
      [0.95, 0.05],
    ];
  if (cc === 'CA')
    return [
      ['800', 'US', 'CZ', 'GB', 'IL', 'CA'],
      [5, 2, 2, 1, 1, 1],
    ];
  const pickd = b.rng
    .shuffle(DEST_REGIONS.filter((r) => r !== 'CZ' && r !== 'IL'))
    .slice(0, idds - 2);
  const regions = cc === 'MD' ? ['CZ', 'IL', ...pickd] : ['IL', 'CZ', ...pickd];
  return [regions, zipfWeights(regions.length, cc === 'MD' ? 1.6 : 0.9)];
}

/** Table 3's top ten sources: 44 % of the unified INVITEs. */
function table3Callers(b: ScenarioBuilder, unified: number): CallPlan[] {
  return TABLE3.map(([cc, octet, count, idds, agent], i) => {
    const [regions, weights] = table3Regions(b, cc, idds);
    const targets: CallTargets = {
      regions,
      weights,
      book: [],
      famousRate: cc === 'CA' ? 0.3 : i < 3 ? 0.01 : 0,
    };
    const role: Role = idds >= 20 ? 'rogue' : 'caller';
    const name = `table3-${String(i + 1).padStart(2, '0')}`;
    const actor = b.addActor(b.pool.draw(cc, octet), role, uaHabit(agent), name, targets);
    return { actor, calls: Math.max(1, Math.round((count * 0.44 * unified) / TABLE3_SUM)) };
  });
}

/** Table 4's country pairs, with their shares. */
function pairCallers(b: ScenarioBuilder, unified: number): CallPlan[] {
  const plans: CallPlan[] = [];
  for (const [cc, dst, share, agent, n] of PAIRS) {
    for (let k = 0; k < n; k++) {
      const targets: CallTargets = {
        regions: [dst, 'US', 'GB'],
        weights: [0.92, 0.05, 0.03],
        book: [],
        famousRate: 0,
      };
      const actor = b.addActor(
        b.pool.draw(cc),
        'caller',
        uaHabit(agent),
        `pair-${cc}-${dst}`,
        targets,
      );
      plans.push({ actor, calls: Math.max(1, Math.round((share * unified) / n)) });
    }
  }
  return plans;
}

/**
 * The other callers share what is left, Zipf-distributed and capped so that
 * none outranks Table 3's tenth source.
 */
function genericCallers(b: ScenarioBuilder, size: Size, named: readonly CallPlan[]): CallPlan[] {
  const { rng } = b;
  const namedCalls = named.reduce((a, p) => a + p.calls, 0);
  const generic = Math.max(3, Math.round(size.ipTarget * 0.12));
  const genericTotal = Math.max(generic, size.unified - namedCalls);
  const cap = (0.8 * Math.min(...named.slice(0, TABLE3.length).map((p) => p.calls))) / genericTotal;
  const zipf = zipfWeights(generic, 0.8);
  const zipfSum = zipf.reduce((a, b) => a + b, 0);
  const genericCalls = apportion(
    genericTotal,
    zipf.map((w) => Math.min(w / zipfSum, cap)),
    1,
  );
  const plans: CallPlan[] = [];
  for (let i = 0; i < generic; i++) {
    const n = rng.int(1, 8);
    const regions: string[] = [];
    while (regions.length < n) {
      const r = POPULAR[rng.weighted(POPULAR.map(([, w]) => w))]?.[0] ?? 'GB';
      if (!regions.includes(r)) regions.push(r);
    }
    const targets: CallTargets = {
      regions,
      weights: zipfWeights(n, 1),
      book: [],
      famousRate: i % 40 === 7 ? 0.05 : 0,
    };
    const habit = UA_MIX[rng.weighted(UA_MIX.map(([, w]) => w))]?.[0] ?? { kind: 'none' };
    const actor = b.addActor(b.pool.draw(), 'caller', habit, null, targets);
    plans.push({ actor, calls: genericCalls[i] ?? 1 });
  }
  return plans;
}

/** Cuts each caller's calls into sessions over its active period (a brute force first, for some). */
function planCallSessions(b: ScenarioBuilder, plans: readonly CallPlan[]): void {
  const { rng, last } = b;
  for (const { actor, calls } of plans) {
    const wide =
      actor.name?.startsWith('table3') === true || actor.name?.startsWith('pair') === true;
    const d0 = wide ? 0 : rng.int(0, last);
    const d1 = wide ? last : Math.min(last, d0 + rng.int(0, 30));
    const perSession = actor.ua.kind === 'random' ? rng.int(15, 40) : rng.int(10, 60);
    const count = Math.max(1, Math.round(calls / perSession));
    const parts = apportion(
      calls,
      Array.from({ length: count }, () => 0.5 + rng.next()),
      0,
    );
    const sensors = b.sensorSet(actor.role === 'rogue' ? 8 : 3);
    if (actor.name === null && rng.chance(0.4))
      b.plan(actor, 'brute', rng.int(20, 2000), b.timeIn(d0, d0), sensors.slice(0, 1));
    for (const part of parts) b.plan(actor, 'call', part, b.timeIn(d0, d1), sensors);
  }
}

/**
 * Calls: Table 3's top ten carry 44 % of unified INVITEs, Table 4's pairs
 * their shares, generic callers the rest.
 */
function planCalls(b: ScenarioBuilder, size: Size): void {
  const named = [...table3Callers(b, size.unified), ...pairCallers(b, size.unified)];
  planCallSessions(b, [...named, ...genericCallers(b, size, named)]);
}

/** A group of same-role actors sharing `total` messages, log-uniform between `min` and `max` per run. */
function spread(
  b: ScenarioBuilder,
  role: Role,
  count: number,
  kind: SessionKind,
  total: number,
  [min, max]: readonly [number, number],
): void {
  const { rng, last, opts } = b;
  const group: Actor[] = [];
  for (let i = 0; i < count; i++)
    group.push(
      b.addActor(
        b.pool.draw(),
        role,
        rng.chance(0.85) ? SCANNER_UA : rng.pick(UA_MIX)[0],
        null,
        null,
      ),
    );
  const runs = group.flatMap((a) => (rng.chance(0.25) ? [a, a] : [a]));
  const sizes = apportion(
    Math.max(runs.length, total),
    runs.map(() => rng.logUniform(min, max)),
    1,
  );
  runs.forEach((actor, i) => {
    const start = b.timeIn(0, last);
    const method = kind === 'enum' ? (rng.chance(0.92) ? 'REGISTER' : 'OPTIONS') : 'REGISTER';
    b.plan(
      actor,
      kind,
      sizes[i] ?? 1,
      start,
      b.sensorSet(kind === 'scan' ? opts.sensors : 3),
      method,
    );
    if (kind === 'enum' && rng.chance(0.2))
      b.plan(actor, 'brute', rng.int(50, 3000), start + 7200, b.sensorSet(1));
  });
}

/** Brute force and enumeration carry the REGISTER volume (Table 1), scanning the OPTIONS. */
function planRegistersAndScans(b: ScenarioBuilder, size: Size): void {
  const rest = Math.max(3, size.ipTarget - b.actors.length);
  const bruters = Math.max(1, Math.round(rest * 0.1));
  const enumerators = Math.max(1, Math.round(rest * 0.28));
  const scanners = Math.max(1, rest - bruters - enumerators);
  // Sessions cut by an outage or the end of the run, and svcrack sessions that
  // crack extension 100 and stop, lose some REGISTERs: plan a little more.
  const registerTotal = Math.round(YEAR.register * size.v * 1.04);
  const callRegisters = Math.round(size.unified * 0.01);
  const bruteTotal = Math.round(registerTotal * 0.17);
  spread(b, 'bruteforcer', bruters, 'brute', bruteTotal, [100, 50_000]);
  const enumTotal = Math.max(0, registerTotal - bruteTotal - callRegisters);
  spread(b, 'enumerator', enumerators, 'enum', enumTotal, [50, 200_000]);
  spread(b, 'scanner', scanners, 'scan', Math.round(OPTIONS_PER_YEAR * size.v), [2, 200]);
}

/** Every active day gets traffic, so `days` is exactly the active days. */
function planDailyScans(b: ScenarioBuilder): void {
  const scanActors = b.actors.filter((a) => a.role === 'scanner');
  for (const day of b.activeDays)
    b.plan(
      b.rng.pick(scanActors),
      'scan',
      b.rng.int(2, 20),
      b.timeIn(day, day),
      b.sensorSet(b.opts.sensors),
    );
}

/** svwar also enumerates with INVITE, a small share of Table 1's INVITEs. */
function planInviteEnumeration(b: ScenarioBuilder, size: Size): void {
  const enumActors = b.actors.filter((a) => a.role === 'enumerator');
  const inviteEnum = Math.round(YEAR.invite * size.v * 0.02);
  for (let left = inviteEnum; left > 0;) {
    const n = Math.min(left, b.rng.int(20, 2000));
    b.plan(b.rng.pick(enumActors), 'enum', n, b.timeIn(0, b.last), b.sensorSet(2), 'INVITE');
    left -= n;
  }
}

/** Builds the scenario: deterministic for the options. */
export function buildScenario(opts: ScenarioOptions, numbers: NumberFactory): Scenario {
  const v = (opts.scale * opts.days) / 366;
  const ipTarget = Math.max(40, Math.round(YEAR.ips * Math.pow(v, 0.6)));
  // Planned calls exceed Table 1 a little: repeats within the hour merge, and
  // calls cut by the end of the run or an outage are lost.
  const size: Size = { v, ipTarget, unified: Math.max(20, Math.round(YEAR.unified * v * 1.05)) };
  const b = new ScenarioBuilder(opts, size);
  const famous = FAMOUS.map(
    ([region, type]) => numbers.make(region, type) ?? numbers.make(region, 'MOBILE'),
  ).filter((n): n is DestNumber => n !== undefined);
  const famousLabels = FAMOUS.slice(0, famous.length).map(([, , label]) => label);
  planCalls(b, size);
  planRegistersAndScans(b, size);
  planDailyScans(b);
  planInviteEnumeration(b, size);
  const sessions = b.sessions.sort((x, y) => x.start - y.start || x.actor.id - y.actor.id);
  return {
    startSec: b.startSec,
    days: opts.days,
    outages: b.outages,
    actors: b.actors,
    sessions,
    famous,
    famousLabels,
  };
}
