/**
 * The one Postgres schema of traderv3 (drizzle pg-core). The same migrations (migrations/, made by
 * `drizzle-kit generate`) run on embedded PGlite and on a real Postgres server.
 *
 * Units (src/kalshi/units.ts): prices are integer 1/10,000 $ (`integer`), counts are integer
 * 1/100 contract (`integer`, signed for positions and deltas), money is integer micro-dollars
 * (`bigint`, read back as a JS number; every amount fits in 2^53 micro-dollars = $9 billion).
 * No float column exists. Times are `timestamptz` (UTC). Structured data is `jsonb`.
 *
 * Foreign keys: every trading table points at its session; the three market-data tables that
 * the collector fills in bulk (orderbook_snapshots, orderbook_deltas, market_prices) do not, so
 * the hot path pays no per-row referential check. order_events → orders is the status history.
 * Private keys never reach any column: `trading_sessions.config` is stored already redacted.
 */
import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  check,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  unique,
} from 'drizzle-orm/pg-core';
import type { BookSide, OrderLifecycleStatus, TimeInForce } from '../domain/index.js';

/** Where a session traded. `paper` (the config's name for Kalshi's demo exchange) is stored as `demo`. */
export type SessionEnvironment = 'sim' | 'demo' | 'production';
export type SessionStatus = 'running' | 'ended' | 'crashed';
export type DecisionAction = 'trade' | 'hold';
export type LedgerKind = 'fill' | 'fee' | 'settlement' | 'reconciliation';
export type BookLeg = 'yes' | 'no';
/** One level of a snapshot: [price (1/10,000 $), count (1/100 contract)]. */
export type SnapshotLevel = readonly [number, number];

const at = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });
const micros = (name: string) => bigint(name, { mode: 'number' });
const id = () => bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity();
/**
 * An append-only log's row number: generated like `id` (unique, increasing) but with no primary
 * key index. Nothing looks a delta up by id (replay orders by received time, sid and seq, with id
 * last), and the index cost the server about a fifth of its COPY rate (bench/persistence.ts).
 */
const rowNumber = () => bigint('id', { mode: 'number' }).notNull().generatedAlwaysAsIdentity();

export const tradingSessions = pgTable(
  'trading_sessions',
  {
    id: text('id').primaryKey(),
    environment: text('environment').$type<SessionEnvironment>().notNull(),
    /**
     * Which exchange the session traded on (see exchangeKey in src/runtime/record.ts): Kalshi's ids
     * are unique per exchange only, so orders, fills and ledger entries are keyed by it.
     */
    exchange: text('exchange').notNull(),
    config: jsonb('config').$type<Record<string, unknown>>().notNull(),
    status: text('status').$type<SessionStatus>().notNull(),
    dryRun: boolean('dry_run').notNull().default(false),
    startedAt: at('started_at').notNull(),
    endedAt: at('ended_at'),
    dataGap: boolean('data_gap').notNull().default(false),
    shedRows: micros('shed_rows').notNull().default(0),
    pid: integer('pid'),
    host: text('host'),
    summary: jsonb('summary').$type<Record<string, unknown>>(),
  },
  (t) => [
    index('trading_sessions_started_at_idx').on(t.startedAt),
    check('trading_sessions_environment_check', sql`${t.environment} in ('sim', 'demo', 'production')`),
    check('trading_sessions_status_check', sql`${t.status} in ('running', 'ended', 'crashed')`),
  ],
);

export const machineTransitions = pgTable(
  'machine_transitions',
  {
    id: id(),
    sessionId: text('session_id')
      .notNull()
      .references(() => tradingSessions.id),
    at: at('at').notNull(),
    fromState: text('from_state').notNull(),
    toState: text('to_state').notNull(),
  },
  (t) => [index('machine_transitions_session_at_idx').on(t.sessionId, t.at)],
);

