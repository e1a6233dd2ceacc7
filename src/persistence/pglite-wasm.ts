/**
 * PGlite's Postgres (a 9 MB WebAssembly module) compiled ahead of the open. PGlite reads and
 * compiles it when an instance is created, and the open waits for that; `traderv3 start` calls
 * `preparePglite()` as soon as it knows the database is embedded, so V8 compiles the module on its
 * background threads while the main thread loads the runtime (bench/cold-start.ts). Every PGlite
 * opened in the process then shares the one compiled module. Should anything here fail, PGlite
 * is left to read and compile the module itself, as it otherwise would.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

let compiled: Promise<WebAssembly.Module | undefined> | undefined;

/** The global's compile (@types/node declares WebAssembly's types, not the value). */
const wasm = (
  globalThis as unknown as { WebAssembly: { compile(bytes: Uint8Array): Promise<WebAssembly.Module> } }
).WebAssembly;

/** Starts compiling PGlite's module (once per process); resolves with it, or undefined on failure. */
export function preparePglite(): Promise<WebAssembly.Module | undefined> {
  compiled ??= (async () => {
    const dist = dirname(createRequire(import.meta.url).resolve('@electric-sql/pglite'));
    return wasm.compile(await readFile(join(dist, 'pglite.wasm')));
  })().catch(() => undefined);
  return compiled;
}
