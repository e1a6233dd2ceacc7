/**
 * What the trader shows of itself: the control API's `status` (JSON, times in ISO-8601, money in
 * dollars, counts in contracts) and the server's TraderView snapshot (dashboard, stream, metrics,
 * health). Reads only.
 */
import type { Logger } from 'pino';
import type { Actor } from 'xstate';
import { intentModeOf, type TraderMachine, tradingStateOf } from '../../machines/index.js';
import type { EventBus } from '../bus.js';
import type { TraderConfig } from '../config/index.js';
import { netPnl, pnlFields, showCount, showDollars, showPrice } from '../domain/index.js';
import type { BookAuditor, Reconciler } from '../integrations/index.js';
import type { CostTable, RateLimiter, TokenBucket } from '../kalshi/index.js';
import { formatDollars } from '../kalshi/index.js';
import type { Database } from '../persistence/index.js';
import { recordView } from '../report/index.js';
import type { ControlTarget, TraderSnapshot, TraderView } from '../server/index.js';
import { isForeign, type MoneyView, StatusLogger } from '../services/index.js';
import type { StrategyRunner } from '../strategy/index.js';
import { iso, sideWords } from './logs.js';
import type { MarketWatch } from './market-watch.js';
import type { OrderGroupKeeper } from './order-group.js';
import type { CostSource, RateLimitKeeper } from './rate-limits.js';
import type { OpenRecord } from './record.js';
import type { Services } from './services.js';

export interface StatusDeps {
  readonly auditor: BookAuditor;
  readonly reconciler: Reconciler;
  readonly config: TraderConfig;
  readonly bus: EventBus;
  readonly clock: () => number;
  readonly actor: Actor<TraderMachine>;
  readonly services: Services;
  readonly group: OrderGroupKeeper;
  readonly watch: MarketWatch;
  readonly runner: StrategyRunner;
  /** Order-create headers signed ahead (src/kalshi/presign.ts); absent when pre-signing is off. */
  readonly orderSigning?: () => Record<string, unknown>;
  /** The strategy's own status (the policy: model, inference p50/p99). */
  readonly strategyStatus?: () => Record<string, unknown>;
  readonly statusLogger: StatusLogger;
  readonly limiter: RateLimiter;
  readonly limits: RateLimitKeeper;
  readonly record: OpenRecord;
  readonly database: Database;
  /** Epoch ms of the housekeeping loop's last turn. */
  readonly lastLoopMs: () => number | undefined;
}

/** The money breakers' figures and limits as the status shows them. */
function moneyStatus(view: MoneyView, config: TraderConfig) {
  return {
    daily_net_dollars: formatDollars(view.net),
    max_daily_loss_dollars: config.risk.maxDailyLossDollars,
    ...(view.equity !== undefined ? { equity_dollars: formatDollars(view.equity) } : {}),
    ...(view.peakEquity !== undefined ? { peak_equity_dollars: formatDollars(view.peakEquity) } : {}),
    ...(view.drawdownBps !== undefined ? { drawdown_pct: (view.drawdownBps / 100).toFixed(2) } : {}),
    max_drawdown_pct: config.risk.maxDrawdownPct,
  };
}

/** A rate-limit bucket as `status` shows it (tokens). */
function bucketStatus(b: TokenBucket) {
  return { refill_per_sec: b.refillPerSec, capacity: b.capacity, available: Math.floor(b.tokens) };
}

/** Which costs requests are charged by: the exchange's list (its default and what differs), or the documented ones. */
function costsStatus(source: CostSource, table: CostTable | undefined) {
  if (table === undefined) return { source };
  return {
    source,
    default_cost: table.defaultCost,
    endpoints: table.entries.map((e) => ({ method: e.method.toUpperCase(), path: e.path, cost: e.cost })),
  };
}

/** The cash the trader counts with: the ledger's running balance, else the exchange's last report. */
export function cashOf(services: Services): number | undefined {
  return services.recorder.runningBalance ?? services.exchange.lastBalance;
}

