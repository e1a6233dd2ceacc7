/**
 * The rolling universe seen through the REST API, over real loopback sockets, on a simulated clock:
 * a closed weather ladder is replaced by the next day's, settles at its expected expiration time,
 * shows Kalshi's settled fields, and pays our position out into /portfolio/settlements.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator } from '../../src/exchange-sim/index.js';
import { collect, KalshiRestClient } from '../../src/kalshi/rest.js';
import { createSigner } from '../../src/kalshi/signer.js';

const NOW = Date.UTC(2025, 11, 1, 15, 20, 0);
const HOUR = 3_600_000;
const CHI = 'KXHIGHCHI-25DEC01';
const NEXT = 'KXHIGHCHI-25DEC02';
const CHI_CLOSE = Date.UTC(2025, 11, 1, 21);
const CHI_EXPIRY = CHI_CLOSE + 8 * HOUR;

describe('settlement and relisting through the REST API', () => {
  let t = NOW;
  const clock = () => t;
  let sim: Simulator;
  let me: KalshiRestClient;
  let ladder: string[];

  /** Moves the simulated clock and runs the lifecycle driver, as the housekeeping timer would. */
  const advanceTo = (ms: number) => {
    t = ms;
    sim.lifecycle.tick(ms);
  };

  const get = async (path: string) => {
    const res = await fetch(`${sim.restUrl}${path}`);
    expect(res.status, path).toBe(200);
    return (await res.json()) as Record<string, unknown> & {
      markets: Array<Record<string, unknown>>;
      events: Array<Record<string, unknown>>;
      market: Record<string, unknown>;
    };
  };

  beforeAll(async () => {
    sim = await startSimulator({ seed: 42, markets: 8, ratePerSec: 0, rateLimit: false, clock });
    const creds = sim.createAccount({ balance: 1_000_000_000 });
    me = new KalshiRestClient({
      baseUrl: sim.restUrl,
      signer: createSigner({ keyId: creds.key_id, privateKeyPem: creds.private_key_pem }, { now: clock }),
      rateLimiter: false,
      now: clock,
      timeoutMs: 2_000,
      retry: { baseDelayMs: 5, maxDelayMs: 20 },
    });
    ladder = (await me.getMarkets({ event_ticker: CHI })).markets.map((m) => m.ticker);
  });

  afterAll(async () => {
    await sim.close();
  });

  it('buys two YES on every rung of the ladder from the seeded makers', async () => {
    expect(ladder).toHaveLength(6);
    for (const [i, ticker] of ladder.entries()) {
      const { market } = await me.getMarket(ticker);
      const r = await me.createOrderV2({
        ticker,
        client_order_id: `rung-${i}`,
        side: 'bid',
        count: '2.00',
        price: market.yes_ask_dollars as string,
        time_in_force: 'immediate_or_cancel',
        self_trade_prevention_type: 'maker',
      });
      expect(r.outcome, JSON.stringify(r)).toBe('accepted');
      if (r.outcome === 'accepted') expect(r.value.fill_count).toBe('2.00');
    }
    const positions = await collect(me.allPositions({ event_ticker: CHI }));
    expect(positions.map((p) => p.position_fp)).toEqual(ladder.map(() => '2.00'));
  });

  it("lists the next day's ladder as open when the ladder closes", async () => {
    advanceTo(CHI_CLOSE);
    const open = await collect(me.allMarkets({ status: 'open' }));
    expect(open.filter((m) => m.event_ticker === NEXT)).toHaveLength(6);
    expect(open.filter((m) => m.event_ticker === CHI)).toEqual([]);
    for (const m of open.filter((x) => x.event_ticker === NEXT)) {
      expect(m.status).toBe('active');
      expect(m.close_time).toBe(new Date(CHI_CLOSE + 24 * HOUR).toISOString());
    }
    const closed = await collect(me.allMarkets({ status: 'closed' }));
    expect(closed.map((m) => m.ticker)).toEqual(expect.arrayContaining(ladder));
    const events = await get(`/events?status=open&series_ticker=KXHIGHCHI`);
    expect(events.events.map((e) => e.event_ticker)).toEqual([NEXT]);
    const created = await get(`/markets?event_ticker=${NEXT}&min_created_ts=${CHI_CLOSE / 1000}`);
    expect(created.markets).toHaveLength(6);
  });

  it('shows the settled ladder with its result and settlement value at the expected expiration time', async () => {
    advanceTo(CHI_EXPIRY - 1_000);
    expect((await me.getMarket(ladder[0] as string)).market.status).toBe('closed');
    advanceTo(CHI_EXPIRY);

    const settled = await collect(me.allMarkets({ status: 'settled', event_ticker: CHI }));
    expect(settled.map((m) => m.ticker).sort()).toEqual([...ladder].sort());
    for (const m of settled) {
      expect(m.status).toBe('finalized');
      expect(['yes', 'no']).toContain(m.result);
      expect(m.settlement_value_dollars).toBe(m.result === 'yes' ? '1.0000' : '0.0000');
      expect(m.settlement_ts).toBe(new Date(CHI_EXPIRY).toISOString());
    }
    expect(settled.filter((m) => m.result === 'yes')).toHaveLength(1);
    const winner = settled.find((m) => m.result === 'yes')?.ticker as string;
    expect((await me.getMarket(winner)).market).toMatchObject({ status: 'finalized', result: 'yes' });

    const bySettledTs = await get(`/markets?min_settled_ts=${CHI_EXPIRY / 1000}`);
    expect(bySettledTs.markets.map((m) => m.ticker).sort()).toEqual([...ladder].sort());
    const events = await get(`/events?status=settled&series_ticker=KXHIGHCHI`);
    expect(events.events.map((e) => e.event_ticker)).toEqual([CHI]);
  });

  it('pays the winning rung out and lists every settlement', async () => {
    const settlements = await collect(me.allSettlements({ event_ticker: CHI }));
    expect(settlements).toHaveLength(6);
    const winner = ladder.find((tk) => sim.core.market(tk)?.result === 'yes');
    for (const s of settlements) {
      expect(s.yes_count_fp).toBe('2.00');
      expect(s.market_result).toBe(s.ticker === winner ? 'yes' : 'no');
      expect(s.revenue).toBe(s.ticker === winner ? 200 : 0); // cents: 2 contracts × $1
      expect(s.settled_time).toBe(new Date(CHI_EXPIRY).toISOString());
    }
    expect(await collect(me.allSettlements({ min_ts: CHI_EXPIRY / 1000 + 1 }))).toEqual([]);
    expect(await collect(me.allSettlements({ event_ticker: NEXT }))).toEqual([]);
    expect(await collect(me.allSettlements({ ticker: ladder[0] as string }))).toHaveLength(1);
    expect(await collect(me.allPositions({ event_ticker: CHI }))).toEqual([]);
  });
});
