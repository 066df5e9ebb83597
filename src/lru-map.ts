/**
 * @module
 * A Map with a size bound that forgets the least recently used entry, in
 * O(1) per operation: the persona's dialog and registration tables, the
 * credential caches, and the ordered tables that must find their oldest
 * entry quickly (a capture's unanswered requests, deferred answers).
 */

interface LruNode<K, V> {
  readonly key: K;
  value: V;
  /** Towards the least recently used end. */
  older: LruNode<K, V> | null;
  /** Towards the most recently used end. */
  newer: LruNode<K, V> | null;
}

/**
 * A Map with a size bound that evicts the least recently used entry. The
 * recency order is a doubly linked list, so every operation is O(1) (a
 * Map re-inserted on each use makes V8 skip ever more deleted slots when
 * the oldest key is looked up).
 */
export class LruMap<K, V> {
  readonly #max: number;
  readonly #map = new Map<K, LruNode<K, V>>();
  #oldest: LruNode<K, V> | null = null;
  #newest: LruNode<K, V> | null = null;

  constructor(max: number) {
    this.#max = Math.max(1, Math.floor(max));
  }

  get size(): number {
    return this.#map.size;
  }

  /** Reads and marks as recently used. */
  get(key: K): V | undefined {
    const n = this.#map.get(key);
    if (n === undefined) return undefined;
    this.#touch(n);
    return n.value;
  }

  set(key: K, value: V): void {
    const n = this.#map.get(key);
    if (n !== undefined) {
      n.value = value;
      this.#touch(n);
      return;
    }
    const node: LruNode<K, V> = { key, value, older: this.#newest, newer: null };
    if (this.#newest !== null) this.#newest.newer = node;
    else this.#oldest = node;
    this.#newest = node;
    this.#map.set(key, node);
    while (this.#map.size > this.#max && this.#oldest !== null) {
      const old = this.#oldest;
      this.#unlink(old);
      this.#map.delete(old.key);
    }
  }

  delete(key: K): boolean {
    const n = this.#map.get(key);
    if (n === undefined) return false;
    this.#unlink(n);
    return this.#map.delete(key);
  }

  /** The least recently used key (undefined when empty), in O(1). */
  oldestKey(): K | undefined {
    return this.#oldest?.key;
  }

  /** Entries from the least to the most recently used. */
  *entries(): IterableIterator<[K, V]> {
    for (let n = this.#oldest; n !== null; n = n.newer) yield [n.key, n.value];
  }

  /** Moves a node to the most recently used end. */
  #touch(n: LruNode<K, V>): void {
    if (this.#newest === n) return;
    this.#unlink(n);
    n.older = this.#newest;
    n.newer = null;
    if (this.#newest !== null) this.#newest.newer = n;
    else this.#oldest = n;
    this.#newest = n;
  }

  #unlink(n: LruNode<K, V>): void {
    if (n.older !== null) n.older.newer = n.newer;
    else if (this.#oldest === n) this.#oldest = n.newer;
    if (n.newer !== null) n.newer.older = n.older;
    else if (this.#newest === n) this.#newest = n.older;
    n.older = null;
    n.newer = null;
  }
}
