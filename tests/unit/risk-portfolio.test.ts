/**
 * The portfolio limits as the RiskController applies them to every strategy's intents: worst-case
 * loss over an event's mutually exclusive brackets (not the sum of legs), caps per market, city,
 * region-date and in total, a cash reserve and position counts; markets without a city count only
 * in the total, single-market, count and reserve checks.
 */
import { describe, expect, it } from 'vitest';
import { createBus } from '../../src/bus.js';
import type { OrderIntent, RiskVerdict } from '../../src/domain/index.js';
import { contracts, MICROS_PER_DOLLAR } from '../../src/domain/index.js';
import {
  DEFAULT_RISK_PORTFOLIO_LIMITS,
  marketsMeta,
  RiskController,
  type RiskPortfolioLimits,
  type RiskPosition,
  UNTOUCHED_BRACKET,
} from '../../src/services/risk-controller.js';

const $ = (d: number) => d * MICROS_PER_DOLLAR;
const CHI = (date: string, strike: string) => `KXHIGHCHI-${date}-${strike}`;
const cityOf = (series: string) =>
  series === 'KXHIGHCHI' ? { id: 'chicago', region: 'us_midwest' } : undefined;

function controller(
  cash: number,
  positions: RiskPosition[],
  portfolio: Partial<RiskPortfolioLimits> = {},
): RiskController {
  return new RiskController({
    bus: createBus(),
    clock: () => 0,
    positions: () => positions,
    orders: () => [],
    bookStatus: () => 'live',
    tradingActive: () => true,
    balance: () => cash,
    cityOf,
    limits: {
      maxContractsPerOrder: contracts(1_000),
      maxPositionPerMarket: contracts(10_000),
      maxExposure: $(1_000_000),
      portfolio: { ...DEFAULT_RISK_PORTFOLIO_LIMITS, ...portfolio },
    },
  });
}

const hold = (ticker: string, n: number, cost: number): RiskPosition => ({
  ticker,
  position: contracts(n),
  costBasis: $(cost),
});

function buy(ticker: string, leg: 'yes' | 'no', n: number, price = 5000): OrderIntent {
  return {
    ticker,
    bookSide: leg === 'yes' ? 'bid' : 'ask',
    yesPrice: price,
    count: contracts(n),
    timeInForce: 'good_till_canceled',
    strategy: 'test',
    reason: 'test',
  };
}

const code = (v: RiskVerdict) => (v.ok ? 'ok' : v.code);

describe('market metadata from tickers', () => {
  it('groups a daily-high ladder into its event with city, region and date; other markets get none', () => {
    const meta = marketsMeta([CHI('26NOV30', 'B47.5'), CHI('26NOV30', 'T47'), 'KXFED-26DEC-T4.00'], cityOf);
    expect(meta.get(CHI('26NOV30', 'B47.5'))).toEqual({
      eventTicker: 'KXHIGHCHI-26NOV30',
      eventMarkets: [
        CHI('26NOV30', 'B47.5'),
        CHI('26NOV30', 'T47'),
        `KXHIGHCHI-26NOV30-${UNTOUCHED_BRACKET}`,
      ],
      city: 'chicago',
      region: 'us_midwest',
      targetDate: '2026-11-30',
    });
    expect(meta.has('KXFED-26DEC-T4.00')).toBe(false);
  });
});

describe('portfolio limits in the RiskController', () => {
  it('takes the worst outcome of a ladder, not the sum of its legs', () => {
    // NO on two brackets of one ladder: at most one of them can lose ($10 worst), where the legs
    // cost $50 together. Capital $100 (cash $70 + $30 at cost); total cap 40% = $40.
    const ladder = controller($(70), [hold(CHI('26NOV30', 'B45.5'), -60, 30)], { maxTotalBps: 4_000 });
    expect(code(ladder.check(buy(CHI('26NOV30', 'B47.5'), 'no', 40)))).toBe('ok');
    // The same legs in two unrelated markets can both lose: $50 > $40.
    const apart = controller($(70), [hold('KXA-26DEC-X', -60, 30)], { maxTotalBps: 4_000 });
    expect(code(apart.check(buy('KXB-26DEC-Y', 'no', 40)))).toBe('RISK_PORTFOLIO_TOTAL');
  });

  it('caps one city across its ladders, and leaves markets without a city out of it', () => {
    const held = [hold(CHI('26NOV30', 'B45.5'), 40, 20), hold(CHI('26DEC01', 'B45.5'), 40, 20)];
    const rc = controller($(60), held);
    // Chicago: $20 + ($20 + this ~$20 in one ladder) > 40% of $100.
    expect(code(rc.check(buy(CHI('26NOV30', 'B47.5'), 'yes', 40)))).toBe('RISK_PORTFOLIO_CITY');
    const apart = controller($(60), [hold('KXA-26DEC-X', 40, 20), hold('KXB-26DEC-X', 40, 20)]);
    expect(code(apart.check(buy('KXC-26DEC-X', 'yes', 40)))).toBe('ok');
  });

  it('caps a single market at 25% of capital', () => {
    const rc = controller($(100), []);
    expect(code(rc.check(buy('KXA-26DEC-X', 'yes', 60)))).toBe('RISK_PORTFOLIO_POSITION');
    expect(code(rc.check(buy('KXA-26DEC-X', 'yes', 40)))).toBe('ok');
  });

  it('counts positions per city and in total; a market without a city only in the total', () => {
    const held = [hold(CHI('26NOV30', 'B45.5'), 1, 0.5), hold(CHI('26DEC01', 'B45.5'), 1, 0.5)];
    const rc = controller($(100), held, { maxPositionsPerCity: 2, maxTotalPositions: 3 });
    expect(code(rc.check(buy(CHI('26DEC02', 'B45.5'), 'yes', 1)))).toBe('RISK_PORTFOLIO_MAX_POSITIONS');
    expect(code(rc.check(buy('KXA-26DEC-X', 'yes', 1)))).toBe('ok');
    const full = controller($(100), [...held, hold('KXA-26DEC-X', 1, 0.5)], { maxTotalPositions: 3 });
    expect(code(full.check(buy('KXB-26DEC-X', 'yes', 1)))).toBe('RISK_PORTFOLIO_MAX_POSITIONS');
  });

  it('keeps the reserve, and lets an order that only closes through whatever the caps say', () => {
    const rc = controller($(1.2), [hold('KXA-26DEC-X', 10, 5)]);
    expect(code(rc.check(buy('KXB-26DEC-X', 'yes', 1)))).toBe('RISK_PORTFOLIO_RESERVE');
    expect(code(rc.check(buy('KXA-26DEC-X', 'no', 10)))).toBe('ok');
  });
});
