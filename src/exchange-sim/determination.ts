/**
 * How the simulator decides a market's result (KALSHI.md §9: closed → determined → finalized).
 * Nothing real is observed, so the result is drawn: seeded, and with P(yes) = the market's fair
 * value (the universe's anchor, not the synthetic participants' walked quote).
 *
 * ONE DRAW PER EVENT. Each event gets its own stream, seeded from (seed, event ticker) alone, so an
 * event's results do not depend on when or in which order markets are determined, and the same seed
 * gives the same results. From that stream:
 *  - Mutually exclusive event (a weather ladder: lower tail, brackets, upper tail). One integer
 *    u ∈ [0, max(Σ fair, $1)) is drawn and the markets are walked in listing order (the universe
 *    lists a ladder lower tail first, so u is a quantile of the one temperature); the market whose
 *    cumulative band holds u is YES, every other is NO. A full ladder's fair values sum to exactly
 *    $1, so exactly one market is YES, with probability fair / $1 each. A cut-short ladder
 *    (Σ < $1) has every market NO with probability 1 − Σ: the value fell in an unlisted bracket.
 *  - Any other event. One integer u ∈ [0, $1) stands for the underlying value (higher u = lower
 *    value). A `greater` market with floor s is YES iff u < f(s), where f(s) is the smallest fair
 *    value among the event's `greater` markets with floor ≤ s; the running minimum makes the results
 *    monotone even if fair values were not (above 3 YES ⇒ above 2 YES), and equals the fair value
 *    when they are (the universe's thresholds are). A `less` market with cap c is YES iff
 *    u ≥ $1 − g(c), g the running maximum of fair values by cap, so it is monotone the other way.
 *    `between` and `custom` markets outside a mutually exclusive event are drawn independently,
 *    in listing order, from the same stream.
 * Inside a draw, a market with no known fair value counts as $0.50. Results are never `void`.
 *
 * Pure: drawEventResults is a function of its arguments. createDeterminer wraps it with the core
 * (to find an event's markets) and memoizes one draw per event. It answers only for markets that
 * have a fair value: a market the simulator did not list itself (a test's, say) is never decided
 * by a coin, it stays closed until settled by hand (POST /_sim/markets/{ticker}/settle).
 */

import { PRICE_SCALE, type Price } from '../domain/index.js';
import type { EventDef, ExchangeCore, MarketDef } from './core-types.js';
import { createRng } from './rng.js';

export type DrawnResult = 'yes' | 'no';

/** Fair value assumed for a market the caller knows nothing about. */
const UNKNOWN_FAIR: Price = PRICE_SCALE / 2;

type StrikeFields = Pick<MarketDef, 'ticker' | 'strikeType' | 'floorStrike' | 'capStrike'>;

/** The stream an event's results are drawn from. */
export function eventSeed(seed: number, eventTicker: string): string {
  return `determine:${seed}:${eventTicker}`;
}

/**
 * Draws the result of every market of one event (see the header). `markets` are the event's markets
 * in listing order; `fairValue` gives P(yes) as a Price.
 */
export function drawEventResults(
  seed: number,
  event: Pick<EventDef, 'eventTicker' | 'mutuallyExclusive'>,
  markets: readonly StrikeFields[],
  fairValue: (ticker: string) => Price | undefined,
): Map<string, DrawnResult> {
  const rng = createRng(eventSeed(seed, event.eventTicker));
  const fair = (m: StrikeFields): Price => fairValue(m.ticker) ?? UNKNOWN_FAIR;
  const out = new Map<string, DrawnResult>();

  if (event.mutuallyExclusive) {
    const total = markets.reduce((sum, m) => sum + fair(m), 0);
    const u = rng.int(0, Math.max(total, PRICE_SCALE) - 1);
    let cumulative = 0;
    let winner: string | undefined;
    for (const m of markets) {
      cumulative += fair(m);
      if (winner === undefined && u < cumulative) winner = m.ticker;
      out.set(m.ticker, 'no');
    }
    if (winner !== undefined) out.set(winner, 'yes');
    return out;
  }

  const u = rng.int(0, PRICE_SCALE - 1);
  const byStrike = (type: 'greater' | 'less', key: (m: StrikeFields) => number | undefined) =>
    markets
      .filter((m) => m.strikeType === type)
      .map((m) => ({ m, strike: key(m) ?? 0 }))
      .sort((a, b) => a.strike - b.strike);

  // P(value > s) cannot rise with s: a running minimum over increasing floors.
  let ceiling: Price = PRICE_SCALE;
  for (const { m } of byStrike('greater', (x) => x.floorStrike)) {
    ceiling = Math.min(ceiling, fair(m));
    out.set(m.ticker, u < ceiling ? 'yes' : 'no');
  }
  // P(value < c) cannot fall with c: a running maximum over increasing caps.
  let floor: Price = 0;
  for (const { m } of byStrike('less', (x) => x.capStrike)) {
    floor = Math.max(floor, fair(m));
    out.set(m.ticker, u >= PRICE_SCALE - floor ? 'yes' : 'no');
  }
  for (const m of markets) {
    if (out.has(m.ticker)) continue;
    out.set(m.ticker, rng.int(0, PRICE_SCALE - 1) < fair(m) ? 'yes' : 'no');
  }
  return out;
}

export interface Determiner {
  /** The drawn result of a market; undefined if the core does not know it or it has no fair value. */
  resultFor(ticker: string): DrawnResult | undefined;
}

export interface DeterminerOptions {
  core: ExchangeCore;
  seed: number;
  fairValue: (ticker: string) => Price | undefined;
}

/**
 * Looks markets up in the core and draws each event once (memoized: an event's markets are all
 * listed before any of them closes, so the first draw is the draw).
 */
export function createDeterminer(opts: DeterminerOptions): Determiner {
  const { core, seed, fairValue } = opts;
  const drawn = new Map<string, Map<string, DrawnResult>>();
  return {
    resultFor(ticker) {
      const market = core.market(ticker);
      if (!market || fairValue(ticker) === undefined) return undefined;
      let results = drawn.get(market.eventTicker);
      if (!results) {
        const event = core.event(market.eventTicker) ?? {
          eventTicker: market.eventTicker,
          mutuallyExclusive: false,
        };
        const markets = core.markets().filter((m) => m.eventTicker === market.eventTicker);
        results = drawEventResults(seed, event, markets, fairValue);
        drawn.set(market.eventTicker, results);
      }
      return results.get(ticker);
    },
  };
}
