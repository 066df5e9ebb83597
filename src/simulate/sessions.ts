/**
 * @module
 * Turns one planned session into SIP requests, the way each tool of the
 * article's four stages behaves: svmap-style OPTIONS sweeps (scanning),
 * svwar-style walks over extensions (enumeration), svcrack-style password
 * guessing on one extension (brute force) and bursts of INVITEs that dial one
 * true number with many prefixes (abuse, Figure 2). Events go out through
 * `emit` in any order; the engine sorts them.
 */
import type { Actor, Method, Phase, SessionPlan, SimEvent } from './model.js';
import {
  anchorString,
  dialString,
  INTERNAL_EXTENSIONS,
  pickShape,
  shapedString,
  type DestNumber,
  type DialShape,
  type NumberFactory,
  type WantedType,
} from './numbers.js';
import type { Rng } from './rng.js';
import type { DialledInFull } from './shared-numbers.js';

/** What session generators share: randomness, numbers, the famous numbers and a sequence counter. */
export interface SessionContext {
  readonly rng: Rng;
  readonly numbers: NumberFactory;
  readonly famous: readonly DestNumber[];
  /** Numbers sources dialled in full so far: the bare national shape dials one of another source's. */
  readonly dialledInFull: DialledInFull;
  nextSeq: number;
}

/** Extensions the emulated PBX has (a sample configuration and common defaults). */
const KNOWN_EXTENSIONS = new Set(['100', '101', '102', '200', '201', '1000', '1001', '2000']);
const WEAK = { ext: '100', password: '100' } as const;
const WORDS = [
  '100',
  '1234',
  '12345',
  '123456',
  'password',
  'admin',
  '0000',
  '1111',
  'test',
  'secret',
  'voip',
  'sip',
  'pass',
  'asterisk',
  'qwerty',
  '123',
];
const NAMES = [
  'admin',
  'test',
  'guest',
  'sip',
  'user',
  'operator',
  'info',
  'support',
  'office',
  'sales',
];
const RANGE_STARTS = [100, 200, 1000, 2000, 5000, 100];
/** INVITEs per burst: Figure 2 shows ten; single attempts are common too. */
const BURST_SIZES = [1, 2, 3, 4, 5, 6, 7, 8, 10, 12, 16];
const BURST_WEIGHTS = [22, 14, 12, 10, 8, 7, 6, 5, 4, 3, 2];
const TYPE_WEIGHTS = [0.55, 0.28, 0.09, 0.08];
const TYPES: readonly WantedType[] = ['MOBILE', 'FIXED_LINE', 'TOLL_FREE', 'PREMIUM_RATE'];

type Emit = (event: SimEvent) => void;

function uaOf(actor: Actor, rng: Rng): { ua: string | null; uaRandom: boolean } {
  switch (actor.ua.kind) {
    case 'none':
      return { ua: null, uaRandom: false };
    case 'random':
      return { ua: rng.alnum(20), uaRandom: true };
    case 'fixed':
      return { ua: actor.ua.value, uaRandom: false };
  }
}

function base(
  ctx: SessionContext,
  actor: Actor,
  t: number,
  sensor: number,
  method: Method,
  phase: Phase,
  callId: string,
  cseq: number,
): SimEvent {
  const { ua, uaRandom } = uaOf(actor, ctx.rng);
  return {
    t,
    seq: ctx.nextSeq++,
    sensor,
    actor,
    method,
    from: '100',
    to: '100',
    resp: 200,
    ua,
    uaRandom,
    dest: null,
    shape: null,
    phase,
    authUser: null,
    password: null,
    authOk: null,
    callId,
    cseq,
  };
}

function callIdFor(ctx: SessionContext, plan: SessionPlan): string {
  return `${ctx.rng.digits(9)}${plan.actor.id.toString(16)}`;
}

/** svmap: a sweep over the sensors, one or two OPTIONS each. */
function scan(plan: SessionPlan, ctx: SessionContext, emit: Emit): void {
  const id = callIdFor(ctx, plan);
  let t = plan.start;
  for (let i = 0; i < plan.size; i++) {
    const sensor = plan.sensors[i % plan.sensors.length] ?? 0;
    const e = base(ctx, plan.actor, t, sensor, 'OPTIONS', 'scanning', `${id}-${i}`, 1);
    emit(e);
    if (ctx.rng.chance(0.5)) t += 1;
  }
}

