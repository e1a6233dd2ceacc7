/**
 * Portfolio exposure against a brute-force reference: enumerate every joint world (which market of
 * each ladder wins — any of its markets, touched or not — and YES/NO for each stand-alone market)
 * and every subset of resting orders that could have filled, sum each event's loss (floored at 0:
 * a sure gain in one event never offsets another) and take the worst. checkPortfolio's verdict must
 * agree with caps computed from those brute-force exposures.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { contracts, MICROS_PER_DOLLAR } from '../../src/domain/index.js';
import {
  checkPortfolio,
  DEFAULT_PORTFOLIO_LIMITS,
  exposureOf,
  type Holding,
  type Leg,
  type MarketMeta,
  orderLeg,
  type PortfolioIntent,
  portfolioLegs,
  type RestingOrder,
} from '../../src/edge/index.js';

/** Two ladder events (cities a and b, same date, one region) of 3–4 markets, and two stand-alone markets. */
function universe(sizeA: number, sizeB: number): { meta: Map<string, MarketMeta>; tickers: string[] } {
  const meta = new Map<string, MarketMeta>();
  const ladder = (event: string, city: string, n: number) => {
    const markets = Array.from({ length: n }, (_, i) => `${event}-M${i}`);
    for (const t of markets)
      meta.set(t, {
        eventTicker: event,
        eventMarkets: markets,
        city,
        targetDate: '2026-03-16',
        region: 'r1',
      });
  };
  ladder('KXHIGHA-26MAR16', 'a', sizeA);
  ladder('KXHIGHB-26MAR16', 'b', sizeB);
  meta.set('SOLO-1', { eventTicker: 'SOLO-1', city: 'a' });
  return { meta, tickers: [...meta.keys(), 'SOLO-2'] };
}

/** Events as the reference sees them: ladder → its markets; anything else → itself. */
function events(
  meta: Map<string, MarketMeta>,
  tickers: readonly string[],
): Array<{ key: string; markets: string[]; ladder: boolean }> {
  const out = new Map<string, { key: string; markets: string[]; ladder: boolean }>();
  for (const t of tickers) {
    const m = meta.get(t);
    if (m?.eventMarkets)
      out.set(m.eventTicker, { key: m.eventTicker, markets: [...m.eventMarkets], ladder: true });
    else out.set(t, { key: t, markets: [t], ladder: false });
  }
  return [...out.values()];
}

/** Brute force: max over joint worlds and fill subsets of Σ_events max(0, loss). */
function bruteForce(
  legs: readonly Leg[],
  meta: Map<string, MarketMeta>,
  select: (ticker: string) => boolean,
): number {
  const chosen = legs.filter((l) => select(l.ticker));
  const evs = events(meta, [...new Set(chosen.map((l) => l.ticker))]);
  // World: for each event, the winning market (ladder) or 'yes'/'no' (stand-alone).
  const choices = evs.map((e) => (e.ladder ? e.markets : ['yes', 'no']));
  const optional = chosen.filter((l) => l.optional);
  let worst = 0;
  const world: string[] = [];
  const walk = (i: number): void => {
    if (i < evs.length) {
      for (const c of choices[i] as string[]) {
        world[i] = c;
        walk(i + 1);
      }
      return;
    }
    const yesOf = (ticker: string) => {
      const k = evs.findIndex((e) => e.markets.includes(ticker));
      const e = evs[k] as { ladder: boolean };
      return e.ladder ? world[k] === ticker : world[k] === 'yes';
    };
    for (let mask = 0; mask < 1 << optional.length; mask++) {
      const perEvent = new Map<string, number>();
      for (const leg of chosen) {
        if (leg.optional && !(mask & (1 << optional.indexOf(leg)))) continue;
        const pays = leg.side === 'yes' ? yesOf(leg.ticker) : !yesOf(leg.ticker);
        const key = (evs.find((e) => e.markets.includes(leg.ticker)) as { key: string }).key;
        perEvent.set(key, (perEvent.get(key) ?? 0) + leg.cost - (pays ? leg.count * 10_000 : 0));
      }
      let total = 0;
      for (const v of perEvent.values()) total += Math.max(0, v);
      worst = Math.max(worst, total);
    }
  };
  walk(0);
  return worst;
}

