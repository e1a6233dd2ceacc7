import { describe, expect, it } from 'vitest';
import { contracts, MICROS_PER_DOLLAR } from '../../src/domain/index.js';
import {
  type BracketQuote,
  EdgeConfigError,
  type EvaluateInputs,
  evaluateLadder,
  type ForecastInput,
  parseEdgeConfig,
  parseLadder,
  resolveEdgeConfig,
} from '../../src/edge/index.js';
import { NY_EVENT, nyLadderMarkets } from './edge-helpers.js';

const $ = (d: number) => Math.round(d * MICROS_PER_DOLLAR);
const ladder = parseLadder(nyLadderMarkets());
const T = (suffix: string) => `${NY_EVENT}-${suffix}`;
const windowEndMs = Date.UTC(2026, 2, 17, 5); // NY: midnight EST after Mar 16
const nowMs = windowEndMs - 14 * 3_600_000;

/** [bid, ask] in cents per bracket, ascending: the market centres near 60°F. */
function quotes(pairs: ReadonlyArray<readonly [number | undefined, number | undefined]>): BracketQuote[] {
  return ladder.brackets.map((b, i) => {
    const [bid, ask] = pairs[i] as readonly [number | undefined, number | undefined];
    return {
      ticker: b.ticker,
      ...(bid !== undefined ? { yesBid: bid * 100 } : {}),
      ...(ask !== undefined ? { yesAsk: ask * 100 } : {}),
    };
  });
}
const market = quotes([
  [4, 6],
  [14, 16],
  [34, 36],
  [24, 26],
  [9, 11],
  [3, 5],
]);

function forecast(highF: number, extra: Partial<ForecastInput> = {}): ForecastInput {
  return {
    source: 'nws',
    highF,
    spreadF: 0,
    issuedMs: windowEndMs - 12 * 3_600_000,
    windowEndMs,
    peakCovered: true,
    ...extra,
  };
}

const cfg = resolveEdgeConfig({ enabled_cities: ['nyc'] });

function inputs(extra: Partial<EvaluateInputs> = {}): EvaluateInputs {
  return {
    city: { id: 'nyc' },
    ladder: nyLadderMarkets(),
    quotes: market,
    forecast: forecast(63),
    nowMs,
    classifierProb: 0.8,
    classifierTrackRecord: 50,
    balance: $(1_000),
    ...extra,
  };
}

