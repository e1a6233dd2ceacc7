/**
 * selectMarkets with several series: every open, active market of each, in the order given; a
 * selection whose series list nothing is an error naming them.
 */
import type { Market } from 'kalshi-typescript';
import { describe, expect, it } from 'vitest';
import { MarketSelectionError, selectMarkets } from '../../src/integrations/index.js';

const market = (ticker: string, status = 'active') => ({ ticker, status }) as unknown as Market;
const listed: Record<string, Market[]> = {
  KXHIGHNY: [market('KXHIGHNY-26DEC01-B40.5'), market('KXHIGHNY-26DEC01-T38', 'initialized')],
  KXHIGHCHI: [market('KXHIGHCHI-26DEC01-B35.5')],
};
const rest = {
  async *allMarkets(q: { series_ticker?: string }) {
    yield* listed[q.series_ticker ?? ''] ?? [];
  },
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
