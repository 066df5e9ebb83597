/**
 * @module
 * The ground truth of a run, computed from the generated stream itself, in
 * the report JSON layout (docs/report.md) plus extra detail. Events must arrive
 * in global time order (the engine guarantees it), so unified INVITEs are
 * found exactly: per (source IP, true number) the last INVITE time is kept
 * and an INVITE more than `gapSec` after it opens a new unified call. Only
 * INVITEs to external numbers form unified calls; INVITEs to internal
 * extensions count in `invite_messages` only. A unified call's user-agent
 * label is its first INVITE's.
 */
import type { Phase, SimEvent } from './model.js';
import { PHASES } from './model.js';

interface SourceStats {
  readonly ip: string;
  readonly cc: string;
  readonly asn: number;
  readonly role: string;
  readonly name: string | null;
  messages: number;
  phases: number;
  calls: number;
  readonly dst: Map<string, number>;
  readonly labels: Map<string, number>;
}

interface DayStats {
  register: number;
  invite: number;
  options: number;
  unified: number;
}

const PHASE_BIT: Record<Phase, number> = { scanning: 1, enumeration: 2, bruteforce: 4, abuse: 8 };

function inc<K>(map: Map<K, number>, key: K, by = 1): void {
  map.set(key, (map.get(key) ?? 0) + by);
}

/** 6-decimal share; the report may round differently, compare with a tolerance. */
function share(count: number, total: number): number {
  return total === 0 ? 0 : Math.round((count / total) * 1e6) / 1e6;
}

