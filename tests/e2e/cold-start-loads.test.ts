/**
 * A cold start loads only what its options use (bench/cold-start.ts, issue 12): `start --env sim
 * --strategy none` on the embedded database, stopped once READY, has not loaded onnxruntime (a
 * model), protobufjs or the latency histogram (the policy), node-postgres (a DATABASE_URL),
 * pino-pretty (a terminal), cli-progress (a bar) or the inspector (--inspect). What a process
 * loaded is read from the CommonJS loader's cache at exit (tests/fixtures/report-loaded-packages.mjs).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, TraderProcess } from './harness.js';

const REPORTER = join(import.meta.dirname, '..', 'fixtures', 'report-loaded-packages.mjs');
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'tv3-loads-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Starts the trader, stops it at READY, and gives the packages it had loaded. */
async function packagesLoadedBy(args: string[]): Promise<string[]> {
  const file = join(dir, 'loaded.txt');
  const child = spawn(process.execPath, ['--import', REPORTER, BIN, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1', TRADERV3_LOADED_FILE: file },
  });
  const t = new TraderProcess(child);
  try {
    await t.waitForState('READY', 60_000);
  } finally {
    t.kill('SIGTERM');
  }
  expect(await t.exited, t.tail()).toBe(0);
  return readFileSync(file, 'utf8').split('\n');
}

describe('a cold start on the simulator', () => {
  it('loads none of the packages only a model, a Postgres URL, a terminal or --inspect needs', async () => {
    const loaded = await packagesLoadedBy([
      'start',
      '--env',
      'sim',
      '--data-dir',
      join(dir, 'data'),
      '--strategy',
      'none',
    ]);
    // The reporter works: packages every start needs are listed.
    expect(loaded).toEqual(expect.arrayContaining(['fastify', 'pino', 'ws']));
    for (const name of [
      'onnxruntime-node',
      'protobufjs',
      'hdr-histogram-js',
      'pg',
      'pg-copy-streams',
      'pino-pretty',
      'cli-progress',
      '@statelyai/inspect',
    ]) {
      expect(loaded, `${name} was loaded`).not.toContain(name);
    }
  }, 120_000);
});
