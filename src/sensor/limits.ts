/**
 * @module
 * Safety bounds on what the sensor sends: a token bucket per source address
 * and one for all sources (responses per second), a bounded LRU of tracked
 * sources, the no-amplification rule for UDP, and the aggregation of refused
 * answers into `sensor.rate_limited` reports. Decides only; never sends,
 * never writes events itself, and its memory is bounded whatever the traffic.
 */
import { AddressTable } from '../address-table.js';

/** Why an answer was withheld (the `reason` of sensor.rate_limited). */
export const LIMIT_REASONS = [
  'source_rate',
  'global_rate',
  'amplification',
  'tcp_connections',
  'tcp_source_connections',
] as const;
export type LimitReason = (typeof LIMIT_REASONS)[number];

/**
 * Over UDP a source address is unverified (it may be spoofed): the bytes we
 * send back for one datagram stay within this multiple of its size, so the
 * sensor is useless as a reflector. Asterisk-like answers to real scanner
 * probes are 1-2.5 times the request.
 */
export const AMPLIFICATION_FACTOR = 3;

/** Sources with unreported drops kept at once; the rest are counted under `::`. */
export const MAX_PENDING_REPORTS = 4096;

export interface LimiterOptions {
  readonly perSourcePerS: number;
  readonly perSourceBurst: number;
  readonly globalPerS: number;
  readonly maxTrackedSources: number;
}

interface Bucket {
  tokens: number;
  lastMs: number;
}

/** A source's budget in the table's doubles: tokens left, then when last refilled. */
const TOKENS = 0;
const LAST_MS = 1;

/** One aggregated report: `dropped` answers withheld from `srcIp` for `reason`. */
export interface DropReport {
  readonly srcIp: string;
  readonly reason: LimitReason;
  readonly dropped: number;
}

/** The address drops are reported under once MAX_PENDING_REPORTS sources are pending. */
export const OVERFLOW_SOURCE = '::';

/**
 * Per-source and global token buckets. `take()` consumes one token from
 * both or from neither. Sources are kept in order of last use in an
 * AddressTable (typed arrays: some 50 bytes a source, against some 180
 * for an LruMap of address strings and bucket objects, address-table.ts);
 * beyond `maxTrackedSources` the least recently seen is forgotten. That is
 * safe: a forgotten source comes back with a fresh burst
 * (`perSourceBurst`), no more than a new address gets, every answer still
 * takes a token of the global bucket, and no UDP answer exceeds
 * AMPLIFICATION_FACTOR times its request, so spreading a flood over more
 * addresses than the table holds gains an attacker nothing a spoofed
 * address would not.
 */
export class ResponseLimiter {
  private readonly sources: AddressTable;
  private readonly global: Bucket;
  private readonly pending = new Map<
    string,
    { srcIp: string; reason: LimitReason; dropped: number }
  >();

  constructor(private readonly opts: LimiterOptions) {
    this.sources = new AddressTable({ max: opts.maxTrackedSources, f64PerSlot: 2 });
    this.global = { tokens: opts.globalPerS, lastMs: -1 };
  }

  /** Sources currently tracked (bounded by maxTrackedSources). */
  get trackedSources(): number {
    return this.sources.size;
  }

  /** Bytes the tracked sources' table holds now. */
  get trackedBytes(): number {
    return this.sources.bytes;
  }

  /** Sources with drops waiting to be reported (bounded). */
  get pendingReports(): number {
    return this.pending.size;
  }

  /** Takes one response token for `srcIp`; returns null when allowed, else why not. */
  take(srcIp: string, nowMs: number): LimitReason | null {
    let slot = this.sources.find(srcIp);
    let f = this.sources.f64;
    if (slot < 0) {
      slot = this.sources.add(srcIp);
      f = this.sources.f64;
      f[2 * slot + TOKENS] = this.opts.perSourceBurst;
    } else {
      const last = f[2 * slot + LAST_MS] ?? nowMs;
      f[2 * slot + TOKENS] = Math.min(
        this.opts.perSourceBurst,
        (f[2 * slot + TOKENS] ?? 0) + ((nowMs - last) * this.opts.perSourcePerS) / 1000,
      );
    }
    f[2 * slot + LAST_MS] = nowMs;
    const g = this.global;
    if (g.lastMs < 0) g.lastMs = nowMs;
    g.tokens = Math.min(
      this.opts.globalPerS,
      g.tokens + ((nowMs - g.lastMs) * this.opts.globalPerS) / 1000,
    );
    g.lastMs = nowMs;
    const tokens = f[2 * slot + TOKENS] ?? 0;
    if (tokens < 1) return 'source_rate';
    if (g.tokens < 1) return 'global_rate';
    f[2 * slot + TOKENS] = tokens - 1;
    g.tokens -= 1;
    return null;
  }

  /** Counts one withheld answer for the next report. */
  recordDrop(srcIp: string, reason: LimitReason): void {
    const key = `${reason}|${srcIp}`;
    const p = this.pending.get(key);
    if (p) {
      p.dropped++;
      return;
    }
    if (this.pending.size >= MAX_PENDING_REPORTS) {
      const okey = `${reason}|${OVERFLOW_SOURCE}`;
      const o = this.pending.get(okey);
      if (o) o.dropped++;
      else this.pending.set(okey, { srcIp: OVERFLOW_SOURCE, reason, dropped: 1 });
      return;
    }
    this.pending.set(key, { srcIp, reason, dropped: 1 });
  }

  /** The drops counted since the last call, one report per source and reason. */
  drainReports(): DropReport[] {
    const out = [...this.pending.values()];
    this.pending.clear();
    return out;
  }
}

/** true when answering a `requestBytes` UDP datagram with `replyBytes` stays within the amplification bound. */
export function withinAmplification(requestBytes: number, replyBytes: number): boolean {
  return replyBytes <= AMPLIFICATION_FACTOR * requestBytes;
}

/**
 * Counts open connections in total and per source address, for the TCP and
 * TLS listeners. The per-source map only holds sources with open
 * connections, so it is bounded by the total.
 */
export class ConnectionLimiter {
  private total = 0;
  private readonly perSource = new Map<string, number>();

  constructor(
    private readonly maxTotal: number,
    private readonly maxPerSource: number,
  ) {}

  get open(): number {
    return this.total;
  }

  /** Reserves a slot for a new connection from `srcIp`; null when granted. */
  acquire(srcIp: string): LimitReason | null {
    if (this.total >= this.maxTotal) return 'tcp_connections';
    const n = this.perSource.get(srcIp) ?? 0;
    if (n >= this.maxPerSource) return 'tcp_source_connections';
    this.perSource.set(srcIp, n + 1);
    this.total++;
    return null;
  }

  /** Frees the slot of a closed connection. */
  release(srcIp: string): void {
    const n = this.perSource.get(srcIp);
    if (n === undefined) return;
    if (n <= 1) this.perSource.delete(srcIp);
    else this.perSource.set(srcIp, n - 1);
    this.total--;
  }
}
