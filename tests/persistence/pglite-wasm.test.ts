/**
 * PGlite's Postgres compiled ahead (src/persistence/pglite-wasm.ts): `preparePglite()` compiles the
 * module once per process, and an embedded database opened afterwards is instantiated from that
 * module rather than from the file's bytes compiled again.
 */
import { afterAll, describe, expect, it, vi } from 'vitest';
import { type Database, openDatabase, preparePglite } from '../../src/persistence/index.js';

/** The global (@types/node declares WebAssembly's types, not the value). */
const wasm = (
  globalThis as unknown as {
    WebAssembly: { Module: new (bytes: Uint8Array) => object; instantiate: (...args: unknown[]) => unknown };
  }
).WebAssembly;
let database: Database | undefined;
afterAll(async () => {
  await database?.close();
  vi.restoreAllMocks();
});

describe('PGlite compiled ahead', () => {
  it('compiles the module once, and an embedded database opened afterwards uses that module', async () => {
    const module = await preparePglite();
    expect(module).toBeInstanceOf(wasm.Module);
    expect(await preparePglite()).toBe(module);
    const instantiate = vi.spyOn(wasm, 'instantiate');
    database = await openDatabase({ inMemory: true });
    expect(await database.query('select 1 as one')).toEqual([{ one: 1 }]);
    expect(instantiate.mock.calls.map((call: unknown[]) => call[0])).toContain(module);
  }, 60_000);
});
