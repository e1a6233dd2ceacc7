import { describe, expect, it } from 'vitest';
import { KalshiError, WireFormatError } from '../../src/kalshi/errors.js';
import type { OrderbookDeltaMessage, OrderbookSnapshotMessage } from '../../src/kalshi/ws-types.js';
import { OrderBook, OrderBookError } from '../../src/orderbook/book.js';
import {
  applyDeltaMessage,
  bookFromSnapshotMessage,
  deltaFromClientMessage,
  deltaFromMessage,
  snapshotFromMessage,
} from '../../src/orderbook/messages.js';

const L = (price: number, count: number) => ({ price, count });

function snapshotMsg(body: Partial<OrderbookSnapshotMessage['msg']>, seq = 1): OrderbookSnapshotMessage {
  return {
    type: 'orderbook_snapshot',
    sid: 7,
    seq,
    msg: { market_ticker: 'KXTEST-26JAN01-B50', market_id: 'm-1', ...body },
  };
}

function deltaMsg(
  side: 'yes' | 'no',
  price: string,
  delta: string,
  extra: Partial<OrderbookDeltaMessage['msg']> = {},
): OrderbookDeltaMessage {
  return {
    type: 'orderbook_delta',
    sid: 7,
    seq: 2,
    msg: {
      market_ticker: 'KXTEST-26JAN01-B50',
      market_id: 'm-1',
      price_dollars: price,
      delta_fp: delta,
      side,
      ts_ms: 1_767_225_600_123,
      ...extra,
    },
  };
}

describe('OrderBook ladders', () => {
  it('starts empty and resyncing, with no best prices', () => {
    const book = new OrderBook('X');
    expect(book.status).toBe('resyncing');
    expect(book.isEmpty()).toBe(true);
    expect(book.bestYesBid()).toBeUndefined();
    expect(book.bestNoBid()).toBeUndefined();
    expect(book.yesAsk()).toBeUndefined();
    expect(book.spread()).toBeUndefined();
    expect(book.mid()).toBeUndefined();
    expect(book.isCrossed()).toBe(false);
  });

  it('replaces both ladders on a snapshot and becomes live', () => {
    const book = new OrderBook('X');
    book.applySnapshot([L(4000, 500)], [L(3000, 100)]);
    book.applySnapshot([L(4200, 1000), L(4100, 200)], [L(5500, 300)], { receivedMs: 10, exchangeTsMs: 9 });
    expect(book.status).toBe('live');
    expect(book.levels('yes')).toEqual([L(4100, 200), L(4200, 1000)]);
    expect(book.levels('no')).toEqual([L(5500, 300)]);
    expect(book.sizeAt('yes', 4000)).toBe(0);
    expect(book.lastReceivedMs).toBe(10);
    expect(book.lastExchangeTsMs).toBe(9);
  });

  it('adds a signed delta and removes the level when it nets to exactly zero', () => {
    const book = new OrderBook('X');
    book.applySnapshot([L(4200, 1000)], []);
    expect(book.applyDelta('yes', 4200, -400)).toBe('changed');
    expect(book.sizeAt('yes', 4200)).toBe(600);
    expect(book.applyDelta('yes', 4300, 150)).toBe('added');
    expect(book.bestYesBid()).toBe(4300);
    expect(book.applyDelta('yes', 4300, -150)).toBe('removed');
    expect(book.bestYesBid()).toBe(4200);
    expect(book.levelCount('yes')).toBe(1);
    expect(book.applyDelta('yes', 4200, 0)).toBe('unchanged');
  });

  it('reports a delta that would drive a level negative and never keeps a negative level', () => {
    const book = new OrderBook('X');
    book.applySnapshot([L(4200, 100), L(4100, 50)], []);
    expect(book.applyDelta('yes', 4200, -101)).toBe('negative');
    expect(book.sizeAt('yes', 4200)).toBe(0);
    expect(book.bestYesBid()).toBe(4100);
    expect(book.applyDelta('no', 3000, -5)).toBe('negative');
    expect(book.levelCount('no')).toBe(0);
    expect(book.totalDepth()).toBe(50);
  });

  it('throws a typed error in strict mode on a negative level', () => {
    const book = new OrderBook('X');
    book.applySnapshot([L(4200, 100)], []);
    try {
      book.applyDeltaStrict('yes', 4200, -200);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(OrderBookError);
      expect((err as OrderBookError).code).toBe('BOOK_NEGATIVE_LEVEL');
      expect((err as OrderBookError).side).toBe('yes');
      expect((err as OrderBookError).price).toBe(4200);
    }
  });

  it('rejects prices outside (0, 1) and non-integer deltas', () => {
    const book = new OrderBook('X');
    expect(() => book.applyDelta('yes', 0, 1)).toThrow(OrderBookError);
    expect(() => book.applyDelta('yes', 10_000, 1)).toThrow(OrderBookError);
    expect(() => book.applyDelta('no', 42.5, 1)).toThrow(OrderBookError);
    expect(() => book.applyDelta('no', 4200, 0.5)).toThrow(OrderBookError);
  });

  it('rejects a bad snapshot and leaves the book untouched', () => {
    const book = new OrderBook('X');
    book.applySnapshot([L(4200, 100)], []);
    expect(() => book.applySnapshot([L(4200, 1), L(4200, 2)], [])).toThrow(/twice/);
    expect(() => book.applySnapshot([L(4200, -1)], [])).toThrow(OrderBookError);
    expect(() => book.applySnapshot([], [L(10_000, 1)])).toThrow(OrderBookError);
    expect(book.levels('yes')).toEqual([L(4200, 100)]);
  });

  it('skips zero-count levels in a snapshot', () => {
    const book = new OrderBook('X');
    book.applySnapshot([L(4200, 0), L(4100, 5)], []);
    expect(book.levels('yes')).toEqual([L(4100, 5)]);
  });
});

