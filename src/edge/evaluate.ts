/**
 * evaluateLadder: one city-day ladder, its quotes and a forecast → one decision (seed 000's
 * EdgeDecision and its trading.decisions row), traded or not, with the proposed order.
 *
 *   1. ladder           parse and validate the event's markets                  → ladder_invalid
 *   2. forecast         present, and covering the day's afternoon               → no_forecast, forecast_incomplete
 *   3. forecast model   μ = forecast high, σ from spread and lead time → bracket probabilities,
 *                       forecast_implied_temp
 *   4. market           quotes → market_implied_temp, or the reasons it is unusable → market_unusable
 *   5. edge, signal     edge_degf = forecast − market; buy_high / buy_low / no_trade → edge_below_threshold
 *   6. leg              the best leg of the signal's direction with a taker edge ≥ min_bracket_edge_cents,
 *                       and a best bid on its side to join as maker            → no_leg_with_edge, no_maker_price
 *   7. classifier       edge_classifier_prob ≥ the dial's threshold (0.7 − 0.4a); without one,
 *                       refuse unless require_classifier is false              → no_classifier, classifier_below_threshold
 *   8. city             in enabled_cities                                       → city_disabled
 *   9. day loss         dayPnl > −max_daily_loss (when given)                   → daily_loss_limit
 *  10. size             fee-aware Kelly at the taker price (the maker→taker worst case), the dial's
 *                       fraction, capped by max_bet_per_trade and the bankroll  → size_zero
 *  11. portfolio        checkPortfolio (when a portfolio is given)              → RISK_PORTFOLIO_*
 * The first failing gate is the reason; every number computable is still filled in, so no-trade
 * rows say how far the evaluation got. The proposal is a post-only GTC order at the maker price
 * (the best bid on our side) with the volume-weighted maker timeout after which the runtime crosses.
 */
import { complement, type Micros, type OrderIntent, type Price } from '../domain/index.js';
import type { ResolvedEdgeConfig } from './config.js';
import { EdgeError } from './errors.js';
import { type ForecastImplied, forecastImplied, forecastSigma, leadDays } from './forecast-implied.js';
import { type KellySize, kellySize } from './kelly.js';
import { type Ladder, type LadderMarketInput, parseLadder, representativeTemps } from './ladder.js';
import { makerTimeoutMs, type TradePrint } from './maker-timeout.js';
import { type BracketQuote, type MarketImplied, marketImplied } from './market-implied.js';
import {
  checkPortfolio,
  type Holding,
  type MarketMeta,
  type PortfolioRefusalCode,
  type RestingOrder,
} from './portfolio-limits.js';
import { ladderMarketsMeta, regionOf } from './regions.js';
import { detectSignal, edgeDegF, type LegEdge, legEdges, recommendLeg, type Signal } from './signal.js';

/** The forecast fields evaluation needs (src/forecast's ForecastHigh has them all). */
export interface ForecastInput {
  readonly source: string;
  readonly highF: number;
  readonly spreadF: number;
  readonly issuedMs: number;
  readonly windowEndMs: number;
  readonly peakCovered: boolean;
}

export interface EvaluateInputs {
  /** City id (config/cities.json) and its correlation region (default: seed 002's table). */
  readonly city: { readonly id: string; readonly region?: string };
  /** The event's markets (or an already parsed ladder). */
  readonly ladder: readonly LadderMarketInput[] | Ladder;
  readonly quotes: readonly BracketQuote[];
  readonly forecast?: ForecastInput;
  readonly nowMs: number;
  /** From the edge classifier the lead wires; undefined when there is none. */
  readonly classifierProb?: number;
  /** Resolved trades behind the classifier (Kelly's short-record rule). */
  readonly classifierTrackRecord?: number;
  /** Available cash (Micros): Kelly's bankroll unless bankroll_usd is set. */
  readonly balance: Micros;
  /** Public trades per market ticker, for the maker timeout. */
  readonly tradesByTicker?: ReadonlyMap<string, readonly TradePrint[]>;
  /** Today's net P&L (Micros), for the daily-loss gate. */
  readonly dayPnl?: Micros;
  /** Holdings and resting orders across all markets, for the portfolio limits. */
  readonly portfolio?: {
    readonly holdings: readonly Holding[];
    readonly openOrders: readonly RestingOrder[];
    /** Metadata of other markets; this ladder's is added. */
    readonly marketsMeta?: ReadonlyMap<string, MarketMeta>;
    readonly capital?: Micros;
  };
}