export const decisions = pgTable(
  'decisions',
  {
    id: id(),
    sessionId: text('session_id')
      .notNull()
      .references(() => tradingSessions.id),
    at: at('at').notNull(),
    ticker: text('ticker').notNull(),
    strategy: text('strategy').notNull(),
    action: text('action').$type<DecisionAction>().notNull(),
    reason: text('reason').notNull(),
    features: jsonb('features'),
    featuresHash: text('features_hash'),
    modelOutput: jsonb('model_output'),
    modelHash: text('model_hash'),
    /** The strategy's details (edge: seed 000's decision columns and the market snapshot). */
    details: jsonb('details'),
    riskOk: boolean('risk_ok'),
    riskCode: text('risk_code'),
    riskDetail: text('risk_detail'),
    clientOrderId: text('client_order_id'),
  },
  (t) => [
    index('decisions_session_at_idx').on(t.sessionId, t.at),
    index('decisions_client_order_id_idx').on(t.clientOrderId),
    check('decisions_action_check', sql`${t.action} in ('trade', 'hold')`),
  ],
);

export const orders = pgTable(
  'orders',
  {
    clientOrderId: text('client_order_id').primaryKey(),
    sessionId: text('session_id')
      .notNull()
      .references(() => tradingSessions.id),
    /** The session's exchange (set from the session on insert): order ids are unique per exchange. */
    exchange: text('exchange').notNull(),
    orderId: text('order_id'),
    ticker: text('ticker').notNull(),
    bookSide: text('book_side').$type<BookSide>().notNull(),
    yesPrice: integer('yes_price').notNull(),
    count: integer('count').notNull(),
    timeInForce: text('time_in_force').$type<TimeInForce>().notNull(),
    postOnly: boolean('post_only').notNull().default(false),
    reduceOnly: boolean('reduce_only').notNull().default(false),
    strategy: text('strategy').notNull(),
    reason: text('reason').notNull(),
    request: jsonb('request').notNull(),
    status: text('status').$type<OrderLifecycleStatus>().notNull(),
    fillCount: integer('fill_count').notNull().default(0),
    fillNotional: micros('fill_notional').notNull().default(0),
    fees: micros('fees').notNull().default(0),
    /** Why it was denied / rejected / left unknown, in words (TrackedOrder.reason). */
    outcome: text('outcome'),
    createdAt: at('created_at').notNull(),
    updatedAt: at('updated_at').notNull(),
  },
  (t) => [
    unique('orders_exchange_order_id_key').on(t.exchange, t.orderId),
    index('orders_status_idx').on(t.status),
    index('orders_session_created_idx').on(t.sessionId, t.createdAt),
    check('orders_book_side_check', sql`${t.bookSide} in ('bid', 'ask')`),
  ],
);

export const orderEvents = pgTable(
  'order_events',
  {
    id: id(),
    clientOrderId: text('client_order_id')
      .notNull()
      .references(() => orders.clientOrderId),
    at: at('at').notNull(),
    status: text('status').$type<OrderLifecycleStatus>().notNull(),
    why: text('why'),
  },
  (t) => [index('order_events_client_order_id_idx').on(t.clientOrderId, t.id)],
);

export const fills = pgTable(
  'fills',
  {
    /** The session's exchange (set from the session on insert): trade ids are unique per exchange. */
    exchange: text('exchange').notNull(),
    /** Kalshi's trade id: a replayed fill is the same row. */
    fillId: text('fill_id').notNull(),
    sessionId: text('session_id')
      .notNull()
      .references(() => tradingSessions.id),
    orderId: text('order_id').notNull(),
    clientOrderId: text('client_order_id'),
    ticker: text('ticker').notNull(),
    bookSide: text('book_side').$type<BookSide>().notNull(),
    yesPrice: integer('yes_price').notNull(),
    count: integer('count').notNull(),
    fee: micros('fee').notNull(),
    isTaker: boolean('is_taker').notNull(),
    /** The exchange's time of the fill. */
    createdAt: at('created_at').notNull(),
    receivedAt: at('received_at').notNull(),
  },
  (t) => [
    primaryKey({ name: 'fills_pkey', columns: [t.exchange, t.fillId] }),
    index('fills_order_id_idx').on(t.exchange, t.orderId),
    index('fills_session_created_idx').on(t.sessionId, t.createdAt),
    check('fills_book_side_check', sql`${t.bookSide} in ('bid', 'ask')`),
  ],
);

