/**
 * The local order book of ONE Kalshi market, in integer units (src/kalshi/units.ts).
 *
 * Kalshi's book holds bids only, in two ladders (KALSHI.md §8):
 *  - the YES ladder: YES bids at their YES price;
 *  - the NO ladder:  NO bids at their NO price.
 * A NO bid at q is a YES ask at 1 − q, so yesAsk = 1 − bestNoBid and noAsk = 1 − bestYesBid.
 *
 * Rules (KALSHI.md §7):
 *  - a snapshot replaces both ladders;
 *  - a delta adds a signed Count to one level; a level that nets to ≤ 0 is removed;
 *  - a delta that would drive a level below zero (or takes from a level we do not have) is a
 *    symptom of a missed message: the level is removed as Kalshi's rule says, and the delta is
 *    reported as `'negative'` so the caller can resync. The book never holds a negative level.
 *
 * Layout: each ladder is a Float64Array of sizes indexed by Price (1/10,000 $) over its grid —
 * whole cents (101 slots) until a finer price arrives, then tenths of a cent or every unit
 * (10,001 slots) — with an occupancy bitset, the best (highest) bid, the number of levels and the
 * total size cached. A delta is O(1) except when
 * it removes the best level, which scans down to the next one (a few slots in a real book).
 * Float64 holds every Count exactly (they are safe integers).
 *
 * The book is pure: no clock, no I/O. Times are handed in by the caller: the exchange's
 * timestamp and our receive time are kept separately. Kalshi's orderbook messages become book
 * input in messages.ts.
 */

import {
  type Count,
  complement,
  MAX_LIMIT_PRICE,
  MIN_LIMIT_PRICE,
  PRICE_SCALE,
  type Price,
} from '../domain/index.js';

/** Which ladder: YES bids or NO bids. */
export type LadderSide = 'yes' | 'no';

export interface Level {
  readonly price: Price;
  readonly count: Count;
}

/**
 * How far the trader may trust a book:
 *  - `live`      : built from a snapshot and kept by an unbroken delta sequence;
 *  - `resyncing` : no snapshot yet, or a gap / negative level was seen and a snapshot is awaited;
 *  - `stale`     : no news for too long, or the connection under it was lost.
 */
export type BookStatus = 'live' | 'resyncing' | 'stale';

/**
 * What a delta did to its level:
 *  - `added`     : the level did not exist and now does;
 *  - `changed`   : the level exists before and after;
 *  - `removed`   : the level netted to exactly zero and was removed;
 *  - `unchanged` : a zero delta;
 *  - `negative`  : the level would have gone below zero (or did not exist for a negative delta);
 *                  it is removed (absent) and the caller should resync.
 */
export type DeltaOutcome = 'added' | 'changed' | 'removed' | 'unchanged' | 'negative';

/** When the book last changed: the exchange's timestamp and ours, kept apart. */
export interface UpdateStamp {
  /** Exchange timestamp (ts_ms) when the message carried one. */
  readonly exchangeTsMs?: number | undefined;
  /** Our clock when the message was received. */
  readonly receivedMs: number;
}

export const ORDERBOOK_ERROR_CODES = {
  BOOK_BAD_PRICE: 'a price is not an integer strictly between 0 and 1 dollar (1..9999 units)',
  BOOK_BAD_COUNT: 'a count is not a safe integer of the right sign',
  BOOK_DUPLICATE_LEVEL: 'a snapshot lists the same price twice on one side',
  BOOK_NEGATIVE_LEVEL: 'a delta would drive a level below zero (a message was missed)',
  BOOK_WRONG_MARKET: 'a message for another market was applied to this book',
} as const;
export type OrderBookErrorCode = keyof typeof ORDERBOOK_ERROR_CODES;

/** Bad input to the book (a programmer error or an unparsed wire value), or a strict-mode negative level. */
export class OrderBookError extends Error {
  readonly code: OrderBookErrorCode;
  readonly side: LadderSide | undefined;
  readonly price: number | undefined;

  constructor(code: OrderBookErrorCode, message: string, side?: LadderSide, price?: number) {
    super(message);
    this.name = 'OrderBookError';
    this.code = code;
    this.side = side;
    this.price = price;
  }
}

/**
 * The grids a ladder can be laid on, coarsest first, in price units per slot: whole cents, tenths
 * of a cent, every unit. A ladder starts on whole cents (101 slots: under 1 KB, so a collector can
 * hold thousands of books) and moves to a finer grid, once, the first time a level off its grid
 * arrives (a deci-cent market); its levels are carried over.
 */
const GRID_STEPS = [100, 10, 1] as const;