describe('OrderBook views', () => {
  const book = new OrderBook('X');
  book.applySnapshot([L(100, 1), L(4100, 200), L(4200, 1000)], [L(5500, 300), L(5600, 40), L(9000, 7)]);

  it('derives asks from the other ladder by complement', () => {
    expect(book.bestYesBid()).toBe(4200);
    expect(book.bestNoBid()).toBe(9000);
    expect(book.yesAsk()).toBe(1000);
    expect(book.noAsk()).toBe(5800);
  });

  it('flags a crossed book (best YES + best NO ≥ $1)', () => {
    expect(book.isCrossed()).toBe(true);
    expect(book.spread()).toBe(-3200);
    const healthy = new OrderBook('Y');
    healthy.applySnapshot([L(4200, 1)], [L(5600, 1)]);
    expect(healthy.isCrossed()).toBe(false);
    expect(healthy.spread()).toBe(200);
    expect(healthy.mid()).toBe(4300);
    healthy.applyDelta('no', 5800, 1);
    expect(healthy.isCrossed()).toBe(true);
  });

  it('gives depth best first and levels ascending, with totals', () => {
    expect(book.depth('yes', 2)).toEqual([L(4200, 1000), L(4100, 200)]);
    expect(book.depth('no', 10)).toEqual([L(9000, 7), L(5600, 40), L(5500, 300)]);
    expect(book.levels('yes')).toEqual([L(100, 1), L(4100, 200), L(4200, 1000)]);
    expect(book.totalDepth('yes')).toBe(1201);
    expect(book.totalDepth('no')).toBe(347);
    expect(book.totalDepth()).toBe(1548);
  });
});

describe('BookStatus', () => {
  it('goes resyncing and stale on demand, and live again on a snapshot', () => {
    const book = new OrderBook('X');
    book.applySnapshot([], [], { receivedMs: 1000 });
    expect(book.status).toBe('live');
    book.markResyncing();
    expect(book.status).toBe('resyncing');
    book.applySnapshot([], [], { receivedMs: 2000 });
    book.markStale();
    expect(book.status).toBe('stale');
    book.applySnapshot([], [], { receivedMs: 3000 });
    expect(book.status).toBe('live');
  });

  it('reads as stale when nothing arrived for too long, keeping exchange and receive times apart', () => {
    const book = new OrderBook('X');
    book.applySnapshot([L(4200, 1)], [], { receivedMs: 1000 });
    book.markUpdated({ exchangeTsMs: 900, receivedMs: 5000 });
    expect(book.lastExchangeTsMs).toBe(900);
    expect(book.lastReceivedMs).toBe(5000);
    expect(book.statusAt(6000, 30_000)).toBe('live');
    expect(book.statusAt(35_000, 30_000)).toBe('stale');
    book.markResyncing();
    expect(book.statusAt(6000, 30_000)).toBe('resyncing');
  });
});

