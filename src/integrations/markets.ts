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

/** Tickers named in one GET /markets (`tickers=`). Kalshi documents no bound; 100 is modest. */
export const TICKERS_PER_LIST = 100;

function isTradable(m: Market): boolean {
  return m.status === 'active';
}

/** The selected markets as the exchange described them (status and trading window included). */
export async function selectMarkets(rest: MarketReader, selection: MarketSelection): Promise<Market[]> {
  switch (selection.kind) {
    case 'tickers': {
      // Listed TICKERS_PER_LIST at a time (one request, not one a ticker: 100 tickers were 100
      // reads, 5 s at Basic's 20 a second); one the listing does not return is asked for alone,
      // so an unknown ticker is refused with the exchange's own answer.
      const listed = new Map<string, Market>();
      for (let i = 0; i < selection.tickers.length; i += TICKERS_PER_LIST) {
        const tickers = selection.tickers.slice(i, i + TICKERS_PER_LIST);
        for await (const page of rest.allMarkets({ tickers, limit: TICKERS_PER_LIST }).pages())
          for (const m of page) listed.set(m.ticker, m);
      }
      const problems: string[] = [];
      const markets: Market[] = [];
      for (const t of selection.tickers) {
        let market = listed.get(t);
        if (market === undefined) {
          try {
            ({ market } = await rest.getMarket(t));
          } catch (err) {
            problems.push(`${t}: ${(err as Error).message}`);
            continue;
          }
        }
        if (!isTradable(market)) problems.push(`${t} is ${market.status}, not active`);
        markets.push(market);
      }
      if (problems.length > 0)
        throw new MarketSelectionError(`cannot trade the given tickers: ${problems.join('; ')}`);
      return markets;
    }
    case 'series': {
      const markets: Market[] = [];
      for (const series of selection.series) {
        const listing = rest.allMarkets({ series_ticker: series, status: 'open', limit: 1000 });
        for await (const page of listing.pages()) for (const m of page) if (isTradable(m)) markets.push(m);
      }
      if (markets.length === 0)
        throw new MarketSelectionError(`series ${selection.series.join(', ')}: no open markets`);
      return markets;
    }
    case 'top': {
      const open: Array<{ market: Market; ticker: string; v24: number; v: number }> = [];
      for await (const page of rest.allMarkets({ status: 'open', limit: 1000 }).pages()) {
        for (const m of page) {
          if (!isTradable(m)) continue;
          open.push({
            market: m,
            ticker: m.ticker,
            v24: parseCount(m.volume_24h_fp ?? '0'),
            v: parseCount(m.volume_fp ?? '0'),
          });
        }
      }
      if (open.length === 0) throw new MarketSelectionError('the exchange lists no open markets');
      open.sort((a, b) => b.v24 - a.v24 || b.v - a.v || a.ticker.localeCompare(b.ticker));
      return open.slice(0, selection.count).map((m) => m.market);
    }
  }
}
