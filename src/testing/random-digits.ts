/**
 * @module
 * The false-positive guard's input for number resolution: uniformly random
 * digit strings of attacker-like lengths (8-20 digits), from a seeded PRNG
 * so that every run (test, bench, before and after a change) sees the same
 * strings. Also measures how many of them resolve, alone and in bursts.
 */
import { NumberResolver } from '../enrich/index.js';

/** mulberry32: small, fast, seeded. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `n` strings of 8 to 20 uniformly random digits (length uniform too). */
export function randomDigitStrings(seed: number, n: number): string[] {
  const rand = prng(seed);
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const len = 8 + Math.floor(rand() * 13);
    let s = '';
    for (let j = 0; j < len; j++) s += String(Math.floor(rand() * 10));
    out.push(s);
  }
  return out;
}

export interface NoiseRates {
  readonly strings: number;
  /** Resolved to a number, each string alone. */
  readonly alone: number;
  /** Resolved to a number, the strings taken as bursts of `burstSize` unrelated strings. */
  readonly burst: number;
}

/** How many random strings resolve to an external number, alone and in bursts. */
export function noiseRates(seed: number, n: number, burstSize = 5): NoiseRates {
  const strings = randomDigitStrings(seed, n);
  const resolver = new NumberResolver();
  const alone = strings.filter((s) => resolver.resolveDialed(s).kind === 'external').length;
  let burst = 0;
  for (let i = 0; i < strings.length; i += burstSize) {
    const part = strings.slice(i, i + burstSize);
    burst += resolver.resolveBurst(part).filter((r) => r.kind === 'external').length;
  }
  return { strings: n, alone, burst };
}
