/**
 * @module
 * Answers of the aggregate endpoints kept per store generation. The
 * process that writes the store counts its commits (and rebuilds of the
 * unified INVITEs): while that count stays, the store and so every
 * answer stay the same, and a repeated request is answered from memory
 * (`serve` over a store nobody writes: always). Identical requests that
 * arrive together share one computation.
 *
 * When the store has moved on since an answer was computed, the request
 * gets that answer at once while one fresh computation runs for the next
 * request (stale while revalidating), unless the answer is older than
 * `maxStaleMs`; then it waits for the fresh one. Under live traffic an
 * answer thus lags the store by about the time one computation takes.
 * Bounded: at most `maxEntries` answers (the oldest asked goes first).
 */
import { LruMap } from '../lru-map.js';

export interface AnswerCacheOptions {
  /** Grows whenever the store changed; equal values mean equal answers. */
  readonly generation: () => number;
  readonly maxEntries?: number;
  readonly maxStaleMs?: number;
  readonly now?: () => number;
}

interface Entry {
  /** Generation and time of the settled answer, and the answer. */
  gen: number;
  at: number;
  value: unknown;
  settled: boolean;
  /** The computation in flight (first one, or a refresh), if any. */
  pending: Promise<unknown> | null;
}

/** Answers older than this are not served while a fresh one is computed. */
export const ANSWER_MAX_STALE_MS = 60_000;
export const ANSWER_CACHE_ENTRIES = 256;

export class AnswerCache {
  private readonly entries: LruMap<string, Entry>;
  /** Computations started (tests, metrics). */
  computed = 0;

  constructor(private readonly opts: AnswerCacheOptions) {
    this.entries = new LruMap(opts.maxEntries ?? ANSWER_CACHE_ENTRIES);
  }

  private get now(): number {
    return (this.opts.now ?? Date.now)();
  }

  /** The answer for `key`, computed by `compute` at most once per generation. */
  get(key: string, compute: () => Promise<unknown>): Promise<unknown> {
    const gen = this.opts.generation();
    const e = this.entries.get(key);
    if (e === undefined) return this.start(key, gen, compute, null);
    if (!e.settled) return e.pending ?? this.start(key, gen, compute, e);
    if (e.gen === gen) return Promise.resolve(e.value);
    const refresh = e.pending ?? this.start(key, gen, compute, e);
    if (this.now - e.at > (this.opts.maxStaleMs ?? ANSWER_MAX_STALE_MS)) return refresh;
    return Promise.resolve(e.value);
  }

  private start(
    key: string,
    gen: number,
    compute: () => Promise<unknown>,
    existing: Entry | null,
  ): Promise<unknown> {
    const e: Entry = existing ?? { gen, at: 0, value: undefined, settled: false, pending: null };
    const at = this.now;
    this.computed++;
    const p = compute().then(
      (value) => {
        e.gen = gen;
        e.at = at;
        e.value = value;
        e.settled = true;
        e.pending = null;
        return value;
      },
      (err: unknown) => {
        e.pending = null;
        // A failed first computation is not kept: the next request tries again.
        if (!e.settled && this.entries.get(key) === e) this.entries.delete(key);
        throw err;
      },
    );
    e.pending = p;
    // A new entry; the least recently asked goes when the cache is full.
    if (existing === null) this.entries.set(key, e);
    // A refresh that fails leaves the old answer; its error goes to whoever waits.
    p.catch(() => undefined);
    return p;
  }
}

/** The cache key of a request: its path and its query, in key order. */
export function answerKey(url: string, query: Readonly<Record<string, unknown>>): string {
  const q = Object.keys(query)
    .sort()
    .map((k) => [k, query[k]]);
  return `${url} ${JSON.stringify(q)}`;
}
