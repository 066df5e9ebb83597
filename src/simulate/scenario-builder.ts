/**
 * @module
 * The scenario under construction: the run's size, its period with the
 * outage days, the source pool, and the helpers that add actors and place
 * their sessions in time. scenario.ts decides who does what.
 */
import { SourcePool, type SourceHost } from './ip-pool.js';
import { YEAR } from './article-data.js';
import type { Actor, CallTargets, Role, SessionKind, SessionPlan, UaHabit } from './model.js';
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

export function zipfWeights(n: number, s: number): number[] {
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

/** The run's size: volume and population factors, and the address target. */
export interface Size {
  /** Volume factor: the share of the article's year this run generates. */
  readonly v: number;
  /** Distinct source addresses to aim for. */
  readonly ipTarget: number;
  /** Unified INVITEs to plan. */
  readonly unified: number;
}

/** The plan under construction: actors, sessions and the helpers that place them in time. */
export class ScenarioBuilder {
  readonly rng: Rng;
  readonly pool: SourcePool;
  readonly startSec: number;
  readonly outages = new Set<number>();
  readonly activeDays: number[];
  readonly actors: Actor[] = [];
  readonly sessions: SessionPlan[] = [];
  readonly last: number;
  private readonly allSensors: number[];

  constructor(
    readonly opts: ScenarioOptions,
    size: Size,
  ) {
    this.rng = Rng.fork(opts.seed, 'scenario');
    const pop = Math.pow(size.v, 0.6);
    const asnTarget = Math.max(15, Math.min(size.ipTarget, Math.round(YEAR.asns * pop)));
    this.pool = new SourcePool(Rng.fork(opts.seed, 'pool'), {
      countries: Math.max(11, Math.min(YEAR.countries, asnTarget)),
      asns: asnTarget,
      v6Share: 0.01,
    });
    this.startSec = Date.parse(`${opts.start}T00:00:00Z`) / 1000;
    while (this.outages.size < Math.min(opts.outageDays, Math.max(0, opts.days - 2)))
      this.outages.add(this.rng.int(1, opts.days - 2));
    this.activeDays = Array.from({ length: opts.days }, (_, d) => d).filter(
      (d) => !this.outages.has(d),
    );
    this.allSensors = Array.from({ length: opts.sensors }, (_, i) => i);
    this.last = opts.days - 1;
  }

  addActor(
    host: SourceHost,
    role: Role,
    ua: UaHabit,
    name: string | null,
    targets: CallTargets | null,
  ): Actor {
    const actor: Actor = {
      id: this.actors.length,
      host,
      role,
      ua,
      port: this.rng.chance(0.4) ? 5060 : this.rng.int(1024, 65535),
      name,
      targets,
    };
    this.actors.push(actor);
    return actor;
  }

  /** Up to `max` distinct sensors, at least one. */
  sensorSet(max: number): number[] {
    const { rng, opts } = this;
    return rng
      .shuffle(this.allSensors.slice())
      .slice(0, Math.max(1, Math.min(opts.sensors, rng.int(1, max))));
  }

  /** A random second of an active day between `d0` and `d1` (any active day when none). */
  timeIn(d0: number, d1: number): number {
    const days = this.activeDays.filter((d) => d >= d0 && d <= d1);
    const day = days.length > 0 ? this.rng.pick(days) : this.rng.pick(this.activeDays);
    return this.startSec + day * 86400 + this.rng.int(0, 86399);
  }

  plan(
    actor: Actor,
    kind: SessionKind,
    size: number,
    start: number,
    sensors: number[],
    method: SessionPlan['method'] = 'REGISTER',
  ): void {
    if (size > 0) this.sessions.push({ start, actor, kind, size, sensors, method });
  }
}

export function uaHabit(value: string | null): UaHabit {
  return value === null
    ? { kind: 'none' }
    : value === 'random'
      ? { kind: 'random' }
      : { kind: 'fixed', value };
}
