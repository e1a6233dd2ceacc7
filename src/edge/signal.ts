/**
 * Edge and signal (seed 000's detect_edge, in our terms).
 *
 *   edge_degf = forecast-implied temperature − market-implied temperature
 *   signal    = buy_high  when edge_degf ≥ threshold   (the market prices the high too low)
 *               buy_low   when edge_degf ≤ −threshold  (too high)
 *               no_trade  otherwise
 *
 * BRACKET EDGES. Every bracket has two legs to buy: YES (wins with the model's probability q) and
 * NO (wins with 1 − q). Per contract, in cents, after fees:
 *   taker edge = 100 × (q_leg − ask_leg − taker_fee_per_contract(ask_leg))
 *   maker edge = 100 × (q_leg − bid_leg − maker_fee_per_contract(bid_leg))
 * with ask_YES = YES ask, bid_YES = YES bid, ask_NO = 1 − YES bid, bid_NO = 1 − YES ask (fees of
 * fees.ts without the rounding to the cent; the order's exact fee is taken when it is sized).
 * A leg has no taker (maker) edge when its ask (bid) is missing.
 *
 * DIRECTION. A leg bets the high is above the market's view ('high') when it is YES on a bracket
 * whose representative temperature is above the market-implied temperature or NO on one below it;
 * 'low' is the mirror; a bracket standing exactly at the market-implied temperature is 'neutral'.
 * The recommended leg for a buy_high (buy_low) signal is the 'high' ('low') leg with the largest
 * taker edge of at least minEdgeCents — taker, because a maker order that times out crosses the
 * spread (maker→taker) and the trade must still pay then. Ties go to the lower bracket, then YES.
 */
import { PRICE_SCALE, type Price } from '../domain/index.js';
import { EdgeError, requireFinite } from './errors.js';
import { type FeeSchedule, feePerContract, WEATHER_FEE_SCHEDULE } from './fees.js';
import type { Ladder } from './ladder.js';
import type { BracketQuote } from './market-implied.js';

export type Signal = 'buy_high' | 'buy_low' | 'no_trade';
export type LegSide = 'yes' | 'no';
export type Direction = 'high' | 'low' | 'neutral';

export interface LegEdge {
  readonly ticker: string;
  readonly label: string;
  readonly side: LegSide;
  readonly direction: Direction;
  /** Probability that this leg pays $1, under the forecast model. */
  readonly winProb: number;
  /** Cheapest price to take this leg (Price units); undefined if nobody offers it. */
  readonly takerPrice?: Price;
  /** Best bid on this leg (Price units) — the maker price to join; undefined if none. */
  readonly makerPrice?: Price;
  readonly takerEdgeCents?: number;
  readonly makerEdgeCents?: number;
}

export function edgeDegF(forecastImpliedF: number, marketImpliedF: number): number {
  return (
    requireFinite('forecastImpliedF', forecastImpliedF) - requireFinite('marketImpliedF', marketImpliedF)
  );
}

export function detectSignal(edge: number, thresholdDegF: number): Signal {
  requireFinite('edge', edge);
  requireFinite('thresholdDegF', thresholdDegF, 0);
  if (edge >= thresholdDegF && edge > 0) return 'buy_high';
  if (edge <= -thresholdDegF && edge < 0) return 'buy_low';
  return 'no_trade';
}

function edgeCents(winProb: number, price: Price | undefined, fee: (p: Price) => number): number | undefined {
  if (price === undefined) return undefined;
  return 100 * (winProb - price / PRICE_SCALE - fee(price));
}

/**
 * Both legs of every bracket with their edges. `winProbs` are the model's YES probabilities (one per
 * bracket, ascending); `reps` the representative temperatures; `marketImpliedF` sets directions.
 */
export function legEdges(
  ladder: Ladder,
  winProbs: readonly number[],
  quotes: readonly BracketQuote[],
  reps: readonly number[],
  marketImpliedF: number,
  schedule: FeeSchedule = WEATHER_FEE_SCHEDULE,
): LegEdge[] {
  const n = ladder.brackets.length;
  if (winProbs.length !== n || reps.length !== n) {
    throw new EdgeError(
      'EDGE_BAD_INPUT',
      'winProbs',
      `expected ${n} probabilities and ${n} representative temperatures`,
    );
  }
  const byTicker = new Map(quotes.map((q) => [q.ticker, q]));
  const taker = (p: Price) => feePerContract('taker', p, schedule);
  const maker = (p: Price) => feePerContract('maker', p, schedule);
  const out: LegEdge[] = [];
  ladder.brackets.forEach((b, i) => {
    const q = byTicker.get(b.ticker);
    const yesWin = winProbs[i] as number;
    const rep = reps[i] as number;
    const above = rep > marketImpliedF ? 'high' : rep < marketImpliedF ? 'low' : 'neutral';
    const below = above === 'high' ? 'low' : above === 'low' ? 'high' : 'neutral';
    const yesAsk = q?.yesAsk;
    const yesBid = q?.yesBid;
    const legs: Array<{ side: LegSide; direction: Direction; win: number; ask?: Price; bid?: Price }> = [
      { side: 'yes', direction: above, win: yesWin, ask: yesAsk, bid: yesBid },
      {
        side: 'no',
        direction: below,
        win: 1 - yesWin,
        ask: yesBid === undefined ? undefined : PRICE_SCALE - yesBid,
        bid: yesAsk === undefined ? undefined : PRICE_SCALE - yesAsk,
      },
    ];
    for (const leg of legs) {
      const takerEdgeCents = edgeCents(leg.win, leg.ask, taker);
      const makerEdgeCents = edgeCents(leg.win, leg.bid, maker);
      out.push({
        ticker: b.ticker,
        label: b.label,
        side: leg.side,
        direction: leg.direction,
        winProb: leg.win,
        ...(leg.ask !== undefined ? { takerPrice: leg.ask } : {}),
        ...(leg.bid !== undefined ? { makerPrice: leg.bid } : {}),
        ...(takerEdgeCents !== undefined ? { takerEdgeCents } : {}),
        ...(makerEdgeCents !== undefined ? { makerEdgeCents } : {}),
      });
    }
  });
  return out;
}

/** The leg to buy for a signal (see DIRECTION in the header), or undefined if none qualifies. */
export function recommendLeg(
  signal: Signal,
  legs: readonly LegEdge[],
  minEdgeCents = 0,
): LegEdge | undefined {
  if (signal === 'no_trade') return undefined;
  const want: Direction = signal === 'buy_high' ? 'high' : 'low';
  let best: LegEdge | undefined;
  for (const leg of legs) {
    if (leg.direction !== want || leg.takerEdgeCents === undefined || leg.takerEdgeCents < minEdgeCents)
      continue;
    if (leg.takerEdgeCents <= 0) continue;
    if (!best || leg.takerEdgeCents > (best.takerEdgeCents as number)) best = leg;
  }
  return best;
}
