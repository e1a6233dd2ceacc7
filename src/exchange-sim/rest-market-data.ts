/** REST handlers for the exchange and market data: status, schedule, markets, books, trades, events, series. */
import type { MarketStatus } from './core-types.js';
import { badRequest, listParam, notFound, optionalIntParam, paginate } from './http-util.js';
import { renderEvent, renderLevels, renderMarket, renderSeries, renderTrade, unixSeconds } from './render.js';
import { ok, type Reply, type RestContext, type RestRequest, timeRange } from './rest-route.js';

// ---------- exchange & market data ----------

const MARKET_STATUS_FILTER: Record<string, MarketStatus[]> = {
  unopened: ['initialized'],
  open: ['active'],
  paused: ['inactive'],
  closed: ['closed'],
  settled: ['determined', 'finalized'],
};

export function getExchangeStatus(ctx: RestContext): Reply {
  return ok({
    exchange_active: true,
    trading_active: ctx.core.tradingActive,
    exchange_estimated_resume_time: null,
  });
}

export function getExchangeSchedule(): Reply {
  const day = [{ open_time: '00:00', close_time: '23:59' }];
  return ok({
    schedule: {
      standard_hours: [
        {
          start_time: '2020-01-01T00:00:00Z',
          end_time: '2100-01-01T00:00:00Z',
          monday: day,
          tuesday: day,
          wednesday: day,
          thursday: day,
          friday: day,
          saturday: day,
          sunday: day,
        },
      ],
      maintenance_windows: [],
    },
  });
}

function marketView(ctx: RestContext, ticker: string) {
  const m = ctx.core.market(ticker);
  if (!m) throw notFound(`market ${ticker} not found`);
  return renderMarket(m, ctx.core.book(ticker));
}

export function getMarkets(ctx: RestContext, req: RestRequest): Reply {
  const q = req.query;
  const statusFilter = q.get('status');
  if (statusFilter && !(statusFilter in MARKET_STATUS_FILTER)) {
    throw badRequest(`status must be one of ${Object.keys(MARKET_STATUS_FILTER).join(', ')}`);
  }
  const allowed = statusFilter ? MARKET_STATUS_FILTER[statusFilter] : undefined;
  const tickers = listParam(q, 'tickers');
  const eventTickers = listParam(q, 'event_ticker');
  const series = q.get('series_ticker');
  const closeTs = secondsRange(q, 'min_close_ts', 'max_close_ts');
  const createdTs = secondsRange(q, 'min_created_ts', 'max_created_ts');
  const settledTs = secondsRange(q, 'min_settled_ts', 'max_settled_ts');
  const all = ctx.core.markets().filter((m) => {
    if (allowed && !allowed.includes(m.status)) return false;
    if (tickers && !tickers.includes(m.ticker)) return false;
    if (eventTickers && !eventTickers.includes(m.eventTicker)) return false;
    if (series && ctx.core.event(m.eventTicker)?.seriesTicker !== series) return false;
    if (!closeTs(m.closeMs) || !createdTs(m.createdMs) || !settledTs(m.settledMs)) return false;
    return true;
  });
  const page = paginate(all, q, 1000, 100);
  return ok({
    markets: page.items.map((m) => renderMarket(m, ctx.core.book(m.ticker))),
    cursor: page.cursor,
  });
}

/**
 * A `min_…_ts` / `max_…_ts` pair (Unix seconds, inclusive) as a test on a millisecond time; a time
 * that is not set (a market not settled) passes only when neither bound is given.
 */
function secondsRange(q: URLSearchParams, minName: string, maxName: string): (ms?: number) => boolean {
  const min = optionalIntParam(q, minName);
  const max = optionalIntParam(q, maxName);
  if (min === undefined && max === undefined) return () => true;
  return (ms) =>
    ms !== undefined &&
    (min === undefined || unixSeconds(ms) >= min) &&
    (max === undefined || unixSeconds(ms) <= max);
}

export function getMarket(ctx: RestContext, req: RestRequest): Reply {
  return ok({ market: marketView(ctx, req.params[0]!) });
}

function orderbookFp(ctx: RestContext, ticker: string, depth: number) {
  if (!ctx.core.market(ticker)) throw notFound(`market ${ticker} not found`);
  const book = ctx.core.book(ticker);
  return { yes_dollars: renderLevels(book.yes, depth), no_dollars: renderLevels(book.no, depth) };
}

