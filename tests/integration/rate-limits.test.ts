/**
 * The trading key's rate limits come from the exchange (GET /account/limits) unless a tier is
 * named: a real trader against the simulator over loopback, judged by `status` and, for "the
 * exchange was not asked", by a fault the simulator still holds afterwards.
 */
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Simulator, startSimulator } from '../../src/exchange-sim/index.js';
import { inState, TradersOnSim } from '../trader-on-sim.js';

let sim: Simulator;
let traders: TradersOnSim;
beforeAll(async () => {
  sim = await startSimulator({ seed: 12, markets: 3, ratePerSec: 5, rateLimit: 'advanced' });
  traders = new TradersOnSim(sim);
});
afterAll(async () => {
  await sim?.close();
  traders?.close();
});

interface RateLimitsStatus {
  tier: string;
  source: string;
  read: { refill_per_sec: number; capacity: number };
  write: { refill_per_sec: number; capacity: number };
}

/** Runs a trader on a fresh account until READY and returns its rate limits and log lines. */
async function ready(rateLimitTier: string) {
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      for (const l of String(chunk).split('\n')) if (l) lines.push(JSON.parse(l));
      done();
    },
  });
  const { trader, rest } = await traders.start(
    sim.core.markets()[0]!.ticker,
    { rateLimitTier },
    traders.account(),
    { logger: pino({ level: 'info' }, sink) },
  );
  try {
    await inState(trader, 'READY');
    const status = (await trader.control.status()) as { rate_limits: RateLimitsStatus };
    return { limits: status.rate_limits, lines, rest };
  } finally {
    await trader.shutdown({ cancelOrders: true });
  }
}

it("adopts the account's limits the exchange reports (--rate-limit-tier exchange, the default)", async () => {
  const { limits, lines } = await ready('exchange');
  expect(limits).toMatchObject({
    tier: 'advanced',
    source: 'exchange',
    read: { refill_per_sec: 300, capacity: 300 },
    write: { refill_per_sec: 300, capacity: 600 },
  });
  expect(lines.filter((l) => l.event === 'rate_limits')).toHaveLength(1);
});

it('keeps a tier named on the command line and does not ask the exchange', async () => {
  // A 400 (not retried) armed for the next GET /account/limits: still armed after the run = the
  // trader never asked.
  sim.applyFault({ action: 'http_error', endpoint: 'GET /account/limits', status: 400, count: 1 });
  const { limits, rest } = await ready('basic');
  expect(limits).toMatchObject({ tier: 'basic', source: 'configured', read: { capacity: 200 } });
  await expect(rest.getAccountLimits()).rejects.toMatchObject({ status: 400 });
});

it('stays at basic, the lowest tier, with a warning when the exchange cannot say', async () => {
  sim.applyFault({ action: 'http_error', endpoint: 'GET /account/limits', status: 500, count: 50 });
  try {
    const { limits, lines } = await ready('exchange');
    expect(limits).toMatchObject({ tier: 'basic', source: 'default', read: { capacity: 200 } });
    const warned = lines.find((l) => l.event === 'rate_limits_unknown');
    expect(warned?.msg).toMatch(/did not report the account's rate limits; keeping basic/);
  } finally {
    sim.applyFault({ action: 'clear' });
  }
});
