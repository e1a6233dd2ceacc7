/**
 * A tripped breaker outlives the process (DESIGN §6 rule 4): a trader restarted on the same
 * exchange and data folder after a trip starts HALTED, and only the operator's resume lifts it —
 * after which the next restart trades again. In-process traders against a loopback simulator
 * reached by URL (so it is "the same exchange" across runs), on PGlite.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { type SimCredentials, type Simulator, startSimulator } from '../../src/exchange-sim/index.js';
import { MICROS_PER_DOLLAR } from '../../src/kalshi/units.js';
import { type RunningTrader, startTrader } from '../../src/runtime/index.js';

let sim: Simulator;
let dir: string;
let creds: SimCredentials;
let keyFile: string;

beforeAll(async () => {
  sim = await startSimulator({ seed: 3, markets: 4, ratePerSec: 0, rateLimit: false });
  creds = sim.createAccount({ balance: 100 * MICROS_PER_DOLLAR });
  dir = mkdtempSync(join(tmpdir(), 'tv3-breaker-'));
  keyFile = join(dir, 'key.pem');
  writeFileSync(keyFile, creds.private_key_pem, { mode: 0o600 });
});

afterAll(async () => {
  await sim?.close();
  rmSync(dir, { recursive: true, force: true });
});

function start(): Promise<RunningTrader> {
  const config = loadConfig(
    {
      env: 'sim',
      apiUrl: creds.rest_url,
      wsUrl: creds.ws_url,
      keyId: creds.key_id,
      privateKey: keyFile,
      dataDir: join(dir, 'data'),
      strategy: 'none',
      markets: '2',
      rateLimitTier: 'prime',
    },
    {},
  );
  return startTrader(config, { logger: pino({ level: 'silent' }) });
}

async function settledIn(trader: RunningTrader, states: readonly string[]): Promise<string> {
  const end = Date.now() + 20_000;
  for (;;) {
    const value = String(trader.actor!.getSnapshot().value);
    if (states.includes(value)) return value;
    if (Date.now() > end) throw new Error(`trader in ${value}, expected one of ${states.join(', ')}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

it('a trip survives restarts until an operator resumes', async () => {
  const first = await start();
  expect(await settledIn(first, ['READY'])).toBe('READY');
  first.services!.risk.trip('daily_loss', 'net -$60.00 below -$50.00');
  expect(await settledIn(first, ['HALTED'])).toBe('HALTED');
  await first.shutdown({ cancelOrders: true });

  const second = await start();
  try {
    expect(await settledIn(second, ['HALTED', 'READY'])).toBe('HALTED');
    const breaker = second.services!.risk.breaker();
    expect(breaker).toMatchObject({ open: true, reason: 'daily_loss' });
    expect(breaker.detail).toMatch(/net -\$60\.00 .*in an earlier run/);
    await second.control.resume();
    expect(await settledIn(second, ['READY'])).toBe('READY');
  } finally {
    await second.shutdown({ cancelOrders: true });
  }

  const third = await start();
  try {
    expect(await settledIn(third, ['HALTED', 'READY'])).toBe('READY');
    expect(third.services!.risk.breaker().open).toBe(false);
  } finally {
    await third.shutdown({ cancelOrders: true });
  }
}, 90_000);