function isBookPrice(price: number): boolean {
  return Number.isInteger(price) && price >= MIN_LIMIT_PRICE && price <= MAX_LIMIT_PRICE;
}

/** One bid ladder. Internal: the book keeps its invariants. Prices in and out are Price units. */
class Ladder {
  /** Price units per slot (one of GRID_STEPS). */
  step = GRID_STEPS[0] as number;
  sizes = new Float64Array(PRICE_SCALE / this.step + 1);
  /** Occupancy bitset over slots: finds the next level down 32 slots at a time. */
  bits = new Uint32Array(Math.ceil(this.sizes.length / 32));
  /** Highest price with a level, 0 when empty. */
  best = 0;
  levelCount = 0;
  total = 0;

  apply(price: number, delta: number): DeltaOutcome {
    if (delta === 0) return 'unchanged';
    if (price % this.step !== 0) {
      // Nothing rests off the grid: taking from there is a negative level, adding moves the grid.
      if (delta < 0) return 'negative';
      this.refine(price);
    }
    const i = price / this.step;
    const sizes = this.sizes;
    const cur = sizes[i] as number;
    const next = cur + delta;
    if (next > 0) {
      sizes[i] = next;
      this.total += delta;
      if (cur === 0) {
        this.bits[i >>> 5] = (this.bits[i >>> 5] as number) | (1 << (i & 31));
        this.levelCount++;
        if (price > this.best) this.best = price;
        return 'added';
      }
      return 'changed';
    }
    if (cur === 0) return 'negative';
    sizes[i] = 0;
    this.bits[i >>> 5] = (this.bits[i >>> 5] as number) & ~(1 << (i & 31));
    this.total -= cur;
    this.levelCount--;
    if (price === this.best) this.best = this.highestAtOrBelow(price - 1);
    return next === 0 ? 'removed' : 'negative';
  }

  sizeAt(price: number): number {
    return price % this.step === 0 ? (this.sizes[price / this.step] as number) : 0;
  }

  /** Moves to the coarsest grid that holds `price`, carrying every level over. */
  private refine(price: number): void {
    const step = GRID_STEPS.find((s) => price % s === 0 && this.step % s === 0) ?? 1;
    const ratio = this.step / step;
    const sizes = new Float64Array(PRICE_SCALE / step + 1);
    const bits = new Uint32Array(Math.ceil(sizes.length / 32));
    for (let i = 0; i < this.sizes.length; i++) {
      const size = this.sizes[i] as number;
      if (size === 0) continue;
      const j = i * ratio;
      sizes[j] = size;
      bits[j >>> 5] = (bits[j >>> 5] as number) | (1 << (j & 31));
    }
    this.step = step;
    this.sizes = sizes;
    this.bits = bits;
  }

  /** Highest occupied price ≤ `from`, 0 when none. */
  highestAtOrBelow(from: number): number {
    if (from <= 0 || this.levelCount === 0) return 0;
    const bits = this.bits;
    const start = Math.min(Math.floor(from / this.step), this.sizes.length - 1);
    let w = start >>> 5;
    // keep bits 0..(start & 31) of the first word
    let word = (bits[w] as number) & (0xffffffff >>> (31 - (start & 31)));
    for (;;) {
      if (word !== 0) return ((w << 5) + 31 - Math.clz32(word)) * this.step;
      if (w === 0) return 0;
      w--;
      word = bits[w] as number;
    }
  }

  /** Lowest occupied price ≥ `from`, 0 when none. */
  lowestAtOrAbove(from: number): number {
    if (from > MAX_LIMIT_PRICE || this.levelCount === 0) return 0;
    const bits = this.bits;
    const start = Math.ceil(from / this.step);
    let w = start >>> 5;
    if (w >= bits.length) return 0;
    // drop bits below (start & 31) of the first word
    let word = (bits[w] as number) & ~((1 << (start & 31)) - 1);
    for (;;) {
      if (word !== 0) return ((w << 5) + 31 - Math.clz32(word & -word)) * this.step;
      w++;
      if (w >= bits.length) return 0;
      word = bits[w] as number;
    }
  }

  clear(): void {
    if (this.levelCount !== 0) {
      this.sizes.fill(0);
      this.bits.fill(0);
    }
    this.best = 0;
    this.levelCount = 0;
    this.total = 0;
  }

  /** Becomes a copy of `o` (its grid, levels and caches), reusing this ladder's arrays when they fit. */
  copyFrom(o: Ladder): void {
    if (this.sizes.length !== o.sizes.length) {
      this.sizes = new Float64Array(o.sizes.length);
      this.bits = new Uint32Array(o.bits.length);
    }
    this.sizes.set(o.sizes);
    this.bits.set(o.bits);
    this.step = o.step;
    this.best = o.best;
    this.levelCount = o.levelCount;
    this.total = o.total;
  }

