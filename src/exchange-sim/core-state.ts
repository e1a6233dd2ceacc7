/**
 * The exchange core's shared state and its small helpers: the maps every part of the core reads
 * and writes (markets, accounts, orders), the id source, and the event queue that delivers
 * CoreEvents after each operation. The rules live in the modules that take this state
 * (core-collateral, core-resting, core-fills, core-order-entry, core-amend, core-market-status,
 * core-portfolio, core-queries); exchange.ts is the facade and holds the spec.
 */
import type { Count, Micros, Price } from '../domain/index.js';
import type {
  CoreEvent,
  CoreResult,
  EventDef,
  Ladder,
  SeriesDef,
  SimError,
  SimFill,
  SimMarket,
  SimOrder,
  SimPosition,
  SimSettlement,
  SimTrade,
} from './core-types.js';
import { DEFAULT_FEE_SCHEDULE, type FeeSchedule } from './fees.js';
import { fromYesPrice, type OrderBook } from './matching.js';

/** The error codes this core answers with (see the header of exchange.ts for when). */
export type ExchangeErrorCode =
  | 'not_found'
  | 'trading_is_paused'
  | 'market_closed'
  | 'invalid_price'
  | 'invalid_order_size'
  | 'invalid_order'
  | 'available_balance_too_low'
  | 'order_already_exists'
  | 'invalid_status_transition'
  | 'invalid_parameters'
  | 'order_group_triggered';

/** $1 per contract, in micros per count unit (1/100 contract). */
export const MICROS_PER_COUNT_UNIT_PAYOUT: Micros = 10_000;
export const DAY_MS = 86_400_000;

export interface MarketState {
  market: SimMarket;
  book: OrderBook;
  /** Trades of the last 24 h for volume24h: a queue with a moving head. */
  recent: Array<{ ms: number; count: Count }>;
  recentHead: number;
}

export interface AccountState {
  id: string;
  cash: Micros;
  reserved: Micros;
  reservedByTicker: Map<string, Micros>;
  positions: Map<string, SimPosition>;
  /** Order ids in creation order. */
  orderIds: string[];
  /** Resting orders by id, in the order they started resting. */
  resting: Map<string, SimOrder>;
  /** The same resting orders by market (what collateral reads; keeps it O(orders in a market)). */
  restingByTicker: Map<string, Map<string, SimOrder>>;
  clientOrderIds: Set<string>;
  fills: SimFill[];
  settlements: SimSettlement[];
  updatedMs: number;
}

export interface Ids {
  order(): string;
  trade(): string;
  fill(): string;
  group(): string;
}

/** An order group's own state (ORDER GROUPS in exchange.ts). */
export interface OrderGroupState {
  id: string;
  accountId: string;
  subaccount: number;
  limit: Count;
  triggered: boolean;
  /** Matches of the group's orders, oldest first; pruned to the rolling window when read. */
  matches: Array<{ ms: number; count: Count }>;
  orderIds: string[];
  createdMs: number;
}

/** Everything the core holds. Mutable on purpose: the modules are the core's own parts. */
export interface CoreState {
  readonly clock: () => number;
  readonly ids: Ids;
  readonly seriesByTicker: Map<string, SeriesDef>;
  readonly eventsByTicker: Map<string, EventDef>;
  readonly markets: Map<string, MarketState>;
  readonly accounts: Map<string, AccountState>;
  readonly orders: Map<string, SimOrder>;
  /** Resting orders with an expiration time. */
  readonly expiring: Set<string>;
  readonly trades: SimTrade[];
  /** Order groups by id, in creation order. */
  readonly orderGroups: Map<string, OrderGroupState>;
  tradingActive: boolean;
  /** Monotonic arrival counter: time priority. */
  arrivals: number;
  /** Queues an event; it is delivered when the current operation completes. */
  emit(event: CoreEvent): void;
}

export function fail<T>(
  status: number,
  code: ExchangeErrorCode,
  message: string,
  details?: string,
): CoreResult<T> {
  const error: SimError = { status, code, message };
  if (details !== undefined) error.details = details;
  return { ok: false, error };
}

export function ok<T>(value: T): CoreResult<T> {
  return { ok: true, value };
}

export function ladderOf(order: { bookSide: 'bid' | 'ask' }): Ladder {
  return order.bookSide === 'bid' ? 'yes' : 'no';
}

