/**
 * Renders the exchange core's integer state as Kalshi's current wire shapes (the official SDK's
 * models for REST; KALSHI.md §7 for WebSocket payloads). Pure functions; no state.
 */
import type {
  EventData,
  Fill,
  Market,
  MarketPosition,
  Order,
  Series,
  Settlement,
  Trade,
} from 'kalshi-typescript';
import { complement, MICROS_PER_CENT, type Micros, PRICE_SCALE } from '../domain/index.js';
import type {
  FillMessage,
  MarketLifecycleMessage,
  MarketPositionMessage,
  OrderGroupUpdatesMessage,
  PriceLevelFp,
  TickerMessage,
  TradeMessage,
  UserOrderMessage,
} from '../kalshi/index.js';
import { formatCount, formatDollars, formatPrice, microsToCents } from '../kalshi/index.js';
import type {
  BookLevels,
  EventDef,
  OrderGroupEventType,
  SeriesDef,
  SimFill,
  SimMarket,
  SimOrder,
  SimOrderGroup,
  SimPosition,
  SimSettlement,
  SimTrade,
} from './core-types.js';

/** The simulator has one exchange instance. */
export const EXCHANGE_INDEX = 0;

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}

export function unixSeconds(ms: number): number {
  return Math.floor(ms / 1000);
}

/** The legacy v1 words for an order: bid = buy YES, ask = sell YES unless the order said otherwise. */
export function renderOrder(o: SimOrder): Order {
  return {
    order_id: o.orderId,
    user_id: o.accountId,
    client_order_id: o.clientOrderId,
    ticker: o.ticker,
    side: o.side,
    action: o.action,
    outcome_side: o.bookSide === 'bid' ? 'yes' : 'no',
    book_side: o.bookSide,
    type: 'limit',
    status: o.status,
    yes_price_dollars: formatPrice(o.yesPrice),
    no_price_dollars: formatPrice(complement(o.yesPrice)),
    fill_count_fp: formatCount(o.fillCount),
    remaining_count_fp: formatCount(o.remainingCount),
    initial_count_fp: formatCount(o.initialCount),
    taker_fill_cost_dollars: formatDollars(o.takerFillCost),
    maker_fill_cost_dollars: formatDollars(o.makerFillCost),
    taker_fees_dollars: formatDollars(o.takerFees),
    maker_fees_dollars: formatDollars(o.makerFees),
    expiration_time: o.expirationMs === undefined ? null : iso(o.expirationMs),
    created_time: iso(o.createdMs),
    last_update_time: iso(o.lastUpdateMs),
    self_trade_prevention_type: o.selfTradePrevention,
    order_group_id: o.orderGroupId ?? null,
    cancel_order_on_pause: o.cancelOnPause,
    subaccount_number: o.subaccount,
    exchange_index: EXCHANGE_INDEX,
  };
}

export function renderFill(f: SimFill): Fill {
  return {
    fill_id: f.fillId,
    exchange_index: EXCHANGE_INDEX,
    trade_id: f.fillId,
    order_id: f.orderId,
    ticker: f.ticker,
    market_ticker: f.ticker,
    side: f.side,
    action: f.action,
    outcome_side: f.bookSide === 'bid' ? 'yes' : 'no',
    book_side: f.bookSide,
    count_fp: formatCount(f.count),
    yes_price_dollars: formatPrice(f.yesPrice),
    no_price_dollars: formatPrice(complement(f.yesPrice)),
    is_taker: f.isTaker,
    created_time: iso(f.createdMs),
    fee_cost: formatDollars(f.fee),
    subaccount_number: f.subaccount,
    ts: unixSeconds(f.createdMs),
  };
}

export function renderTrade(t: SimTrade): Trade {
  return {
    trade_id: t.tradeId,
    ticker: t.ticker,
    count_fp: formatCount(t.count),
    yes_price_dollars: formatPrice(t.yesPrice),
    no_price_dollars: formatPrice(complement(t.yesPrice)),
    taker_side: t.takerOutcomeSide,
    taker_outcome_side: t.takerOutcomeSide,
    taker_book_side: t.takerBookSide,
    created_time: iso(t.createdMs),
    is_block_trade: t.blockTrade === true,
  };
}