export type EdgeReasonCode =
  | 'trade'
  | 'ladder_invalid'
  | 'no_forecast'
  | 'forecast_incomplete'
  | 'market_unusable'
  | 'edge_below_threshold'
  | 'no_leg_with_edge'
  | 'no_maker_price'
  | 'no_classifier'
  | 'classifier_below_threshold'
  | 'city_disabled'
  | 'daily_loss_limit'
  | 'size_zero'
  | PortfolioRefusalCode;

/** Seed 000's trading.decisions columns, as the lead persists them. */
export interface EdgeDecisionRow {
  readonly city: string;
  readonly event_date: string | null;
  /** The recommended market, else the event ticker. */
  readonly ticker: string | null;
  readonly forecast_implied_temp: number | null;
  readonly market_implied_temp: number | null;
  readonly edge_degf: number | null;
  readonly signal: Signal;
  readonly edge_classifier_prob: number | null;
  readonly should_trade: boolean;
  readonly reason: string;
  readonly recommended_bracket: string | null;
}

export interface EdgeProposal {
  readonly ticker: string;
  readonly label: string;
  readonly side: 'yes' | 'no';
  /** Price of the leg bought (Price units): resting at the maker price, crossing at the taker price. */
  readonly makerPrice: Price;
  readonly takerPrice: Price;
  readonly winProb: number;
  readonly takerEdgeCents: number;
  readonly makerEdgeCents?: number;
  readonly size: KellySize;
  readonly makerTimeoutMs: number;
}

export interface EdgeDecision {
  readonly row: EdgeDecisionRow;
  readonly reasonCode: EdgeReasonCode;
  /** Present only when row.should_trade. */
  readonly intent?: OrderIntent;
  readonly proposal?: EdgeProposal;
  readonly legs: readonly LegEdge[];
  readonly forecast?: ForecastImplied;
  readonly market?: MarketImplied;
  /** Numbers for the row's features_snapshot. */
  readonly features: Readonly<Record<string, number>>;
}

/**
 * Where the recommended leg sits, for the classifier: its side, the market's probability for it,
 * and the forecast and the bracket relative to the ladder's centre (the middle of its `between`
 * brackets, where the exchange listed the ladder: roughly the consensus high when it was listed).
 */
function legContext(
  ladder: Ladder,
  reps: readonly number[],
  mi: MarketImplied,
  forecastF: number,
  leg: LegEdge,
): Record<string, number> {
  const i = ladder.brackets.findIndex((b) => b.ticker === leg.ticker);
  const inner = ladder.brackets.filter((b) => Number.isFinite(b.lo) && Number.isFinite(b.hi));
  const centre =
    inner.length > 0
      ? ((inner[0] as { lo: number }).lo + (inner[inner.length - 1] as { hi: number }).hi) / 2
      : forecastF;
  const rep = reps[i] ?? forecastF;
  const yesProb = mi.probabilities?.[i];
  return {
    leg_yes: leg.side === 'yes' ? 1 : 0,
    ...(yesProb !== undefined ? { market_prob: leg.side === 'yes' ? yesProb : 1 - yesProb } : {}),
    forecast_vs_center_f: forecastF - centre,
    bracket_vs_center_f: rep - centre,
    bracket_vs_forecast_f: rep - forecastF,
  };
}

function isLadder(x: EvaluateInputs['ladder']): x is Ladder {
  return !Array.isArray(x) && typeof (x as Ladder).eventTicker === 'string';
}

const cents = (p: Price) => `${(p / 100).toFixed(p % 100 === 0 ? 0 : 2)}¢`;

