import { describe, expect, it } from 'vitest';
import { contracts, MICROS_PER_DOLLAR } from '../../src/domain/index.js';
import {
  DEFAULT_MAKER_TIMEOUT,
  dial,
  EdgeError,
  feePerContract,
  fullKelly,
  kellySize,
  makerTimeoutMs,
  recentVolume,
  tradeFee,
  volumeFactor,
} from '../../src/edge/index.js';

const $ = (d: number) => Math.round(d * MICROS_PER_DOLLAR);

describe('the aggressiveness dial (seed 000)', () => {
  it('derives threshold 0.7 − 0.4a, Kelly 0.1 + 0.4a, timeout multiplier 1.5 − a', () => {
    expect(dial(0)).toEqual({
      aggressiveness: 0,
      confidenceThreshold: 0.7,
      kellyFraction: 0.1,
      makerTimeoutMultiplier: 1.5,
    });
    const one = dial(1);
    expect(one.confidenceThreshold).toBeCloseTo(0.3, 12);
    expect(one.kellyFraction).toBeCloseTo(0.5, 12);
    expect(one.makerTimeoutMultiplier).toBe(0.5);
    const mid = dial(0.3);
    expect(mid.confidenceThreshold).toBeCloseTo(0.58, 12);
    expect(mid.kellyFraction).toBeCloseTo(0.22, 12);
    expect(mid.makerTimeoutMultiplier).toBeCloseTo(1.2, 12);
  });

  it('refuses anything outside [0, 1], naming aggressiveness', () => {
    for (const bad of [-0.01, 1.01, Number.NaN, Infinity, '0.5' as unknown as number]) {
      try {
        dial(bad);
        expect.unreachable(`dial(${String(bad)})`);
      } catch (e) {
        expect(e).toBeInstanceOf(EdgeError);
        expect((e as EdgeError).code).toBe('EDGE_CONFIG_BAD_VALUE');
        expect((e as EdgeError).field).toBe('aggressiveness');
      }
    }
  });
});

describe('fees', () => {
  it('round the taker fee up to the cent per order (KALSHI.md §8 examples)', () => {
    expect(tradeFee('taker', contracts(1), 5_000)).toBe(20_000); // 1.75¢ → 2¢
    expect(tradeFee('taker', contracts(100), 5_000)).toBe(1_750_000); // $1.75
    expect(tradeFee('maker', contracts(100), 5_000)).toBe(0); // weather: maker-free
    expect(
      tradeFee('maker', contracts(100), 5_000, {
        feeType: 'quadratic_with_maker_fees',
        feeMultiplier: 10_000,
      }),
    ).toBe(
      440_000, // 0.0175 × 100 × 0.25 = 43.75¢ → 44¢
    );
    expect(feePerContract('taker', 5_000)).toBeCloseTo(0.0175, 12);
  });
});