/** The order's limit on its own ladder. */
export function ladderPrice(order: { bookSide: 'bid' | 'ask'; yesPrice: Price }): Price {
  return fromYesPrice(ladderOf(order), order.yesPrice);
}

/** FNV-1a, 32 bit, as 8 hex digits: a stable tag for an id prefix. */
function hashTag(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}

/**
 * UUID-shaped ids: the prefix's hash, a kind (order 8000, trade 9000, fill a000, order group b000)
 * and a counter.
 */
export function createIds(prefix: string): Ids {
  const tag = hashTag(prefix);
  const counters = { order: 0, trade: 0, fill: 0, group: 0 };
  const make = (kind: keyof typeof counters, variant: string): string => {
    counters[kind] += 1;
    return `${tag}-0000-4000-${variant}-${counters[kind].toString(16).padStart(12, '0')}`;
  };
  return {
    order: () => make('order', '8000'),
    trade: () => make('trade', '9000'),
    fill: () => make('fill', 'a000'),
    group: () => make('group', 'b000'),
  };
}

export function inRange(ms: number, minTs?: number, maxTs?: number): boolean {
  return (minTs === undefined || ms >= minTs) && (maxTs === undefined || ms <= maxTs);
}

/** amount × n / d, floored, without overflow. */
export function proportion(amount: Micros, n: Count, d: Count): Micros {
  if (n >= d) return amount;
  return Number((BigInt(amount) * BigInt(n)) / BigInt(d));
}

export function snapshot(order: SimOrder): SimOrder {
  return { ...order };
}

/** An event queue: `run` performs an operation, then delivers what it emitted, in order. */
export interface EventQueue {
  onEvent(listener: (event: CoreEvent) => void): () => void;
  emit(event: CoreEvent): void;
  run<T>(operation: () => T): T;
}

export function createEventQueue(): EventQueue {
  const listeners = new Set<(event: CoreEvent) => void>();
  const queue: CoreEvent[] = [];
  let flushing = false;

  /** Delivers queued events; a listener's throw is re-thrown after everyone got every event. */
  function flush(): void {
    if (flushing) return;
    flushing = true;
    let failure: { error: unknown } | undefined;
    try {
      for (let i = 0; i < queue.length; i++) {
        const event = queue[i] as CoreEvent;
        for (const listener of [...listeners]) {
          try {
            listener(event);
          } catch (error) {
            failure ??= { error };
          }
        }
      }
    } finally {
      queue.length = 0;
      flushing = false;
    }
    if (failure) throw failure.error;
  }

  return {
    onEvent(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    emit(event) {
      queue.push(event);
    },
    run(operation) {
      try {
        return operation();
      } finally {
        flush();
      }
    },
  };
}

// ---- lookups ---------------------------------------------------------------------------------

export function feeSchedule(s: CoreState, market: SimMarket): FeeSchedule {
  const event = s.eventsByTicker.get(market.eventTicker);
  const series = event ? s.seriesByTicker.get(event.seriesTicker) : undefined;
  return series ? { feeType: series.feeType, feeMultiplier: series.feeMultiplier } : DEFAULT_FEE_SCHEDULE;
}

/** The account's position in a market, created empty on first use. */
export function position(acct: AccountState, ticker: string, now: number): SimPosition {
  let pos = acct.positions.get(ticker);
  if (!pos) {
    pos = {
      ticker,
      position: 0,
      positionCost: 0,
      totalTraded: 0,
      marketExposure: 0,
      realizedPnl: 0,
      feesPaid: 0,
      volume: 0,
      lastUpdatedMs: now,
    };
    acct.positions.set(ticker, pos);
  }
  return pos;
}

export function heldPosition(acct: AccountState, ticker: string): Count {
  return acct.positions.get(ticker)?.position ?? 0;
}

/** Drops trades older than 24 h from volume24h. */
export function pruneRecent(state: MarketState, now: number): void {
  while (state.recentHead < state.recent.length) {
    const t = state.recent[state.recentHead] as { ms: number; count: Count };
    if (t.ms > now - DAY_MS) break;
    state.market.volume24h -= t.count;
    state.recentHead += 1;
  }
  if (state.recentHead > 1024 && state.recentHead * 2 > state.recent.length) {
    state.recent.splice(0, state.recentHead);
    state.recentHead = 0;
  }
}

export function marketSnapshot(s: CoreState, state: MarketState): SimMarket {
  pruneRecent(state, s.clock());
  return { ...state.market };
}
