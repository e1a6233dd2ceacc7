/**
 * Pure builders: the trader's integer-unit state → the stream's wire shapes (stream-types.ts).
 * Money as dollar strings, counts as contracts, times ISO-8601; nothing here reads a clock.
 */
import type { Decision, ExchangeFill, PositionView, TrackedOrder } from '../domain/index.js';
import { PRICE_SCALE } from '../domain/index.js';
import { formatCount, formatDollars, formatPrice } from '../kalshi/index.js';
import type {
  DecisionWire,
  FillWire,
  OrdersData,
  OrderWire,
  PortfolioData,
  PositionsData,
  PositionWire,
  TraderStateData,
  TransitionEntry,
} from './stream-types.js';
import type { TraderSnapshot } from './view.js';

export const iso = (ms: number): string => new Date(ms).toISOString();

/** Formats signed micro-dollars as a dollar string ("-1.2300"). */
export function dollars(m: number): string {
  return formatDollars(m);
}

/**
 * The trading state: may the trader trade now, and if not, why. Derived from the machine state,
 * the halt and the exchange pause.
 */
export function tradingStateOf(machineState: string, halted: boolean, exchangePaused: boolean): string {
  const top = machineState.split('.')[0] ?? machineState;
  if (top === 'SHUTDOWN') return 'stopped';
  if (top === 'SHUTTING_DOWN') return 'stopping';
  if (top === 'HALTED' || halted) return 'halted';
  if (top === 'PAUSED' || exchangePaused) return 'paused';
  if (top === 'ERROR') return 'error';
  if (top === 'CALIBRATING') return 'calibrating';
  if (top === 'READY' || top === 'ACTING') return 'trading';
  return 'connecting';
}

export interface HistoryItem {
  readonly state: string;
  readonly from: string;
  readonly event: string;
  readonly at: number;
}

/** Transition history with durations (the last one is current; its duration runs to `now`). */
export function historyWire(items: readonly HistoryItem[], now: number): TransitionEntry[] {
  return items.map((h, i) => {
    const next = items[i + 1];
    const end = next ? next.at : now;
    return {
      state: h.state,
      from: h.from,
      event: h.event,
      entered_at: iso(h.at),
      left_at: next ? iso(next.at) : null,
      duration_ms: Math.max(0, end - h.at),
    };
  });
}

export function traderStateWire(
  snap: TraderSnapshot,
  history: readonly HistoryItem[],
  now: number,
): TraderStateData {
  const m = snap.machine;
  const b = snap.breaker;
  const breaker = b
    ? {
        open: b.open,
        ...(b.reason === undefined ? {} : { reason: b.reason }),
        ...(b.detail === undefined ? {} : { detail: b.detail }),
        ...(b.trippedAt === undefined ? {} : { tripped_at: iso(b.trippedAt) }),
      }
    : null;
  const state = m?.state ?? history.at(-1)?.state ?? null;
  return {
    is_empty: false,
    state_missing: state === null,
    machine_state: state,
    trading_state:
      snap.tradingState ??
      (state === null ? null : tradingStateOf(state, Boolean(m?.halt), Boolean(m?.exchangePaused))),
    halt: m?.halt ?? null,
    exchange_paused: m ? m.exchangePaused : null,
    last_error: m?.lastError ?? null,
    breaker,
    history: historyWire(history, now),
    strategy: snap.strategy ?? null,
    model: snap.model ?? null,
  };
}

export function orderWire(o: TrackedOrder): OrderWire {
  return {
    client_order_id: o.clientOrderId,
    order_id: o.orderId ?? null,
    ticker: o.intent.ticker,
    book_side: o.intent.bookSide,
    yes_price: formatPrice(o.intent.yesPrice),
    count: formatCount(o.intent.count),
    filled: formatCount(o.fillCount),
    status: o.status,
    strategy: o.intent.strategy,
    reason: o.reason ?? null,
    created_at: iso(o.createdMs),
    updated_at: iso(o.updatedMs),
  };
}

export function ordersWire(snap: TraderSnapshot): OrdersData {
  if (!snap.orders) return { is_empty: true, state_missing: true, orders: [] };
  return { is_empty: snap.orders.length === 0, state_missing: false, orders: snap.orders.map(orderWire) };
}

