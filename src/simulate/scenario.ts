/**
 * @module
 * The plan of a run: the period (with the outage days that make the
 * article's 358 days out of a year), the actors and their roles, and every
 * session sorted by start time. Volumes follow Table 1 per day, times the
 * scale; populations (addresses, ASNs, countries) grow sub-linearly with the
 * volume so a short run still looks like a network of honeypots. The named
 * actors of Table 3 and Table 4 are present at every size.
 */
import { SourcePool, type SourceHost } from './ip-pool.js';
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
import type { Actor, CallTargets, Role, SessionKind, SessionPlan, UaHabit } from './model.js';
import { DEST_REGIONS, type DestNumber, type NumberFactory } from './numbers.js';
import { Rng } from './rng.js';

/** What the command line chose. */
export interface ScenarioOptions {
  readonly seed: string;
  /** First day, `YYYY-MM-DD` (UTC). */
  readonly start: string;
  readonly days: number;
  readonly sensors: number;
  readonly scale: number;
  /** Days the whole network is down (no events). */
  readonly outageDays: number;
}

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

function zipfWeights(n: number, s: number): number[] {
  return Array.from({ length: n }, (_, i) => 1 / Math.pow(i + 1, s));
}

/** Splits `total` into integer parts proportional to `weights` (largest remainder, each >= min). */
export function apportion(total: number, weights: readonly number[], min = 0): number[] {
  const sum = weights.reduce((a, b) => a + b, 0) || 1;
  const raw = weights.map((w) => (total * w) / sum);
  const parts = raw.map((r) => Math.max(min, Math.floor(r)));
  let left = total - parts.reduce((a, b) => a + b, 0);
  const order = raw
    .map((r, i) => [r - Math.floor(r), i] as const)
    .sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (let k = 0; left > 0 && order.length > 0; k++, left--) {
    const i = order[k % order.length]?.[1] ?? 0;
    parts[i] = (parts[i] ?? 0) + 1;
  }
  return parts;
}

