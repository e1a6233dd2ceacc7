/**
 * Money limits that survive the process: a trader (a child process, on PGlite in its data folder)
 * loses money on an external simulator and is killed with SIGKILL; restarted on the same data
 * folder and exchange with a daily-loss limit below that loss, its day's P&L continues from the
 * record — so the daily-loss breaker trips at start, before anything is traded — instead of a
 * crash handing it a fresh daily allowance.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MICROS_PER_DOLLAR } from '../../src/domain/index.js';
import { type Simulator, startSimulator } from '../../src/exchange-sim/index.js';
import { simStartArgs, spawnTrader, type TraderProcess } from './harness.js';

const dirs: string[] = [];
const running: TraderProcess[] = [];

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'tv3-money-'));
  dirs.push(d);
  return d;
}

describe('money limits across a kill -9', () => {
  let sim: Simulator;

  beforeAll(async () => {
    sim = await startSimulator({ seed: 77, markets: 3, ratePerSec: 0, rateLimit: false });
  });

  afterAll(async () => {
    for (const t of running.splice(0)) t.kill();
    await sim.close();
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('continues the day’s P&L after a crash, and a breaker past its limit trips at start', async () => {
    const creds = sim.createAccount({ balance: 100 * MICROS_PER_DOLLAR });
    // A long YES position bought at 50¢ (a block trade in the first active market).
    expect(sim.seedAccount(creds.key_id, { positions: 1 }).positions).toBe(1);
    const [ticker, other] = sim.core
      .markets()
      .filter((m) => m.status === 'active')
      .map((m) => m.ticker);
    const flags = [...simStartArgs(creds, tempDir()), '--strategy', 'none', '--data-dir', tempDir()];

    const first = spawnTrader([...flags, '--tickers', ticker!]);
    running.push(first);
    await first.waitFor((l) => l.event === 'money_mark' && l.kind === 'day_open', 150_000);
    // The market settles NO: the position is lost. The trader reads the settlement in.
    const settled = first.lines.length;
    expect(sim.core.settle(ticker!, 'no').ok).toBe(true);
    await first.waitFor((l) => l.event === 'calibrated', 90_000, settled);
    // Far below the default daily-loss limit: the first run does not trip.
    expect(first.lines.some((l) => l.event === 'breaker_tripped')).toBe(false);
    first.kill('SIGKILL');
    expect(await first.exited).toBeNull();

    // The same data folder and exchange (watching a market still open), with a daily-loss limit
    // below what was lost.
    const second = spawnTrader([...flags, '--tickers', other!, '--max-daily-loss-dollars', '0.01']);
    running.push(second);
    const trip = await second.waitFor((l) => l.event === 'breaker_tripped', 200_000);
    expect(trip.reason).toBe('daily_loss');
    const restored = second.lines.find((l) => l.event === 'money_restored');
    expect(restored?.day_open_dollars).toBeDefined();
    await second.waitForState('HALTED', 30_000);
    // The day did not start afresh: no new day open was recorded by the second run.
    expect(second.lines.some((l) => l.event === 'money_mark' && l.kind === 'day_open')).toBe(false);
    second.kill('SIGTERM');
    expect(await second.exited, second.tail()).toBe(0);
  }, 600_000);
});
