import { describe, expect, it } from 'vitest';
import { contracts, MICROS_PER_DOLLAR } from '../../src/domain/index.js';
import {
  CITY_REGIONS,
  checkPortfolio,
  DEFAULT_PORTFOLIO_LIMITS,
  exposureOf,
  type Holding,
  ladderMarketsMeta,
  type MarketMeta,
  parseLadder,
  portfolioLegs,
  type RestingOrder,
  regionOf,
} from '../../src/edge/index.js';
import { kalshiLadder } from './edge-helpers.js';

const $ = (d: number) => Math.round(d * MICROS_PER_DOLLAR);
const NY = parseLadder(kalshiLadder('KXHIGHNY-26MAR16', 57, [2, 2, 2, 2]));
const PHIL = parseLadder(kalshiLadder('KXHIGHPHIL-26MAR16', 50, [2, 2, 2, 2]));
const CHI16 = parseLadder(kalshiLadder('KXHIGHCHI-26MAR16', 30, [2, 2, 2, 2]));
const CHI17 = parseLadder(kalshiLadder('KXHIGHCHI-26MAR17', 30, [2, 2, 2, 2]));
const t = (ladder: typeof NY, i: number) => (ladder.brackets[i] as { ticker: string }).ticker;

const meta = new Map<string, MarketMeta>([
  ...ladderMarketsMeta(NY, 'nyc', 'us_northeast'),
  ...ladderMarketsMeta(PHIL, 'philadelphia', 'us_northeast'),
  ...ladderMarketsMeta(CHI16, 'chicago', 'us_midwest'),
  ...ladderMarketsMeta(CHI17, 'chicago', 'us_midwest'),
]);

const yes = (ticker: string, n: number, cents: number): Holding => ({
  ticker,
  position: contracts(n),
  cost: $((n * cents) / 100),
});
const no = (ticker: string, n: number, cents: number): Holding => ({
  ticker,
  position: -contracts(n),
  cost: $((n * cents) / 100),
});

describe('worst-case exposure of a ladder', () => {
  it('is the worst outcome, not the sum of legs: YES on every bracket for 95¢ a set loses nothing', () => {
    const holdings = NY.brackets.map((b) => yes(b.ticker, 10, 95 / 6));
    expect(exposureOf(portfolioLegs(holdings, []), meta).total).toBe(0);
  });

  it('YES on two brackets loses both costs when neither wins', () => {
    const legs = portfolioLegs([yes(t(NY, 1), 10, 30), yes(t(NY, 2), 10, 20)], []);
    expect(exposureOf(legs, meta).total).toBe($(5));
  });

  it('NO on every bracket always collects five of six', () => {
    const holdings = NY.brackets.map((b) => no(b.ticker, 10, 80));
    expect(exposureOf(portfolioLegs(holdings, []), meta).total).toBe(0);
  });

  it('mixes YES and NO legs: the worst outcome is the one that pays neither', () => {
    // YES 57–58 for $3; NO 59–60 for $7. 57 wins: +$10; 59 wins: −$10; others: NO pays, −$3 + $3 = 0.
    const legs = portfolioLegs([yes(t(NY, 1), 10, 30), no(t(NY, 2), 10, 70)], []);
    expect(exposureOf(legs, meta).total).toBe($(10));
  });

  it('counts a resting order where it fills against us, with its fee allowance', () => {
    const orders: RestingOrder[] = [
      { ticker: t(NY, 3), bookSide: 'bid', yesPrice: 2_500, remaining: contracts(10) },
    ];
    const legs = portfolioLegs([yes(t(NY, 1), 10, 30)], orders);
    // Worst: neither wins, the order filled: $3 + $2.50 + fee ceil(0.07 × 10 × .25 × .75) = 14¢.
    expect(exposureOf(legs, meta).total).toBe($(3 + 2.5 + 0.14));
  });

  it('treats a market without ladder metadata as a binary of its own', () => {
    const legs = portfolioLegs([yes('KXCPI-26MAR-T0.3', 10, 40), no('KXCPI-26MAR-T0.4', 10, 70)], []);
    expect(exposureOf(legs, new Map()).total).toBe($(4 + 7));
  });
});