export function renderPosition(p: SimPosition): MarketPosition {
  return {
    ticker: p.ticker,
    exchange_index: EXCHANGE_INDEX,
    total_traded_dollars: formatDollars(p.totalTraded),
    position_fp: formatCount(p.position),
    market_exposure_dollars: formatDollars(p.marketExposure),
    realized_pnl_dollars: formatDollars(p.realizedPnl),
    fees_paid_dollars: formatDollars(p.feesPaid),
    last_updated_ts: iso(p.lastUpdatedMs),
  };
}

export function renderSettlement(s: SimSettlement): Settlement {
  return {
    ticker: s.ticker,
    exchange_index: EXCHANGE_INDEX,
    event_ticker: s.eventTicker,
    // The SDK's enum has no 'void'; Kalshi reports voided markets with market_result 'void' (KALSHI.md §4.1).
    market_result: s.result as Settlement['market_result'],
    yes_count_fp: formatCount(s.yesCount),
    yes_total_cost_dollars: formatDollars(s.yesTotalCost),
    no_count_fp: formatCount(s.noCount),
    no_total_cost_dollars: formatDollars(s.noTotalCost),
    revenue: microsToCents(s.revenue),
    settled_time: iso(s.settledMs),
    fee_cost: formatDollars(s.fee),
    value: s.value / (PRICE_SCALE / 100),
  };
}

function tickOf(m: SimMarket): string {
  return m.priceLevelStructure === 'deci_cent' ? '0.0010' : '0.0100';
}

/** Top of book in market form: yes bid from the YES ladder, yes ask from the NO ladder's best. */
export function topOfBook(book: BookLevels): {
  yesBid: number;
  yesBidSize: number;
  noBid: number;
  noBidSize: number;
} {
  const yesTop = book.yes[book.yes.length - 1];
  const noTop = book.no[book.no.length - 1];
  return {
    yesBid: yesTop?.[0] ?? 0,
    yesBidSize: yesTop?.[1] ?? 0,
    noBid: noTop?.[0] ?? 0,
    noBidSize: noTop?.[1] ?? 0,
  };
}

export function renderMarket(m: SimMarket, book: BookLevels): Market {
  const top = topOfBook(book);
  const yesAsk = top.noBid > 0 ? complement(top.noBid) : PRICE_SCALE;
  const noAsk = top.yesBid > 0 ? complement(top.yesBid) : PRICE_SCALE;
  return {
    ticker: m.ticker,
    event_ticker: m.eventTicker,
    market_type: 'binary',
    title: m.title,
    yes_sub_title: m.yesSubTitle,
    no_sub_title: m.noSubTitle,
    created_time: iso(m.createdMs),
    updated_time: iso(m.updatedMs),
    open_time: iso(m.openMs),
    close_time: iso(m.closeMs),
    expected_expiration_time: iso(m.expectedExpirationMs),
    latest_expiration_time: iso(m.expectedExpirationMs),
    settlement_timer_seconds: 60,
    status: m.status,
    yes_bid_dollars: formatPrice(top.yesBid),
    yes_bid_size_fp: formatCount(top.yesBidSize),
    yes_ask_dollars: formatPrice(yesAsk),
    yes_ask_size_fp: formatCount(top.noBidSize),
    no_bid_dollars: formatPrice(top.noBid),
    no_ask_dollars: formatPrice(noAsk),
    last_price_dollars: formatPrice(m.lastPrice),
    volume_fp: formatCount(m.volume),
    volume_24h_fp: formatCount(m.volume24h),
    result: m.result === 'void' ? '' : m.result,
    can_close_early: false,
    open_interest_fp: formatCount(m.openInterest),
    notional_value_dollars: '1.0000',
    previous_yes_bid_dollars: formatPrice(0),
    previous_yes_ask_dollars: formatPrice(0),
    previous_price_dollars: formatPrice(m.previousPrice),
    liquidity_dollars: '0.0000',
    settlement_value_dollars: m.settlementValue === undefined ? undefined : formatPrice(m.settlementValue),
    settlement_ts: m.settledMs === undefined ? null : iso(m.settledMs),
    expiration_value: '',
    strike_type: m.strikeType,
    floor_strike: m.floorStrike ?? null,
    cap_strike: m.capStrike ?? null,
    rules_primary: `If ${m.yesSubTitle}, the market resolves to Yes.`,
    rules_secondary: 'Simulated market (traderv3 exchange-sim).',
    price_level_structure: m.priceLevelStructure,
    price_ranges: [{ start: '0.0000', end: '1.0000', step: tickOf(m) }],
    is_provisional: false,
    exchange_index: EXCHANGE_INDEX,
  };
}

