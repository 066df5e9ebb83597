/**
 * @module
 * Attack phases (the article's four steps) per source, from the counts of
 * queries/phases.ts, with thresholds the user can change:
 *   scanning     >= scan_min_requests OPTIONS / no-target requests
 *   enumeration  >= enum_min_targets distinct users probed without Authorization
 *   brute_force  >= brute_min_attempts Authorization attempts on one user, or,
 *                for sources with no Authorization data at all (legacy logs),
 *                >= brute_min_registers REGISTERs for one user
 *   abuse        >= abuse_min_invites INVITEs to external numbers
 * Pure: no I/O.
 */
import { PHASE_BITS, type DailyPhase, type SourceActivity } from './queries/phases.js';
import { share } from './shares.js';
import {
  PHASES,
  type Phase,
  type PhaseDay,
  type PhaseSection,
  type PhaseThresholds,
  type SourcePhases,
} from './types.js';

/**
 * Defaults. One probe is a scan; ten distinct users is more than any
 * misconfigured phone tries; five guesses on one user is more than a user
 * mistyping; twenty bare REGISTERs for one user is a password loop in a log
 * that does not record Authorization; one external call is abuse of the
 * honeypot.
 */
export const PHASE_DEFAULTS: PhaseThresholds = {
  scan_min_requests: 1,
  enum_min_targets: 10,
  brute_min_attempts: 5,
  brute_min_registers: 20,
  abuse_min_invites: 1,
} as const;

/** The phases one source reached, in attack order. */
export function phasesOf(a: SourceActivity, t: PhaseThresholds): Phase[] {
  const out: Phase[] = [];
  if (a.scan_requests >= t.scan_min_requests) out.push('scanning');
  if (a.enum_targets >= t.enum_min_targets) out.push('enumeration');
  if (
    a.max_attempts_one_user >= t.brute_min_attempts ||
    (a.auth_attempts === 0 && a.max_registers_one_user >= t.brute_min_registers)
  ) {
    out.push('brute_force');
  }
  if (a.external_invites >= t.abuse_min_invites) out.push('abuse');
  return out;
}

function emptyCounts(): Record<Phase, number> {
  return { scanning: 0, enumeration: 0, brute_force: 0, abuse: 0 };
}

/** A source's phases as PHASE_BITS (the form queries/phases.ts binds). */
export function phaseBits(a: SourceActivity, t: PhaseThresholds): number {
  let bits = 0;
  for (const ph of phasesOf(a, t)) bits |= PHASE_BITS[ph];
  if ((bits & PHASE_BITS.brute_force) !== 0 && a.max_attempts_one_user < t.brute_min_attempts) {
    bits |= PHASE_BITS.legacy_brute;
  }
  return bits;
}

/**
 * Classifies every source, builds the funnel (sources that went through each
 * phase and all earlier ones) and what scanners went on to do. `daily` comes
 * from queries/phases.ts, computed with phaseBits of these sources.
 */
export function analysePhases(
  activity: readonly SourceActivity[],
  daily: readonly DailyPhase[],
  t: PhaseThresholds,
  top: number,
): PhaseSection {
  const totals = emptyCounts();
  const fromScanners = emptyCounts();
  const sets: Set<Phase>[] = [];
  const sources: SourcePhases[] = [];
  for (const a of activity) {
    const phases = phasesOf(a, t);
    const set = new Set(phases);
    sets.push(set);
    for (const ph of phases) {
      totals[ph]++;
      if (set.has('scanning')) fromScanners[ph]++;
    }
    if (phases.length > 0) sources.push({ ...a, phases });
  }
  const funnel: PhaseSection['funnel'] = [];
  let prev = activity.length;
  for (let i = 0; i < PHASES.length; i++) {
    const needed = PHASES.slice(0, i + 1);
    const n = sets.filter((s) => needed.every((ph) => s.has(ph))).length;
    const stage = PHASES[i] ?? 'scanning';
    funnel.push({ stage, sources: n, share_of_previous: share(n, prev) });
    prev = n;
  }
  const dailyOut: PhaseDay[] = [...daily].sort(
    (a, b) => a.day.localeCompare(b.day) || PHASES.indexOf(a.phase) - PHASES.indexOf(b.phase),
  );
  sources.sort(
    (a, b) =>
      b.phases.length - a.phases.length || b.requests - a.requests || a.ip.localeCompare(b.ip),
  );
  return {
    thresholds: t,
    totals,
    funnel,
    from_scanners: fromScanners,
    sources: sources.slice(0, top),
    daily: dailyOut,
    total_sources: activity.length,
  };
}