describe('evaluateLadder', () => {
  it('trades a warm forecast against a cool market: buy YES on the bracket with the best edge, as a maker', () => {
    const d = evaluateLadder(inputs(), cfg);
    expect(d.reasonCode).toBe('trade');
    expect(d.row).toMatchObject({
      city: 'nyc',
      event_date: '2026-03-16',
      ticker: T('B63.5'),
      signal: 'buy_high',
      edge_classifier_prob: 0.8,
      should_trade: true,
      recommended_bracket: '63° to 64°',
    });
    expect(d.row.forecast_implied_temp as number).toBeGreaterThan(62.5);
    expect(d.row.market_implied_temp as number).toBeLessThan(61);
    expect(d.row.edge_degf).toBeCloseTo(
      (d.row.forecast_implied_temp as number) - (d.row.market_implied_temp as number),
      12,
    );
    expect(d.row.reason).toMatch(
      /^Edge \d\.\d\d°F, classifier prob 0\.800: buy YES 63° to 64° at 9¢ \(taker 11¢, edge \d+\.\d¢\), \d+ contracts$/,
    );
    expect(d.intent).toMatchObject({
      ticker: T('B63.5'),
      bookSide: 'bid',
      yesPrice: 900,
      timeInForce: 'good_till_canceled',
      postOnly: true,
      strategy: 'edge',
      reason: 'edge:buy_high',
    });
    const size = d.proposal?.size;
    expect(size?.count).toBe(d.intent?.count);
    expect(size?.cost).toBeLessThanOrEqual($(20)); // max_bet_per_trade_usd
    expect(size?.limitedBy).toBe('max_bet');
    // No trades seen: base 120 s ÷ 1.5 (quiet market) × 1.2 (dial at 0.3).
    expect(d.proposal?.makerTimeoutMs).toBe(96_000);
    expect(d.features.sigma_f).toBeCloseTo(2.0, 12);
    // The leg's context for the classifier: the ladder's between brackets span 57..64 (centre 60.5).
    expect(d.features.leg_yes).toBe(1);
    expect(d.features.market_prob).toBeCloseTo(10 / 94, 12);
    expect(d.features.forecast_vs_center_f).toBe(2.5);
    expect(d.features.bracket_vs_center_f).toBe(3);
    expect(d.features.bracket_vs_forecast_f).toBe(0.5);
  });

  it('trades a cool forecast by buying NO on an overpriced warm bracket, resting as a YES ask at its ask', () => {
    const warm = quotes([
      [1, 3],
      [12, 14],
      [18, 20],
      [20, 22],
      [45, 47],
      [3, 5],
    ]);
    const d = evaluateLadder(inputs({ forecast: forecast(58.5), quotes: warm }), cfg);
    expect(d.row.signal).toBe('buy_low');
    expect(d.reasonCode).toBe('trade');
    expect(d.proposal).toMatchObject({
      side: 'no',
      ticker: T('B63.5'),
      makerPrice: 5_300,
      takerPrice: 5_500,
    });
    expect(d.intent).toMatchObject({ ticker: T('B63.5'), bookSide: 'ask', yesPrice: 4_700, postOnly: true });
    expect(d.row.reason).toMatch(/buy NO 63° to 64° at 53¢ \(taker 55¢/);
  });

  it('logs every refusal with the first failing gate as its reason', () => {
    const cases: Array<[Partial<EvaluateInputs>, string, RegExp?]> = [
      [{ ladder: nyLadderMarkets().slice(1) }, 'ladder_invalid', /ladder invalid: .*lower tail/],
      [{ forecast: undefined }, 'no_forecast'],
      [{ forecast: forecast(63, { peakCovered: false }) }, 'forecast_incomplete'],
      [
        { quotes: market.map((q, i) => (i === 2 ? { ticker: q.ticker } : q)) },
        'market_unusable',
        /59° to 60° has no bid and no ask/,
      ],
      [{ forecast: forecast(60.3) }, 'edge_below_threshold'],
      [{ classifierProb: 0.5 }, 'classifier_below_threshold', /classifier prob 0\.500 < 0\.580$/],
      [{ classifierProb: undefined }, 'no_classifier'],
      [{ city: { id: 'chicago' } }, 'city_disabled'],
      [{ dayPnl: -$(200) }, 'daily_loss_limit'],
      [{ balance: $(0.05) }, 'size_zero'],
    ];
    for (const [extra, code, reason] of cases) {
      const d = evaluateLadder(inputs(extra), cfg);
      expect(d.reasonCode, code).toBe(code);
      expect(d.row.should_trade).toBe(false);
      expect(d.intent).toBeUndefined();
      if (reason) expect(d.row.reason).toMatch(reason);
    }
  });

  it('still fills in what it computed before refusing', () => {
    const d = evaluateLadder(inputs({ classifierProb: 0.1 }), cfg);
    expect(d.row.signal).toBe('buy_high');
    expect(d.row.recommended_bracket).toBe('63° to 64°');
    expect(d.row.edge_degf).not.toBeNull();
    expect(d.legs).toHaveLength(12);
  });

  it('needs no classifier when require_classifier is false', () => {
    const loose = resolveEdgeConfig({ enabled_cities: ['nyc'], require_classifier: false });
    const d = evaluateLadder(inputs({ classifierProb: undefined }), loose);
    expect(d.reasonCode).toBe('trade');
    expect(d.row.edge_classifier_prob).toBeNull();
    expect(d.row.reason).toMatch(/no classifier/);
  });

  it('stakes at most 1% of bankroll while the classifier track record is short', () => {
    const d = evaluateLadder(inputs({ classifierTrackRecord: 3 }), cfg);
    expect(d.proposal?.size.basis).toBe('short_record');
    expect(d.proposal?.size.cost).toBeLessThanOrEqual($(10));
  });

  it('refuses what the portfolio limits refuse', () => {
    const holdings = [{ ticker: T('B61.5'), position: contracts(1_000), cost: $(390) }];
    const d = evaluateLadder(inputs({ portfolio: { holdings, openOrders: [], capital: $(1_000) } }), cfg);
    expect(d.reasonCode).toBe('RISK_PORTFOLIO_CITY');
    expect(d.proposal).toBeDefined();
    const ok = evaluateLadder(inputs({ portfolio: { holdings: [], openOrders: [] } }), cfg);
    expect(ok.reasonCode).toBe('trade');
  });

  it('waits longer when the market trades a lot', () => {
    const trades = new Map([[T('B63.5'), [{ count: contracts(500), createdMs: nowMs - 60_000 }]]]);
    expect(evaluateLadder(inputs({ tradesByTicker: trades }), cfg).proposal?.makerTimeoutMs).toBe(216_000);
  });
});

describe('edge config', () => {
  it('has the seed defaults and derives the dial', () => {
    const c = parseEdgeConfig({});
    expect(c).toMatchObject({
      aggressiveness: 0.3,
      max_bet_per_trade_usd: 20,
      max_daily_loss_usd: 200,
      max_positions_per_city: 4,
      max_total_positions: 20,
      edge_threshold_degf: 1.5,
      enabled_cities: ['chicago'],
      maker_timeout_base_seconds: 120,
      volume_timeout_multiplier: 1.5,
      volume_lookback_minutes: 30,
      dry_run: true,
    });
    expect(c.bankroll_usd).toBeUndefined();
    const r = resolveEdgeConfig({ aggressiveness: 1, bankroll_usd: 250.5 });
    expect(r.dial.kellyFraction).toBeCloseTo(0.5, 12);
    expect(r.bankroll).toBe(250_500_000);
    expect(r.portfolioLimits).toMatchObject({
      maxTotalBps: 8_000,
      maxPositionBps: 2_500,
      maxCityBps: 4_000,
      maxRegionBps: 5_000,
      minReserve: 1_000_000,
    });
    expect(r.makerTimeout).toEqual({
      baseMs: 120_000,
      volumeMultiplier: 1.5,
      lookbackMs: 1_800_000,
      referenceVolume: 5_000,
    });
  });

  it('loads the seed deployment file as it is', () => {
    expect(() =>
      parseEdgeConfig({
        aggressiveness: 0.3,
        max_bet_per_trade_usd: 20.0,
        max_daily_loss_usd: 200.0,
        enabled_cities: ['chicago'],
        dry_run: false,
      }),
    ).not.toThrow();
  });

  it('names every bad field', () => {
    try {
      parseEdgeConfig({
        aggressiveness: 2,
        enabled_cities: ['Chicago'],
        max_bet_per_trade_usd: -1,
        surprise: true,
      });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(EdgeConfigError);
      const fields = (e as EdgeConfigError).problems.map((p) => p.field).sort();
      expect(fields).toEqual(
        ['aggressiveness', 'enabled_cities.0', 'max_bet_per_trade_usd', 'surprise'].sort(),
      );
      expect((e as EdgeConfigError).code).toBe('EDGE_CONFIG_BAD_VALUE');
    }
    expect(() => parseEdgeConfig({ sigma_min_degf: 5, sigma_max_degf: 2 })).toThrow(
      /sigma_min_degf: must not exceed sigma_max_degf/,
    );
  });
});
