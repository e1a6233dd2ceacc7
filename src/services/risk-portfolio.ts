/**
 * The portfolio limits (seed 002 §4.2 and §5) as a RiskController check, for every strategy's
 * intents. The arithmetic — worst-case loss with binary payoffs, an event's mutually exclusive
 * brackets taken as one outcome space rather than a sum of legs — is src/edge/portfolio-limits.ts;
 * this module feeds it what the RiskController knows:
 *
 *  - holdings: our positions at cost basis; resting orders: what they may still fill;
 *  - available cash: the balance less what our resting orders reserve (risk-cash.ts);
 *  - capital (the base of the percentage caps): cash + the cost of what we hold — equity at cost,
 *    so opening a position or resting an order does not shrink the caps;
 *  - market metadata from the ticker alone (`marketsMeta`): a daily-high ladder market
 *    (KXHIGH<CITY>-<YYMONDD>-<strike>) belongs to its event (mutually exclusive brackets), its
 *    city (the city table, config/cities.json), that city's correlation region (the table's
 *    region, else seed 002's CITY_REGIONS) and the event's date. Any other market is an event of
 *    its own with no city, so it counts only in the total, single-position, position-count and
 *    reserve checks.
 *
 * We never know that we see a ladder whole (markets are listed and watched one by one), so every
 * ladder gets one phantom bracket that stands for "a bracket we do not touch": the outcome "none of
 * ours wins" is always in the worst case. That overstates the loss of a book that covers a whole
 * ladder (which cannot all lose) — on the safe side.
 */
import type { OrderIntent, RiskVerdict } from '../domain/index.js';
import {
  CITY_REGIONS,
  checkPortfolio,
  DEFAULT_PORTFOLIO_LIMITS,
  type EventTickerParts,
  type MarketMeta,
  type MarketsMeta,
  type PortfolioLimits,
  parseEventTicker,
  regionOf,
} from '../edge/index.js';
import type { RiskState } from './risk-rules.js';

export type RiskPortfolioLimits = PortfolioLimits;
export const DEFAULT_RISK_PORTFOLIO_LIMITS: RiskPortfolioLimits = DEFAULT_PORTFOLIO_LIMITS;

/** What the portfolio check reads beyond the RiskState's positions, orders and cash. */
export interface PortfolioRiskState {
  /** Metadata of the intent's market and of every market held or with resting orders. */
  readonly meta: MarketsMeta;
  /** The caps' base; default available cash + Σ cost basis. */
  readonly capital?: number;
}

/** A city of the city table, as the check needs it. */
export interface RiskCity {
  readonly id: string;
  readonly region?: string;
}

/** The city of a series ticker (KXHIGHNY → nyc), or undefined for a series not in the table. */
export type CityOfSeries = (series: string) => RiskCity | undefined;

/** Suffix of the phantom bracket every ladder gets (see the header). */
export const UNTOUCHED_BRACKET = '*untouched*';

/** Ladder parts of a market ticker, or undefined when it is not a daily-high ladder market. */
function ladderParts(ticker: string): EventTickerParts | undefined {
  try {
    return parseEventTicker(ticker);
  } catch {
    return undefined;
  }
}

/**
 * Metadata for `tickers` (the intent's market, the markets held and resting): ladders grouped into
 * their events, with city, region and date; other markets get none.
 */
export function marketsMeta(tickers: Iterable<string>, cityOf: CityOfSeries): Map<string, MarketMeta> {
  const byEvent = new Map<string, string[]>();
  const parts = new Map<string, EventTickerParts>();
  for (const ticker of new Set(tickers)) {
    const p = ladderParts(ticker);
    if (p === undefined || p.eventTicker === ticker) continue;
    parts.set(ticker, p);
    const list = byEvent.get(p.eventTicker) ?? [];
    list.push(ticker);
    byEvent.set(p.eventTicker, list);
  }
  const meta = new Map<string, MarketMeta>();
  for (const [eventTicker, markets] of byEvent) {
    const p = parts.get(markets[0]!)!;
    const city = cityOf(p.seriesTicker);
    const cityId = city?.id ?? p.cityCode.toLowerCase();
    const region = city?.region ?? regionOf(cityId, CITY_REGIONS);
    const m: MarketMeta = {
      eventTicker,
      eventMarkets: [...markets, `${eventTicker}-${UNTOUCHED_BRACKET}`],
      city: cityId,
      targetDate: p.date,
      ...(region === undefined ? {} : { region }),
    };
    for (const t of markets) meta.set(t, m);
  }
  return meta;
}

/** The portfolio verdict for an intent that opens exposure (skipped while the balance is unknown). */
export function checkPortfolioRisk(
  intent: OrderIntent,
  state: RiskState,
  limits: RiskPortfolioLimits,
  portfolio: PortfolioRiskState,
): RiskVerdict {
  if (state.availableCash === undefined) return { ok: true };
  const verdict = checkPortfolio(
    intent,
    state.positions.map((p) => ({ ticker: p.ticker, position: p.position, cost: p.costBasis })),
    state.openOrders,
    portfolio.meta,
    {
      available: state.availableCash,
      ...(portfolio.capital === undefined ? {} : { capital: portfolio.capital }),
    },
    limits,
  );
  return verdict.ok ? verdict : { ok: false, code: verdict.code, detail: verdict.detail };
}
