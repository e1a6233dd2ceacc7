/**
 * One recorded book update applied to the replay's books, as the live orderbook integration
 * applied it: a snapshot (re)creates the market's book and makes it live; a delta changes a live
 * book (a delta before the market's first snapshot, or one that would drive a level negative, is
 * not an update: the live integration would resync instead). The replay loop and its lookahead
 * (speculate.ts) both feed books through here, so they agree on what counts as an update.
 */
import { type Level, OrderBook } from '../orderbook/index.js';
import type { BookRecord } from '../policy/index.js';

export type DeltaRecord = Extract<BookRecord, { side: 'yes' | 'no' }>;

export const isDelta = (r: BookRecord): r is DeltaRecord => 'side' in r;

const levels = (pairs: ReadonlyArray<readonly [number, number]>): Level[] =>
  pairs.filter(([, c]) => c > 0).map(([price, count]) => ({ price, count }));

/** Applies `r` to its market's book in `books`; true when the book changed as an update (see above). */
export function applyRecord(books: Map<string, OrderBook>, r: BookRecord): boolean {
  let b = books.get(r.ticker);
  if (isDelta(r)) {
    if (b?.status !== 'live') return false;
    return b.applyDelta(r.side, r.price, r.delta) !== 'negative';
  }
  if (!b) {
    b = new OrderBook(r.ticker);
    books.set(r.ticker, b);
  }
  b.applySnapshot(levels(r.yes), levels(r.no));
  return true;
}
