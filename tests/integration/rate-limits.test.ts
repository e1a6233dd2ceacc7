/**
 * The trading key's rate limits come from the exchange (GET /account/limits) unless a tier is
 * named: a real trader against the simulator over loopback, judged by `status` and, for "the
 * exchange was not asked", by a fault the simulator still holds afterwards. What each request
 * costs comes from the exchange too (GET /account/endpoint_costs), judged by the simulator's own
 * 429s.
 */
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator } from '../../src/exchange-sim/index.js';
import { createSigner, DOCUMENTED_COSTS, KalshiRestClient, RateLimiter } from '../../src/kalshi/index.js';
import { rateLimitKeeper } from '../../src/runtime/rate-limits.js';
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
  costs: {
    source: string;
    default_cost?: number;
    endpoints?: Array<{ method: string; path: string; cost: number }>;
  };
}

/** Runs a trader on a fresh account until READY and returns its rate limits and log lines. */
async function ready(
  rateLimitTier: string,
  on: { sim: Simulator; traders: TradersOnSim } = { sim, traders },
) {
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      for (const l of String(chunk).split('\n')) if (l) lines.push(JSON.parse(l));
      done();
    },
  });
  const { trader, rest } = await on.traders.start(
    on.sim.core.markets()[0]!.ticker,
    { rateLimitTier },
    on.traders.account(),
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

it('charges requests by the endpoint costs the exchange lists, whatever the tier', async () => {
  for (const tier of ['exchange', 'basic']) {
    const { limits, lines } = await ready(tier);
    expect(limits.costs).toEqual({
      source: 'exchange',
      default_cost: 10,
      endpoints: DOCUMENTED_COSTS.entries.map((e) => ({ method: e.method, path: e.path, cost: e.cost })),
    });
    const said = lines.filter((l) => l.event === 'rate_costs');
    expect(said).toHaveLength(1);
    expect(said[0]?.msg).toBe(
      'endpoint costs from the exchange: 10 tokens a request, 9 endpoint(s) otherwise',
    );
  }
});

describe('an exchange that costs requests otherwise', () => {
  // Advanced: a read bucket of 300 tokens, refilled at 300 a second. The balance costs 100 here.
  const costly = { defaultCost: 10, entries: [{ method: 'GET', path: '/portfolio/balance', cost: 100 }] };
  let costlySim: Simulator;
  let unlistedSim: Simulator;
  let costlyTraders: TradersOnSim;
  let unlistedTraders: TradersOnSim;
  beforeAll(async () => {
    costlySim = await startSimulator({
      seed: 13,
      markets: 2,
      ratePerSec: 0,
      rateLimit: 'advanced',
      endpointCosts: costly,
    });
    unlistedSim = await startSimulator({
      seed: 14,
      markets: 2,
      ratePerSec: 0,
      rateLimit: 'advanced',
      endpointCosts: 'unlisted',
    });
    costlyTraders = new TradersOnSim(costlySim);
    unlistedTraders = new TradersOnSim(unlistedSim);
  });
  afterAll(async () => {
    await costlySim?.close();
    await unlistedSim?.close();
    costlyTraders?.close();
    unlistedTraders?.close();
  });

  /** A REST client on the account's key, paced by `limiter`, one attempt a read (a 429 throws). */
  const client = (
    limiter: RateLimiter,
    creds: { rest_url: string; key_id: string; private_key_pem: string },
  ) =>
    new KalshiRestClient({
      baseUrl: creds.rest_url,
      signer: createSigner({ keyId: creds.key_id, privateKeyPem: creds.private_key_pem }),
      rateLimiter: limiter,
      retry: { maxAttempts: 1 },
    });

  it('is not sent a request it would refuse once its costs are adopted; with the documented costs it is', async () => {
    const quiet = pino({ level: 'silent' });
    // Our side is held to Basic (200 tokens, --rate-limit-tier basic) against the exchange's
    // Advanced (300): a paced client stays well inside the exchange's bucket, not at its edge.
    // Adopted (the trader's keeper, on the client that then reads): four balance reads at once
    // all pass, the later ones waiting for our bucket.
    const limiter = new RateLimiter({ tier: 'basic' });
    const adopted = client(limiter, costlyTraders.account().creds);
    const keeper = rateLimitKeeper({ choice: 'basic', rest: adopted, limiter, logger: quiet });
    await keeper.sync();
    expect(keeper.costSource).toBe('exchange');
    const four = (c: KalshiRestClient) => Promise.allSettled([1, 2, 3, 4].map(() => c.getBalance()));
    const paced = await four(adopted);
    await adopted.close();
    expect(paced.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'fulfilled']);
    // The documented 10 tokens a read (a fresh key): all four go at once and the exchange refuses
    // the one its 300 tokens do not cover.
    const documented = client(new RateLimiter({ tier: 'basic' }), costlyTraders.account().creds);
    const unpaced = await four(documented);
    await documented.close();
    const refused = unpaced.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(refused).toHaveLength(1);
    expect(refused[0]?.reason).toMatchObject({ status: 429 });
  });

  it('keeps the documented costs, said once, when the exchange does not list any', async () => {
    const { limits, lines } = await ready('exchange', { sim: unlistedSim, traders: unlistedTraders });
    expect(limits.costs).toEqual({ source: 'documented' });
    const said = lines.filter((l) => l.event === 'rate_costs_unlisted');
    expect(said).toHaveLength(1);
    expect(said[0]?.msg).toMatch(
      /does not list endpoint costs \(GET \/account\/endpoint_costs: 404\); using the documented costs/,
    );
    expect(lines.filter((l) => l.event === 'rate_costs_unknown')).toHaveLength(0);
  });
});
