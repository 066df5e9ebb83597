/**
 * @module
 * The V8 heap of a process that records events for hours: kept close to
 * what is live. By default V8 lets the old generation grow to up to four
 * times what survived the last full collection before collecting again;
 * under a flood the sensor promotes many short-lived objects (events and
 * replies that wait a few milliseconds for their line, the store's queue)
 * and the heap, with the buffers its dead objects hold, grew by some
 * 60 MB of garbage (heap and array buffers of `sipsnare run`: 143-149 MB
 * and 78-83 MB at the peak of a 20,000 msgs/s flood; 87-92 MB and 46-47 MB
 * with this setting; docs/benchmarks.md). The startup's garbage (the
 * enrichment tables' files) goes sooner too. Set as `run` and `sensor`
 * start (runUntilStopped): the importers, whose live heap is large, keep
 * V8's default.
 */
import { setFlagsFromString } from 'node:v8';

/**
 * The old generation may grow by this share of what survived the last
 * full collection before the next one (V8's `--heap-growing-percent`; 0
 * is V8's own adaptive factor of 1.1 to 4). The CPU per message measured
 * the same (medians of three alternated runs, docs/benchmarks.md).
 */
export const HEAP_GROWING_PERCENT = 20;

/**
 * Applies HEAP_GROWING_PERCENT to this process's heaps, the worker
 * threads' included (V8's flags are process-wide and read at each
 * collection).
 */
export function keepHeapNearLive(): void {
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
}