/** svwar: walks a numeric range or a name list; known extensions answer 401, the rest 404. */
function enumerate(plan: SessionPlan, ctx: SessionContext, emit: Emit): void {
  const { rng } = ctx;
  const id = callIdFor(ctx, plan);
  const rate = Math.max(rng.logUniform(5, 150), plan.size / 21600);
  const first = rng.pick(RANGE_STARTS);
  const byName = rng.chance(0.1);
  for (let i = 0; i < plan.size; i++) {
    const t = plan.start + Math.floor(i / rate);
    const sensor = plan.sensors[Math.floor((i * plan.sensors.length) / plan.size)] ?? 0;
    const ext = byName
      ? `${NAMES[i % NAMES.length] ?? 'admin'}${i < NAMES.length ? '' : String(i)}`
      : String(first + i);
    const e = base(ctx, plan.actor, t, sensor, plan.method, 'enumeration', `${id}-${i}`, 1);
    e.from = ext;
    e.to = ext;
    e.resp = KNOWN_EXTENSIONS.has(ext) ? 401 : plan.method === 'OPTIONS' ? 200 : 404;
    emit(e);
  }
}

/** svcrack: one extension, a word list; the weak extension falls to its own number. */
function bruteforce(plan: SessionPlan, ctx: SessionContext, emit: Emit): void {
  const { rng } = ctx;
  const id = callIdFor(ctx, plan);
  const rate = Math.max(rng.logUniform(5, 60), plan.size / 21600);
  const ext = rng.pick(['100', '101', '1000', '200', '2000', '1001', '500']);
  const offset = rng.int(0, WORDS.length - 1);
  for (let i = 0; i < plan.size; i++) {
    const t = plan.start + Math.floor(i / rate);
    const sensor = plan.sensors[Math.floor((i * plan.sensors.length) / plan.size)] ?? 0;
    const round = Math.floor(i / WORDS.length);
    const guess =
      (WORDS[(i + offset) % WORDS.length] ?? '1234') + (round === 0 ? '' : String(round));
    const e = base(ctx, plan.actor, t, sensor, 'REGISTER', 'bruteforce', id, i + 1);
    e.from = ext;
    e.to = ext;
    e.authUser = ext;
    e.password = guess;
    const cracked = ext === WEAK.ext && guess === WEAK.password;
    e.authOk = KNOWN_EXTENSIONS.has(ext) ? cracked : null;
    e.resp = cracked ? 200 : 403;
    emit(e);
    if (cracked) return;
  }
}

/** Picks the number of the next call: famous, one already called, or a fresh one. */
function pickDest(actor: Actor, ctx: SessionContext): DestNumber {
  const { rng } = ctx;
  const targets = actor.targets;
  if (!targets) throw new RangeError('call session for an actor without targets');
  if (targets.famousRate > 0 && ctx.famous.length > 0 && rng.chance(targets.famousRate)) {
    return ctx.famous[
      Math.min(ctx.famous.length - 1, Math.floor(rng.logUniform(1, ctx.famous.length + 1) - 1))
    ] as DestNumber;
  }
  if (targets.book.length > 0 && rng.chance(0.2)) return rng.pick(targets.book);
  for (let i = 0; i < 6; i++) {
    const region = targets.regions[rng.weighted(targets.weights)] ?? 'US';
    const type = TYPES[rng.weighted(TYPE_WEIGHTS)] ?? 'MOBILE';
    const made = ctx.numbers.make(region, type) ?? ctx.numbers.make(region, 'MOBILE');
    if (made) {
      targets.book.push(made);
      return made;
    }
  }
  return targets.book[0] ?? (ctx.numbers.make('US', 'MOBILE') as DestNumber);
}

/**
 * The dial strings of one burst of `k` INVITEs of `shape`. Most bursts use
 * Figure 2's prefixes (shape null), often led by the plain international
 * form; some use one of the shapes of numbers.ts: the junk-before-810 and
 * bare national ones for the whole burst (no string resolves alone), the
 * others mixed with Figure 2 forms as real bursts mix them.
 */
function dialer(
  rng: Rng,
  dest: DestNumber,
  k: number,
  shape: DialShape | null,
): (j: number) => [string, DialShape | null] {
  const plain = (j: number): [string, null] => [
    j === 0 && (k === 1 || rng.chance(0.6)) ? anchorString(dest) : dialString(rng, dest),
    null,
  ];
  if (shape === null) return plain;
  if (shape === 'junk_810' || shape === 'bare_national')
    return () => [shapedString(rng, dest, shape), shape];
  return (j) => (rng.chance(0.7) ? [shapedString(rng, dest, shape), shape] : plain(j));
}

