/**
 * The runtime's one clock and timers port (STYLE: determinism seams). Everything the runtime
 * schedules — housekeeping, rediscovery, reconciliation, the executor's 429 wait — goes through
 * it, so tests can run the real runtime on simulated time. The machine's own delayed transition
 * (the reconnect backoff) uses xstate's clock, given separately (StartTraderDeps.clock).
 */

export interface TimerHandle {
  cancel(): void;
}

export interface Timers {
  /** Epoch milliseconds now. */
  now(): number;
  /** Calls `fn` every `ms` (never keeps the process alive). */
  every(ms: number, fn: () => void): TimerHandle;
  /** Resolves after `ms`. */
  sleep(ms: number): Promise<void>;
}

export const realTimers: Timers = {
  now: Date.now,
  every(ms, fn) {
    const handle = setInterval(fn, ms);
    handle.unref();
    return { cancel: () => clearInterval(handle) };
  },
  sleep: (ms) =>
    new Promise<void>((resolve) => {
      setTimeout(resolve, ms).unref();
    }),
};

/**
 * Runs `task` at most once at a time: a call while one runs returns the running one's promise
 * (housekeeping, unknown-order lookups and reconciliation are single-flight).
 */
export function singleFlight<T>(task: () => Promise<T>): () => Promise<T> {
  let running: Promise<T> | undefined;
  return () => {
    running ??= task().finally(() => {
      running = undefined;
    });
    return running;
  };
}
