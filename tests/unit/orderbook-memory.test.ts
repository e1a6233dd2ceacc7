/**
 * A collector holds thousands of books: a book on whole cents must be small, and a level off the
 * cent grid (a deci-cent market) must move its ladder to a finer grid without losing a level.
 */
import { describe, expect, it } from 'vitest';
import { OrderBook } from '../../src/orderbook/index.js';

const cents = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => ({ price: (from + i) * 100, count: 100 * (i + 1) }));

describe('OrderBook memory', () => {
  it('holds 2,000 cent-grid books with full ladders in a few MB of typed arrays', () => {
    const before = process.memoryUsage().arrayBuffers;
    const books: OrderBook[] = [];
    for (let i = 0; i < 2_000; i++) {
      const b = new OrderBook(`KXM-${i}`);
      b.applySnapshot(cents(1, 49), cents(1, 49));
      books.push(b);
    }
    const grown = process.memoryUsage().arrayBuffers - before;
    // A full-resolution ladder pair is ~160 KB: 2,000 books would take ~320 MB.
    expect(grown).toBeLessThan(20 * 1024 * 1024);
    expect(books.every((b) => b.levelCount('yes') === 49 && b.levelCount('no') === 49)).toBe(true);
  });

  it('moves to a finer grid on a deci-cent or unit price and keeps every level', () => {
    const b = new OrderBook('KXM');
    b.applySnapshot(cents(40, 45), []);
    expect(b.applyDelta('yes', 4_550, 700)).toBe('added');
    expect(b.applyDelta('yes', 4_551, 300)).toBe('added');
    expect(b.applyDelta('yes', 4_000, -100)).toBe('removed');
    expect(b.levels('yes')).toEqual([
      ...cents(41, 45).map((l, i) => ({ price: l.price, count: 100 * (i + 2) })),
      { price: 4_550, count: 700 },
      { price: 4_551, count: 300 },
    ]);
    expect(b.bestYesBid()).toBe(4_551);
    expect(b.sizeAt('yes', 4_200)).toBe(300);
    // Taking from a price no level rests at is a negative level, whatever the grid.
    expect(new OrderBook('KXN').applyDelta('no', 5_005, -1)).toBe('negative');
  });
});
