/**
 * Which markets the trader watches: explicit tickers, every open market of some series, or the N most
 * active open markets (by 24 h volume, then total volume). Every answer is checked against the
 * exchange, and an unknown or closed ticker is a clear error naming it.
 */
import type { Market } from 'kalshi-typescript';
import type { KalshiRestClient } from '../kalshi/index.js';
import { parseCount } from '../kalshi/index.js';

export type MarketSelection =
  | { readonly kind: 'tickers'; readonly tickers: readonly string[] }
  | { readonly kind: 'series'; readonly series: readonly string[] }
  | { readonly kind: 'top'; readonly count: number };

export class MarketSelectionError extends Error {
  readonly code = 'MARKETS_SELECTION_EMPTY_OR_INVALID';
}

type MarketReader = Pick<KalshiRestClient, 'allMarkets' | 'getMarket'>;

function isTradable(m: Market): boolean {
  return m.status === 'active';
}

/** The selected markets as the exchange described them (status and trading window included). */
export async function selectMarkets(rest: MarketReader, selection: MarketSelection): Promise<Market[]> {
  switch (selection.kind) {
    case 'tickers': {
      const problems: string[] = [];
      const markets: Market[] = [];
      for (const t of selection.tickers) {
        try {
          const { market } = await rest.getMarket(t);
          if (!isTradable(market)) problems.push(`${t} is ${market.status}, not active`);
          markets.push(market);
        } catch (err) {
          problems.push(`${t}: ${(err as Error).message}`);
        }
      }
      if (problems.length > 0)
        throw new MarketSelectionError(`cannot trade the given tickers: ${problems.join('; ')}`);
      return markets;
    }
    case 'series': {
      const markets: Market[] = [];
      for (const series of selection.series) {
        for await (const m of rest.allMarkets({ series_ticker: series, status: 'open' })) {
          if (isTradable(m)) markets.push(m);
        }
      }
      if (markets.length === 0)
        throw new MarketSelectionError(`series ${selection.series.join(', ')}: no open markets`);
      return markets;
    }
    case 'top': {
      const open: Array<{ market: Market; ticker: string; v24: number; v: number }> = [];
      for await (const m of rest.allMarkets({ status: 'open', limit: 1000 })) {
        if (!isTradable(m)) continue;
        open.push({
          market: m,
          ticker: m.ticker,
          v24: parseCount(m.volume_24h_fp ?? '0'),
          v: parseCount(m.volume_fp ?? '0'),
        });
      }
      if (open.length === 0) throw new MarketSelectionError('the exchange lists no open markets');
      open.sort((a, b) => b.v24 - a.v24 || b.v - a.v || a.ticker.localeCompare(b.ticker));
      return open.slice(0, selection.count).map((m) => m.market);
    }
  }
}
