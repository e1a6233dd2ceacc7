/**
 * The dashboard's state: the stream's messages folded into one object. Sections keep the
 * stream's is_empty / state_missing flags so the page shows "no data" instead of zeros.
 */
import type {
  BookWire,
  DecisionWire,
  FillWire,
  OrdersData,
  PortfolioData,
  PositionsData,
  StatsData,
  StreamMessage,
  TraderStateData,
} from '../../src/server/stream-types.js';

export interface ActorEvent {
  readonly type: string;
  readonly timestamp: string;
  readonly data: unknown;
}

export interface DashboardState {
  readonly connected: boolean;
  readonly trader: TraderStateData | null;
  readonly orders: OrdersData | null;
  readonly positions: PositionsData | null;
  readonly portfolio: PortfolioData | null;
  readonly books: Readonly<Record<string, BookWire>>;
  readonly decisions: readonly DecisionWire[];
  readonly fills: readonly FillWire[];
  readonly actor: readonly ActorEvent[];
  readonly stats: StatsData | null;
  readonly lastSource: string | null;
}

export const EMPTY: DashboardState = {
  connected: false,
  trader: null,
  orders: null,
  positions: null,
  portfolio: null,
  books: {},
  decisions: [],
  fills: [],
  actor: [],
  stats: null,
  lastSource: null,
};

const KEEP = 100;

export function reduce(s: DashboardState, m: StreamMessage): DashboardState {
  const base = { ...s, lastSource: m.source };
  switch (m.type) {
    case 'initial_state': {
      const d = m.data;
      return {
        ...base,
        trader: d.trader_state,
        orders: d.orders,
        positions: d.positions,
        portfolio: d.portfolio,
        books: Object.fromEntries(d.books.books.map((b) => [b.ticker, b])),
        decisions: d.decisions.decisions,
        fills: d.fills.fills,
      };
    }
    case 'trader_state':
      return { ...base, trader: m.data };
    case 'orders_update':
      return { ...base, orders: m.data };
    case 'positions_update':
      return { ...base, positions: m.data };
    case 'portfolio_update':
      return { ...base, portfolio: m.data };
    case 'books_update': {
      const books = { ...s.books };
      for (const b of m.data.books) books[b.ticker] = b;
      for (const t of m.data.removed ?? []) delete books[t];
      return { ...base, books };
    }
    case 'fill_event':
      return { ...base, fills: [m.data.fill, ...s.fills].slice(0, KEEP) };
    case 'decision':
      return { ...base, decisions: [m.data, ...s.decisions].slice(0, KEEP) };
    case 'stats_update':
      return { ...base, stats: m.data };
    case 'command_result':
      return s;
    default:
      return {
        ...base,
        actor: [{ type: m.type, timestamp: m.timestamp, data: m.data }, ...s.actor].slice(0, KEEP),
      };
  }
}