describe('fee-aware Kelly', () => {
  it('folds the fee into the price: f* = (q − p_eff) / (1 − p_eff)', () => {
    const pEff = 0.4 + 0.07 * 0.4 * 0.6;
    expect(fullKelly(0.6, pEff)).toBeCloseTo((0.6 - pEff) / (1 - pEff), 12);
    expect(fullKelly(0.4, pEff)).toBe(0);
    expect(fullKelly(0.9, 1)).toBe(0);
  });

  it('stakes the Kelly fraction of bankroll in whole contracts, cost within the stake', () => {
    const size = kellySize({
      winProb: 0.6,
      price: 4_000,
      kellyFraction: 0.25,
      bankroll: $(1_000),
      maxBet: $(500),
      trackRecord: 50,
    });
    const pEff = 0.4 + 0.07 * 0.24;
    const stake = Math.floor($(1_000) * ((0.6 - pEff) / (1 - pEff)) * 0.25);
    expect(size.basis).toBe('kelly');
    expect(size.limitedBy).toBe('stake');
    expect(size.count % 100).toBe(0);
    expect(size.cost).toBe(size.count * 4_000 + size.fee);
    expect(size.cost).toBeLessThanOrEqual(stake);
    expect(size.count / 100 + 1).toBeGreaterThan(
      stake / (0.4 * MICROS_PER_DOLLAR + 0.07 * 0.24 * MICROS_PER_DOLLAR + 1),
    );
  });

  it('stakes at most 1% of bankroll while the track record is shorter than 20 trades', () => {
    const base = { winProb: 0.8, price: 4_000, kellyFraction: 0.5, bankroll: $(1_000), maxBet: $(500) };
    expect(kellySize({ ...base, trackRecord: 19 }).basis).toBe('short_record');
    expect(kellySize({ ...base }).cost).toBeLessThanOrEqual($(10));
    // 24 × 40¢ + 41¢ fee = $10.01 > $10, 23 × 40¢ + 39¢ = $9.59.
    expect(kellySize({ ...base, trackRecord: 19 }).count).toBe(contracts(23));
    expect(kellySize({ ...base, trackRecord: 20 }).basis).toBe('kelly');
    expect(kellySize({ ...base, trackRecord: 20 }).cost).toBeGreaterThan($(10));
  });

  it('caps by max_bet_per_trade and never bets without an edge', () => {
    const capped = kellySize({
      winProb: 0.9,
      price: 2_000,
      kellyFraction: 0.5,
      bankroll: $(10_000),
      maxBet: $(20),
      trackRecord: 100,
    });
    expect(capped.limitedBy).toBe('max_bet');
    expect(capped.cost).toBeLessThanOrEqual($(20));
    const none = kellySize({
      winProb: 0.41,
      price: 4_000,
      kellyFraction: 0.5,
      bankroll: $(10_000),
      maxBet: $(20),
      trackRecord: 100,
    });
    expect(none).toMatchObject({ count: 0, cost: 0, basis: 'no_edge' });
  });

  it('refuses out-of-range inputs, naming the field', () => {
    const ok = { winProb: 0.6, price: 4_000, kellyFraction: 0.25, bankroll: $(100), maxBet: $(10) };
    expect(() => kellySize({ ...ok, winProb: 1.2 })).toThrow(/winProb/);
    expect(() => kellySize({ ...ok, price: 0 })).toThrow(/price/);
    expect(() => kellySize({ ...ok, bankroll: -1 })).toThrow(/bankroll/);
    expect(() => kellySize({ ...ok, kellyFraction: 2 })).toThrow(/kellyFraction/);
  });
});

describe('maker timeout', () => {
  const now = Date.UTC(2026, 2, 16, 15);
  const trade = (n: number, agoMs: number) => ({ count: contracts(n), createdMs: now - agoMs });

  it('counts only the lookback window', () => {
    const trades = [trade(10, 1_000), trade(20, 29 * 60_000), trade(40, 30 * 60_000), trade(80, -1_000)];
    expect(recentVolume(trades, now, 30 * 60_000)).toBe(contracts(30));
  });

  it('waits longer in busy markets and less in quiet ones, scaled by the dial', () => {
    const base = DEFAULT_MAKER_TIMEOUT.baseMs;
    expect(makerTimeoutMs([trade(50, 1_000)], now, 1)).toBe(base);
    expect(makerTimeoutMs([], now, 1)).toBe(Math.round(base / 1.5));
    expect(makerTimeoutMs([trade(500, 1_000)], now, 1)).toBe(base * 1.5);
    expect(makerTimeoutMs([trade(500, 1_000)], now, 0.5)).toBe(base * 0.75);
    expect(makerTimeoutMs([trade(10, 1_000)], now, 1)).toBeLessThan(
      makerTimeoutMs([trade(100, 1_000)], now, 1),
    );
    expect(volumeFactor(contracts(75), contracts(50), 1.5)).toBe(1.5);
    expect(volumeFactor(contracts(60), contracts(50), 1)).toBe(1);
  });
});
