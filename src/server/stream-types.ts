/**
 * The live stream's messages (`/stream`), shared with the dashboard (web/) — types only, no
 * imports, so the browser bundle can use them.
 *
 * Every message: `{ type, source, timestamp, data }`.
 *  - `source`: `api_sync` when the data is a read of the trader's state (the initial state, a
 *    calibration or operator sync, anything during CALIBRATING, when REST reads reconcile us) and
 *    `websocket` when a live exchange push or a live trader event caused it.
 *  - `timestamp`: ISO-8601 UTC. Money: dollar strings ("12.3400"). Counts: contract strings
 *    ("5.00"). Prices: dollar strings on the YES leg ("0.5600").
 *  - Sections that can be empty say so with `is_empty`; a section the trader cannot provide (yet)
 *    has `state_missing: true` and no figures, so a page never shows a blank as a zero.
 */

export type StreamSource = 'api_sync' | 'websocket';

export interface Envelope<T extends string, D> {
  readonly type: T;
  readonly source: StreamSource;
  readonly timestamp: string;
  readonly data: D;
}

export interface Section {
  readonly is_empty: boolean;
  readonly state_missing: boolean;
}

export interface TransitionEntry {
  readonly state: string;
  readonly from: string;
  readonly event: string;
  readonly entered_at: string;
  /** null while current */
  readonly left_at: string | null;
  readonly duration_ms: number;
}

export interface TraderStateData extends Section {
  readonly machine_state: string | null;
  /** trading | halted | paused | connecting | calibrating | error | stopping | stopped */
  readonly trading_state: string | null;
  readonly halt: { readonly reason: string; readonly detail?: string; readonly source?: string } | null;
  readonly exchange_paused: boolean | null;
  readonly last_error: string | null;
  readonly breaker: {
    readonly open: boolean;
    readonly reason?: string;
    readonly detail?: string;
    readonly tripped_at?: string;
  } | null;
  readonly history: readonly TransitionEntry[];
  readonly strategy: string | null;
  /** The policy model in use; null when the strategy has none or the trader does not say. */
  readonly model: { readonly name: string; readonly version?: string; readonly sha256?: string } | null;
}

export interface OrderWire {
  readonly client_order_id: string;
  readonly order_id: string | null;
  readonly ticker: string;
  /** bid = buy YES, ask = sell YES (≡ buy NO) */
  readonly book_side: 'bid' | 'ask';
  readonly yes_price: string;
  readonly count: string;
  readonly filled: string;
  readonly status: string;
  readonly strategy: string;
  readonly reason: string | null;
  readonly created_at: string;
  readonly updated_at: string;
}

export interface OrdersData extends Section {
  readonly orders: readonly OrderWire[];
}

export interface PositionWire {
  readonly ticker: string;
  /** Signed: + YES / − NO contracts */
  readonly position: string;
  readonly side: 'yes' | 'no' | 'flat';
  readonly cost_basis: string;
  /** Per contract held, on the held leg; null when flat. */
  readonly average_cost: string | null;
  /** YES-leg mark; null when no live book gives one. */
  readonly mark: string | null;
  readonly unrealized_pnl: string | null;
  readonly realized_pnl: string;
  readonly fees: string;
}

export interface PositionsData extends Section {
  readonly positions: readonly PositionWire[];
}

export interface PortfolioData extends Section {
  /** The cash balance, and when the exchange reported it. */
  readonly cash: string | null;
  readonly cash_at: string | null;
  /** The cash is the exchange's report from before later fills (equity is then null). */
  readonly cash_stale: boolean;
  readonly portfolio_value: string | null;
  /** Σ cost basis of open positions */
  readonly exposure: string | null;
  readonly realized_pnl: string | null;
  readonly unrealized_pnl: string | null;
  readonly fees: string | null;
  readonly net_pnl: string | null;
  /** cash + Σ positions at mark (at cost where no mark) */
  readonly equity: string | null;
}

export interface FillWire {
  readonly fill_id: string;
  readonly order_id: string;
  readonly client_order_id: string | null;
  readonly ticker: string;
  readonly book_side: 'bid' | 'ask';
  readonly yes_price: string;
  readonly count: string;
  readonly fee: string;
  readonly is_taker: boolean;
  readonly created_at: string;
}

export interface FillEventData {
  readonly fill: FillWire;
  /** The position in that market after the fill (null if unknown). */
  readonly position: PositionWire | null;
}