export function renderEvent(e: EventDef, category: string, markets?: Market[]): EventData {
  return {
    event_ticker: e.eventTicker,
    series_ticker: e.seriesTicker,
    sub_title: e.subTitle,
    title: e.title,
    collateral_return_type: e.mutuallyExclusive ? 'MECNET' : '',
    mutually_exclusive: e.mutuallyExclusive,
    category,
    settlement_sources: [],
    exchange_index: EXCHANGE_INDEX,
    ...(markets ? { markets } : {}),
  };
}

export function renderSeries(s: SeriesDef): Series {
  return {
    ticker: s.ticker,
    frequency: s.frequency,
    title: s.title,
    category: s.category,
    categories: [s.category],
    tags: [],
    settlement_sources: [],
    contract_url: '',
    contract_terms_url: '',
    fee_type: s.feeType,
    fee_multiplier: s.feeMultiplier / 10_000,
    additional_prohibitions: [],
    exchange_index: EXCHANGE_INDEX,
  };
}

export function renderLevels(levels: Array<[number, number]>, depth: number): PriceLevelFp[] {
  // Kalshi's live responses sort ascending (best bid last); depth = the N best.
  const chosen = depth > 0 ? levels.slice(-depth) : levels;
  return chosen.map(([p, c]) => [formatPrice(p), formatCount(c)]);
}

export function renderBalance(
  cash: Micros,
  portfolioValue: Micros,
  updatedMs: number,
): {
  balance: number;
  balance_dollars: string;
  portfolio_value: number;
  updated_ts: number;
} {
  return {
    balance: Math.floor(cash / MICROS_PER_CENT),
    balance_dollars: formatDollars(cash),
    portfolio_value: Math.floor(portfolioValue / MICROS_PER_CENT),
    updated_ts: unixSeconds(updatedMs),
  };
}

// ---------- WebSocket payloads ----------

export function wsFill(f: SimFill): FillMessage['msg'] {
  const purchasedYes = f.bookSide === 'bid';
  return {
    trade_id: f.fillId,
    order_id: f.orderId,
    market_ticker: f.ticker,
    is_taker: f.isTaker,
    side: f.side,
    action: f.action,
    purchased_side: purchasedYes ? 'yes' : 'no',
    outcome_side: purchasedYes ? 'yes' : 'no',
    book_side: f.bookSide,
    yes_price_dollars: formatPrice(f.yesPrice),
    count_fp: formatCount(f.count),
    fee_cost: formatDollars(f.fee),
    post_position_fp: formatCount(f.postPosition),
    ts: unixSeconds(f.createdMs),
    ts_ms: f.createdMs,
    client_order_id: f.clientOrderId,
    subaccount: f.subaccount,
  };
}

export function wsUserOrder(o: SimOrder): UserOrderMessage['msg'] {
  return {
    order_id: o.orderId,
    user_id: o.accountId,
    ticker: o.ticker,
    status: o.status,
    side: o.side,
    outcome_side: o.bookSide === 'bid' ? 'yes' : 'no',
    book_side: o.bookSide,
    yes_price_dollars: formatPrice(o.yesPrice),
    fill_count_fp: formatCount(o.fillCount),
    remaining_count_fp: formatCount(o.remainingCount),
    initial_count_fp: formatCount(o.initialCount),
    taker_fill_cost_dollars: formatDollars(o.takerFillCost),
    maker_fill_cost_dollars: formatDollars(o.makerFillCost),
    ...(o.takerFees > 0 ? { taker_fees_dollars: formatDollars(o.takerFees) } : {}),
    ...(o.makerFees > 0 ? { maker_fees_dollars: formatDollars(o.makerFees) } : {}),
    client_order_id: o.clientOrderId,
    ...(o.orderGroupId !== undefined ? { order_group_id: o.orderGroupId } : {}),
    self_trade_prevention_type: o.selfTradePrevention,
    created_time: iso(o.createdMs),
    created_ts_ms: o.createdMs,
    last_update_time: iso(o.lastUpdateMs),
    last_updated_ts_ms: o.lastUpdateMs,
    ...(o.expirationMs !== undefined
      ? { expiration_time: iso(o.expirationMs), expiration_ts_ms: o.expirationMs }
      : {}),
    subaccount_number: o.subaccount,
  };
}

