/**
 * Kalshi WebSocket protocol (`/trade-api/ws/v2`) message shapes, current (2026) field names.
 * Not in the official SDK; the reference is ../shared/KALSHI.md §7. Wire values stay strings
 * here; src/kalshi/units.ts turns them into integers.
 */

export const WS_CHANNELS = [
  'orderbook_delta',
  'ticker',
  'trade',
  'fill',
  'user_orders',
  'market_positions',
  'market_lifecycle_v2',
  'order_group_updates',
] as const;
export type WsChannel = (typeof WS_CHANNELS)[number];

/** Channels whose data messages carry a per-sid `seq`. */
export const SEQUENCED_CHANNELS: ReadonlySet<WsChannel> = new Set(['orderbook_delta', 'order_group_updates']);

// ---------- client → server commands ----------

export interface SubscribeParams {
  channels: WsChannel[];
  market_ticker?: string;
  market_tickers?: string[];
  send_initial_snapshot?: boolean;
  skip_ticker_ack?: boolean;
  use_yes_price?: boolean;
}

export type UpdateSubscriptionAction = 'add_markets' | 'delete_markets' | 'get_snapshot';

export interface UpdateSubscriptionParams {
  sid?: number;
  sids?: number[];
  action: UpdateSubscriptionAction;
  market_ticker?: string;
  market_tickers?: string[];
}

export type WsCommand =
  | { id: number; cmd: 'subscribe'; params: SubscribeParams }
  | { id: number; cmd: 'unsubscribe'; params: { sids: number[] } }
  | { id: number; cmd: 'update_subscription'; params: UpdateSubscriptionParams }
  | { id: number; cmd: 'list_subscriptions'; params?: Record<string, never> };

// ---------- server → client: command responses ----------

export interface SubscribedMessage {
  id?: number;
  type: 'subscribed';
  msg: { channel: WsChannel; sid: number };
}

export interface UnsubscribedMessage {
  id?: number;
  sid: number;
  seq?: number;
  type: 'unsubscribed';
}

export interface OkMessage {
  id?: number;
  sid?: number;
  seq?: number;
  type: 'ok';
  msg: { market_tickers: string[] } | Array<{ channel: WsChannel; sid: number }>;
}

/** Server error codes 1–28 (KALSHI.md §7). */
export const WS_ERROR_CODES = {
  1: 'Unable to process message',
  2: 'Params required',
  3: 'Channels required',
  4: 'Subscription IDs required',
  5: 'Unknown command',
  6: 'Already subscribed',
  7: 'Unknown subscription ID',
  8: 'Unknown channel name',
  9: 'Authentication required',
  10: 'Channel error',
  11: 'Invalid parameter',
  12: 'Exactly one subscription ID is required',
  13: 'Unsupported action',
  14: 'Market Ticker required',
  15: 'Action required',
  16: 'Market not found',
  17: 'Internal error',
  18: 'Command timeout',
  19: 'shard_factor must be > 0',
  20: 'shard_factor is required with shard_key',
  21: 'shard_key must be >= 0 and < shard_factor',
  22: 'shard_factor must be <= 100',
  23: 'Match IDs required',
  24: 'Index IDs required',
  25: 'Subscription buffer overflow',
  26: 'Subscription market limit exceeded',
  27: 'Too many requests',
  28: 'Underlying tickers required',
} as const;
export type WsErrorCode = keyof typeof WS_ERROR_CODES;

/** Errors after which the subscription (or connection) will not recover by itself. */
export const TERMINAL_WS_ERRORS: ReadonlySet<number> = new Set([10, 17, 25]);

export interface ErrorMessage {
  id?: number;
  type: 'error';
  msg: { code: number; msg: string; market_ticker?: string; market_id?: string };
}

// ---------- server → client: data ----------

export type PriceLevelFp = [price_dollars: string, count_fp: string];

export interface OrderbookSnapshotMessage {
  type: 'orderbook_snapshot';
  sid: number;
  seq: number;
  msg: {
    market_ticker: string;
    market_id: string;
    /** Absent when that side is empty. */
    yes_dollars_fp?: PriceLevelFp[];
    no_dollars_fp?: PriceLevelFp[];
  };
}

export interface OrderbookDeltaMessage {
  type: 'orderbook_delta';
  sid: number;
  seq: number;
  msg: {
    market_ticker: string;
    market_id: string;
    price_dollars: string;
    delta_fp: string;
    side: 'yes' | 'no';
    ts?: string;
    ts_ms: number;
    client_order_id?: string;
    subaccount?: number;
  };
}

export interface TickerMessage {
  type: 'ticker';
  sid: number;
  msg: {
    market_ticker: string;
    market_id: string;
    price_dollars: string;
    yes_bid_dollars: string;
    yes_ask_dollars: string;
    yes_bid_size_fp: string;
    yes_ask_size_fp: string;
    last_trade_size_fp?: string;
    volume_fp: string;
    open_interest_fp: string;
    dollar_volume: number;
    dollar_open_interest: number;
    ts: number;
    ts_ms: number;
  };
}