/** The status line every `statusIntervalMs` (and the block at debug level): StatusLogger's input. */
export function periodicStatus(deps: {
  bus: EventBus;
  clock: () => number;
  logger: Logger;
  config: TraderConfig;
  actor: Actor<TraderMachine>;
  services: Services;
}): StatusLogger {
  const { bus, clock, logger, config, actor, services } = deps;
  const { positions, orderbook, schedule, orders, risk } = services;
  return new StatusLogger({
    bus,
    clock,
    intervalMs: config.statusIntervalMs,
    logger: {
      info: (obj, msg) => logger.info({ event: 'status', ...obj }, msg),
      debug: (obj, msg) => logger.debug({ event: 'status_block', ...obj }, msg),
    },
    provide: () => {
      const totals = positions.totals();
      const health = orderbook.health();
      const cash = cashOf(services);
      return {
        state: String(actor.getSnapshot().value),
        // A book whose market is not open says so ("live, market closed").
        orderbook: {
          ...health,
          books: health.books.map((b) => {
            const phase = schedule.phase(b.ticker);
            return phase === undefined || phase === 'open'
              ? b
              : { ...b, status: `${b.status}, market ${phase}` };
          }),
        },
        trading: services.trading.health(),
        pnl: { realized: totals.realized, unrealized: totals.unrealized, fees: totals.fees, net: totals.net },
        positions: positions.positions(),
        openOrders: orders.open(),
        breaker: risk.breaker(),
        ...(cash !== undefined ? { balance: cash } : {}),
      };
    },
  });
}

export function controlStatus(deps: StatusDeps): () => Promise<unknown> {
  const { actor, services, config } = deps;
  const { schedule, orderbook, trading, risk, positions, orders, money, recorder } = services;
  return async () => {
    const snap = actor.getSnapshot();
    const ctx = snap.context;
    const totals = positions.totals();
    const breaker = risk.breaker();
    const health = trading.health();
    const group = deps.group.state();
    const cash = cashOf(services);
    return {
      state: snap.value,
      trading_state: tradingStateOf(ctx),
      reducing_markets: Object.entries(ctx.doubtful).map(([ticker, reasons]) => ({ ticker, reasons })),
      ...(ctx.reduceOnly !== null ? { reduce_only: ctx.reduceOnly } : {}),
      halt: ctx.halt,
      exchange_paused: ctx.exchangePaused,
      last_error: ctx.lastError,
      last_calibration: ctx.lastCalibration,
      order_group: {
        id: group.id ?? null,
        contracts_limit: showCount(group.contractsLimit),
        triggered: group.triggered,
        ...(group.triggeredBy ? { triggered_by: group.triggeredBy } : {}),
        ...(group.lastError ? { last_error: group.lastError } : {}),
      },
      markets: schedule.all().map((m) => {
        const book = orderbook.book(m.ticker);
        const bid = book?.bestYesBid();
        const ask = book?.yesAsk();
        const ours = orders.open().filter((o) => o.intent.ticker === m.ticker);
        const ourBid = Math.max(
          ...ours.filter((o) => o.intent.bookSide === 'bid').map((o) => o.intent.yesPrice),
        );
        const ourAsk = Math.min(
          ...ours.filter((o) => o.intent.bookSide === 'ask').map((o) => o.intent.yesPrice),
        );
        const held = positions.get(m.ticker);
        return {
          ticker: m.ticker,
          phase: m.phase,
          trading_state: ctx.halt !== null ? 'HALTED' : intentModeOf(ctx, m.ticker),
          ...(m.closeMs === undefined ? {} : { close_time: iso(m.closeMs) }),
          ...(bid === undefined ? {} : { best_bid: showPrice(bid) }),
          ...(ask === undefined ? {} : { best_ask: showPrice(ask) }),
          ...(Number.isFinite(ourBid) ? { our_bid: showPrice(ourBid) } : {}),
          ...(Number.isFinite(ourAsk) ? { our_ask: showPrice(ourAsk) } : {}),
          ...(held === undefined || held.position === 0 ? {} : { position: showCount(held.position) }),
          ...(held === undefined
            ? {}
            : {
                pnl: showDollars(
                  netPnl({ realized: held.realizedPnl, unrealized: held.unrealizedPnl, fees: held.feesPaid }),
                ),
              }),
        };
      }),
      orderbook: orderbook.health(),
      book_checks: deps.auditor.stats,
      reconciliation: deps.reconciler.stats,
      trading: {
        connected: health.connected,
        ...(health.lastHealthCheckMs !== undefined
          ? { last_health_check: iso(health.lastHealthCheckMs) }
          : {}),
        ...(health.tradingActive !== undefined ? { trading_active: health.tradingActive } : {}),
      },
      rate_limits: {
        tier: deps.limiter.tier,
        source: deps.limits.source,
        read: bucketStatus(deps.limiter.read),
        write: bucketStatus(deps.limiter.write),
        costs: costsStatus(deps.limits.costSource, deps.limiter.costs),
      },
      breaker: {
        open: breaker.open,
        consecutive_errors: breaker.consecutiveErrors,
        ...(breaker.reason ? { reason: breaker.reason, detail: breaker.detail } : {}),
        ...(breaker.trippedAt !== undefined ? { tripped_at: iso(breaker.trippedAt) } : {}),
      },
      ...(cash !== undefined ? { cash_dollars: formatDollars(cash) } : {}),
      positions: positions.positions().map((p) => ({
        ticker: p.ticker,
        contracts: showCount(p.position),
        side: p.position >= 0 ? 'YES' : 'NO',
        cost_basis: showDollars(p.costBasis),
        realized_pnl: showDollars(p.realizedPnl),
        fees: showDollars(p.feesPaid),
        ...(p.unrealizedPnl !== undefined ? { unrealized_pnl: showDollars(p.unrealizedPnl) } : {}),
      })),
      open_orders: orders.open().map((o) => ({
        client_order_id: o.clientOrderId,
        order_id: o.orderId,
        status: o.status,
        ticker: o.intent.ticker,
        side: sideWords(o.intent.bookSide),
        price: showPrice(o.intent.yesPrice),
        contracts: showCount(o.intent.count),
        filled: showCount(o.fillCount),
        // Not ours (unknown client_order_id): adopted, counted against exposure, flagged.
        ...(isForeign(o) ? { foreign: true } : {}),
      })),
      foreign_orders: orders.stats().foreignOrders,
      // One definition everywhere (domain/pnl.ts): realized before fees; net = realized + unrealized − fees.
      ...pnlFields(totals, showDollars),
      money: moneyStatus(money.observe(), config),
      orders: orders.stats(),
      order_signing: deps.orderSigning?.() ?? { presign: 'off' },
      strategy: { name: config.strategy, ...deps.runner.stats, ...deps.strategyStatus?.() },
      record: {
        session: deps.record.sessionId,
        exchange: deps.record.exchange,
        database: deps.database.target,
        shed_rows: recorder.shedRows,
        queue: recorder.queue.stats(),
      },
      status_block: deps.statusLogger.recent(1)[0]?.text,
    };
  };
}

