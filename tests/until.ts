/**
 * Polling for tests: `untilWithin(ms)` gives an `until(what, probe, timeoutMs = ms)` that polls
 * `probe` every 25 ms until it gives a value other than `undefined` or `false` (returned), or fails
 * after the timeout with an error naming `what`. Each test file keeps its own default bound.
 */
export function untilWithin(defaultTimeoutMs: number) {
  return async function until<T>(
    what: string,
    probe: () => T | undefined | false | Promise<T | undefined | false>,
    timeoutMs = defaultTimeoutMs,
  ): Promise<T> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const v = await probe();
      if (v !== undefined && v !== false) return v;
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  };
}