export function evaluateLadder(inputs: EvaluateInputs, cfg: ResolvedEdgeConfig): EdgeDecision {
  const features: Record<string, number> = {};
  const row = {
    city: inputs.city.id,
    event_date: null as string | null,
    ticker: null as string | null,
    forecast_implied_temp: null as number | null,
    market_implied_temp: null as number | null,
    edge_degf: null as number | null,
    signal: 'no_trade' as Signal,
    edge_classifier_prob: inputs.classifierProb ?? null,
    recommended_bracket: null as string | null,
  };
  let legs: LegEdge[] = [];
  let fi: ForecastImplied | undefined;
  let mi: MarketImplied | undefined;
  const done = (
    reasonCode: EdgeReasonCode,
    reason: string,
    extra: Partial<EdgeDecision> = {},
  ): EdgeDecision => ({
    row: { ...row, should_trade: reasonCode === 'trade', reason },
    reasonCode,
    legs,
    ...(fi ? { forecast: fi } : {}),
    ...(mi ? { market: mi } : {}),
    features,
    ...extra,
  });

  // 1. Ladder.
  let ladder: Ladder;
  try {
    ladder = isLadder(inputs.ladder) ? inputs.ladder : parseLadder(inputs.ladder);
  } catch (e) {
    if (e instanceof EdgeError && (e.code.startsWith('EDGE_LADDER') || e.code === 'EDGE_BAD_TICKER')) {
      return done('ladder_invalid', `ladder invalid: ${e.message}`);
    }
    throw e;
  }
  row.event_date = ladder.date;
  row.ticker = ladder.eventTicker;
  const reps = representativeTemps(ladder);

  // 2–3. Forecast.
  const f = inputs.forecast;
  if (!f) return done('no_forecast', 'no forecast available');
  const lead = leadDays(f.issuedMs, f.windowEndMs);
  const sigma = forecastSigma(f.spreadF, lead, cfg.forecastModel);
  fi = forecastImplied(ladder, f.highF, sigma);
  row.forecast_implied_temp = fi.impliedTempF;
  Object.assign(features, {
    forecast_high_f: f.highF,
    forecast_spread_f: f.spreadF,
    lead_days: lead,
    sigma_f: sigma,
  });
  features.forecast_age_hours = (inputs.nowMs - f.issuedMs) / 3_600_000;

  // 4. Market.
  mi = marketImplied(ladder, inputs.quotes, {
    maxSpread: Math.round(cfg.config.max_spread_cents * 100),
    massTolerance: cfg.config.mass_tolerance,
  });
  features.market_mass = mi.mass;
  if (mi.impliedTempF !== undefined) row.market_implied_temp = mi.impliedTempF;
  if (!f.peakCovered)
    return done(
      'forecast_incomplete',
      `forecast (${f.source}) does not cover the afternoon of ${ladder.date}`,
    );
  if (!mi.ok || mi.impliedTempF === undefined) {
    return done('market_unusable', `market unusable: ${mi.problems.map((p) => p.detail).join('; ')}`);
  }

  // 5. Edge and signal.
  const edge = edgeDegF(fi.impliedTempF, mi.impliedTempF);
  row.edge_degf = edge;
  features.edge_degf = edge;
  row.signal = detectSignal(edge, cfg.edgeThresholdDegF);
  legs = legEdges(ladder, fi.probabilities, inputs.quotes, reps, mi.impliedTempF, cfg.feeSchedule);
  const probText =
    inputs.classifierProb === undefined
      ? 'no classifier'
      : `classifier prob ${inputs.classifierProb.toFixed(3)}`;
  const head = `Edge ${edge.toFixed(2)}°F, ${probText}`;
  if (row.signal === 'no_trade')
    return done('edge_below_threshold', `${head}: |edge| < ${cfg.edgeThresholdDegF}°F`);

  // 6. Leg.
  const leg = recommendLeg(row.signal, legs, cfg.config.min_bracket_edge_cents);
  if (!leg || leg.takerPrice === undefined || leg.takerEdgeCents === undefined) {
    return done(
      'no_leg_with_edge',
      `${head}: no ${row.signal} leg has a taker edge ≥ ${cfg.config.min_bracket_edge_cents}¢ after fees`,
    );
  }
  row.ticker = leg.ticker;
  row.recommended_bracket = leg.label;
  Object.assign(features, {
    win_prob: leg.winProb,
    taker_edge_cents: leg.takerEdgeCents,
    taker_price: leg.takerPrice,
  });
  if (leg.makerEdgeCents !== undefined) features.maker_edge_cents = leg.makerEdgeCents;
  Object.assign(features, legContext(ladder, reps, mi, f.highF, leg));
  const what = `${leg.side.toUpperCase()} ${leg.label}`;
  if (leg.makerPrice === undefined)
    return done('no_maker_price', `${head}: ${what} has no bid on our side to join`);

  // 7. Classifier.
  const threshold = cfg.dial.confidenceThreshold;
  if (inputs.classifierProb === undefined) {
    if (cfg.config.require_classifier)
      return done('no_classifier', `${head}: no classifier probability (require_classifier)`);
  } else if (!(inputs.classifierProb >= threshold)) {
    return done('classifier_below_threshold', `${head} < ${threshold.toFixed(3)}`);
  }

  // 8–9. City and day loss.
  if (!cfg.enabledCities.has(inputs.city.id))
    return done('city_disabled', `${head}: ${inputs.city.id} is not in enabled_cities`);
  if (inputs.dayPnl !== undefined && inputs.dayPnl <= -cfg.maxDailyLoss) {
    return done('daily_loss_limit', `${head}: the day's P&L is at or below −max_daily_loss`);
  }

  // 10. Size (at the taker price and fee: what it costs if the maker order times out and crosses).
  const size = kellySize({
    winProb: leg.winProb,
    price: leg.takerPrice,
    feeRole: 'taker',
    feeSchedule: cfg.feeSchedule,
    kellyFraction: cfg.dial.kellyFraction,
    bankroll: cfg.bankroll ?? Math.max(0, inputs.balance),
    maxBet: cfg.maxBet,
    ...(inputs.classifierTrackRecord !== undefined ? { trackRecord: inputs.classifierTrackRecord } : {}),
    minTrackRecord: cfg.config.min_track_record,
  });
  const timeout = makerTimeoutMs(
    inputs.tradesByTicker?.get(leg.ticker) ?? [],
    inputs.nowMs,
    cfg.dial.makerTimeoutMultiplier,
    cfg.makerTimeout,
  );
  const proposal: EdgeProposal = {
    ticker: leg.ticker,
    label: leg.label,
    side: leg.side,
    makerPrice: leg.makerPrice,
    takerPrice: leg.takerPrice,
    winProb: leg.winProb,
    takerEdgeCents: leg.takerEdgeCents,
    ...(leg.makerEdgeCents !== undefined ? { makerEdgeCents: leg.makerEdgeCents } : {}),
    size,
    makerTimeoutMs: timeout,
  };
  Object.assign(features, {
    kelly_full: size.fullKelly,
    stake_share: size.stakeShare,
    contracts: size.count / 100,
    maker_timeout_ms: timeout,
  });
  if (size.count === 0)
    return done(
      'size_zero',
      `${head}: Kelly sizes ${what} at zero contracts (${size.basis}, ${size.limitedBy})`,
      { proposal },
    );

  const intent: OrderIntent = {
    ticker: leg.ticker,
    bookSide: leg.side === 'yes' ? 'bid' : 'ask',
    yesPrice: leg.side === 'yes' ? leg.makerPrice : complement(leg.makerPrice),
    count: size.count,
    timeInForce: 'good_till_canceled',
    postOnly: true,
    strategy: 'edge',
    reason: `edge:${row.signal}`,
  };

  // 11. Portfolio.
  if (inputs.portfolio) {
    const region = inputs.city.region ?? regionOf(inputs.city.id);
    const meta = new Map(inputs.portfolio.marketsMeta ?? []);
    for (const [t, m] of ladderMarketsMeta(ladder, inputs.city.id, region)) meta.set(t, m);
    const verdict = checkPortfolio(
      intent,
      inputs.portfolio.holdings,
      inputs.portfolio.openOrders,
      meta,
      {
        available: inputs.balance,
        ...(inputs.portfolio.capital !== undefined ? { capital: inputs.portfolio.capital } : {}),
      },
      cfg.portfolioLimits,
    );
    if (!verdict.ok) return done(verdict.code, `${head}: ${verdict.detail}`, { proposal });
  }

  const reason = `${head}: buy ${what} at ${cents(leg.makerPrice)} (taker ${cents(leg.takerPrice)}, edge ${leg.takerEdgeCents.toFixed(1)}¢), ${size.count / 100} contracts`;
  return done('trade', reason, { intent, proposal });
}
