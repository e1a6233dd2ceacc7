/**
 * The trader's watchers over the exchange, beside the machine: each asks the exchange on its own
 * schedule and reports what it finds over the bus (which the bridge turns into machine events).
 * None of them decides what the trader does.
 *
 *   book audit      the REST cross-check of the books we trade: after every resync, and every
 *                   bookCheckIntervalMs; a disagreement resyncs the book (reduce-only meanwhile)
 *   pause watch     an order refused because trading is paused asks the exchange's status at once;
 *                   while PAUSED the status is asked every PAUSED_POLL_MS (nothing on the socket
 *                   says trading resumed, and the health check runs only every 30 s)
 *   reconciliation  while READY, positions against the exchange every reconcileIntervalMs: a
 *                   missed fill is noticed in seconds, not at a restart
 */
import type { Logger } from 'pino';
import type { EventBus } from '../bus.js';
import {
  BookAuditor,
  type OrderbookIntegration,
  Reconciler,
  type TradingIntegration,
} from '../integrations/index.js';
import type { KalshiRestClient } from '../kalshi/index.js';
import type { OrderService, PositionTracker } from '../services/index.js';
import { singleFlight, type TimerHandle, type Timers } from './timers.js';

/** While PAUSED, how often the exchange is asked whether trading has resumed. */
export const PAUSED_POLL_MS = 2_000;

interface Common {
  readonly bus: EventBus;
  readonly timers: Timers;
  readonly logger: Logger;
}

export function startBookAudit(
  deps: Common & {
    readonly rest: KalshiRestClient;
    readonly orderbook: OrderbookIntegration;
    readonly intervalMs: number;
    /** We hold the market or have an order in it. */
    readonly involvedIn: (ticker: string) => boolean;
    readonly watched: () => readonly string[];
  },
): { auditor: BookAuditor; timer: TimerHandle } {
  const { bus, timers, logger, orderbook } = deps;
  const auditor = new BookAuditor({
    rest: deps.rest,
    book: (ticker) => orderbook.book(ticker),
    resync: (tickers) => orderbook.resync(tickers),
    bus,
    clock: timers.now,
    sleep: timers.sleep,
  });
  const auditable = (ticker: string) => deps.involvedIn(ticker) || auditor.doubted().includes(ticker);
  const audit = (ticker: string) =>
    void auditor
      .check(ticker)
      .then((agreed) => {
        if (agreed === false) {
          logger.warn(
            { event: 'book_mismatch', ticker },
            `${ticker}: our book disagrees with the exchange's; resyncing (reduce-only meanwhile)`,
          );
        }
      })
      .catch(() => undefined);
  bus.on('book.statusChanged', (e) => {
    if (e.status === 'live' && auditable(e.ticker)) audit(e.ticker);
  });
  bus.on('market.unwatched', (e) => auditor.forget(e.ticker));
  const timer = timers.every(deps.intervalMs, () => {
    for (const ticker of deps.watched()) if (auditable(ticker)) audit(ticker);
  });
  return { auditor, timer };
}

export function startPauseWatch(
  deps: Common & {
    readonly trading: Pick<TradingIntegration, 'checkStatus'>;
    readonly orders: Pick<OrderService, 'backoffRemaining' | 'stats'>;
  },
): { cancel(): void } {
  const { bus, timers, logger, orders } = deps;
  // One check in flight at most.
  const checkPause = singleFlight(() =>
    deps.trading
      .checkStatus()
      .then(() => undefined)
      .catch((err: Error) =>
        logger.warn({ event: 'status_check_failed', error: err.message }, 'exchange status check failed'),
      ),
  );
  let pausedPoll: TimerHandle | undefined;
  bus.on('machine.transitioned', (t) => {
    if (t.to === 'PAUSED') pausedPoll ??= timers.every(PAUSED_POLL_MS, () => void checkPause());
    else if (pausedPoll) {
      pausedPoll.cancel();
      pausedPoll = undefined;
    }
  });
  bus.on('order.changed', (o) => {
    if (o.status === 'rejected' && /paused|trading_is|exchange_closed|inactive/i.test(o.reason ?? '')) {
      void checkPause();
    }
    if (o.status === 'rejected' && o.refusal === 'rate_limited') {
      logger.warn(
        {
          event: 'rate_limited',
          client_order_id: o.clientOrderId,
          ticker: o.intent.ticker,
          backoff_ms: orders.backoffRemaining(),
          count: orders.stats().rateLimited,
        },
        `the exchange throttled an order (429): backing off ${orders.backoffRemaining()} ms`,
      );
    }
  });
  return {
    cancel() {
      pausedPoll?.cancel();
      pausedPoll = undefined;
    },
  };
}

export function startReconciliation(
  deps: Common & {
    readonly rest: KalshiRestClient;
    readonly orders: OrderService;
    readonly positions: PositionTracker;
    readonly fillsSinceMs: number;
    readonly intervalMs: number;
    readonly isReady: () => boolean;
  },
): { reconciler: Reconciler; timer: TimerHandle } {
  const { bus, timers, logger } = deps;
  const reconciler = new Reconciler({
    rest: deps.rest,
    orders: deps.orders,
    positions: deps.positions,
    bus,
    clock: timers.now,
    fillsSinceMs: deps.fillsSinceMs,
  });
  const timer = timers.every(deps.intervalMs, () => {
    if (!deps.isReady()) return;
    void reconciler
      .pass()
      .then((r) => {
        if (!r.agreed) {
          logger.warn(
            { event: 'reconcile_mismatch', markets: r.differing.map((d) => d.ticker) },
            'positions differ from the exchange after reading fills back: those markets are reduce-only until settled',
          );
        }
      })
      .catch((err: Error) =>
        logger.warn({ event: 'reconcile_failed', error: err.message }, 'reconciliation failed'),
      );
  });
  // A calibration reconciles everything: the doubts it settled end with it.
  bus.on('machine.transitioned', (t) => {
    if (t.from === 'CALIBRATING' && t.to !== 'ERROR' && t.to !== 'SHUTTING_DOWN') reconciler.clearAll();
  });
  return { reconciler, timer };
}
