/**
 * Position accounting: positions and P&L from our fills, in exact integers (pure functions; the
 * PositionTracker in position-tracker.ts applies them to the bus's fills).
 *
 * Units (src/kalshi/units.ts): Count = 1/100 contract, signed (+ YES held / − NO held);
 * Price = 1/10,000 $ on the YES leg; Micros = 1e-6 $. count × price is exact in micros.
 *
 * Accounting rules (average cost, one open position per ticker):
 *  - A fill with bookSide 'bid' bought YES at yesPrice (position += count); 'ask' sold YES ≡ bought
 *    NO at 1 − yesPrice (position −= count). A YES + NO pair is worth exactly $1, so holding both is
 *    never represented: opposite legs net against each other.
 *  - The leg price of a fill is yesPrice for the YES leg and complement(yesPrice) for the NO leg.
 *  - Increasing (or opening) a position adds count × entry leg price to `costBasis`, which is kept
 *    as a total for the open contracts, never as an average.
 *  - Reducing a position by r of the |position| held removes the share
 *        removed = floor(costBasis × r / |position|)             (BigInt; costBasis ≥ 0)
 *    of the basis, and realizes (r × exit leg price) − removed. The exit leg price is yesPrice when
 *    a long YES is reduced by an 'ask' (we sold YES at p), and 1 − yesPrice when a long NO is reduced
 *    by a 'bid' (buying YES at p against a held NO releases $1 per pair: the NO closes at 1 − p).
 *    The rounding remainder of the division stays in the remaining basis (it is realized when
 *    the rest is reduced); closing the whole position removes the whole basis. Hence
 *        Δ realizedPnl − Δ costBasis = cash received − cash paid   exactly, on every fill.
 *  - A fill that crosses zero is split: the reducing part closes the old leg as above, the rest opens
 *    the new leg at its leg price.
 *  - realizedPnl is before fees; fees accumulate separately in feesPaid; net = realized − fees.
 *  - unrealized(mark) = value of the open contracts at the mark (YES × mark, NO × (1 − mark)) − costBasis.
 *    So realizedPnl + unrealized(mark) = Σ over fills of signedCount × (mark − yesPrice): the total at
 *    a mark never depends on the order of fills, only the realized/basis split does.
 *
 * Positions adopted from the exchange at calibration (`reconcile` with adopt) take the exchange's
 * count; see `adoptExchangePosition` for the basis rule.
 *
 * A settlement (the exchange pays `revenue` for the contracts held when the market settled) closes
 * the position: realizedPnl += revenue − costBasis, position and basis go to 0 — again
 * Δ realizedPnl − Δ costBasis = cash received. Each market settles once; replays change nothing.
 */
import type { BookSide, ExchangeFill, ExchangePosition } from '../domain/index.js';
import {
  type Count,
  complement,
  MAX_LIMIT_PRICE,
  MIN_LIMIT_PRICE,
  type Micros,
  PRICE_SCALE,
  type Price,
} from '../domain/index.js';
import { formatCount } from '../kalshi/index.js';

/** One ticker's position and P&L. */
export interface PositionState {
  readonly ticker: string;
  /** Signed: + YES contracts held, − NO contracts held. */
  readonly position: Count;
  /** What the open contracts cost, in total (not an average). 0 when flat. */
  readonly costBasis: Micros;
  /** Realized P&L before fees. */
  readonly realizedPnl: Micros;
  readonly feesPaid: Micros;
}

/** The parts of a fill the arithmetic needs. */
export type FillAmounts = Pick<ExchangeFill, 'ticker' | 'bookSide' | 'yesPrice' | 'count' | 'fee'>;

export interface PnlTotals {
  readonly realized: Micros;
  /** Over positions with a mark; positions without a mark are carried at cost (0). */
  readonly unrealized: Micros;
  readonly fees: Micros;
  /** realized + unrealized − fees. */
  readonly net: Micros;
}

export interface PositionDrift {
  readonly ticker: string;
  readonly local: Count;
  readonly exchange: Count;
  readonly at: number;
}

export function emptyPosition(ticker: string): PositionState {
  return { ticker, position: 0, costBasis: 0, realizedPnl: 0, feesPaid: 0 };
}

/** +count for a bid (bought YES), −count for an ask (bought NO). */
export function signedCount(bookSide: BookSide, count: Count): Count {
  return bookSide === 'bid' ? count : -count;
}

function safe(n: number, what: string, ticker: string): number {
  if (!Number.isSafeInteger(n)) throw new RangeError(`${ticker}: ${what} out of the safe integer range`);
  return n;
}

function validateFill(fill: FillAmounts): void {
  if (!Number.isSafeInteger(fill.count) || fill.count <= 0) {
    throw new RangeError(
      `${fill.ticker}: fill count must be a positive whole number of units, got ${fill.count}`,
    );
  }
  if (
    !Number.isInteger(fill.yesPrice) ||
    fill.yesPrice < MIN_LIMIT_PRICE ||
    fill.yesPrice > MAX_LIMIT_PRICE
  ) {
    throw new RangeError(`${fill.ticker}: fill price must be inside (0, 1), got ${fill.yesPrice}`);
  }
  if (!Number.isSafeInteger(fill.fee)) {
    throw new RangeError(`${fill.ticker}: fill fee must be whole micros, got ${fill.fee}`);
  }
}

