/**
 * @module
 * A small seeded pseudo-random generator (sfc32) and the draws the simulator
 * needs. Every random choice of a run goes through one of these, so a seed
 * fixes the whole output; `Math.random` is never used.
 */

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** Hashes a string to 32 bits (FNV-1a); used to derive independent seeds. */
export function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * Deterministic generator. Sub-generators (`fork`) give each part of the
 * scenario its own stream, so adding a draw in one part does not shift the
 * numbers another part sees.
 */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: string) {
    this.a = hash32(`a:${seed}`);
    this.b = hash32(`b:${seed}`);
    this.c = hash32(`c:${seed}`);
    this.d = 1;
    for (let i = 0; i < 12; i++) this.next();
  }

  /** A new generator whose stream depends on this seed and `label` only. */
  static fork(seed: string, label: string): Rng {
    return new Rng(`${seed}/${label}`);
  }

  /** Uniform in [0, 1). */
  next(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return (t >>> 0) / 4294967296;
  }

  /** Integer in [min, max], both included. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  /** One element of a non-empty list. */
  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.next() * items.length)];
    if (item === undefined) throw new RangeError('pick from an empty list');
    return item;
  }

  /** Index drawn with probability proportional to `weights[i]`. */
  weighted(weights: readonly number[]): number {
    let total = 0;
    for (const w of weights) total += w;
    let x = this.next() * total;
    for (let i = 0; i < weights.length; i++) {
      x -= weights[i] ?? 0;
      if (x < 0) return i;
    }
    return weights.length - 1;
  }

  /** Log-uniform in [min, max]: many small values, a few large (scan sizes). */
  logUniform(min: number, max: number): number {
    return Math.exp(Math.log(min) + this.next() * (Math.log(max) - Math.log(min)));
  }

  /** Exponential with the given mean (gaps between independent events). */
  exponential(mean: number): number {
    return -Math.log(1 - this.next()) * mean;
  }

  /** `length` characters of [A-Za-z0-9], like Table 2's random user agents. */
  alnum(length: number): string {
    let out = '';
    for (let i = 0; i < length; i++) out += ALNUM.charAt(Math.floor(this.next() * 62));
    return out;
  }

  /** `length` decimal digits. */
  digits(length: number): string {
    let out = '';
    for (let i = 0; i < length; i++) out += String(Math.floor(this.next() * 10));
    return out;
  }

  /** Shuffles in place (Fisher-Yates) and returns the array. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      const tmp = items[i] as T;
      items[i] = items[j] as T;
      items[j] = tmp;
    }
    return items;
  }
}