/**
 * The shape and number of a burst that was to dial `dest`. The bare
 * national shape needs a number other sources dial in full: a famous
 * number keeps it; any other burst that draws it dials a number another
 * source dialled in full, or takes the carrier-access shape when there is
 * none yet.
 */
function shapeAndNumber(
  ctx: SessionContext,
  actor: Actor,
  dest: DestNumber,
): [DialShape | null, DestNumber] {
  const shape = pickShape(ctx.rng, true);
  if (shape !== 'bare_national' || ctx.famous.includes(dest)) return [shape, dest];
  const other = ctx.dialledInFull.pickOther(ctx.rng, actor.host.ip);
  return other === undefined ? ['carrier_access', dest] : [shape, other];
}

/** One burst: the same true number in several dial forms within a few seconds. */
function burst(
  plan: SessionPlan,
  ctx: SessionContext,
  emit: Emit,
  t0: number,
  wanted: DestNumber,
  id: string,
): void {
  const { rng } = ctx;
  const k = BURST_SIZES[rng.weighted(BURST_WEIGHTS)] ?? 1;
  const [shape, dest] = shapeAndNumber(ctx, plan.actor, wanted);
  const dialed = dialer(rng, dest, k, shape);
  let full = false;
  const spacing = plan.actor.ua.kind === 'random' ? 2 : rng.chance(0.7) ? 0 : 1;
  for (let j = 0; j < k; j++) {
    const sensor = rng.pick(plan.sensors);
    const e = base(
      ctx,
      plan.actor,
      t0 + j * spacing,
      sensor,
      'INVITE',
      'abuse',
      `${id}-${t0}`,
      j + 1,
    );
    [e.to, e.shape] = dialed(j);
    full ||= e.shape === null && e.to !== dest.e164.slice(1);
    e.from = plan.actor.role === 'rogue' ? rng.pick(['100', '1000', 'asterisk', '2000']) : '100';
    e.dest = dest;
    e.resp = rng.chance(0.8) ? 486 : 401;
    emit(e);
  }
  if (full) ctx.dialledInFull.add(dest, plan.actor.host.ip);
}

/**
 * Abuse: optional REGISTER with the cracked credentials, an optional test
 * call to an internal extension, then calls. A call is one to three bursts
 * for one number; later bursts come within the hour (the same unified
 * call), and a few land on the one-hour boundary exactly (3600 s: still the
 * same call; 3601 s: a new one) so analyses meet the edge cases.
 */
function calls(plan: SessionPlan, ctx: SessionContext, emit: Emit): void {
  const { rng } = ctx;
  const { actor } = plan;
  const id = callIdFor(ctx, plan);
  let t = plan.start;
  if (actor.role !== 'rogue' && rng.chance(0.6)) {
    const e = base(ctx, actor, t, rng.pick(plan.sensors), 'REGISTER', 'bruteforce', `${id}-r`, 1);
    e.authUser = WEAK.ext;
    e.password = WEAK.password;
    e.authOk = true;
    emit(e);
    t += rng.int(1, 5);
  }
  if (rng.chance(0.3)) {
    const ext = rng.pick(INTERNAL_EXTENSIONS);
    for (let j = 0, n = rng.int(1, 3); j < n; j++) {
      const e = base(
        ctx,
        actor,
        t,
        rng.pick(plan.sensors),
        'INVITE',
        'enumeration',
        `${id}-x${j}`,
        1,
      );
      e.to = ext;
      e.resp = KNOWN_EXTENSIONS.has(ext) ? 486 : 404;
      emit(e);
    }
    t += rng.int(1, 10);
  }
  for (let c = 0; c < plan.size; c++) {
    const dest = pickDest(actor, ctx);
    burst(plan, ctx, emit, t, dest, id);
    let later = t;
    const extra = rng.chance(0.3) ? (rng.chance(0.25) ? 2 : 1) : 0;
    for (let b = 0; b < extra; b++) {
      const edge = rng.next();
      later += edge < 0.02 ? 3600 : edge < 0.04 ? 3601 : rng.int(20, 3300);
      burst(plan, ctx, emit, later, dest, id);
    }
    t += actor.ua.kind === 'random' ? rng.int(30, 120) : rng.int(3, 240);
  }
}

/** Generates every request of one session. */
export function generateSession(plan: SessionPlan, ctx: SessionContext, emit: Emit): void {
  switch (plan.kind) {
    case 'scan':
      scan(plan, ctx, emit);
      return;
    case 'enum':
      enumerate(plan, ctx, emit);
      return;
    case 'brute':
      bruteforce(plan, ctx, emit);
      return;
    case 'call':
      calls(plan, ctx, emit);
      return;
  }
}
