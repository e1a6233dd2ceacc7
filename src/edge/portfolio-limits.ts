/**
 * Portfolio limits (seed 002 §4.2 and §5), for every strategy's intents: a pure check of one intent
 * against what is held, what rests, the markets' events and the balance.
 *
 * EXPOSURE IS WORST-CASE LOSS with binary payoffs ($1 or $0 per contract), never a sum of notionals.
 *  - Every position and order is a set of LEGS: a YES leg pays $1 when its market resolves YES, a NO
 *    leg when it resolves NO. A held position (+YES / −NO contracts) is a leg at its cost basis; a
 *    resting order or the intent is a leg bought at its limit (a bid buys YES at p, an ask buys NO at
 *    1 − p — the same payoff as selling YES at p), plus a taker-fee allowance.
 *  - A LADDER EVENT (meta with `eventMarkets`: mutually exclusive and exhaustive, like a daily-high
 *    ladder) resolves to exactly one of its markets: the outcomes are "market i wins" for each market
 *    we touch, plus "none of them wins" if it has a market we do not touch. Any other market is an
 *    event of its own with outcomes YES and NO (markets of one non-ladder event are treated as
 *    independent: the sum of their worst cases bounds any joint outcome).
 *  - loss(outcome) = Σ legs (cost − payout). Held legs always count; a resting order or the intent
 *    counts only in the outcomes where filling it loses (the worst case of "fills or not").
 *  - An event's exposure = max(0, max over outcomes of loss); a sure gain in one event never offsets
 *    another. Events are independent, so an aggregate's worst case is the sum of its events'.
 *
 * CHECKS, in this order (the first failing one is the verdict). Percentages are of `capital`
 * (default: available cash + cost basis of the positions held — equity at cost, so opening a
 * position does not shrink the caps):
 *   RISK_PORTFOLIO_MAX_POSITIONS  markets held or with resting orders, in the intent's city or in
 *                                 total, would exceed max_positions_per_city / max_total_positions
 *   RISK_PORTFOLIO_RESERVE        available cash − the intent's cost and fee allowance < min reserve ($1)
 *   RISK_PORTFOLIO_POSITION       the intent's market alone (a binary) > 25%
 *   RISK_PORTFOLIO_CITY           the intent city's events, all dates > 40%
 *   RISK_PORTFOLIO_REGION         the events of the intent's region on its target date > 50%
 *   RISK_PORTFOLIO_TOTAL          all events > 80%
 * A cap refuses only an intent that raises its measure above it: an intent that leaves it no worse
 * (e.g. a sell against a held position) always passes, so risk can be reduced when over a cap.
 * Markets without city, region or target date skip the checks that need them.
 */
import type { BookSide } from '../domain/index.js';
import {
  type Count,
  complement,
  MICROS_PER_DOLLAR,
  type Micros,
  notional,
  PRICE_SCALE,
  type Price,
  showDollars,
} from '../domain/index.js';
import { requireInt } from './errors.js';
import { tradeFee } from './fees.js';

export interface PortfolioIntent {
  readonly ticker: string;
  readonly bookSide: BookSide;
  /** Limit on the YES leg (Price units). */
  readonly yesPrice: Price;
  readonly count: Count;
}

export interface Holding {
  readonly ticker: string;
  /** Signed contracts: + YES, − NO (Count units). */
  readonly position: Count;
  /** What the open position cost (Micros, ≥ 0). */
  readonly cost: Micros;
}

export interface RestingOrder {
  readonly ticker: string;
  readonly bookSide: BookSide;
  readonly yesPrice: Price;
  /** Contracts still resting (Count units). */
  readonly remaining: Count;
}

export interface MarketMeta {
  readonly eventTicker: string;
  /** Set for a mutually exclusive, exhaustive event (a daily-high ladder): all of its market tickers. */
  readonly eventMarkets?: readonly string[];
  readonly city?: string;
  /** ISO date the event is about. */
  readonly targetDate?: string;
  readonly region?: string;
}