export const positions = pgTable(
  'positions',
  {
    sessionId: text('session_id')
      .notNull()
      .references(() => tradingSessions.id),
    ticker: text('ticker').notNull(),
    position: integer('position').notNull(),
    costBasis: micros('cost_basis').notNull(),
    realizedPnl: micros('realized_pnl').notNull(),
    fees: micros('fees').notNull(),
    updatedAt: at('updated_at').notNull(),
  },
  (t) => [primaryKey({ name: 'positions_pkey', columns: [t.sessionId, t.ticker] })],
);

export const ledger = pgTable(
  'ledger',
  {
    id: id(),
    sessionId: text('session_id')
      .notNull()
      .references(() => tradingSessions.id),
    /** The session's exchange (set from the session on insert). */
    exchange: text('exchange').notNull(),
    at: at('at').notNull(),
    kind: text('kind').$type<LedgerKind>().notNull(),
    ticker: text('ticker'),
    /** What the entry is for (the fill id, a settlement id, ...): (exchange, kind, ref) is unique. */
    ref: text('ref').notNull(),
    /** Signed micro-dollars: + money in, − money out. */
    amount: micros('amount').notNull(),
    balanceAfter: micros('balance_after'),
  },
  (t) => [
    unique('ledger_exchange_kind_ref_key').on(t.exchange, t.kind, t.ref),
    index('ledger_session_id_idx').on(t.sessionId, t.id),
    check('ledger_kind_check', sql`${t.kind} in ('fill', 'fee', 'settlement', 'reconciliation')`),
  ],
);

export const orderbookSnapshots = pgTable(
  'orderbook_snapshots',
  {
    id: id(),
    sessionId: text('session_id').notNull(),
    ticker: text('ticker').notNull(),
    sid: integer('sid').notNull(),
    seq: integer('seq').notNull(),
    yes: jsonb('yes').$type<SnapshotLevel[]>().notNull(),
    no: jsonb('no').$type<SnapshotLevel[]>().notNull(),
    exchangeTs: at('exchange_ts'),
    receivedAt: at('received_at').notNull(),
  },
  (t) => [index('orderbook_snapshots_session_received_idx').on(t.sessionId, t.receivedAt)],
);

export const orderbookDeltas = pgTable(
  'orderbook_deltas',
  {
    id: rowNumber(),
    sessionId: text('session_id').notNull(),
    ticker: text('ticker').notNull(),
    sid: integer('sid').notNull(),
    seq: integer('seq').notNull(),
    side: text('side').$type<BookLeg>().notNull(),
    price: integer('price').notNull(),
    delta: integer('delta').notNull(),
    clientOrderId: text('client_order_id'),
    exchangeTs: at('exchange_ts'),
    receivedAt: at('received_at').notNull(),
  },
  (t) => [
    index('orderbook_deltas_session_received_idx').on(t.sessionId, t.receivedAt),
    check('orderbook_deltas_side_check', sql`${t.side} in ('yes', 'no')`),
  ],
);

export const marketPrices = pgTable(
  'market_prices',
  {
    id: id(),
    sessionId: text('session_id').notNull(),
    ticker: text('ticker').notNull(),
    at: at('at').notNull(),
    yesBid: integer('yes_bid'),
    yesAsk: integer('yes_ask'),
    yesBidSize: integer('yes_bid_size').notNull(),
    yesAskSize: integer('yes_ask_size').notNull(),
    lastPrice: integer('last_price'),
  },
  (t) => [
    index('market_prices_session_at_idx').on(t.sessionId, t.at),
    index('market_prices_ticker_at_idx').on(t.ticker, t.at),
  ],
);

export const statusSnapshots = pgTable(
  'status_snapshots',
  {
    id: id(),
    sessionId: text('session_id')
      .notNull()
      .references(() => tradingSessions.id),
    at: at('at').notNull(),
    state: text('state').notNull(),
    text: text('text').notNull(),
    data: jsonb('data').notNull(),
  },
  (t) => [index('status_snapshots_session_at_idx').on(t.sessionId, t.at)],
);