describe('checkPortfolio', () => {
  const balance = { available: $(100), capital: $(100) };
  const bid = (ticker: string, n: number, cents: number) => ({
    ticker,
    bookSide: 'bid' as const,
    yesPrice: cents * 100,
    count: contracts(n),
  });

  it('passes an order within every cap', () => {
    expect(checkPortfolio(bid(t(NY, 2), 10, 30), [], [], meta, balance)).toEqual({ ok: true });
  });

  it('caps a single market at 25% of capital', () => {
    const v = checkPortfolio(bid(t(NY, 2), 90, 30), [], [], meta, balance);
    expect(v).toMatchObject({ ok: false, code: 'RISK_PORTFOLIO_POSITION' });
  });

  it('caps a city at 40% across dates', () => {
    const held = [yes(t(CHI16, 1), 100, 21)];
    const v = checkPortfolio(bid(t(CHI17, 1), 100, 20), held, [], meta, balance);
    expect(v).toMatchObject({ ok: false, code: 'RISK_PORTFOLIO_CITY' });
    expect(!v.ok && v.detail).toMatch(
      /city chicago worst-case loss \$21\.00 → \$42\.12 > 40% of capital \$100\.00 \(\$40\.00\)/,
    );
  });

  it('caps a region on one date at 50%', () => {
    const held = [yes(t(NY, 1), 100, 24), yes(t(PHIL, 1), 100, 24)];
    const v = checkPortfolio(bid(t(PHIL, 3), 10, 40), held, [], meta, balance);
    expect(v).toMatchObject({ ok: false, code: 'RISK_PORTFOLIO_REGION' });
  });

  it('caps the whole portfolio at 80%', () => {
    const other = (i: number) => `KXOTHER-${i}`;
    const held = [0, 1, 2, 3].map((i) => yes(other(i), 100, 20));
    const v = checkPortfolio(bid(t(NY, 1), 10, 10), held, [], meta, { available: $(100), capital: $(100) });
    expect(v).toMatchObject({ ok: false, code: 'RISK_PORTFOLIO_TOTAL' });
  });

  it('keeps a $1 reserve of available cash', () => {
    const v = checkPortfolio(bid(t(NY, 1), 10, 45), [], [], meta, { available: $(5), capital: $(100) });
    expect(v).toMatchObject({ ok: false, code: 'RISK_PORTFOLIO_RESERVE' });
  });

  it('limits the number of markets per city and in total', () => {
    const held = [1, 2, 3, 4].map((i) => yes(t(CHI16, i), 1, 10));
    expect(checkPortfolio(bid(t(CHI17, 1), 1, 10), held, [], meta, balance)).toMatchObject({
      code: 'RISK_PORTFOLIO_MAX_POSITIONS',
    });
    // Adding to a market already held is not a new position.
    expect(checkPortfolio(bid(t(CHI16, 1), 1, 10), held, [], meta, balance)).toEqual({ ok: true });
    const limits = { ...DEFAULT_PORTFOLIO_LIMITS, maxTotalPositions: 4 };
    expect(checkPortfolio(bid(t(NY, 1), 1, 10), held, [], meta, balance, limits)).toMatchObject({
      code: 'RISK_PORTFOLIO_MAX_POSITIONS',
    });
  });

  it('lets an order that does not raise the exposure through even above a cap', () => {
    const held = [yes(t(NY, 1), 100, 30)]; // $30 in one market: already over 25%
    const sell = { ticker: t(NY, 1), bookSide: 'ask' as const, yesPrice: 3_500, count: contracts(50) };
    expect(checkPortfolio(sell, held, [], meta, balance)).toEqual({ ok: true });
    expect(checkPortfolio(bid(t(NY, 1), 1, 30), held, [], meta, balance)).toMatchObject({
      code: 'RISK_PORTFOLIO_POSITION',
    });
  });
});

describe('regions', () => {
  it("default to seed 002's CITY_REGIONS", () => {
    expect(regionOf('NYC')).toBe('us_northeast');
    expect(regionOf('chicago')).toBe('us_midwest');
    expect(regionOf('austin')).toBeUndefined();
    expect(CITY_REGIONS.us_west).toContain('los_angeles');
  });
});
