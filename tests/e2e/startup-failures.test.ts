/**
 * Permanent failures before the first READY end the run (issue 7, item 4), as real processes:
 * an API key the exchange does not know exits at once with code 2 naming the key id; an exchange
 * that cannot be reached exits after a bounded number of tries with code 1 naming the host.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator } from '../../src/exchange-sim/index.js';
import { generateKeyPair } from '../../src/kalshi/index.js';
import { spawnTrader, type TraderProcess } from './harness.js';

const running: TraderProcess[] = [];
let dir: string;
let sim: Simulator;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tv3-startfail-'));
  sim = await startSimulator({ seed: 2, markets: 3, ratePerSec: 0 });
});
afterAll(async () => {
  for (const t of running.splice(0)) t.kill();
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('before the first READY', () => {
  it('an API key the exchange refuses (401) exits at once with code 2, naming the key id', async () => {
    const keyFile = join(dir, 'unknown.pem');
    writeFileSync(keyFile, generateKeyPair().privateKeyPem, { mode: 0o600 });
    const started = Date.now();
    const t = spawnTrader([
      'start',
      '--env',
      'sim',
      '--api-url',
      sim.restUrl,
      '--ws-url',
      sim.wsUrl,
      '--key-id',
      'key-nobody-knows',
      '--private-key',
      keyFile,
      '--data-dir',
      join(dir, 'unknown-key'),
      '--duration',
      '60',
    ]);
    running.push(t);
    expect(await t.exited, t.tail()).toBe(2);
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(t.stderr).toMatch(/refused API key key-nobody-knows \(HTTP 401\)/);
    expect(t.states()).not.toContain('READY');
    expect(t.states().filter((s) => s === 'ERROR')).toEqual([]);
  }, 60_000);

  it('an exchange that cannot be reached exits after a bounded number of tries with code 1, naming the host', async () => {
    const keyFile = join(dir, 'paper.pem');
    writeFileSync(keyFile, generateKeyPair().privateKeyPem, { mode: 0o600 });
    const t = spawnTrader([
      'start',
      '--env',
      'paper',
      '--api-url',
      'http://127.0.0.1:9/trade-api/v2',
      '--ws-url',
      'ws://127.0.0.1:9/trade-api/ws/v2',
      '--key-id',
      'paper-key',
      '--private-key',
      keyFile,
      '--data-dir',
      join(dir, 'unreachable'),
    ]);
    running.push(t);
    expect(await t.exited, t.tail()).toBe(1);
    expect(t.stderr).toMatch(
      /gave up after 5 failed attempts to connect; the last: cannot reach 127\.0\.0\.1:9/,
    );
    const errors = t.lines.filter((l) => l.event === 'state' && l.to === 'ERROR');
    expect(errors).toHaveLength(4);
    // Said at warn, not info.
    for (const e of errors) expect(e.level).toBe('warn');
  }, 120_000);
});
