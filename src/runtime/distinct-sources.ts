/**
 * @module
 * The traffic line's count of distinct source addresses in an interval,
 * without keeping the addresses: a set of their 32-bit digests
 * (address-key.ts) in an open-addressing table of unsigned words, at most
 * half full and grown by doubling. An IPv4 address is its own digest, so
 * IPv4 sources are counted exactly; two IPv6 addresses (or one and an IPv4
 * address) share a digest with probability 2^-32, so among n such sources
 * some n^2 / 2^33 are missed: about one at 100,000. Holds 8-16 bytes a
 * source (1 MB at 100,000, whatever the addresses), against some 58 bytes,
 * the address string included, for a Set of strings (traffic.test.ts).
 */
import { KEY_WORDS, addressKey, keyDigest } from '../address-key.js';

const FIRST_SLOTS = 1024;

export class DistinctSources {
  #slots = new Uint32Array(FIRST_SLOTS);
  #count = 0;
  /** The digest 0 (0.0.0.0) cannot sit in a slot: 0 marks an empty one. */
  #zero = false;
  readonly #key = new Uint32Array(KEY_WORDS);

  constructor(private readonly max: number) {}

  /** Distinct sources counted (at most `max`). */
  get size(): number {
    return this.#count;
  }

  /** Bytes held now. */
  get bytes(): number {
    return this.#slots.byteLength;
  }

  /** Counts `ip` unless it was counted already or `max` are. */
  add(ip: string): void {
    if (this.#count >= this.max) return;
    addressKey(ip, this.#key, 0);
    const d = keyDigest(this.#key, 0);
    if (d === 0) {
      if (!this.#zero) this.#count++;
      this.#zero = true;
      return;
    }
    if (this.#insert(this.#slots, d)) {
      this.#count++;
      if (2 * this.#count > this.#slots.length) this.#grow();
    }
  }

  /** Forgets every source, and the memory grown for them. */
  clear(): void {
    this.#slots = new Uint32Array(FIRST_SLOTS);
    this.#count = 0;
    this.#zero = false;
  }

  /** Puts `d` into `slots`; false when it was there. */
  #insert(slots: Uint32Array, d: number): boolean {
    const mask = slots.length - 1;
    let pos = Math.imul(d, 0x9e3779b1) >>> 0;
    for (;;) {
      pos &= mask;
      const v = slots[pos] ?? 0;
      if (v === d) return false;
      if (v === 0) {
        slots[pos] = d;
        return true;
      }
      pos++;
    }
  }

  #grow(): void {
    const next = new Uint32Array(this.#slots.length * 2);
    for (const v of this.#slots) if (v !== 0) this.#insert(next, v);
    this.#slots = next;
  }
}
