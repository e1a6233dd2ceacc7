/**
 * How many cases each fuzz property runs: a few hundred inside `npm run check`, and
 * `npm run fuzz` sets FUZZ_RUNS=10000 (at least 10 k per parser). FUZZ_SEED replays a failure.
 */
import type * as fc from 'fast-check';

export const FUZZ_RUNS = Number(process.env.FUZZ_RUNS ?? 300);

export function fuzzParams<T>(): fc.Parameters<T> {
  const seed = process.env.FUZZ_SEED;
  return { numRuns: FUZZ_RUNS, ...(seed ? { seed: Number(seed) } : {}) };
}

/** Generous per-test timeout that scales with the runs (the long form is slow on purpose). */
export const FUZZ_TIMEOUT_MS = 30_000 + FUZZ_RUNS * 20;