  load(levels: readonly Level[]): void {
    for (const { price, count } of levels) {
      if (count !== 0) this.apply(price, count);
    }
  }

  /** Best first. */
  top(n: number): Level[] {
    const out: Level[] = [];
    for (let p = this.best; p > 0 && out.length < n; p = this.highestAtOrBelow(p - 1)) {
      out.push({ price: p, count: this.sizeAt(p) });
    }
    return out;
  }

  /** Ascending by price. */
  ascending(): Level[] {
    const out: Level[] = [];
    for (let p = this.lowestAtOrAbove(MIN_LIMIT_PRICE); p > 0; p = this.lowestAtOrAbove(p + 1)) {
      out.push({ price: p, count: this.sizeAt(p) });
    }
    return out;
  }
}

function validateSide(side: LadderSide, levels: readonly Level[]): void {
  const seen = new Set<number>();
  for (const { price, count } of levels) {
    if (!isBookPrice(price)) {
      throw new OrderBookError('BOOK_BAD_PRICE', `snapshot ${side} level: bad price ${price}`, side, price);
    }
    if (!Number.isSafeInteger(count) || count < 0) {
      throw new OrderBookError(
        'BOOK_BAD_COUNT',
        `snapshot ${side} level at ${price}: bad count ${count}`,
        side,
        price,
      );
    }
    if (seen.has(price)) {
      throw new OrderBookError(
        'BOOK_DUPLICATE_LEVEL',
        `snapshot ${side} side lists price ${price} twice`,
        side,
        price,
      );
    }
    seen.add(price);
  }
}

export class OrderBook {
  readonly marketTicker: string;
  private readonly yes = new Ladder();
  private readonly no = new Ladder();
  private statusValue: BookStatus = 'resyncing';
  private exchangeTsMs: number | undefined;
  private receivedMs: number | undefined;

  constructor(marketTicker = '') {
    this.marketTicker = marketTicker;
  }

  // ---------- state changes ----------

  /**
   * Replaces both ladders. Levels may come in any order; zero counts are skipped. Throws
   * OrderBookError (and leaves the book untouched) on a bad price, a bad count or a duplicate price.
   * A snapshot makes the book `live`.
   */
  applySnapshot(yesLevels: readonly Level[], noLevels: readonly Level[], stamp?: UpdateStamp): void {
    validateSide('yes', yesLevels);
    validateSide('no', noLevels);
    this.yes.clear();
    this.no.clear();
    this.yes.load(yesLevels);
    this.no.load(noLevels);
    this.statusValue = 'live';
    if (stamp) this.markUpdated(stamp);
  }

  /** Becomes a copy of `other` (ladders, status, stamps): a scratch book for looking ahead. */
  copyFrom(other: OrderBook): void {
    this.yes.copyFrom(other.yes);
    this.no.copyFrom(other.no);
    this.statusValue = other.statusValue;
    this.exchangeTsMs = other.exchangeTsMs;
    this.receivedMs = other.receivedMs;
  }

  /**
   * Adds a signed `delta` (Count) to the level at `price` on one ladder. Hot path: no allocation.
   * Returns what happened; `'negative'` means the book was out of step and wants a resync.
   * Throws OrderBookError on a price outside 1..9999 or a non-integer delta (programmer errors:
   * parse with deltaFromMessage first).
   */
  applyDelta(side: LadderSide, price: Price, delta: Count): DeltaOutcome {
    if (!(price >= MIN_LIMIT_PRICE && price <= MAX_LIMIT_PRICE) || (price | 0) !== price) {
      throw new OrderBookError('BOOK_BAD_PRICE', `delta on ${side}: bad price ${price}`, side, price);
    }
    if (!Number.isSafeInteger(delta)) {
      throw new OrderBookError(
        'BOOK_BAD_COUNT',
        `delta on ${side} at ${price}: bad count ${delta}`,
        side,
        price,
      );
    }
    return side === 'yes' ? this.yes.apply(price, delta) : this.no.apply(price, delta);
  }

  /** As applyDelta, but a negative level throws OrderBookError `BOOK_NEGATIVE_LEVEL` (after removing it). */
  applyDeltaStrict(side: LadderSide, price: Price, delta: Count): Exclude<DeltaOutcome, 'negative'> {
    const before = this.sizeAt(side, price);
    const outcome = this.applyDelta(side, price, delta);
    if (outcome === 'negative') {
      throw new OrderBookError(
        'BOOK_NEGATIVE_LEVEL',
        `${this.marketTicker || 'book'}: delta ${delta} on ${side} level ${price} holding ${before} would go negative`,
        side,
        price,
      );
    }
    return outcome;
  }