const scenarioArb = fc
  .record({ sizeA: fc.integer({ min: 2, max: 4 }), sizeB: fc.integer({ min: 2, max: 3 }) })
  .chain(({ sizeA, sizeB }) => {
    const { meta, tickers } = universe(sizeA, sizeB);
    const ticker = fc.constantFrom(...tickers);
    const holding = fc.record({
      ticker,
      position: fc.integer({ min: -20, max: 20 }).map((n) => contracts(n)),
      cost: fc.integer({ min: 0, max: 15 * MICROS_PER_DOLLAR }),
    });
    const order = fc.record({
      ticker,
      bookSide: fc.constantFrom<'bid' | 'ask'>('bid', 'ask'),
      yesPrice: fc.integer({ min: 1, max: 99 }).map((c) => c * 100),
      remaining: fc.integer({ min: 0, max: 20 }).map((n) => contracts(n)),
    });
    return fc.record({
      meta: fc.constant(meta),
      holdings: fc.uniqueArray(holding, { maxLength: 5, selector: (h) => h.ticker }),
      orders: fc.array(order, { maxLength: 4 }),
      intent: fc.record({
        ticker,
        bookSide: fc.constantFrom<'bid' | 'ask'>('bid', 'ask'),
        yesPrice: fc.integer({ min: 1, max: 99 }).map((c) => c * 100),
        count: fc.integer({ min: 1, max: 30 }).map((n) => contracts(n)),
      }),
      capital: fc.integer({ min: 10, max: 200 }).map((d) => d * MICROS_PER_DOLLAR),
    });
  });

describe('portfolio exposure', () => {
  it('equals the brute-force worst case, in total, per city and per region-date', () => {
    fc.assert(
      fc.property(scenarioArb, ({ meta, holdings, orders }) => {
        const legs = portfolioLegs(holdings as Holding[], orders as RestingOrder[]);
        const report = exposureOf(legs, meta);
        expect(report.total).toBe(bruteForce(legs, meta, () => true));
        expect(report.byCity.get('a') ?? 0).toBe(bruteForce(legs, meta, (t) => meta.get(t)?.city === 'a'));
        expect(report.byRegionDate.get('r1|2026-03-16') ?? 0).toBe(
          bruteForce(legs, meta, (t) => meta.get(t)?.region === 'r1'),
        );
        expect(report.total).toBeGreaterThanOrEqual(0);
      }),
      { numRuns: 300 },
    );
  });

  it('refuses an intent exactly when a brute-force cap is raised above its limit', () => {
    fc.assert(
      fc.property(scenarioArb, ({ meta, holdings, orders, intent, capital }) => {
        const limits = {
          ...DEFAULT_PORTFOLIO_LIMITS,
          maxPositionsPerCity: 100,
          maxTotalPositions: 100,
          minReserve: 0,
        };
        const balance = { available: 10_000 * MICROS_PER_DOLLAR, capital };
        const verdict = checkPortfolio(
          intent as PortfolioIntent,
          holdings as Holding[],
          orders as RestingOrder[],
          meta,
          balance,
          limits,
        );
        const before = portfolioLegs(holdings as Holding[], orders as RestingOrder[]);
        const after = [...before, orderLeg(intent.ticker, intent.bookSide, intent.yesPrice, intent.count)];
        const m = meta.get(intent.ticker);
        const raised = (select: (t: string) => boolean, bps: number) => {
          const a = bruteForce(after, meta, select);
          return a > Math.floor((capital * bps) / 10_000) && a > bruteForce(before, meta, select);
        };
        // The single-market cap sees the market as a binary even inside a ladder.
        const solo = new Map<string, MarketMeta>([[intent.ticker, { eventTicker: intent.ticker }]]);
        const aSolo = bruteForce(after, solo, (t) => t === intent.ticker);
        const bSolo = bruteForce(before, solo, (t) => t === intent.ticker);
        const expected =
          aSolo > Math.floor((capital * limits.maxPositionBps) / 10_000) && aSolo > bSolo
            ? 'RISK_PORTFOLIO_POSITION'
            : m?.city !== undefined && raised((t) => meta.get(t)?.city === m.city, limits.maxCityBps)
              ? 'RISK_PORTFOLIO_CITY'
              : m?.region !== undefined &&
                  raised((t) => meta.get(t)?.region === m.region, limits.maxRegionBps)
                ? 'RISK_PORTFOLIO_REGION'
                : raised(() => true, limits.maxTotalBps)
                  ? 'RISK_PORTFOLIO_TOTAL'
                  : undefined;
        expect(verdict.ok ? undefined : verdict.code).toBe(expected);
      }),
      { numRuns: 300 },
    );
  });
});