export interface BookWire {
  readonly ticker: string;
  /** live | resyncing | stale | unknown */
  readonly status: string;
  readonly seq: number | null;
  readonly age_ms: number | null;
  readonly gaps: number;
  readonly resyncs: number;
  readonly best_yes_bid: string | null;
  readonly yes_ask: string | null;
  readonly mid: string | null;
  /** Best first: YES bids descending, YES asks (from NO bids) ascending; [price, contracts]. */
  readonly bids: ReadonlyArray<readonly [string, string]>;
  readonly asks: ReadonlyArray<readonly [string, string]>;
}

export interface BooksData extends Section {
  readonly books: readonly BookWire[];
  /** In a books_update: markets no longer watched since the last one (drop their books). */
  readonly removed?: readonly string[];
}

export interface DecisionWire {
  readonly at: string;
  readonly ticker: string;
  readonly strategy: string;
  readonly action: 'trade' | 'hold';
  readonly reason: string;
  readonly client_order_id: string | null;
  readonly intent: {
    readonly book_side: 'bid' | 'ask';
    readonly yes_price: string;
    readonly count: string;
  } | null;
  readonly risk: { readonly ok: boolean; readonly code?: string; readonly detail?: string } | null;
}

export interface StatsData {
  readonly uptime_s: number;
  readonly clients: number;
  readonly messages_sent: number;
  readonly decisions: number;
  readonly fills: number;
  readonly open_orders: number | null;
  readonly write_queue: { readonly depth: number; readonly shed_rows: number } | null;
}

/** Actor events (the live policy actor, seed 003): forwarded from the bus when they appear there. */
export interface ActorActionData {
  readonly ticker: string;
  readonly action: string;
  readonly action_id?: number;
  readonly model?: string;
  readonly reason?: string;
}
export interface ActorOrderData {
  readonly ticker: string;
  readonly client_order_id: string;
  readonly status: string;
}
export interface ActorFillData {
  readonly ticker: string;
  readonly fill_id: string;
  readonly count: string;
  readonly yes_price: string;
}
export interface ActorPositionData {
  readonly ticker: string;
  readonly position: string;
}
export interface ActorPnlData {
  readonly realized_pnl: string;
  readonly unrealized_pnl: string;
  readonly net_pnl: string;
}

export interface InitialStateData {
  readonly trader_state: TraderStateData;
  readonly orders: OrdersData;
  readonly positions: PositionsData;
  readonly portfolio: PortfolioData;
  readonly books: BooksData;
  readonly decisions: Section & { readonly decisions: readonly DecisionWire[] };
  readonly fills: Section & { readonly fills: readonly FillWire[] };
  /** Whether this connection may send commands (it authenticated with the token). */
  readonly authenticated: boolean;
}

export interface CommandResultData {
  readonly id: string | null;
  readonly command: string;
  readonly ok: boolean;
  readonly result?: unknown;
  readonly error?: { readonly code: string; readonly message: string };
}

export type StreamMessage =
  | Envelope<'initial_state', InitialStateData>
  | Envelope<'trader_state', TraderStateData>
  | Envelope<'orders_update', OrdersData>
  | Envelope<'positions_update', PositionsData>
  | Envelope<'portfolio_update', PortfolioData>
  | Envelope<'fill_event', FillEventData>
  | Envelope<'books_update', BooksData>
  | Envelope<'decision', DecisionWire>
  | Envelope<'stats_update', StatsData>
  | Envelope<'actor_action', ActorActionData>
  | Envelope<'actor_order', ActorOrderData>
  | Envelope<'actor_fill', ActorFillData>
  | Envelope<'actor_position', ActorPositionData>
  | Envelope<'actor_pnl', ActorPnlData>
  | Envelope<'command_result', CommandResultData>;

export type StreamMessageType = StreamMessage['type'];

/**
 * What a client may send. `auth` makes the connection able to send commands; a command may also
 * carry the token itself. Without the token a connection is read-only.
 */
export type ClientMessage =
  | { readonly type: 'auth'; readonly token: string }
  | {
      readonly type: 'command';
      readonly id?: string;
      readonly command: 'sync' | 'halt' | 'reduce' | 'resume' | 'cancel-all' | 'status';
      readonly reason?: string;
      readonly token?: string;
    };
