/**
 * The REST cross-check's doubt lifecycle: a confirmed disagreement doubts the market and asks for
 * a resync, a later agreeing check clears it, and a market that is no longer watched (its book is
 * gone, so no check can ever agree) is forgotten rather than doubted for ever (chaos finding 5).
 */
import { describe, expect, it } from 'vitest';
import { createBus } from '../../src/bus.js';
import { BookAuditor } from '../../src/integrations/index.js';
import type { OrderBook } from '../../src/orderbook/index.js';

type Level = { price: number; count: number };

/** A live local book whose YES ladder is `yes` (NO empty). */
function localBook(yes: Level[]): OrderBook {
  return {
    status: 'live',
    depth: (side: 'yes' | 'no') => (side === 'yes' ? yes : []),
  } as unknown as OrderBook;
}

/** The exchange's REST answer with one YES level at 0.5600 × `count`. */
function restBook(count: string) {
  return { orderbook_fp: { yes_dollars: [['0.5600', count]], no_dollars: [] } };
}

function auditor(state: { local: OrderBook | undefined; remoteCount: string }) {
  const bus = createBus();
  const events: string[] = [];
  bus.on('market.doubted', (e) => events.push(`doubted ${e.ticker} ${e.reason}`));
  bus.on('market.cleared', (e) => events.push(`cleared ${e.ticker} ${e.reason}`));
  const resyncs: string[] = [];
  const a = new BookAuditor({
    rest: { getMarketOrderbook: async () => restBook(state.remoteCount) } as never,
    book: () => state.local,
    resync: (tickers) => resyncs.push(...tickers),
    bus,
    clock: () => 0,
    sleep: async () => undefined,
  });
  return { a, events, resyncs };
}

describe('BookAuditor', () => {
  it('doubts a confirmed disagreement, resyncs it, and clears it when a later check agrees', async () => {
    const state = {
      local: localBook([{ price: 5_600, count: 1_000 }]) as OrderBook | undefined,
      remoteCount: '20.00',
    };
    const { a, events, resyncs } = auditor(state);
    expect(await a.check('KX-A')).toBe(false);
    expect(a.doubted()).toEqual(['KX-A']);
    expect(resyncs).toEqual(['KX-A']);
    state.remoteCount = '10.00';
    expect(await a.check('KX-A')).toBe(true);
    expect(a.doubted()).toEqual([]);
    expect(events).toEqual(['doubted KX-A book_mismatch', 'cleared KX-A book_mismatch']);
  });

  it('cannot check a market whose book is gone, so forget() drops its doubt', async () => {
    const state = {
      local: localBook([{ price: 5_600, count: 1_000 }]) as OrderBook | undefined,
      remoteCount: '20.00',
    };
    const { a } = auditor(state);
    expect(await a.check('KX-A')).toBe(false);
    state.local = undefined; // unwatched: the feed dropped the book
    expect(await a.check('KX-A')).toBeUndefined();
    expect(a.doubted()).toEqual(['KX-A']);
    a.forget('KX-A');
    expect(a.doubted()).toEqual([]);
  });
});
