/**
 * @module
 * A tiny memo for the pure parsers: the persona reads the same From, To,
 * Via, CSeq and Request-URI values several times per message, and this
 * keeps the last few results so each is parsed once. Keys are compared
 * with `===` (the very string is usually passed again, which is a pointer
 * check); results must be treated as immutable, as the parsers' readonly
 * types say. Bounded: a fixed number of slots, overwritten in turn.
 */
export class Memo<T> {
  readonly #keys: (string | null)[];
  readonly #values: (T | null)[];
  #next = 0;

  constructor(slots: number) {
    this.#keys = new Array<string | null>(slots).fill(null);
    this.#values = new Array<T | null>(slots).fill(null);
  }

  /** The result for `key`, computed by `compute` when not remembered. */
  get(key: string, compute: (key: string) => T): T {
    const keys = this.#keys;
    const n = keys.length;
    // Newest first: the value just parsed is the one most often asked again.
    for (let k = 1, i = this.#next - 1; k <= n; k++, i--) {
      if (i < 0) i = n - 1;
      if (keys[i] === key) return this.#values[i] as T;
    }
    const value = compute(key);
    const slot = this.#next;
    keys[slot] = key;
    this.#values[slot] = value;
    this.#next = slot + 1 === n ? 0 : slot + 1;
    return value;
  }
}
