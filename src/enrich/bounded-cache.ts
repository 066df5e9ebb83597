/**
 * @module enrich/bounded-cache
 * A size-bounded memo for enrichers fed attacker strings: when full, the
 * oldest half is dropped, so memory stays bounded whatever the input.
 */

/** Map with a hard entry limit; eviction is insertion-ordered (oldest first). */
export class BoundedCache<K, V> {
  private readonly map = new Map<K, V>();
  constructor(private readonly maxEntries: number) {}

  get(key: K): V | undefined {
    return this.map.get(key);
  }

  set(key: K, value: V): void {
    if (this.map.size >= this.maxEntries) {
      let drop = Math.max(1, Math.floor(this.maxEntries / 2));
      for (const k of this.map.keys()) {
        this.map.delete(k);
        if (--drop === 0) break;
      }
    }
    this.map.set(key, value);
  }

  get size(): number {
    return this.map.size;
  }
}
