/**
 * selectMarkets with several series: every open, active market of each, in the order given; a
 * selection whose series list nothing is an error naming them. With tickers: listed a hundred at
 * a time (one request, not one a ticker); a ticker the listing does not return is asked for alone,
 * and refused with the exchange's answer; one that cannot trade is named.
 */
import type { Market } from 'kalshi-typescript';
import { describe, expect, it } from 'vitest';
import { MarketSelectionError, selectMarkets, TICKERS_PER_LIST } from '../../src/integrations/index.js';
import { Paged } from '../../src/kalshi/index.js';

const market = (ticker: string, status = 'active') => ({ ticker, status }) as unknown as Market;
const listed: Record<string, Market[]> = {
  KXHIGHNY: [market('KXHIGHNY-26DEC01-B40.5'), market('KXHIGHNY-26DEC01-T38', 'initialized')],
  KXHIGHCHI: [market('KXHIGHCHI-26DEC01-B35.5')],
};
const onePage = (items: Market[]) => new Paged(async () => ({ items }));
const rest = {
  allMarkets: (q: { series_ticker?: string }) => onePage(listed[q.series_ticker ?? ''] ?? []),
  getMarket: async () => {
    throw new Error('not used');
  },
} as unknown as Parameters<typeof selectMarkets>[0];

describe('selectMarkets: several series', () => {
  it('takes the active markets of every series given', async () => {
    const got = await selectMarkets(rest, { kind: 'series', series: ['KXHIGHNY', 'KXHIGHCHI'] });
    expect(got.map((m) => m.ticker)).toEqual(['KXHIGHNY-26DEC01-B40.5', 'KXHIGHCHI-26DEC01-B35.5']);
  });

  it('refuses series with no open market, naming them', async () => {
    const err = await selectMarkets(rest, { kind: 'series', series: ['KXHIGHMIA', 'KXHIGHAUS'] }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(MarketSelectionError);
    expect((err as Error).message).toContain('KXHIGHMIA, KXHIGHAUS');
  });
});

/** An exchange that knows `known` (ticker → status), counting what it is asked. */
function exchange(known: Record<string, string>) {
  const lists: string[][] = [];
  const singles: string[] = [];
  const reader = {
    allMarkets: (q: { tickers?: readonly string[] }) => {
      const asked = [...(q.tickers ?? [])];
      lists.push(asked);
      return onePage(asked.filter((t) => t in known).map((t) => market(t, known[t])));
    },
    getMarket: async (t: string) => {
      singles.push(t);
      if (t in known) return { market: market(t, known[t]) };
      throw new Error(`GET /markets/${t} answered HTTP 404 (not_found: market not found)`);
    },
  } as unknown as Parameters<typeof selectMarkets>[0];
  return { reader, lists, singles };
}

describe('selectMarkets: tickers', () => {
  it('lists them a hundred at a time instead of asking for each', async () => {
    const tickers = Array.from({ length: 150 }, (_, i) => `KXT-${i}`);
    const x = exchange(Object.fromEntries(tickers.map((t) => [t, 'active'])));
    const got = await selectMarkets(x.reader, { kind: 'tickers', tickers });
    expect(got.map((m) => m.ticker)).toEqual(tickers);
    expect(x.lists.map((l) => l.length)).toEqual([TICKERS_PER_LIST, 50]);
    expect(x.singles).toEqual([]);
  });

  it('asks for a ticker the listing left out on its own, and names what it cannot trade', async () => {
    const x = exchange({ 'KXT-A': 'active', 'KXT-C': 'closed' });
    const err = await selectMarkets(x.reader, {
      kind: 'tickers',
      tickers: ['KXT-A', 'KXT-B', 'KXT-C'],
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MarketSelectionError);
    expect((err as Error).message).toBe(
      'cannot trade the given tickers: KXT-B: GET /markets/KXT-B answered HTTP 404 (not_found: market not found); KXT-C is closed, not active',
    );
    expect(x.singles).toEqual(['KXT-B']);
  });
});