export type MarketsMeta = ReadonlyMap<string, MarketMeta>;

export interface PortfolioBalance {
  /** Cash available for new orders (Micros). */
  readonly available: Micros;
  /** The base the percentage caps are taken of; default available + Σ holdings' cost. */
  readonly capital?: Micros;
}

export interface PortfolioLimits {
  /** Caps in basis points of capital. */
  readonly maxTotalBps: number;
  readonly maxPositionBps: number;
  readonly maxCityBps: number;
  readonly maxRegionBps: number;
  readonly minReserve: Micros;
  readonly maxPositionsPerCity: number;
  readonly maxTotalPositions: number;
}

/** Seed 002's PORTFOLIO_LIMITS and seed 000's position counts. */
export const DEFAULT_PORTFOLIO_LIMITS: PortfolioLimits = Object.freeze({
  maxTotalBps: 8_000,
  maxPositionBps: 2_500,
  maxCityBps: 4_000,
  maxRegionBps: 5_000,
  minReserve: MICROS_PER_DOLLAR,
  maxPositionsPerCity: 4,
  maxTotalPositions: 20,
});

export type PortfolioRefusalCode =
  | 'RISK_PORTFOLIO_MAX_POSITIONS'
  | 'RISK_PORTFOLIO_RESERVE'
  | 'RISK_PORTFOLIO_POSITION'
  | 'RISK_PORTFOLIO_CITY'
  | 'RISK_PORTFOLIO_REGION'
  | 'RISK_PORTFOLIO_TOTAL';

export type PortfolioVerdict =
  | { readonly ok: true }
  | { readonly ok: false; readonly code: PortfolioRefusalCode; readonly detail: string };

/** One leg: contracts that pay $1 when `ticker` resolves `side`. */
export interface Leg {
  readonly ticker: string;
  readonly side: 'yes' | 'no';
  readonly count: Count;
  /** Total paid (or to be paid, with fee allowance) for these contracts. */
  readonly cost: Micros;
  /** A resting order or an intent: counted only where filling it loses. */
  readonly optional: boolean;
}

export function holdingLeg(h: Holding): Leg | undefined {
  requireInt(`holdings.${h.ticker}.cost`, h.cost);
  if (!Number.isSafeInteger(h.position) || h.position === 0) return undefined;
  return {
    ticker: h.ticker,
    side: h.position > 0 ? 'yes' : 'no',
    count: Math.abs(h.position),
    cost: h.cost,
    optional: false,
  };
}

/** A bid buys YES at p; an ask buys NO at 1 − p. Cost includes the taker fee as an allowance. */
export function orderLeg(ticker: string, bookSide: BookSide, yesPrice: Price, count: Count): Leg {
  requireInt(`${ticker}.yesPrice`, yesPrice, 0, PRICE_SCALE);
  requireInt(`${ticker}.count`, count);
  const price = bookSide === 'bid' ? yesPrice : complement(yesPrice);
  const cost = notional(count, price) + tradeFee('taker', count, price);
  return { ticker, side: bookSide === 'bid' ? 'yes' : 'no', count, cost, optional: true };
}

/** Loss (cost − payout, Micros) of a leg when exactly the markets in `yesMarkets` resolve YES. */
function legLoss(leg: Leg, yesMarkets: ReadonlySet<string>): Micros {
  const yes = yesMarkets.has(leg.ticker);
  const pays = leg.side === 'yes' ? yes : !yes;
  // count is 1/100 contract; $1 per contract = 10,000 Micros per Count unit.
  return leg.cost - (pays ? leg.count * (MICROS_PER_DOLLAR / 100) : 0);
}

