/**
 * The order book's data structure and its primitives (the BOOK section of matching.ts is the
 * spec): two bid ladders per market, each a map price → level plus the sorted list of its
 * non-empty prices; a level is a FIFO queue of resting orders (arrival order) with its total size.
 * The primitives mutate the book they are given, deterministically; matching.ts decides.
 */
import { type Count, complement, PRICE_SCALE, type Price } from '../domain/index.js';
import type { Ladder } from './core-types.js';

/** One resting order's place in a level's queue. */
export interface RestingOrder {
  orderId: string;
  accountId: string;
  clientOrderId: string;
  /** Remaining size on the book. */
  remaining: Count;
  /** Monotonic arrival number (time priority). */
  arrival: number;
}

export interface PriceLevel {
  /** The ladder's own price (NO ladder: NO price). */
  price: Price;
  total: Count;
  /** FIFO: index 0 is first in line. */
  queue: RestingOrder[];
}

export interface LadderBook {
  levels: Map<Price, PriceLevel>;
  /** Non-empty prices, ascending (best bid last). */
  prices: Price[];
}

export interface OrderBook {
  yes: LadderBook;
  no: LadderBook;
}

// ---------------------------------------------------------------------------------------------
// Book primitives

export function createLadder(): LadderBook {
  return { levels: new Map(), prices: [] };
}

export function createBook(): OrderBook {
  return { yes: createLadder(), no: createLadder() };
}

export function otherLadder(ladder: Ladder): Ladder {
  return ladder === 'yes' ? 'no' : 'yes';
}

/** The YES price of a price on `ladder`. */
export function toYesPrice(ladder: Ladder, price: Price): Price {
  return ladder === 'yes' ? price : complement(price);
}

/** The price on `ladder` of a YES price. */
export function fromYesPrice(ladder: Ladder, yesPrice: Price): Price {
  return ladder === 'yes' ? yesPrice : complement(yesPrice);
}

/** Highest bid on the ladder, or undefined when empty. */
export function bestPrice(ladder: LadderBook): Price | undefined {
  return ladder.prices[ladder.prices.length - 1];
}

/** Index of the first price ≥ `price` (binary search). */
function lowerBound(prices: Price[], price: Price): number {
  let lo = 0;
  let hi = prices.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((prices[mid] as Price) < price) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Appends an order to the back of its level's queue (mutates). */
export function addResting(book: OrderBook, ladder: Ladder, price: Price, order: RestingOrder): void {
  if (order.remaining <= 0) throw new RangeError(`addResting: ${order.orderId} has no size`);
  const side = book[ladder];
  let level = side.levels.get(price);
  if (!level) {
    level = { price, total: 0, queue: [] };
    side.levels.set(price, level);
    side.prices.splice(lowerBound(side.prices, price), 0, price);
  }
  level.queue.push({ ...order });
  level.total += order.remaining;
}

function dropLevelIfEmpty(side: LadderBook, level: PriceLevel): void {
  if (level.queue.length > 0) return;
  side.levels.delete(level.price);
  const i = lowerBound(side.prices, level.price);
  if (side.prices[i] === level.price) side.prices.splice(i, 1);
}

/**
 * Reduces a resting order's size by `by`, keeping its place in the queue; removes it at zero.
 * Returns the size actually removed (0 when the order is not on the book).
 */
export function reduceResting(
  book: OrderBook,
  ladder: Ladder,
  price: Price,
  orderId: string,
  by: Count,
): Count {
  const side = book[ladder];
  const level = side.levels.get(price);
  if (!level) return 0;
  const i = level.queue.findIndex((o) => o.orderId === orderId);
  if (i < 0) return 0;
  const entry = level.queue[i] as RestingOrder;
  const removed = Math.min(by, entry.remaining);
  entry.remaining -= removed;
  level.total -= removed;
  if (entry.remaining === 0) level.queue.splice(i, 1);
  dropLevelIfEmpty(side, level);
  return removed;
}

/** The queue entry of a resting order, or undefined (for in-place edits such as a new client id). */
export function findResting(
  book: OrderBook,
  ladder: Ladder,
  price: Price,
  orderId: string,
): RestingOrder | undefined {
  return book[ladder].levels.get(price)?.queue.find((o) => o.orderId === orderId);
}

/** Removes a resting order entirely; returns the size removed. */
export function removeResting(book: OrderBook, ladder: Ladder, price: Price, orderId: string): Count {
  return reduceResting(book, ladder, price, orderId, Number.MAX_SAFE_INTEGER);
}

/** Aggregated [price, size] levels, ascending by price. */
export function ladderLevels(ladder: LadderBook): Array<[Price, Count]> {
  return ladder.prices.map((p) => [p, (ladder.levels.get(p) as PriceLevel).total]);
}

/** Resting orders that an incoming order on `ladder` at `price` crosses, in priority order. */
export function* crossingOrders(
  book: OrderBook,
  ladder: Ladder,
  price: Price,
): Generator<{ level: PriceLevel; order: RestingOrder }> {
  const opposite = book[otherLadder(ladder)];
  const threshold = complement(price);
  for (let i = opposite.prices.length - 1; i >= 0; i--) {
    const q = opposite.prices[i] as Price;
    if (q < threshold) return;
    const level = opposite.levels.get(q) as PriceLevel;
    for (const order of level.queue) yield { level, order };
  }
}

/** True when an order on `ladder` at `price` would trade against anything resting. */
export function wouldCross(book: OrderBook, ladder: Ladder, price: Price): boolean {
  const best = bestPrice(book[otherLadder(ladder)]);
  return best !== undefined && best + price >= PRICE_SCALE;
}