export const riskEvents = pgTable(
  'risk_events',
  {
    id: id(),
    sessionId: text('session_id')
      .notNull()
      .references(() => tradingSessions.id),
    at: at('at').notNull(),
    kind: text('kind').notNull(),
    reason: text('reason').notNull(),
    detail: text('detail').notNull(),
    data: jsonb('data'),
  },
  (t) => [index('risk_events_session_at_idx').on(t.sessionId, t.at)],
);

export const marketLifecycleEvents = pgTable(
  'market_lifecycle_events',
  {
    id: id(),
    sessionId: text('session_id')
      .notNull()
      .references(() => tradingSessions.id),
    at: at('at').notNull(),
    ticker: text('ticker').notNull(),
    eventType: text('event_type').notNull(),
    data: jsonb('data').notNull(),
  },
  (t) => [index('market_lifecycle_events_session_at_idx').on(t.sessionId, t.at)],
);

/**
 * Every forecast the edge strategy fetched (seed 002 §3: when it was issued and when we saw it).
 * Temperatures are °F model inputs, not money: stored as tenths of a degree (integer).
 */
export const forecasts = pgTable(
  'forecasts',
  {
    id: id(),
    sessionId: text('session_id')
      .notNull()
      .references(() => tradingSessions.id),
    city: text('city').notNull(),
    targetDate: text('target_date').notNull(),
    source: text('source').notNull(),
    issuedAt: at('issued_at').notNull(),
    seenAt: at('seen_at').notNull(),
    highTenthsF: integer('high_tenths_f').notNull(),
    spreadTenthsF: integer('spread_tenths_f').notNull(),
    dailyHighTenthsF: integer('daily_high_tenths_f'),
    hoursCovered: integer('hours_covered'),
    peakCovered: boolean('peak_covered').notNull(),
    leadMinutes: integer('lead_minutes').notNull(),
    origin: text('origin').notNull(),
  },
  (t) => [index('forecasts_city_date_idx').on(t.city, t.targetDate, t.issuedAt)],
);

/**
 * The edge strategy's orders (seed 000's order columns): the maker order and, once converted,
 * its taker conversion. Settled temperature and P&L are derived at report time from settlements.
 */
export const edgeOrders = pgTable(
  'edge_orders',
  {
    clientOrderId: text('client_order_id').primaryKey(),
    sessionId: text('session_id')
      .notNull()
      .references(() => tradingSessions.id),
    at: at('at').notNull(),
    ticker: text('ticker').notNull(),
    city: text('city').notNull(),
    eventDate: text('event_date').notNull(),
    bracketLabel: text('bracket_label').notNull(),
    side: text('side').notNull(),
    count: integer('count').notNull(),
    makerPrice: integer('maker_price').notNull(),
    volumeAtOrder: integer('volume_at_order').notNull(),
    makerTimeoutMs: integer('maker_timeout_ms').notNull(),
    dryRun: boolean('dry_run').notNull(),
    isTaker: boolean('is_taker').notNull().default(false),
    convertedAt: at('converted_at'),
    conversionPrice: integer('conversion_price'),
    conversionClientOrderId: text('conversion_client_order_id'),
  },
  (t) => [index('edge_orders_city_date_idx').on(t.city, t.eventDate)],
);

/** Every table, in an order that respects foreign keys when read front to back (parents first). */
export const ALL_TABLES = [
  tradingSessions,
  machineTransitions,
  decisions,
  orders,
  orderEvents,
  fills,
  positions,
  ledger,
  orderbookSnapshots,
  orderbookDeltas,
  marketPrices,
  statusSnapshots,
  riskEvents,
  marketLifecycleEvents,
  forecasts,
  edgeOrders,
] as const;

/** Order statuses that are still in flight (restart recovery loads these). */
export const OPEN_ORDER_STATUSES: readonly OrderLifecycleStatus[] = [
  'created',
  'submitting',
  'unknown',
  'resting',
  'canceling',
];