/** Worst-case loss of legs that all belong to one event with the given outcomes (sets of YES markets). */
export function worstCase(legs: readonly Leg[], outcomes: readonly ReadonlySet<string>[]): Micros {
  let worst = 0;
  for (const yes of outcomes) {
    let loss = 0;
    for (const leg of legs) {
      const l = legLoss(leg, yes);
      loss += leg.optional ? Math.max(0, l) : l;
    }
    if (loss > worst) worst = loss;
  }
  return worst;
}

interface EventGroup {
  readonly key: string;
  readonly meta?: MarketMeta;
  readonly legs: Leg[];
}

/** Groups legs into events (see the header) and lists each event's outcomes. */
function groupEvents(
  legs: readonly Leg[],
  meta: MarketsMeta,
): Array<EventGroup & { outcomes: ReadonlySet<string>[] }> {
  const groups = new Map<string, EventGroup>();
  for (const leg of legs) {
    const m = meta.get(leg.ticker);
    const ladder = m?.eventMarkets?.includes(leg.ticker) ? m : undefined;
    const key = ladder ? `event:${ladder.eventTicker}` : `market:${leg.ticker}`;
    let g = groups.get(key);
    if (!g) {
      g = { key, ...(m ? { meta: m } : {}), legs: [] };
      groups.set(key, g);
    }
    g.legs.push(leg);
  }
  return [...groups.values()].map((g) => {
    const touched = [...new Set(g.legs.map((l) => l.ticker))];
    const outcomes: ReadonlySet<string>[] = touched.map((t) => new Set([t]));
    const all = g.key.startsWith('event:') ? (g.meta?.eventMarkets ?? []) : [];
    if (!g.key.startsWith('event:') || all.some((t) => !touched.includes(t))) outcomes.push(new Set());
    return { ...g, outcomes };
  });
}

export interface ExposureReport {
  readonly total: Micros;
  readonly byEvent: ReadonlyMap<string, Micros>;
  readonly byCity: ReadonlyMap<string, Micros>;
  /** Keyed `region|YYYY-MM-DD`. */
  readonly byRegionDate: ReadonlyMap<string, Micros>;
}

function add(map: Map<string, Micros>, key: string, v: Micros): void {
  map.set(key, (map.get(key) ?? 0) + v);
}

/** Worst-case exposure of a set of legs, in total and per event, city and region-date. */
export function exposureOf(legs: readonly Leg[], meta: MarketsMeta): ExposureReport {
  const byEvent = new Map<string, Micros>();
  const byCity = new Map<string, Micros>();
  const byRegionDate = new Map<string, Micros>();
  let total = 0;
  for (const g of groupEvents(legs, meta)) {
    const w = worstCase(g.legs, g.outcomes);
    byEvent.set(g.key, w);
    total += w;
    if (g.meta?.city !== undefined) add(byCity, g.meta.city, w);
    if (g.meta?.region !== undefined && g.meta.targetDate !== undefined) {
      add(byRegionDate, `${g.meta.region}|${g.meta.targetDate}`, w);
    }
  }
  return { total, byEvent, byCity, byRegionDate };
}

/** All legs of the holdings and the resting orders. */
export function portfolioLegs(holdings: readonly Holding[], openOrders: readonly RestingOrder[]): Leg[] {
  const legs: Leg[] = [];
  for (const h of holdings) {
    const leg = holdingLeg(h);
    if (leg) legs.push(leg);
  }
  for (const o of openOrders)
    if (o.remaining > 0) legs.push(orderLeg(o.ticker, o.bookSide, o.yesPrice, o.remaining));
  return legs;
}

function pct(bps: number): string {
  return `${bps / 100}%`;
}