export function wsMarketPosition(accountId: string, p: SimPosition): MarketPositionMessage['msg'] {
  return {
    user_id: accountId,
    market_ticker: p.ticker,
    position_fp: formatCount(p.position),
    position_cost_dollars: formatDollars(p.positionCost),
    realized_pnl_dollars: formatDollars(p.realizedPnl),
    fees_paid_dollars: formatDollars(p.feesPaid),
    position_fee_cost_dollars: formatDollars(p.feesPaid),
    volume_fp: formatCount(p.volume),
  };
}

export function wsTrade(t: SimTrade): TradeMessage['msg'] {
  return {
    trade_id: t.tradeId,
    market_ticker: t.ticker,
    yes_price_dollars: formatPrice(t.yesPrice),
    no_price_dollars: formatPrice(complement(t.yesPrice)),
    count_fp: formatCount(t.count),
    taker_side: t.takerOutcomeSide,
    taker_outcome_side: t.takerOutcomeSide,
    taker_book_side: t.takerBookSide,
    ts: unixSeconds(t.createdMs),
    ts_ms: t.createdMs,
  };
}

export function wsTicker(
  m: SimMarket,
  book: BookLevels,
  marketId: string,
  nowMs: number,
): TickerMessage['msg'] {
  const top = topOfBook(book);
  return {
    market_ticker: m.ticker,
    market_id: marketId,
    price_dollars: formatPrice(m.lastPrice),
    yes_bid_dollars: formatPrice(top.yesBid),
    yes_ask_dollars: formatPrice(top.noBid > 0 ? complement(top.noBid) : PRICE_SCALE),
    yes_bid_size_fp: formatCount(top.yesBidSize),
    yes_ask_size_fp: formatCount(top.noBidSize),
    volume_fp: formatCount(m.volume),
    open_interest_fp: formatCount(m.openInterest),
    dollar_volume: Math.floor(m.volume / 100),
    dollar_open_interest: Math.floor(m.openInterest / 100),
    ts: unixSeconds(nowMs),
    ts_ms: nowMs,
  };
}

export function wsLifecycle(
  eventType: MarketLifecycleMessage['msg']['event_type'],
  m: SimMarket,
  ts: number,
): MarketLifecycleMessage['msg'] {
  const msg: MarketLifecycleMessage['msg'] = { event_type: eventType, market_ticker: m.ticker };
  switch (eventType) {
    case 'created':
      msg.open_ts = unixSeconds(m.openMs);
      msg.close_ts = unixSeconds(m.closeMs);
      msg.additional_metadata = {
        name: m.title,
        title: m.title,
        yes_sub_title: m.yesSubTitle,
        no_sub_title: m.noSubTitle,
        event_ticker: m.eventTicker,
        strike_type: m.strikeType,
        floor_strike: m.floorStrike,
        cap_strike: m.capStrike,
        can_close_early: false,
        expected_expiration_ts: unixSeconds(m.expectedExpirationMs),
      };
      break;
    case 'close_date_updated':
      msg.close_ts = unixSeconds(m.closeMs);
      break;
    case 'determined':
      msg.result = m.result;
      msg.determination_ts = unixSeconds(ts);
      if (m.settlementValue !== undefined) msg.settlement_value = formatPrice(m.settlementValue);
      break;
    case 'settled':
      msg.settled_ts = unixSeconds(ts);
      break;
    case 'activated':
      msg.is_deactivated = false;
      break;
    case 'deactivated':
      msg.is_deactivated = true;
      break;
    default:
      break;
  }
  return msg;
}

/** order_group_updates: the limit comes with `created` and `limit_updated` only. */
export function wsOrderGroupUpdate(
  eventType: OrderGroupEventType,
  g: SimOrderGroup,
  ts: number,
): OrderGroupUpdatesMessage['msg'] {
  return {
    event_type: eventType,
    order_group_id: g.id,
    ...(eventType === 'created' || eventType === 'limit_updated'
      ? { contracts_limit_fp: formatCount(g.limit) }
      : {}),
    ts_ms: ts,
  };
}