export function positionWire(p: PositionView, mark: number | undefined): PositionWire {
  const held = Math.abs(p.position);
  const side = p.position > 0 ? 'yes' : p.position < 0 ? 'no' : 'flat';
  // Average cost per contract on the held leg, in micro-dollars per contract (Count is 1/100).
  const average = held === 0 ? null : formatDollars(Math.round((p.costBasis * 100) / held));
  return {
    ticker: p.ticker,
    position: formatCount(p.position),
    side,
    cost_basis: formatDollars(p.costBasis),
    average_cost: average,
    mark: mark === undefined ? null : formatPrice(mark),
    unrealized_pnl: p.unrealizedPnl === undefined ? null : formatDollars(p.unrealizedPnl),
    realized_pnl: formatDollars(p.realizedPnl),
    fees: formatDollars(p.feesPaid),
  };
}

export function positionsWire(snap: TraderSnapshot): PositionsData {
  if (!snap.positions) return { is_empty: true, state_missing: true, positions: [] };
  const list = snap.positions.filter((p) => p.position !== 0 || p.realizedPnl !== 0 || p.feesPaid !== 0);
  return {
    is_empty: list.length === 0,
    state_missing: false,
    positions: list.map((p) => positionWire(p, snap.marks?.[p.ticker])),
  };
}

/** Value of the open contracts at their marks (at cost where there is no mark). */
export function positionsValue(snap: TraderSnapshot): number | undefined {
  if (!snap.positions) return undefined;
  let total = 0;
  for (const p of snap.positions) {
    const mark = snap.marks?.[p.ticker];
    if (mark === undefined || p.position === 0) {
      total += p.costBasis;
      continue;
    }
    const legPrice = p.position > 0 ? mark : PRICE_SCALE - mark;
    // Count (1/100 contract) × Price (1/10,000 $) = 1e-6 $ exactly.
    total += Math.abs(p.position) * legPrice;
  }
  return total;
}

export function portfolioWire(snap: TraderSnapshot): PortfolioData {
  const pnl = snap.pnl;
  const exposure = snap.positions?.reduce((s, p) => s + p.costBasis, 0);
  const value = positionsValue(snap);
  const cash = snap.balance?.cash;
  const missing = pnl === undefined && cash === undefined && exposure === undefined;
  return {
    is_empty: (snap.positions?.length ?? 0) === 0,
    state_missing: missing,
    cash: cash === undefined ? null : formatDollars(cash),
    cash_at: snap.balance ? iso(snap.balance.at) : null,
    portfolio_value:
      snap.balance?.portfolioValue === undefined ? null : formatDollars(snap.balance.portfolioValue),
    exposure: exposure === undefined ? null : formatDollars(exposure),
    realized_pnl: pnl ? formatDollars(pnl.realized) : null,
    unrealized_pnl: pnl ? formatDollars(pnl.unrealized) : null,
    fees: pnl ? formatDollars(pnl.fees) : null,
    net_pnl: pnl ? formatDollars(pnl.net) : null,
    cash_stale: snap.balance?.stale === true,
    equity:
      cash === undefined || value === undefined || snap.balance?.stale ? null : formatDollars(cash + value),
  };
}

export function fillWire(f: ExchangeFill): FillWire {
  return {
    fill_id: f.fillId,
    order_id: f.orderId,
    client_order_id: f.clientOrderId ?? null,
    ticker: f.ticker,
    book_side: f.bookSide,
    yes_price: formatPrice(f.yesPrice),
    count: formatCount(f.count),
    fee: formatDollars(f.fee),
    is_taker: f.isTaker,
    created_at: iso(f.createdMs),
  };
}

export function decisionWire(d: Decision): DecisionWire {
  const v = d.verdict;
  return {
    at: iso(d.at),
    ticker: d.ticker,
    strategy: d.strategy,
    action: d.action,
    reason: d.reason,
    client_order_id: d.clientOrderId ?? null,
    intent: d.intent
      ? {
          book_side: d.intent.bookSide,
          yes_price: formatPrice(d.intent.yesPrice),
          count: formatCount(d.intent.count),
        }
      : null,
    risk: v ? (v.ok ? { ok: true } : { ok: false, code: v.code, detail: v.detail }) : null,
  };
}