/** Builds the scenario: deterministic for the options. */
export function buildScenario(opts: ScenarioOptions, numbers: NumberFactory): Scenario {
  const rng = Rng.fork(opts.seed, 'scenario');
  const v = (opts.scale * opts.days) / 366;
  const pop = Math.pow(v, 0.6);
  const ipTarget = Math.max(40, Math.round(YEAR.ips * pop));
  const asnTarget = Math.max(15, Math.min(ipTarget, Math.round(YEAR.asns * pop)));
  const pool = new SourcePool(Rng.fork(opts.seed, 'pool'), {
    countries: Math.max(11, Math.min(YEAR.countries, asnTarget)),
    asns: asnTarget,
    v6Share: 0.01,
  });
  const startSec = Date.parse(`${opts.start}T00:00:00Z`) / 1000;
  const outages = new Set<number>();
  while (outages.size < Math.min(opts.outageDays, Math.max(0, opts.days - 2)))
    outages.add(rng.int(1, opts.days - 2));
  const activeDays = Array.from({ length: opts.days }, (_, d) => d).filter((d) => !outages.has(d));
  const allSensors = Array.from({ length: opts.sensors }, (_, i) => i);
  const actors: Actor[] = [];
  const sessions: SessionPlan[] = [];
  const famous = FAMOUS.map(
    ([region, type]) => numbers.make(region, type) ?? numbers.make(region, 'MOBILE'),
  ).filter((n): n is DestNumber => n !== undefined);
  const famousLabels = FAMOUS.slice(0, famous.length).map(([, , label]) => label);

  const addActor = (
    host: SourceHost,
    role: Role,
    ua: UaHabit,
    name: string | null,
    targets: CallTargets | null,
  ): Actor => {
    const actor: Actor = {
      id: actors.length,
      host,
      role,
      ua,
      port: rng.chance(0.4) ? 5060 : rng.int(1024, 65535),
      name,
      targets,
    };
    actors.push(actor);
    return actor;
  };
  const sensorSet = (max: number): number[] =>
    rng.shuffle(allSensors.slice()).slice(0, Math.max(1, Math.min(opts.sensors, rng.int(1, max))));
  const timeIn = (d0: number, d1: number): number => {
    const days = activeDays.filter((d) => d >= d0 && d <= d1);
    const day = days.length > 0 ? rng.pick(days) : rng.pick(activeDays);
    return startSec + day * 86400 + rng.int(0, 86399);
  };
  const plan = (
    actor: Actor,
    kind: SessionKind,
    size: number,
    start: number,
    sensors: number[],
    method: SessionPlan['method'] = 'REGISTER',
  ): void => {
    if (size > 0) sessions.push({ start, actor, kind, size, sensors, method });
  };
  const ua = (value: string | null): UaHabit =>
    value === null
      ? { kind: 'none' }
      : value === 'random'
        ? { kind: 'random' }
        : { kind: 'fixed', value };
  const last = opts.days - 1;

  // Calls: Table 3's top ten carry 44% of unified INVITEs, Table 4's pairs their shares.
  // Planned calls exceed Table 1 a little: repeats within the hour merge, and
  // calls cut by the end of the run or an outage are lost.
  const unified = Math.max(20, Math.round(YEAR.unified * v * 1.05));
  const callPlans: { actor: Actor; calls: number }[] = [];
  TABLE3.forEach(([cc, octet, count, idds, agent], i) => {
    let regions: string[];
    let weights: number[];
    if (cc === 'FR')
      [regions, weights] = [
        ['RU', 'UA'],
        [0.95, 0.05],
      ];
    else if (cc === 'CA')
      [regions, weights] = [
        ['800', 'US', 'CZ', 'GB', 'IL', 'CA'],
        [5, 2, 2, 1, 1, 1],
      ];
    else {
      const pickd = rng
        .shuffle(DEST_REGIONS.filter((r) => r !== 'CZ' && r !== 'IL'))
        .slice(0, idds - 2);
      regions = cc === 'MD' ? ['CZ', 'IL', ...pickd] : ['IL', 'CZ', ...pickd];
      weights = zipfWeights(regions.length, cc === 'MD' ? 1.6 : 0.9);
    }
    const targets: CallTargets = {
      regions,
      weights,
      book: [],
      famousRate: cc === 'CA' ? 0.3 : i < 3 ? 0.01 : 0,
    };
    const role: Role = idds >= 20 ? 'rogue' : 'caller';
    const actor = addActor(
      pool.draw(cc, octet),
      role,
      ua(agent),
      `table3-${String(i + 1).padStart(2, '0')}`,
      targets,
    );
    callPlans.push({
      actor,
      calls: Math.max(1, Math.round((count * 0.44 * unified) / TABLE3_SUM)),
    });
  });
  for (const [cc, dst, share, agent, n] of PAIRS) {
    for (let k = 0; k < n; k++) {
      const targets: CallTargets = {
        regions: [dst, 'US', 'GB'],
        weights: [0.92, 0.05, 0.03],
        book: [],
        famousRate: 0,
      };
      const actor = addActor(pool.draw(cc), 'caller', ua(agent), `pair-${cc}-${dst}`, targets);
      callPlans.push({ actor, calls: Math.max(1, Math.round((share * unified) / n)) });
    }
  }
  const named = callPlans.reduce((a, p) => a + p.calls, 0);
  const generic = Math.max(3, Math.round(ipTarget * 0.12));
  // Zipf over the other callers, capped so none outranks Table 3's tenth source.
  const genericTotal = Math.max(generic, unified - named);
  const cap =
    (0.8 * Math.min(...callPlans.slice(0, TABLE3.length).map((p) => p.calls))) / genericTotal;
  const zipf = zipfWeights(generic, 0.8);
  const zipfSum = zipf.reduce((a, b) => a + b, 0);
  const genericCalls = apportion(
    genericTotal,
    zipf.map((w) => Math.min(w / zipfSum, cap)),
    1,
  );
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
    const actor = addActor(pool.draw(), 'caller', habit, null, targets);
    callPlans.push({ actor, calls: genericCalls[i] ?? 1 });
  }
  for (const { actor, calls } of callPlans) {
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
    const sensors = sensorSet(actor.role === 'rogue' ? 8 : 3);
    if (actor.name === null && rng.chance(0.4))
      plan(actor, 'brute', rng.int(20, 2000), timeIn(d0, d0), sensors.slice(0, 1));
    for (const size of parts) plan(actor, 'call', size, timeIn(d0, d1), sensors);
  }

  // Brute force and enumeration carry the REGISTER volume (Table 1), scanning the OPTIONS.
  const rest = Math.max(3, ipTarget - actors.length);
  const bruters = Math.max(1, Math.round(rest * 0.1));
  const enumerators = Math.max(1, Math.round(rest * 0.28));
  const scanners = Math.max(1, rest - bruters - enumerators);
  // Sessions cut by an outage or the end of the run, and svcrack sessions that
  // crack extension 100 and stop, lose some REGISTERs: plan a little more.
  const registerTotal = Math.round(YEAR.register * v * 1.04);
  const callRegisters = Math.round(unified * 0.01);
  const spread = (
    role: Role,
    count: number,
    kind: SessionKind,
    total: number,
    min: number,
    max: number,
  ): void => {
    const group: Actor[] = [];
    for (let i = 0; i < count; i++)
      group.push(
        addActor(
          pool.draw(),
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
      const start = timeIn(0, last);
      const method = kind === 'enum' ? (rng.chance(0.92) ? 'REGISTER' : 'OPTIONS') : 'REGISTER';
      plan(
        actor,
        kind,
        sizes[i] ?? 1,
        start,
        sensorSet(kind === 'scan' ? opts.sensors : 3),
        method,
      );
      if (kind === 'enum' && rng.chance(0.2))
        plan(actor, 'brute', rng.int(50, 3000), start + 7200, sensorSet(1));
    });
  };
  spread('bruteforcer', bruters, 'brute', Math.round(registerTotal * 0.17), 100, 50_000);
  spread(
    'enumerator',
    enumerators,
    'enum',
    Math.max(0, registerTotal - Math.round(registerTotal * 0.17) - callRegisters),
    50,
    200_000,
  );
  spread('scanner', scanners, 'scan', Math.round(OPTIONS_PER_YEAR * v), 2, 200);
  // Every active day gets traffic, so `days` is exactly the active days.
  const scanActors = actors.filter((a) => a.role === 'scanner');
  for (const day of activeDays)
    plan(rng.pick(scanActors), 'scan', rng.int(2, 20), timeIn(day, day), sensorSet(opts.sensors));
  // svwar also enumerates with INVITE, a small share of Table 1's INVITEs.
  const enumActors = actors.filter((a) => a.role === 'enumerator');
  const inviteEnum = Math.round(YEAR.invite * v * 0.02);
  for (let left = inviteEnum; left > 0;) {
    const size = Math.min(left, rng.int(20, 2000));
    plan(rng.pick(enumActors), 'enum', size, timeIn(0, last), sensorSet(2), 'INVITE');
    left -= size;
  }
  sessions.sort((a, b) => a.start - b.start || a.actor.id - b.actor.id);
  return { startSec, days: opts.days, outages, actors, sessions, famous, famousLabels };
}
