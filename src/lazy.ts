/**
 * Packages loaded at their first use instead of at every start. `traderv3 start` imports the whole
 * command (one bundle, dist/); a package only some options need (onnxruntime for a model, pg for a
 * DATABASE_URL, pino-pretty at a terminal, the inspector with --inspect) would otherwise be loaded,
 * and cost CPU, on every cold start (bench/cold-start.ts). `require` keeps the callers synchronous:
 * these packages are CommonJS, or ESM without top-level await (Node ≥ 20.19 requires those).
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** Names of the packages a lazyPackage loaded so far, in order (tests check what a start loads). */
export const loadedLazyPackages: string[] = [];

/** A getter that loads `name` the first time it is called and returns the same module after. */
export function lazyPackage<T>(name: string): () => T {
  let mod: T | undefined;
  return () => {
    if (mod === undefined) {
      mod = require(name) as T;
      loadedLazyPackages.push(name);
    }
    return mod;
  };
}