/** Sorts [key, count] by count descending, then key ascending (stable, deterministic). */
function ranked<K extends string>(map: Map<K, number>): [K, number][] {
  return [...map].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

/** The label most of a source's unified calls carry. */
function topLabel(s: SourceStats): string {
  return ranked(s.labels)[0]?.[0] ?? 'undefined';
}

function phaseList(bits: number): Phase[] {
  return PHASES.filter((p) => (bits & PHASE_BIT[p]) !== 0);
}

/** Accumulates truth from events in time order. */
export class TruthBuilder {
  private register = 0;
  private invite = 0;
  private options = 0;
  private unified = 0;
  private lines = 0;
  private readonly last = new Map<string, number>();
  private readonly sources = new Map<string, SourceStats>();
  private readonly asns = new Set<number>();
  private readonly ccs = new Set<string>();
  private readonly days = new Map<string, DayStats>();
  private readonly labels = new Map<string, number>();
  private readonly srcCc = new Map<string, number>();
  private readonly dstCc = new Map<string, number>();
  private readonly pairs = new Map<string, number>();
  private readonly numbers = new Map<string, { country: string; type: string; count: number }>();
  private readonly types = new Map<string, number>();
  /** INVITEs per dial shape beyond Figure 2 ('figure2' for the others). */
  private readonly shapes = new Map<string, number>();
  private lastT = -Infinity;

  constructor(private readonly gapSec = 3600) {}

  /** Takes one event; `date` is its UTC date (YYYY-MM-DD), passed in to share the writer's cache. */
  add(e: SimEvent, date: string): void {
    if (e.t < this.lastT) throw new RangeError('truth needs events in time order');
    this.lastT = e.t;
    this.lines++;
    const host = e.actor.host;
    let src = this.sources.get(host.ip);
    if (!src) {
      src = {
        ip: host.ip,
        cc: host.cc,
        asn: host.asn,
        role: e.actor.role,
        name: e.actor.name,
        messages: 0,
        phases: 0,
        calls: 0,
        dst: new Map(),
        labels: new Map(),
      };
      this.sources.set(host.ip, src);
      this.asns.add(host.asn);
      this.ccs.add(host.cc);
    }
    src.messages++;
    src.phases |= PHASE_BIT[e.phase];
    let day = this.days.get(date);
    if (!day) this.days.set(date, (day = { register: 0, invite: 0, options: 0, unified: 0 }));
    if (e.method === 'REGISTER')
      [this.register, day.register] = [this.register + 1, day.register + 1];
    else if (e.method === 'OPTIONS')
      [this.options, day.options] = [this.options + 1, day.options + 1];
    else {
      this.invite++;
      day.invite++;
      if (e.dest) {
        inc(this.shapes, e.shape ?? 'figure2');
        const key = `${host.ip}|${e.dest.e164}`;
        const prev = this.last.get(key);
        this.last.set(key, e.t);
        if (prev === undefined || e.t - prev > this.gapSec) {
          this.unified++;
          day.unified++;
          const label = e.ua === null || e.ua === '' ? 'undefined' : e.uaRandom ? 'random' : e.ua;
          const dst = e.dest.cc;
          inc(this.labels, label);
          inc(this.srcCc, host.cc);
          inc(this.dstCc, dst);
          inc(this.pairs, `${host.cc}>${dst}`);
          inc(this.types, e.dest.type);
          const n = this.numbers.get(e.dest.e164);
          if (n) n.count++;
          else this.numbers.set(e.dest.e164, { country: dst, type: e.dest.type, count: 1 });
          src.calls++;
          inc(src.dst, dst);
          inc(src.labels, label);
        }
      }
    }
  }

  /** Lines seen so far (progress reporting). */
  get count(): number {
    return this.lines;
  }

  /**
   * The truth document (report layout first, then the extra detail).
   * `labels` names numbers (number-labels.csv) in `destinations[].label`.
   */
  finish(
    meta: Record<string, unknown>,
    labels: ReadonlyMap<string, string> = new Map(),
  ): Record<string, unknown> {
    const callers = [...this.sources.values()].filter((s) => s.calls > 0);
    callers.sort((a, b) => b.calls - a.calls || (a.ip < b.ip ? -1 : 1));
    return { ...this.reportTables(callers, labels), extra: this.extra(callers), generator: meta };
  }

  /** The figures in the report JSON layout. */
  private reportTables(
    callers: readonly SourceStats[],
    labels: ReadonlyMap<string, string>,
  ): Record<string, unknown> {
    const u = this.unified;
    const counted = <K extends string>(map: Map<K, number>) =>
      ranked(map).map(([key, count]) => ({ key, count, share: share(count, u) }));
    return {
      summary: {
        register_messages: this.register,
        invite_messages: this.invite,
        unified_invites: u,
        unique_ips: this.sources.size,
        unique_asns: this.asns.size,
        unique_source_countries: this.ccs.size,
        days: this.days.size,
      },
      user_agents: counted(this.labels).map(({ key, count, share }) => ({
        label: key,
        count,
        share,
      })),
      source_countries: counted(this.srcCc).map(({ key, count, share }) => ({
        cc: key,
        count,
        share,
      })),
      top_sources: callers.map((s) => ({
        ip: s.ip,
        count: s.calls,
        cc: s.cc,
        asn: s.asn,
        destination_countries: s.dst.size,
        user_agent: topLabel(s),
      })),
      destination_countries: counted(this.dstCc).map(({ key, count, share }) => ({
        cc: key,
        count,
        share,
      })),
      country_pairs: counted(this.pairs).map(({ key, count, share }) => {
        const [source = '', destination = ''] = key.split('>');
        return { source, destination, count, share };
      }),
      destinations: [...this.numbers]
        .sort((a, b) => b[1].count - a[1].count || (a[0] < b[0] ? -1 : 1))
        .map(([number, n]) => ({
          number,
          country: n.country,
          type: n.type,
          count: n.count,
          label: labels.get(number) ?? null,
        })),
      number_types: ranked(this.types).map(([type, count]) => ({ type, count })),
    };
  }

  /** Detail beyond the report: per day, per source, the rogue servers. */
  private extra(callers: readonly SourceStats[]): Record<string, unknown> {
    return {
      options_messages: this.options,
      dial_shapes: ranked(this.shapes).map(([shape, invites]) => ({ shape, invites })),
      lines: this.lines,
      per_day: [...this.days]
        .sort((a, b) => (a[0] < b[0] ? -1 : 1))
        .map(([date, d]) => ({ date, ...d })),
      sources: [...this.sources.values()]
        .sort((a, b) => (a.ip < b.ip ? -1 : 1))
        .map((s) => ({
          ip: s.ip,
          cc: s.cc,
          asn: s.asn,
          role: s.role,
          name: s.name,
          messages: s.messages,
          calls: s.calls,
          phases: phaseList(s.phases),
        })),
      rogue_sources: callers
        .filter((s) => s.role === 'rogue')
        .map((s) => ({
          ip: s.ip,
          cc: s.cc,
          asn: s.asn,
          count: s.calls,
          destination_countries: s.dst.size,
          user_agent: topLabel(s),
          name: s.name,
        })),
    };
  }
}