export function checkPortfolio(
  intent: PortfolioIntent,
  holdings: readonly Holding[],
  openOrders: readonly RestingOrder[],
  marketsMeta: MarketsMeta,
  balance: PortfolioBalance,
  limits: PortfolioLimits = DEFAULT_PORTFOLIO_LIMITS,
): PortfolioVerdict {
  const available = requireInt('balance.available', balance.available, -Number.MAX_SAFE_INTEGER);
  const before = portfolioLegs(holdings, openOrders);
  const intentLeg = orderLeg(intent.ticker, intent.bookSide, intent.yesPrice, intent.count);
  const after = [...before, intentLeg];
  const capital =
    balance.capital ?? available + holdings.reduce((s, h) => s + (h.position !== 0 ? h.cost : 0), 0);
  const meta = marketsMeta.get(intent.ticker);
  const refuse = (code: PortfolioRefusalCode, detail: string): PortfolioVerdict => ({
    ok: false,
    code,
    detail,
  });

  // Positions: distinct markets held or with resting orders.
  const marketsBefore = new Set(before.map((l) => l.ticker));
  if (!marketsBefore.has(intent.ticker)) {
    if (marketsBefore.size + 1 > limits.maxTotalPositions) {
      return refuse(
        'RISK_PORTFOLIO_MAX_POSITIONS',
        `${marketsBefore.size + 1} markets in total > max_total_positions ${limits.maxTotalPositions}`,
      );
    }
    if (meta?.city !== undefined) {
      const inCity = [...marketsBefore].filter((t) => marketsMeta.get(t)?.city === meta.city).length + 1;
      if (inCity > limits.maxPositionsPerCity) {
        return refuse(
          'RISK_PORTFOLIO_MAX_POSITIONS',
          `${inCity} markets in ${meta.city} > max_positions_per_city ${limits.maxPositionsPerCity}`,
        );
      }
    }
  }

  if (available - intentLeg.cost < limits.minReserve) {
    return refuse(
      'RISK_PORTFOLIO_RESERVE',
      `available ${showDollars(available)} − order cost with fee allowance ${showDollars(intentLeg.cost)} leaves less than the ${showDollars(limits.minReserve)} reserve`,
    );
  }

  const cap = (bps: number) => Math.floor((capital * bps) / 10_000);
  const over = (b: Micros, a: Micros, bps: number) => a > cap(bps) && a > b;
  const describe = (what: string, b: Micros, a: Micros, bps: number) =>
    `${what} worst-case loss ${showDollars(b)} → ${showDollars(a)} > ${pct(bps)} of capital ${showDollars(capital)} (${showDollars(cap(bps))})`;

  const inMarket = (legs: readonly Leg[]) => legs.filter((l) => l.ticker === intent.ticker);
  const binary = [new Set([intent.ticker]), new Set<string>()];
  const pb = worstCase(inMarket(before), binary);
  const pa = worstCase(inMarket(after), binary);
  if (over(pb, pa, limits.maxPositionBps)) {
    return refuse(
      'RISK_PORTFOLIO_POSITION',
      describe(`market ${intent.ticker}`, pb, pa, limits.maxPositionBps),
    );
  }

  const eb = exposureOf(before, marketsMeta);
  const ea = exposureOf(after, marketsMeta);
  if (meta?.city !== undefined) {
    const b = eb.byCity.get(meta.city) ?? 0;
    const a = ea.byCity.get(meta.city) ?? 0;
    if (over(b, a, limits.maxCityBps))
      return refuse('RISK_PORTFOLIO_CITY', describe(`city ${meta.city}`, b, a, limits.maxCityBps));
  }
  if (meta?.region !== undefined && meta.targetDate !== undefined) {
    const key = `${meta.region}|${meta.targetDate}`;
    const b = eb.byRegionDate.get(key) ?? 0;
    const a = ea.byRegionDate.get(key) ?? 0;
    if (over(b, a, limits.maxRegionBps)) {
      return refuse(
        'RISK_PORTFOLIO_REGION',
        describe(`region ${meta.region} on ${meta.targetDate}`, b, a, limits.maxRegionBps),
      );
    }
  }
  if (over(eb.total, ea.total, limits.maxTotalBps)) {
    return refuse('RISK_PORTFOLIO_TOTAL', describe('portfolio', eb.total, ea.total, limits.maxTotalBps));
  }
  return { ok: true };
}
