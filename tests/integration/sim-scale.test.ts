/**
 * The simulator at a moderate scale over loopback: 2,000 markets with full books, and an account
 * seeded (POST /_sim/accounts) with 2,000 positions and 2,000 resting orders, paged through our
 * REST client at two page sizes: every item comes back exactly once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator } from '../../src/exchange-sim/index.js';
import { collect, createSigner, KalshiRestClient } from '../../src/kalshi/index.js';

const MARKETS = 2_000;

describe('the simulator at 2,000 markets, 2,000 positions and 2,000 resting orders', () => {
  let sim: Simulator;
  let rest: KalshiRestClient;
  let seeded: { positions: number; resting_orders: number; skipped: number };

  beforeAll(async () => {
    sim = await startSimulator({ seed: 4, markets: MARKETS, ratePerSec: 0, rateLimit: false });
    const res = await fetch(new URL('/_sim/accounts', sim.restUrl), {
      method: 'POST',
      body: JSON.stringify({ positions: 2_000, resting_orders: 2_000 }),
    });
    expect(res.status).toBe(201);
    const body = (await res.json()) as { key_id: string; private_key_pem: string; seeded: typeof seeded };
    seeded = body.seeded;
    rest = new KalshiRestClient({
      baseUrl: sim.restUrl,
      signer: createSigner({ keyId: body.key_id, privateKeyPem: body.private_key_pem }),
      rateLimiter: false,
    });
  }, 120_000);

  afterAll(async () => {
    await sim.close();
  });

  it('lists every market once, each with a book', async () => {
    expect(sim.core.markets()).toHaveLength(MARKETS);
    for (const limit of [1000, 333]) {
      const markets = await collect(rest.allMarkets({ limit }));
      const tickers = markets.map((m) => m.ticker);
      expect(tickers).toHaveLength(MARKETS);
      expect(new Set(tickers).size).toBe(MARKETS);
    }
    const active = sim.core.markets().filter((m) => m.status === 'active');
    const empty = active.filter((m) => {
      const b = sim.core.book(m.ticker);
      return b.yes.length === 0 || b.no.length === 0;
    });
    expect(empty).toEqual([]);
  });

  it('pages 2,000 positions and 2,000 resting orders, each exactly once', async () => {
    expect(seeded).toEqual({ positions: 2_000, resting_orders: 2_000, skipped: 0 });
    for (const limit of [1000, 77]) {
      const positions = await collect(rest.allPositions({ limit }));
      expect(positions).toHaveLength(2_000);
      expect(new Set(positions.map((p) => p.ticker)).size).toBe(2_000);
      expect(positions.every((p) => p.position_fp !== '0.00')).toBe(true);

      const orders = await collect(rest.allOrders({ status: 'resting', limit }));
      expect(orders).toHaveLength(2_000);
      expect(new Set(orders.map((o) => o.order_id)).size).toBe(2_000);
    }
    // Every position has the fill that made it.
    const fills = await collect(rest.allFills({ limit: 1000 }));
    expect(fills).toHaveLength(2_000);
  });

  it('refuses more positions than active markets', async () => {
    const active = sim.core.markets().filter((m) => m.status === 'active').length;
    const res = await fetch(new URL('/_sim/accounts', sim.restUrl), {
      method: 'POST',
      body: JSON.stringify({ positions: active + 1 }),
    });
    expect(res.status).toBe(400);
    expect(JSON.stringify(await res.json())).toMatch(/active markets/);
  });
});
