/**
 * @module
 * A bounded table of source addresses that forgets the least recently used,
 * held in typed arrays: what the per-source tables a flood fills (response
 * budgets, the dashboard's sources seen and callers) keep instead of an
 * LruMap of strings. An entry is a slot number; its key is four 32-bit words
 * (address-key.ts), its recency two int32 links, its values `f64PerSlot`
 * doubles and `u32PerSlot` words in columns the owner reads by slot, grown
 * by doubling up to `max`: 24 bytes an entry, 8-16 of index (kept at most
 * half full) and the values; 100,000 addresses with two doubles each hold
 * 5 MB (50 bytes each, address-table.test.ts), against some 185 bytes an
 * entry for an LruMap of address strings and objects.
 */
import { KEY_WORDS, addressKey, keyHash, sameKey } from './address-key.js';

export interface AddressTableOptions {
  /** Entries kept at most; beyond, the least recently used is reused. */
  readonly max: number;
  /** Doubles per entry, in `f64` (default 0). */
  readonly f64PerSlot?: number;
  /** Unsigned words per entry, in `u32` (default 0). */
  readonly u32PerSlot?: number;
  /** Called with the slot about to be reused for a new address (its values still there). */
  readonly onEvict?: (slot: number) => void;
}

const FIRST_CAPACITY = 256;

export class AddressTable {
  readonly #max: number;
  readonly #f64Width: number;
  readonly #u32Width: number;
  readonly #onEvict: ((slot: number) => void) | undefined;
  #capacity = 0;
  #size = 0;
  #keys = new Uint32Array(0);
  #older = new Int32Array(0);
  #newer = new Int32Array(0);
  /** Open addressing, linear probing: slot + 1, 0 for empty; at most half full. */
  #index = new Int32Array(0);
  #f64 = new Float64Array(0);
  #u32 = new Uint32Array(0);
  #oldest = -1;
  #newest = -1;
  /** The key of the last address looked up, and that address. */
  readonly #scratch = new Uint32Array(KEY_WORDS);
  #scratchIp: string | null = null;

  constructor(opts: AddressTableOptions) {
    this.#max = Math.max(1, Math.floor(opts.max));
    this.#f64Width = opts.f64PerSlot ?? 0;
    this.#u32Width = opts.u32PerSlot ?? 0;
    this.#onEvict = opts.onEvict;
  }

  /** Entries held now. */
  get size(): number {
    return this.#size;
  }

  /** Bytes of the typed arrays held now. */
  get bytes(): number {
    return (
      this.#keys.byteLength +
      this.#older.byteLength +
      this.#newer.byteLength +
      this.#index.byteLength +
      this.#f64.byteLength +
      this.#u32.byteLength
    );
  }

  /** The doubles of every slot (`f64PerSlot` per slot); re-read after `add`, which may grow it. */
  get f64(): Float64Array {
    return this.#f64;
  }

  /** The words of every slot (`u32PerSlot` per slot); re-read after `add`, which may grow it. */
  get u32(): Uint32Array {
    return this.#u32;
  }

  /** The slot of `ip`, marked as recently used; -1 when absent. */
  find(ip: string): number {
    this.#keyOf(ip);
    const pos = this.#position(this.#scratch, 0);
    const slot = (this.#index[pos] ?? 0) - 1;
    if (slot >= 0) this.#touch(slot);
    return slot;
  }

  /**
   * Adds `ip`, absent, as the most recently used and returns its slot, its
   * values zero. When full, the least recently used entry's slot is reused.
   */
  add(ip: string): number {
    let slot: number;
    if (this.#size < this.#max) {
      if (this.#size === this.#capacity) this.#grow();
      slot = this.#size++;
    } else {
      slot = this.#oldest;
      this.#onEvict?.(slot);
      this.#unindex(slot);
      this.#unlink(slot);
    }
    // After onEvict, which may have looked up another address.
    this.#keyOf(ip);
    const k = this.#keys;
    const at = slot * KEY_WORDS;
    for (let w = 0; w < KEY_WORDS; w++) k[at + w] = this.#scratch[w] ?? 0;
    this.#f64.fill(0, slot * this.#f64Width, (slot + 1) * this.#f64Width);
    this.#u32.fill(0, slot * this.#u32Width, (slot + 1) * this.#u32Width);
    this.#index[this.#position(k, at)] = slot + 1;
    this.#linkNewest(slot);
    return slot;
  }

  #keyOf(ip: string): void {
    if (this.#scratchIp === ip) return;
    addressKey(ip, this.#scratch, 0);
    this.#scratchIp = ip;
  }

  /** Where the key at `k[at..]` is in the index, or the empty position where it would go. */
  #position(k: Uint32Array, at: number): number {
    const index = this.#index;
    const mask = index.length - 1;
    if (mask < 0) return 0;
    let pos = keyHash(k, at) & mask;
    for (;;) {
      const e = index[pos] ?? 0;
      if (e === 0 || sameKey(this.#keys, (e - 1) * KEY_WORDS, k, at)) return pos;
      pos = (pos + 1) & mask;
    }
  }

  /** Takes `slot` out of the index, shifting back the entries probed past it. */
  #unindex(slot: number): void {
    const index = this.#index;
    const mask = index.length - 1;
    let hole = this.#position(this.#keys, slot * KEY_WORDS);
    index[hole] = 0;
    let pos = hole;
    for (;;) {
      pos = (pos + 1) & mask;
      const e = index[pos] ?? 0;
      if (e === 0) return;
      const home = keyHash(this.#keys, (e - 1) * KEY_WORDS) & mask;
      // The entry may move back unless its home lies cyclically in (hole, pos].
      const stays = hole <= pos ? home > hole && home <= pos : home > hole || home <= pos;
      if (!stays) {
        index[hole] = e;
        index[pos] = 0;
        hole = pos;
      }
    }
  }

  #grow(): void {
    const cap = Math.min(this.#max, Math.max(FIRST_CAPACITY, this.#capacity * 2));
    const keys = new Uint32Array(cap * KEY_WORDS);
    keys.set(this.#keys);
    this.#keys = keys;
    const older = new Int32Array(cap);
    older.set(this.#older);
    this.#older = older;
    const newer = new Int32Array(cap);
    newer.set(this.#newer);
    this.#newer = newer;
    const f64 = new Float64Array(cap * this.#f64Width);
    f64.set(this.#f64);
    this.#f64 = f64;
    const u32 = new Uint32Array(cap * this.#u32Width);
    u32.set(this.#u32);
    this.#u32 = u32;
    let len = 1;
    while (len < 2 * cap) len *= 2;
    this.#index = new Int32Array(len);
    for (let s = 0; s < this.#size; s++) this.#index[this.#position(keys, s * KEY_WORDS)] = s + 1;
    this.#capacity = cap;
  }

  #touch(slot: number): void {
    if (this.#newest === slot) return;
    this.#unlink(slot);
    this.#linkNewest(slot);
  }

  #linkNewest(slot: number): void {
    this.#older[slot] = this.#newest;
    this.#newer[slot] = -1;
    if (this.#newest >= 0) this.#newer[this.#newest] = slot;
    else this.#oldest = slot;
    this.#newest = slot;
  }

  #unlink(slot: number): void {
    const o = this.#older[slot] ?? -1;
    const n = this.#newer[slot] ?? -1;
    if (o >= 0) this.#newer[o] = n;
    else this.#oldest = n;
    if (n >= 0) this.#older[n] = o;
    else this.#newest = o;
  }
}
