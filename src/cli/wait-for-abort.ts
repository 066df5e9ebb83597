/**
 * @module
 * Resolves when a command's stop signal fires (SIGINT or SIGTERM), or at
 * once when it already has.
 */
export function waitForAbort(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else
      signal.addEventListener(
        'abort',
        () => {
          resolve();
        },
        { once: true },
      );
  });
}