  /** Records when the book last changed (call after applying a delta). */
  markUpdated(stamp: UpdateStamp): void {
    if (stamp.exchangeTsMs !== undefined) this.exchangeTsMs = stamp.exchangeTsMs;
    this.receivedMs = stamp.receivedMs;
  }

  /** A snapshot has been asked for (gap, negative level, reconnect). Cleared by applySnapshot. */
  markResyncing(): void {
    this.statusValue = 'resyncing';
  }

  /** The feed under the book is gone or silent. Cleared by applySnapshot. */
  markStale(): void {
    this.statusValue = 'stale';
  }

  // ---------- status ----------

  get status(): BookStatus {
    return this.statusValue;
  }

  /** The exchange timestamp (ms) of the last message applied, when one carried it. */
  get lastExchangeTsMs(): number | undefined {
    return this.exchangeTsMs;
  }

  /** Our receive time (ms) of the last message applied. */
  get lastReceivedMs(): number | undefined {
    return this.receivedMs;
  }

  /** Status as of `nowMs`: a `live` book with no update for `staleAfterMs` or more is `stale`. */
  statusAt(nowMs: number, staleAfterMs: number): BookStatus {
    if (this.statusValue !== 'live') return this.statusValue;
    if (this.receivedMs === undefined || nowMs - this.receivedMs >= staleAfterMs) return 'stale';
    return 'live';
  }

  // ---------- views ----------

  /** Best YES bid, or undefined when the YES ladder is empty. */
  bestYesBid(): Price | undefined {
    return this.yes.best === 0 ? undefined : this.yes.best;
  }

  /** Best NO bid (on the NO price scale), or undefined when the NO ladder is empty. */
  bestNoBid(): Price | undefined {
    return this.no.best === 0 ? undefined : this.no.best;
  }

  bestBid(side: LadderSide): Price | undefined {
    return side === 'yes' ? this.bestYesBid() : this.bestNoBid();
  }

  /** Cheapest YES offer = 1 − best NO bid. */
  yesAsk(): Price | undefined {
    return this.no.best === 0 ? undefined : complement(this.no.best);
  }

  /** Cheapest NO offer = 1 − best YES bid. */
  noAsk(): Price | undefined {
    return this.yes.best === 0 ? undefined : complement(this.yes.best);
  }

  /** YES ask − YES bid (equals NO ask − NO bid); ≤ 0 when crossed; undefined if a side is empty. */
  spread(): Price | undefined {
    if (this.yes.best === 0 || this.no.best === 0) return undefined;
    return PRICE_SCALE - this.no.best - this.yes.best;
  }

  /**
   * YES mid price, (bestYesBid + yesAsk) / 2; undefined if a side is empty. Exact on every Kalshi
   * tick grid (the finest tick, $0.001, is 10 units); on odd 1/10,000 sums it rounds down by half a unit.
   */
  mid(): Price | undefined {
    if (this.yes.best === 0 || this.no.best === 0) return undefined;
    return Math.floor((this.yes.best + PRICE_SCALE - this.no.best) / 2);
  }

  /** Best YES bid + best NO bid ≥ $1: someone would trade with themselves; never true on a healthy book. */
  isCrossed(): boolean {
    return this.yes.best !== 0 && this.no.best !== 0 && this.yes.best + this.no.best >= PRICE_SCALE;
  }

  /** Size resting at `price` on one ladder (0 when no level). */
  sizeAt(side: LadderSide, price: Price): Count {
    if (!isBookPrice(price)) return 0;
    return (side === 'yes' ? this.yes : this.no).sizeAt(price);
  }

  /** Number of price levels on one ladder. */
  levelCount(side: LadderSide): number {
    return side === 'yes' ? this.yes.levelCount : this.no.levelCount;
  }

  /** Total size on one ladder, or both when `side` is omitted. */
  totalDepth(side?: LadderSide): Count {
    if (side === 'yes') return this.yes.total;
    if (side === 'no') return this.no.total;
    return this.yes.total + this.no.total;
  }

  /** The `n` best levels of one ladder, best (highest) first. */
  depth(side: LadderSide, n: number): Level[] {
    return (side === 'yes' ? this.yes : this.no).top(n);
  }

  /** All levels of one ladder, ascending by price (as Kalshi's REST book lists them). */
  levels(side: LadderSide): Level[] {
    return (side === 'yes' ? this.yes : this.no).ascending();
  }

  isEmpty(): boolean {
    return this.yes.levelCount === 0 && this.no.levelCount === 0;
  }
}