export interface TradeMessage {
  type: 'trade';
  sid: number;
  msg: {
    trade_id: string;
    market_ticker: string;
    yes_price_dollars: string;
    no_price_dollars: string;
    count_fp: string;
    taker_side: 'yes' | 'no';
    taker_outcome_side: 'yes' | 'no';
    taker_book_side: 'bid' | 'ask';
    ts: number;
    ts_ms: number;
  };
}

export interface FillMessage {
  type: 'fill';
  sid: number;
  msg: {
    trade_id: string;
    order_id: string;
    market_ticker: string;
    is_taker: boolean;
    side: 'yes' | 'no';
    action: 'buy' | 'sell';
    purchased_side: 'yes' | 'no';
    outcome_side: 'yes' | 'no';
    book_side: 'bid' | 'ask';
    yes_price_dollars: string;
    count_fp: string;
    fee_cost: string;
    post_position_fp: string;
    ts: number;
    ts_ms: number;
    client_order_id?: string;
    subaccount?: number;
  };
}

export interface UserOrderMessage {
  type: 'user_order';
  sid: number;
  msg: {
    order_id: string;
    user_id: string;
    ticker: string;
    status: 'resting' | 'canceled' | 'executed';
    side: 'yes' | 'no';
    outcome_side: 'yes' | 'no';
    book_side: 'bid' | 'ask';
    yes_price_dollars: string;
    fill_count_fp: string;
    remaining_count_fp: string;
    initial_count_fp: string;
    taker_fill_cost_dollars: string;
    maker_fill_cost_dollars: string;
    taker_fees_dollars?: string;
    maker_fees_dollars?: string;
    client_order_id: string;
    order_group_id?: string;
    self_trade_prevention_type?: 'taker_at_cross' | 'maker';
    created_time: string;
    created_ts_ms: number;
    last_update_time: string;
    last_updated_ts_ms: number;
    expiration_time?: string;
    expiration_ts_ms?: number;
    subaccount_number: number;
  };
}

export interface MarketPositionMessage {
  type: 'market_position';
  sid: number;
  msg: {
    user_id: string;
    market_ticker: string;
    position_fp: string;
    position_cost_dollars: string;
    realized_pnl_dollars: string;
    fees_paid_dollars: string;
    position_fee_cost_dollars: string;
    volume_fp: string;
    subaccount?: number;
  };
}

export type LifecycleEventType =
  | 'created'
  | 'activated'
  | 'deactivated'
  | 'close_date_updated'
  | 'determined'
  | 'settled'
  | 'price_level_structure_updated'
  | 'metadata_updated';

export interface MarketLifecycleMessage {
  type: 'market_lifecycle_v2';
  sid: number;
  msg: {
    event_type: LifecycleEventType;
    market_ticker: string;
    open_ts?: number;
    close_ts?: number;
    result?: string;
    determination_ts?: number;
    settlement_value?: string;
    settled_ts?: number;
    is_deactivated?: boolean;
    additional_metadata?: Record<string, unknown>;
  };
}

/** Also on market_lifecycle_v2: an event's metadata. */
export interface EventLifecycleMessage {
  type: 'event_lifecycle';
  sid: number;
  msg: {
    event_ticker: string;
    title?: string;
    subtitle?: string;
    collateral_return_type?: string;
    series_ticker?: string;
  };
}

/** Also on market_lifecycle_v2: an event's fee override changed (fields nullable). */
export interface EventFeeUpdateMessage {
  type: 'event_fee_update';
  sid: number;
  msg: { event_ticker: string; fee_type_override: string | null; fee_multiplier_override: number | null };
}

export type OrderGroupEventType = 'created' | 'triggered' | 'reset' | 'deleted' | 'limit_updated';

/**
 * order_group_updates (private, sequenced per sid; KALSHI.md §7): an order group's lifecycle.
 * `contracts_limit_fp` comes with `created` and `limit_updated`.
 */
export interface OrderGroupUpdatesMessage {
  type: 'order_group_updates';
  sid: number;
  seq: number;
  msg: {
    event_type: OrderGroupEventType;
    order_group_id: string;
    contracts_limit_fp?: string;
    ts_ms: number;
  };
}

export type WsDataMessage =
  | OrderbookSnapshotMessage
  | OrderbookDeltaMessage
  | TickerMessage
  | TradeMessage
  | FillMessage
  | UserOrderMessage
  | MarketPositionMessage
  | MarketLifecycleMessage
  | EventLifecycleMessage
  | EventFeeUpdateMessage
  | OrderGroupUpdatesMessage;

export type WsServerMessage =
  | SubscribedMessage
  | UnsubscribedMessage
  | OkMessage
  | ErrorMessage
  | WsDataMessage;

/** Message type → the channel it belongs to (types are often singular where channels are plural). */
export const CHANNEL_OF_TYPE: Readonly<Record<WsDataMessage['type'], WsChannel>> = {
  orderbook_snapshot: 'orderbook_delta',
  orderbook_delta: 'orderbook_delta',
  ticker: 'ticker',
  trade: 'trade',
  fill: 'fill',
  user_order: 'user_orders',
  market_position: 'market_positions',
  market_lifecycle_v2: 'market_lifecycle_v2',
  event_lifecycle: 'market_lifecycle_v2',
  event_fee_update: 'market_lifecycle_v2',
  order_group_updates: 'order_group_updates',
};
