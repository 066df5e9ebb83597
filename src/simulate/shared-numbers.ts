/**
 * @module
 * Numbers the simulated sources have dialled in full (with an exit code or
 * another Figure 2 prefix), each with the source that dialled it. A burst
 * that draws the bare national shape dials one of them that another source
 * dialled, as toll-fraud rings share their number lists: the full form
 * written by the other source is the evidence that resolves the bare one
 * (store-wide evidence, docs/enrichment.md). Bounded: the most recent
 * CAPACITY numbers.
 */
import { nationalOf, type DestNumber } from './numbers.js';
import type { Rng } from './rng.js';

/** Numbers remembered (the most recent ones). */
export const CAPACITY = 256;

interface Dialled {
  readonly number: DestNumber;
  readonly ip: string;
}

export class DialledInFull {
  private readonly seen: Dialled[] = [];
  private next = 0;

  /** Records that `ip` dialled `number` in full; numbers with no national form are left out. */
  add(number: DestNumber, ip: string): void {
    if (nationalOf(number) === undefined) return;
    const entry = { number, ip };
    if (this.seen.length < CAPACITY) this.seen.push(entry);
    else this.seen[this.next] = entry;
    this.next = (this.next + 1) % CAPACITY;
  }

  /** A number a source other than `ip` dialled in full, or undefined when there is none yet. */
  pickOther(rng: Rng, ip: string): DestNumber | undefined {
    const others = this.seen.filter((d) => d.ip !== ip);
    return others.length === 0 ? undefined : rng.pick(others).number;
  }
}
