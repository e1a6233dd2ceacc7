/**
 * StatusLogger: every interval (and on `report()`) a plain-text status block that can be pasted
 * into an issue or a chat as is — ASCII only, aligned columns, dollars and counts in the units
 * module's fixed-point form — logged together with its structured data, kept in a ring buffer of
 * the last 100 for the control API, and emitted as 'status.reported'.
 *
 * The block and the data are built from named fields only (never by spreading what `provide`
 * returns), so nothing else — keys, tokens, headers — can reach the log.
 * Logs are a projection: nothing reads the text back; tests assert on the data and the events.
 */
import type { EventBus } from '../bus.js';
import type {
  BookSide,
  Count,
  Micros,
  OrderIntent,
  PositionView,
  Price,
  TrackedOrder,
} from '../domain/index.js';
import { formatCount, formatDollars, formatPrice } from '../kalshi/index.js';
import { describePosition } from './position-tracker.js';

export interface StatusBook {
  readonly ticker: string;
  readonly status: string;
  /** Time since the book's last update, when known. */
  readonly ageMs?: number;
}

/** An order in the status block: a TrackedOrder, or a summary of one. */
export type StatusOrder =
  | TrackedOrder
  | {
      readonly clientOrderId: string;
      readonly ticker: string;
      readonly status: string;
      readonly bookSide?: BookSide;
      readonly yesPrice?: Price;
      readonly count?: Count;
      readonly fillCount?: Count;
    };

export interface StatusBreaker {
  readonly open: boolean;
  readonly reason?: string;
  readonly detail?: string;
  readonly trippedAt?: number;
  readonly consecutiveErrors?: number;
}

export interface StatusData {
  /** The machine's state value, e.g. 'READY' or 'ERROR.backoff'. */
  readonly state: string;
  readonly orderbook: { readonly connected: boolean; readonly books: readonly StatusBook[] };
  readonly trading: {
    readonly connected: boolean;
    /** Epoch ms of the last successful exchange health check. */
    readonly lastHealthCheckMs?: number;
    readonly tradingActive?: boolean;
  };
  readonly pnl: {
    readonly realized: Micros;
    readonly unrealized: Micros;
    readonly fees: Micros;
    readonly net: Micros;
  };
  readonly positions: readonly PositionView[];
  readonly openOrders: readonly StatusOrder[];
  readonly breaker: StatusBreaker;
  readonly balance?: Micros;
}

/** One report: what was logged and emitted. */
export interface StatusReport {
  readonly at: number;
  readonly text: string;
  readonly data: Readonly<Record<string, unknown>>;
}