export function getMarketOrderbook(ctx: RestContext, req: RestRequest): Reply {
  const depth = optionalIntParam(req.query, 'depth') ?? 0;
  if (depth > 100) throw badRequest('depth must be between 0 and 100');
  return ok({ orderbook_fp: orderbookFp(ctx, req.params[0]!, depth) });
}

export function getMarketOrderbooks(ctx: RestContext, req: RestRequest): Reply {
  const tickers = listParam(req.query, 'tickers');
  if (!tickers || tickers.length > 100) throw badRequest('tickers must list 1 to 100 markets');
  return ok({ orderbooks: tickers.map((t) => ({ ticker: t, orderbook_fp: orderbookFp(ctx, t, 0) })) });
}

export function getTrades(ctx: RestContext, req: RestRequest): Reply {
  const q = req.query;
  const trades = ctx.core.trades({
    ...(q.get('ticker') ? { ticker: q.get('ticker')! } : {}),
    ...timeRange(q),
  });
  const page = paginate(trades, q, 1000, 100);
  return ok({ trades: page.items.map(renderTrade), cursor: page.cursor });
}

/**
 * An event's status for the `status` filter of GET /events: that of its least advanced market
 * (unopened while any market is unopened, open while any trades or is paused, closed while any is
 * closed but not determined, settled once all are). Kalshi does not document the rule.
 */
function eventStatus(statuses: readonly MarketStatus[]): string {
  if (statuses.includes('initialized')) return 'unopened';
  if (statuses.includes('active') || statuses.includes('inactive')) return 'open';
  if (statuses.includes('closed')) return 'closed';
  return 'settled';
}

const EVENT_STATUS_FILTER = ['unopened', 'open', 'closed', 'settled'];

export function getEvents(ctx: RestContext, req: RestRequest): Reply {
  const q = req.query;
  const series = q.get('series_ticker');
  const nested = q.get('with_nested_markets') === 'true';
  const status = q.get('status');
  if (status && !EVENT_STATUS_FILTER.includes(status)) {
    throw badRequest(`status must be one of ${EVENT_STATUS_FILTER.join(', ')}`);
  }
  const statuses = new Map<string, MarketStatus[]>();
  if (status) {
    for (const m of ctx.core.markets()) {
      const list = statuses.get(m.eventTicker) ?? [];
      list.push(m.status);
      statuses.set(m.eventTicker, list);
    }
  }
  const events = ctx.core.events().filter((e) => {
    if (series && e.seriesTicker !== series) return false;
    if (status && eventStatus(statuses.get(e.eventTicker) ?? []) !== status) return false;
    return true;
  });
  const page = paginate(events, q, 200, 200);
  return ok({
    events: page.items.map((e) => eventView(ctx, e.eventTicker, nested)),
    cursor: page.cursor,
  });
}

function eventView(ctx: RestContext, eventTicker: string, nested: boolean) {
  const e = ctx.core.event(eventTicker);
  if (!e) throw notFound(`event ${eventTicker} not found`);
  const category = ctx.core.series(e.seriesTicker)?.category ?? '';
  const markets = nested ? eventMarkets(ctx, eventTicker) : undefined;
  return renderEvent(e, category, markets);
}

function eventMarkets(ctx: RestContext, eventTicker: string) {
  return ctx.core
    .markets()
    .filter((m) => m.eventTicker === eventTicker)
    .map((m) => renderMarket(m, ctx.core.book(m.ticker)));
}

export function getEvent(ctx: RestContext, req: RestRequest): Reply {
  const ticker = req.params[0]!;
  const nested = req.query.get('with_nested_markets') === 'true';
  return ok({ event: eventView(ctx, ticker, nested), markets: eventMarkets(ctx, ticker) });
}

export function getSeriesList(ctx: RestContext, req: RestRequest): Reply {
  const category = req.query.get('category');
  return ok({
    series: ctx.core
      .allSeries()
      .filter((s) => !category || s.category === category)
      .map(renderSeries),
  });
}

export function getSeries(ctx: RestContext, req: RestRequest): Reply {
  const s = ctx.core.series(req.params[0]!);
  if (!s) throw notFound(`series ${req.params[0]} not found`);
  return ok({ series: renderSeries(s) });
}
