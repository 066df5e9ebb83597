/**
 * @module enrich/burst-evidence
 * Resolves the strings of one burst (one source's INVITEs close in time)
 * with the burst as evidence, in three steps:
 *  1. a string with valid readings takes the one shared by the most strings
 *     of the burst (the prior breaks ties);
 *  2. a string with none adopts a number that other strings resolved to in
 *     step 1 when its digits end with it, whatever precedes (carrier and
 *     service codes, junk): method `burst`;
 *  3. the strings still unresolved are compared with each other: the
 *     longest tail that at least two different strings end with and that
 *     is a valid number is their number (the varying digits in front are
 *     the evidence): method `tail`.
 * Pure; never throws on attacker input.
 */
import type { CleanDialed } from './dialed-text.js';
import type { Candidate, DialedResolution, NumberFacts } from './resolution.js';

/** What the resolver knows about one string before the burst is looked at. */
export interface Analysis {
  readonly clean: CleanDialed;
  readonly alone: DialedResolution;
  /** Valid readings by the prefix tables, best prior first. */
  readonly candidates: readonly Candidate[];
  /** Tail-search readings (unknown digits + exit code), when `candidates` is empty. */
  readonly tail: readonly Candidate[];
}

/** Validates `rest` as country code + number. */
export type Validate = (rest: string) => NumberFacts | null;

/** Shortest and longest tail read as a number (E.164: 7 to 15 digits after '+'). */
const MIN_TAIL = 7;
const MAX_TAIL = 15;

export function external(
  c: Pick<Candidate, 'e164' | 'cc' | 'type' | 'prefix'>,
  method: DialedResolution['method'],
): Omit<DialedResolution, 'steps'> {
  return { kind: 'external', e164: c.e164, cc: c.cc, type: c.type, prefix: c.prefix, method };
}

/** True when a string may take a number from its burst: no reading, only digits, long enough. */
function open(a: Analysis): boolean {
  return (
    a.alone.kind === 'invalid' &&
    !a.clean.junk &&
    a.clean.plusAt < 0 &&
    a.clean.digits.length > MIN_TAIL
  );
}

/** Step 1: each string with readings takes the most shared one. */
function chooseShared(analyses: readonly Analysis[]): DialedResolution[] {
  const support = new Map<string, number>();
  for (const a of analyses) {
    for (const e164 of new Set(a.candidates.map((c) => c.e164))) {
      support.set(e164, (support.get(e164) ?? 0) + 1);
    }
  }
  return analyses.map((a) => {
    if (a.candidates.length < 2) return a.alone;
    let best = a.candidates[0];
    let bestSupport = best === undefined ? 0 : (support.get(best.e164) ?? 0);
    for (const c of a.candidates) {
      const s = support.get(c.e164) ?? 0;
      if (s > bestSupport) [best, bestSupport] = [c, s];
    }
    if (best === undefined || best.e164 === a.alone.e164) return a.alone;
    const why = `burst: ${best.e164} is shared by ${bestSupport} of ${analyses.length} strings, more than ${a.alone.e164 ?? '-'}; choosing it`;
    return { ...external(best, 'burst'), steps: [...a.alone.steps, why] };
  });
}

/** Step 2: the resolved number (most strings, then longest) that `a`'s digits end with. */
function adoptResolved(
  a: Analysis,
  resolved: ReadonlyMap<string, { r: DialedResolution; n: number }>,
): DialedResolution | null {
  const digits = a.clean.digits;
  let best: { r: DialedResolution; n: number } | undefined;
  for (let len = MIN_TAIL; len <= MAX_TAIL && len < digits.length; len++) {
    const hit = resolved.get(`+${digits.slice(-len)}`);
    if (hit !== undefined && (best === undefined || hit.n >= best.n)) best = hit;
  }
  if (best?.r.e164 == null) return null;
  const prefix = digits.slice(0, digits.length - (best.r.e164.length - 1));
  const why = `burst: ends with ${best.r.e164}, which ${best.n} other string(s) of the burst resolve to; "${prefix}" taken as an unknown prefix`;
  return { ...best.r, prefix, method: 'burst', steps: [...a.alone.steps, why] };
}

/** Step 3: the longest valid tail that `a` shares with other unresolved strings of the burst. */
function commonTail(
  a: Analysis,
  shared: ReadonlyMap<string, number>,
  validate: Validate,
): DialedResolution | null {
  const digits = a.clean.digits;
  const fromSearch = new Set(a.tail.map((c) => c.e164));
  let best: { facts: NumberFacts; n: number; searched: boolean } | undefined;
  for (let len = Math.min(MAX_TAIL, digits.length - 1); len >= MIN_TAIL; len--) {
    const t = digits.slice(-len);
    const n = shared.get(t) ?? 0;
    if (n < 2 || (best !== undefined && n < best.n) || t.startsWith('0')) continue;
    const facts = validate(t);
    if (facts === null) continue;
    const searched = fromSearch.has(facts.e164);
    // More strings first; then a tail the tail search found after an exit code; then the longest.
    if (best === undefined || n > best.n || (searched && !best.searched)) {
      best = { facts, n, searched };
    }
  }
  if (best === undefined) return null;
  const prefix = digits.slice(0, digits.length - (best.facts.e164.length - 1));
  const after = best.searched ? ' after an exit code' : '';
  const why = `burst tail: ${best.n} different strings of the burst end with ${best.facts.e164.slice(1)}${after}, a valid number; "${prefix}" taken as unknown digits`;
  return {
    ...external({ ...best.facts, prefix }, 'tail'),
    steps: [...a.alone.steps, why],
  };
}

/** Counts, for every tail of 7-15 digits, how many distinct open strings end with it. */
function tailCounts(open: readonly Analysis[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const digits of new Set(open.map((a) => a.clean.digits))) {
    for (let len = MIN_TAIL; len <= MAX_TAIL && len < digits.length; len++) {
      const t = digits.slice(-len);
      counts.set(t, (counts.get(t) ?? 0) + 1);
    }
  }
  return counts;
}

/** Resolves one burst, same order as given (see the module comment). */
export function resolveAnalyses(
  analyses: readonly Analysis[],
  validate: Validate,
): DialedResolution[] {
  if (analyses.length < 2) return analyses.map((a) => a.alone);
  const out = chooseShared(analyses);
  const waiting = analyses.map((a, i) => (open(a) ? i : -1)).filter((i) => i >= 0);
  if (waiting.length === 0) return out;
  const resolved = new Map<string, { r: DialedResolution; n: number }>();
  for (const r of out) {
    if (r.e164 === null) continue;
    const hit = resolved.get(r.e164);
    resolved.set(r.e164, { r: hit?.r ?? r, n: (hit?.n ?? 0) + 1 });
  }
  const still: number[] = [];
  for (const i of waiting) {
    const a = analyses[i];
    const r = a === undefined || resolved.size === 0 ? null : adoptResolved(a, resolved);
    if (r !== null) out[i] = r;
    else still.push(i);
  }
  if (still.length < 2) return out;
  const stillAnalyses = still.map((i) => analyses[i]).filter((a) => a !== undefined);
  const shared = tailCounts(stillAnalyses);
  for (const i of still) {
    const a = analyses[i];
    const r = a === undefined ? null : commonTail(a, shared, validate);
    if (r !== null) out[i] = r;
  }
  return out;
}