/** The share of `costBasis` that `reduced` of `held` contracts carry, rounded toward zero. */
function basisShare(costBasis: Micros, reduced: Count, held: Count): Micros {
  if (reduced === held) return costBasis;
  return Number((BigInt(costBasis) * BigInt(reduced)) / BigInt(held));
}

/** Applies one fill to the ticker's state (pure). Throws RangeError on a malformed fill. */
export function applyFill(state: PositionState, fill: FillAmounts): PositionState {
  if (fill.ticker !== state.ticker) {
    throw new RangeError(`fill for ${fill.ticker} applied to the position of ${state.ticker}`);
  }
  validateFill(fill);
  const direction = fill.bookSide === 'bid' ? 1 : -1;
  let position = state.position;
  let costBasis = state.costBasis;
  let realizedPnl = state.realizedPnl;
  let opening = fill.count;

  if (position !== 0 && Math.sign(position) !== direction) {
    const held = Math.abs(position);
    const reduced = Math.min(fill.count, held);
    // Long YES exits at p (sold YES); long NO exits at 1 − p (bought YES against it: $1 per pair).
    const exitLegPrice = position > 0 ? fill.yesPrice : complement(fill.yesPrice);
    const removed = basisShare(costBasis, reduced, held);
    realizedPnl = safe(realizedPnl + reduced * exitLegPrice - removed, 'realized P&L', state.ticker);
    costBasis -= removed;
    position += direction * reduced;
    opening -= reduced;
  }
  if (opening > 0) {
    const entryLegPrice = direction > 0 ? fill.yesPrice : complement(fill.yesPrice);
    costBasis = safe(costBasis + opening * entryLegPrice, 'cost basis', state.ticker);
    position = safe(position + direction * opening, 'position', state.ticker);
  }
  return {
    ticker: state.ticker,
    position,
    costBasis,
    realizedPnl,
    feesPaid: safe(state.feesPaid + fill.fee, 'fees', state.ticker),
  };
}

/** Value of the open contracts at a YES mark: YES × mark, NO × (1 − mark). */
export function positionValue(state: PositionState, mark: Price): Micros {
  if (!Number.isInteger(mark) || mark < 0 || mark > PRICE_SCALE) {
    throw new RangeError(`${state.ticker}: mark must be a price in [0, 1], got ${mark}`);
  }
  if (state.position >= 0) return state.position * mark;
  return -state.position * complement(mark);
}

/** Open-position P&L at a YES mark: value at the mark − cost basis. */
export function unrealized(state: PositionState, mark: Price): Micros {
  return positionValue(state, mark) - state.costBasis;
}

/** Realized P&L after fees. */
export function netRealized(state: PositionState): Micros {
  return state.realizedPnl - state.feesPaid;
}

/** Folds fills (in the given order) into per-ticker states. */
export function positionsFromFills(
  fills: Iterable<FillAmounts>,
  initial: ReadonlyMap<string, PositionState> = new Map(),
): Map<string, PositionState> {
  const out = new Map(initial);
  for (const fill of fills) {
    out.set(fill.ticker, applyFill(out.get(fill.ticker) ?? emptyPosition(fill.ticker), fill));
  }
  return out;
}

/**
 * The state after adopting the exchange's count (calibration). Realized P&L and fees stay local
 * (the exchange's figures are lifetime totals for the market, not this session's). The basis:
 *  - exchange flat → 0;
 *  - local flat, or on the other leg → the exchange's exposure (its cost basis; 0 if unreported);
 *  - same leg, different size → the local average cost carried to the new size
 *    (floor(costBasis × |exchange| / |local|)).
 */
export function adoptExchangePosition(local: PositionState, exchange: ExchangePosition): PositionState {
  const target = exchange.position;
  let costBasis: Micros;
  if (target === 0) costBasis = 0;
  else if (local.position === 0 || Math.sign(local.position) !== Math.sign(target)) {
    costBasis = exchange.exposure;
  } else {
    costBasis = Number(
      (BigInt(local.costBasis) * BigInt(Math.abs(target))) / BigInt(Math.abs(local.position)),
    );
  }
  return { ...local, position: target, costBasis };
}

/** The state after the market settled and paid `revenue` (micros) for what was held. */
export function applySettlement(state: PositionState, revenue: Micros): PositionState {
  if (!Number.isSafeInteger(revenue) || revenue < 0) {
    throw new RangeError(
      `settlement of ${state.ticker}: revenue must be a whole number of micros ≥ 0, got ${revenue}`,
    );
  }
  return { ...state, position: 0, costBasis: 0, realizedPnl: state.realizedPnl + revenue - state.costBasis };
}

/** "+10.00 YES" / "-3.00 NO" / "0.00": the signed count and the leg held, for logs and the status block. */
export function describePosition(position: Count): string {
  if (position === 0) return formatCount(0);
  return position > 0 ? `+${formatCount(position)} YES` : `${formatCount(position)} NO`;
}