describe('wire parsing', () => {
  it('builds a book from a snapshot message; an absent side key is an empty side', () => {
    const book = bookFromSnapshotMessage(
      snapshotMsg({
        yes_dollars_fp: [
          ['0.4200', '10.00'],
          ['0.0800', '300.00'],
        ],
      }),
      { useYesPrice: false },
      123,
    );
    expect(book.marketTicker).toBe('KXTEST-26JAN01-B50');
    expect(book.levels('yes')).toEqual([L(800, 30_000), L(4200, 1000)]);
    expect(book.levels('no')).toEqual([]);
    expect(book.status).toBe('live');
    expect(book.lastReceivedMs).toBe(123);
  });

  it('converts NO levels back from the YES price scale under use_yes_price', () => {
    const msg = snapshotMsg({ yes_dollars_fp: [['0.25', '1.00']], no_dollars_fp: [['0.70', '5.50']] });
    const legacy = snapshotFromMessage(msg, { useYesPrice: false });
    expect(legacy.no).toEqual([L(7000, 550)]);
    const yesScale = snapshotFromMessage(msg, { useYesPrice: true });
    expect(yesScale.no).toEqual([L(3000, 550)]);
    expect(yesScale.yes).toEqual([L(2500, 100)]);
    expect(yesScale.seq).toBe(1);
    expect(yesScale.sid).toBe(7);
  });

  it('parses deltas exactly, fractional and signed, and converts NO prices under use_yes_price', () => {
    const d = deltaFromMessage(deltaMsg('yes', '0.960', '-54.25', { client_order_id: 'c-1' }), {
      useYesPrice: true,
    });
    expect(d).toMatchObject({
      side: 'yes',
      price: 9600,
      delta: -5425,
      exchangeTsMs: 1_767_225_600_123,
      clientOrderId: 'c-1',
      seq: 2,
    });
    // Parsed on its own it is not stamped; the feed stamps it as it parses (it is the bus record).
    expect(d).toMatchObject({ ticker: 'KXTEST-26JAN01-B50', receivedMs: 0, applied: true });
    const stamped = deltaFromMessage(deltaMsg('yes', '0.50', '1.00'), { useYesPrice: true }, 1_234, false);
    expect(stamped).toMatchObject({ receivedMs: 1_234, applied: false });
    expect(deltaFromMessage(deltaMsg('no', '0.70', '1.00'), { useYesPrice: true }).price).toBe(3000);
    expect(deltaFromMessage(deltaMsg('no', '0.70', '1.00'), { useYesPrice: false }).price).toBe(7000);
  });

  it('parses a delta the WS client delivered as deltaFromMessage does, value for value and error for error', () => {
    const outcome = (parse: () => unknown) => {
      try {
        return parse();
      } catch (err) {
        return `${(err as KalshiError).code}: ${(err as Error).message}`;
      }
    };
    const bodies: Array<Record<string, unknown>> = [
      {},
      { client_order_id: 'c-1' },
      { client_order_id: 7, market_id: 9, ts_ms: 'soon' },
      { market_ticker: '' },
      { market_ticker: 5 },
      { market_ticker: undefined },
      { price_dollars: '0.5' },
      { delta_fp: ' 1.00' },
      { side: 'maybe' },
    ];
    for (const opts of [{ useYesPrice: true }, { useYesPrice: false }]) {
      for (const extra of bodies) {
        const msg = deltaMsg('no', '0.4100', '-3.00', extra as Partial<OrderbookDeltaMessage['msg']>);
        expect(
          outcome(() => deltaFromClientMessage(msg, opts)),
          JSON.stringify(extra),
        ).toEqual(outcome(() => deltaFromMessage(msg, opts)));
        // Handed the book it is for, it keeps the book's ticker string (the same text).
        const book = new OrderBook('KXTEST-26JAN01-B50');
        expect(outcome(() => deltaFromClientMessage(msg, opts, book))).toEqual(
          outcome(() => deltaFromMessage(msg, opts)),
        );
      }
    }
  });

  it('applies parsed deltas with timestamps and refuses another market', () => {
    const book = bookFromSnapshotMessage(snapshotMsg({ no_dollars_fp: [['0.30', '2.00']] }), {
      useYesPrice: false,
    });
    const d = deltaFromMessage(deltaMsg('no', '0.30', '-2.00'), { useYesPrice: false }, 777);
    expect(applyDeltaMessage(book, d)).toBe('removed');
    expect(book.lastExchangeTsMs).toBe(1_767_225_600_123);
    expect(book.lastReceivedMs).toBe(777);
    const other = new OrderBook('OTHER');
    expect(() => applyDeltaMessage(other, d)).toThrow(/OTHER/);
  });

  it('throws typed errors on garbage instead of producing NaN', () => {
    const opts = { useYesPrice: false };
    expect(() => deltaFromMessage(deltaMsg('yes', 'abc', '1.00'), opts)).toThrow(WireFormatError);
    expect(() => deltaFromMessage(deltaMsg('yes', '0.50', '1.001'), opts)).toThrow(WireFormatError);
    expect(() => deltaFromMessage(deltaMsg('yes', '1.00', '1.00'), opts)).toThrow(WireFormatError);
    const badSide = deltaMsg('yes', '0.50', '1.00');
    (badSide.msg as { side: string }).side = 'maybe';
    expect(() => deltaFromMessage(badSide, opts)).toThrow(KalshiError);
    const dup = snapshotMsg({
      yes_dollars_fp: [
        ['0.50', '1.00'],
        ['0.5000', '2.00'],
      ],
    });
    expect(() => snapshotFromMessage(dup, opts)).toThrow(/twice/);
    const notArray = snapshotMsg({});
    (notArray.msg as Record<string, unknown>).yes_dollars_fp = 'nope';
    expect(() => snapshotFromMessage(notArray, opts)).toThrow(KalshiError);
  });
});
