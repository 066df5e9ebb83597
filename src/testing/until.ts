/**
 * @module
 * Test support (not built into dist/): waits for a condition that another
 * thread, process or timer makes true.
 */

/** Resolves once `cond()` holds, polling every 10 ms; rejects after `ms`. */
export async function until(cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
}
