/**
 * @module
 * Heap bytes a structure holds, load-independently: V8's heap in use plus
 * typed arrays' buffers, after a full collection.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** heapUsed + arrayBuffers after a full garbage collection. */
export function heapAfterGc(): number {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  // Typed arrays' buffers are freed by a background sweep that the next
  // collection completes: twice, so that arrayBuffers is current.
  gc();
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

/** Bytes per item `fill(n)` leaves held by what `make()` returned, measured after filling it with n items. */
export function bytesPerItem<T>(make: () => T, fill: (t: T, n: number) => void, n: number): number {
  const t = make();
  const before = heapAfterGc();
  fill(t, n);
  const after = heapAfterGc();
  // Keep `t` alive across the second collection.
  if (t === undefined) return 0;
  return (after - before) / n;
}

/** The i-th of many distinct IPv4 addresses (10.0.0.0 upwards), a fresh string each call. */
export function nthAddress(i: number): string {
  return `10.${(i >>> 16) & 255}.${(i >>> 8) & 255}.${i & 255}`;
}