/** Method shapes so that Node's globals and a test's fake timers both fit. */
export interface StatusTimers {
  setInterval(callback: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
}

export interface StatusLogSink {
  info(obj: Record<string, unknown>, msg: string): void;
  /** The full block and its data, for whoever logs at debug. */
  debug?(obj: Record<string, unknown>, msg: string): void;
}

export interface StatusLoggerOptions {
  readonly bus: EventBus;
  readonly clock: () => number;
  readonly intervalMs?: number;
  readonly timers?: StatusTimers;
  readonly logger: StatusLogSink;
  readonly provide: () => StatusData;
  /** Reports kept for `recent` (default 100). */
  readonly historySize?: number;
}

export const DEFAULT_STATUS_INTERVAL_MS = 30_000;
export const STATUS_HISTORY_SIZE = 100;

const RULE = '='.repeat(78);

/** The periodic one-liner at info: the figures an operator scans, in dollars and counts. */
export function statusLine(s: StatusData): { fields: Record<string, unknown>; text: string } {
  const live = s.orderbook.books.filter((b) => b.status === 'live').length;
  const breaker = s.breaker.open ? `breaker OPEN (${s.breaker.reason ?? 'tripped'})` : 'breaker closed';
  const fields = {
    state: s.state,
    net: formatMoney(s.pnl.net),
    realized: formatMoney(s.pnl.realized),
    unrealized: formatMoney(s.pnl.unrealized),
    fees: formatMoney(s.pnl.fees),
    ...(s.balance === undefined ? {} : { cash: formatMoney(s.balance) }),
    books_live: `${live}/${s.orderbook.books.length}`,
    positions: s.positions.filter((p) => p.position !== 0).length,
    open_orders: s.openOrders.length,
    breaker_open: s.breaker.open,
  };
  const text = [
    s.state,
    `net ${fields.net} (realized ${fields.realized}, unrealized ${fields.unrealized}, fees ${fields.fees})`,
    ...(fields.cash === undefined ? [] : [`cash ${fields.cash}`]),
    `books ${fields.books_live} live`,
    `${fields.positions} position(s)`,
    `${fields.open_orders} open order(s)`,
    breaker,
  ].join(' · ');
  return { fields, text };
}

/** "$1.2300", "-$0.4500". */
export function formatMoney(m: Micros): string {
  return `${m < 0 ? '-' : ''}$${formatDollars(Math.abs(m))}`;
}

/** "850ms", "12s", "5m07s", "2h03m": integer arithmetic only. */
export function formatAge(ms: number): string {
  const t = Math.max(0, Math.trunc(ms));
  if (t < 1000) return `${t}ms`;
  const s = Math.trunc(t / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.trunc(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.trunc(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

/** Lays out rows with every column padded to its widest cell; `right` columns align right. */
export function textTable(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  right: ReadonlySet<number>,
): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    `  ${cells
      .map((c, i) => {
        const w = widths[i] ?? c.length;
        return right.has(i) ? c.padStart(w) : c.padEnd(w);
      })
      .join('  ')
      .trimEnd()}`;
  return [line(header), ...rows.map(line)];
}

interface OrderRow {
  readonly clientOrderId: string;
  readonly ticker: string;
  readonly status: string;
  readonly bookSide?: BookSide;
  readonly yesPrice?: Price;
  readonly count?: Count;
  readonly fillCount?: Count;
}

function orderRow(o: StatusOrder): OrderRow {
  if ('intent' in o) {
    const intent: OrderIntent = o.intent;
    return {
      clientOrderId: o.clientOrderId,
      ticker: intent.ticker,
      status: o.status,
      bookSide: intent.bookSide,
      yesPrice: intent.yesPrice,
      count: intent.count,
      fillCount: o.fillCount,
    };
  }
  const row: OrderRow = { clientOrderId: o.clientOrderId, ticker: o.ticker, status: o.status };
  return {
    ...row,
    ...(o.bookSide === undefined ? {} : { bookSide: o.bookSide }),
    ...(o.yesPrice === undefined ? {} : { yesPrice: o.yesPrice }),
    ...(o.count === undefined ? {} : { count: o.count }),
    ...(o.fillCount === undefined ? {} : { fillCount: o.fillCount }),
  };
}

/** The structured, JSON-friendly projection of StatusData (named fields only). */
export function statusData(s: StatusData, at: number): Record<string, unknown> {
  return {
    at,
    state: s.state,
    orderbook: {
      connected: s.orderbook.connected,
      books: s.orderbook.books.map((b) => ({
        ticker: b.ticker,
        status: b.status,
        ...(b.ageMs === undefined ? {} : { ageMs: b.ageMs }),
      })),
    },
    trading: {
      connected: s.trading.connected,
      ...(s.trading.lastHealthCheckMs === undefined
        ? {}
        : { lastHealthCheckMs: s.trading.lastHealthCheckMs }),
      ...(s.trading.tradingActive === undefined ? {} : { tradingActive: s.trading.tradingActive }),
    },
    pnl: { realized: s.pnl.realized, unrealized: s.pnl.unrealized, fees: s.pnl.fees, net: s.pnl.net },
    positions: s.positions.map((p) => ({
      ticker: p.ticker,
      position: p.position,
      costBasis: p.costBasis,
      realizedPnl: p.realizedPnl,
      feesPaid: p.feesPaid,
      ...(p.unrealizedPnl === undefined ? {} : { unrealizedPnl: p.unrealizedPnl }),
    })),
    openOrders: s.openOrders.map(orderRow),
    breaker: {
      open: s.breaker.open,
      ...(s.breaker.reason === undefined ? {} : { reason: s.breaker.reason }),
      ...(s.breaker.detail === undefined ? {} : { detail: s.breaker.detail }),
      ...(s.breaker.trippedAt === undefined ? {} : { trippedAt: s.breaker.trippedAt }),
      ...(s.breaker.consecutiveErrors === undefined
        ? {}
        : { consecutiveErrors: s.breaker.consecutiveErrors }),
    },
    ...(s.balance === undefined ? {} : { balance: s.balance }),
  };
}

/** The copy-paste block (pure). */
export function formatStatus(s: StatusData, at: number): string {
  const iso = new Date(at).toISOString();
  const lines: string[] = [RULE, `TRADERV3 STATUS  ${iso}`, RULE];
  const field = (name: string, value: string): void => {
    lines.push(`${name.padEnd(11)}${value}`);
  };

  field('state', s.state);

  const byStatus = new Map<string, number>();
  for (const b of s.orderbook.books) byStatus.set(b.status, (byStatus.get(b.status) ?? 0) + 1);
  const counts = [...byStatus].map(([status, n]) => `${status} ${n}`).join(', ');
  field(
    'orderbook',
    `${s.orderbook.connected ? 'connected' : 'DISCONNECTED'}  books ${s.orderbook.books.length}${counts ? ` (${counts})` : ''}`,
  );

  const t = s.trading;
  const health =
    t.lastHealthCheckMs === undefined
      ? 'no health check yet'
      : `last health check ${formatAge(at - t.lastHealthCheckMs)} ago`;
  const active =
    t.tradingActive === undefined ? '' : t.tradingActive ? '  exchange trading' : '  exchange PAUSED';
  field('trading', `${t.connected ? 'connected' : 'DISCONNECTED'}  ${health}${active}`);

  field(
    'pnl',
    `realized ${formatMoney(s.pnl.realized)}  unrealized ${formatMoney(s.pnl.unrealized)}` +
      `  fees ${formatMoney(s.pnl.fees)}  net ${formatMoney(s.pnl.net)}`,
  );
  field('balance', s.balance === undefined ? 'unknown' : formatMoney(s.balance));

  const b = s.breaker;
  const errors = b.consecutiveErrors === undefined ? '' : `  consecutive errors ${b.consecutiveErrors}`;
  if (b.open) {
    const since = b.trippedAt === undefined ? '' : ` since ${new Date(b.trippedAt).toISOString()}`;
    field('breaker', `OPEN (${b.reason ?? 'unknown'})${since}${errors}`);
    if (b.detail) field('', b.detail);
  } else {
    field('breaker', `closed${errors}`);
  }

  if (s.orderbook.books.length > 0) {
    lines.push('', `BOOKS (${s.orderbook.books.length})`);
    lines.push(
      ...textTable(
        ['ticker', 'status', 'age'],
        s.orderbook.books.map((bk) => [
          bk.ticker,
          bk.status,
          bk.ageMs === undefined ? '-' : formatAge(bk.ageMs),
        ]),
        new Set([2]),
      ),
    );
  }

  lines.push('', `POSITIONS (${s.positions.length})`);
  if (s.positions.length > 0) {
    lines.push(
      ...textTable(
        ['ticker', 'position', 'cost basis', 'realized', 'unrealized', 'fees'],
        s.positions.map((p) => [
          p.ticker,
          describePosition(p.position),
          formatMoney(p.costBasis),
          formatMoney(p.realizedPnl),
          p.unrealizedPnl === undefined ? '-' : formatMoney(p.unrealizedPnl),
          formatMoney(p.feesPaid),
        ]),
        new Set([1, 2, 3, 4, 5]),
      ),
    );
  }

  lines.push('', `OPEN ORDERS (${s.openOrders.length})`);
  if (s.openOrders.length > 0) {
    lines.push(
      ...textTable(
        ['client order id', 'ticker', 'side', 'count', 'price', 'filled', 'status'],
        s.openOrders
          .map(orderRow)
          .map((o) => [
            o.clientOrderId,
            o.ticker,
            o.bookSide ?? '-',
            o.count === undefined ? '-' : formatCount(o.count),
            o.yesPrice === undefined ? '-' : formatPrice(o.yesPrice),
            o.fillCount === undefined ? '-' : formatCount(o.fillCount),
            o.status,
          ]),
        new Set([3, 4, 5]),
      ),
    );
  }
  lines.push(RULE);
  return lines.join('\n');
}

export class StatusLogger {
  readonly #bus: EventBus;
  readonly #clock: () => number;
  readonly #intervalMs: number;
  readonly #timers: StatusTimers;
  readonly #logger: StatusLogSink;
  readonly #provide: () => StatusData;
  readonly #capacity: number;
  /** Ring buffer: #history[#next] is the oldest once it is full. */
  readonly #history: StatusReport[] = [];
  #next = 0;
  #handle: unknown;
  #running = false;

  constructor(options: StatusLoggerOptions) {
    this.#bus = options.bus;
    this.#clock = options.clock;
    this.#intervalMs = options.intervalMs ?? DEFAULT_STATUS_INTERVAL_MS;
    this.#timers = options.timers ?? {
      setInterval: (cb, ms) => setInterval(cb, ms),
      clearInterval: (h) => clearInterval(h as ReturnType<typeof setInterval>),
    };
    this.#logger = options.logger;
    this.#provide = options.provide;
    this.#capacity = options.historySize ?? STATUS_HISTORY_SIZE;
    if (!Number.isSafeInteger(this.#intervalMs) || this.#intervalMs <= 0) {
      throw new RangeError(`status interval must be a positive number of ms, got ${this.#intervalMs}`);
    }
    if (!Number.isSafeInteger(this.#capacity) || this.#capacity <= 0) {
      throw new RangeError(`status history size must be a positive integer, got ${this.#capacity}`);
    }
  }

  get running(): boolean {
    return this.#running;
  }

  /** Starts the periodic report (idempotent). The first report comes after one interval. */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#handle = this.#timers.setInterval(() => this.#tick(), this.#intervalMs);
    // A status timer must never keep the process alive on its own.
    const h = this.#handle;
    if (typeof h === 'object' && h !== null && 'unref' in h && typeof h.unref === 'function') h.unref();
  }

  stop(): void {
    if (!this.#running) return;
    this.#running = false;
    this.#timers.clearInterval(this.#handle);
    this.#handle = undefined;
  }

  /** Builds, logs, keeps and emits one report now. */
  report(): StatusReport {
    const at = this.#clock();
    const status = this.#provide();
    const report: StatusReport = { at, text: formatStatus(status, at), data: statusData(status, at) };
    const line = statusLine(status);
    this.#logger.info({ kind: 'status', ...line.fields }, line.text);
    this.#logger.debug?.({ kind: 'status_block', status: report.data }, report.text);
    this.#remember(report);
    this.#bus.emit('status.reported', report);
    return report;
  }

  /** The last `n` reports (at most 100), oldest first. */
  recent(n = 10): StatusReport[] {
    const ordered =
      this.#history.length < this.#capacity
        ? this.#history
        : [...this.#history.slice(this.#next), ...this.#history.slice(0, this.#next)];
    const k = Math.max(0, Math.min(Math.trunc(n), ordered.length));
    return k === 0 ? [] : ordered.slice(ordered.length - k);
  }

  #remember(report: StatusReport): void {
    if (this.#history.length < this.#capacity) {
      this.#history.push(report);
      this.#next = this.#history.length % this.#capacity;
      return;
    }
    this.#history[this.#next] = report;
    this.#next = (this.#next + 1) % this.#capacity;
  }

  #tick(): void {
    try {
      this.report();
    } catch (err) {
      // A failing provider must not kill the timer; the next tick tries again.
      this.#logger.info(
        { kind: 'status', error: err instanceof Error ? err.message : String(err) },
        'status report failed',
      );
    }
  }
}