/** The server's view of the running trader (src/server/view.ts). */
export function traderView(deps: StatusDeps, control: ControlTarget): TraderView {
  const { actor, services } = deps;
  const { positions, orders, risk, recorder, orderbook } = services;
  return {
    bus: deps.bus,
    control,
    record: recordView(deps.database, deps.record.sessionId),
    snapshot(): TraderSnapshot {
      const snap = actor.getSnapshot();
      const now = deps.clock();
      const marks: Record<string, number> = {};
      for (const p of positions.positions()) {
        const m = orderbook.book(p.ticker)?.mid();
        if (m !== undefined) marks[p.ticker] = m;
      }
      const cash = cashOf(services);
      const queue = recorder.queue.stats();
      const depth = Object.values(queue.kinds as Record<string, { depth: number }>).reduce(
        (n, k) => n + k.depth,
        0,
      );
      const lastLoop = deps.lastLoopMs();
      return {
        at: now,
        machine: {
          state: String(snap.value),
          halt: snap.context.halt,
          exchangePaused: snap.context.exchangePaused,
          lastError: snap.context.lastError,
        },
        tradingState: tradingStateOf(snap.context),
        orders: orders.open(),
        positions: positions.positions(),
        marks,
        pnl: positions.totals(),
        ...(cash !== undefined
          ? { balance: { cash, at: now, ...(recorder.runningBalance === undefined ? { stale: true } : {}) } }
          : {}),
        breaker: risk.breaker(),
        strategy: deps.config.strategy,
        ...(lastLoop !== undefined ? { lastLoopMs: lastLoop } : {}),
        writeQueue: { depth, shedRows: recorder.shedRows },
        rateLimit: (['read', 'write'] as const).map((bucket) => ({
          bucket,
          available: Math.floor(deps.limiter[bucket].tokens),
          capacity: deps.limiter[bucket].capacity,
        })),
      };
    },
  };
}
