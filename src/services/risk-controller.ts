/**
 * RiskController: the pre-trade checks (risk-rules.ts: a pure function of the intent, the trading
 * mode, a state snapshot and the limits) and the breakers that halt trading until an operator
 * resets them. This class gathers the snapshot from its providers — positions, our orders, the
 * book, the market's phase, the exchange's status, the cash balance less what our resting orders
 * reserve (risk-cash.ts), the markets' metadata for the portfolio limits (risk-portfolio.ts) —
 * and watches order outcomes for the consecutive-errors breaker.
 *
 * Breakers: N consecutive order errors ('rejected' or 'unknown', each order counted once; a
 * rejection with a `refusal` — 429 throttling, a post-only cross — is not an error; a 'resting' or
 * 'executed' order resets the count) trip 'consecutive_order_errors'; `checkMoney`
 * trips 'daily_loss' when the day's net P&L < −maxDailyLoss and 'drawdown' when equity falls more
 * than maxDrawdownBps below its peak (MoneyWatch gives both); `trip` trips anything else. Only
 * `resetBreaker(by)` (an operator command) closes the breaker — DESIGN.md §6 rule 4.
 */
import type { BookStatus, EventBus } from '../bus.js';
import type {
  MarketPhase,
  Micros,
  OrderIntent,
  OrderLifecycleStatus,
  RiskVerdict,
  TrackedOrder,
} from '../domain/index.js';
import type { MoneyView } from './money-watch.js';
import { reservedCash } from './risk-cash.js';
import { type CityOfSeries, marketsMeta } from './risk-portfolio.js';
import {
  type BreakerState,
  evaluateRisk,
  isOpenOrder,
  money,
  type RiskLimits,
  type RiskMode,
  type RiskPosition,
  type RiskState,
  resolveRiskLimits,
  riskOpenOrder,
} from './risk-rules.js';

export * from './risk-cash.js';
export * from './risk-portfolio.js';
export * from './risk-rules.js';

/** Statuses that count as an order error for the consecutive-errors breaker. */
const ERROR_STATUSES: ReadonlySet<OrderLifecycleStatus> = new Set<OrderLifecycleStatus>([
  'rejected',
  'unknown',
]);
/** Statuses that prove the order path works and reset the count. */
const SUCCESS_STATUSES: ReadonlySet<OrderLifecycleStatus> = new Set<OrderLifecycleStatus>([
  'resting',
  'executed',
]);

export interface RiskProviders {
  readonly positions: () => readonly RiskPosition[];
  /** Our orders; the ones not in an open status are ignored. */
  readonly orders: () => readonly TrackedOrder[];
  readonly bookStatus: (ticker: string) => BookStatus | undefined;
  readonly tradingActive: () => boolean;
  /** The market's trading-window phase (MarketSchedule); no provider skips the check. */
  readonly marketPhase?: (ticker: string) => MarketPhase | undefined;
  /**
   * The cash balance (the ledger's running balance, else the exchange's last report); our resting
   * orders' reservations are subtracted from it. Undefined (or no provider) skips the balance check.
   */
  readonly balance?: () => Micros | undefined;
  /** The city of a daily-high series, for the portfolio limits (default: none known). */
  readonly cityOf?: CityOfSeries;
  /** The day's net P&L and the drawdown (MoneyWatch), checked by the money breakers on every `check`. */
  readonly pnl?: () => MoneyView;
}

export interface RiskControllerOptions extends RiskProviders {
  readonly bus: EventBus;
  readonly clock: () => number;
  readonly limits?: Partial<RiskLimits>;
}

export class RiskController {
  readonly limits: RiskLimits;
  readonly #bus: EventBus;
  readonly #clock: () => number;
  readonly #providers: RiskProviders;
  #breaker: BreakerState = { open: false, consecutiveErrors: 0 };
  /** Last status seen per clientOrderId, and the orders already counted as an error. */
  readonly #lastStatus = new Map<string, OrderLifecycleStatus>();
  readonly #counted = new Set<string>();
  readonly #onOrder = (order: TrackedOrder): void => {
    this.#observeOrder(order);
  };

  constructor(options: RiskControllerOptions) {
    this.#bus = options.bus;
    this.#clock = options.clock;
    this.limits = resolveRiskLimits(options.limits);
    this.#providers = options;
    this.#bus.on('order.changed', this.#onOrder);
  }

  dispose(): void {
    this.#bus.off('order.changed', this.#onOrder);
  }

  /**
   * The verdict for an intent against the current state in trading mode `mode` (the machine's:
   * HALTED lets nothing through, REDUCING only reductions). Checks the money breaker first.
   */
  check(intent: OrderIntent, mode: RiskMode = 'ACTIVE'): RiskVerdict {
    const pnl = this.#providers.pnl?.();
    if (pnl) this.checkMoney(pnl);
    return evaluateRisk(intent, this.snapshot(intent.ticker), this.limits, mode);
  }

  /** Cash our resting orders hold back now (risk-cash.ts). */
  reserved(): Micros {
    const p = this.#providers;
    return reservedCash(
      p.orders().filter(isOpenOrder).map(riskOpenOrder),
      p.positions(),
      this.limits.feeAllowanceBps,
    );
  }

  /** The state evaluateRisk sees for an intent in `ticker`. */
  snapshot(ticker: string): RiskState {
    const p = this.#providers;
    const positions = p.positions();
    const openOrders = p.orders().filter(isOpenOrder).map(riskOpenOrder);
    const cash = p.balance?.();
    const available =
      cash === undefined
        ? undefined
        : cash - reservedCash(openOrders, positions, this.limits.feeAllowanceBps);
    const phase = p.marketPhase?.(ticker);
    const portfolio =
      this.limits.portfolio === undefined || cash === undefined
        ? undefined
        : {
            meta: marketsMeta(
              [
                ticker,
                ...positions.filter((x) => x.position !== 0).map((x) => x.ticker),
                ...openOrders.map((o) => o.ticker),
              ],
              p.cityOf ?? (() => undefined),
            ),
            // Equity at cost: cash (reservations included) + what the positions cost.
            capital: cash + positions.reduce((sum, x) => sum + (x.position !== 0 ? x.costBasis : 0), 0),
          };
    return {
      breaker: this.#breaker,
      tradingActive: p.tradingActive(),
      bookStatus: p.bookStatus(ticker),
      positions,
      openOrders,
      ...(available === undefined ? {} : { availableCash: available }),
      ...(phase === undefined ? {} : { marketPhase: phase }),
      ...(portfolio === undefined ? {} : { portfolio }),
    };
  }

  breaker(): BreakerState {
    return this.#breaker;
  }

  /**
   * The money breakers: trips 'daily_loss' when the day's net P&L < −maxDailyLoss, 'drawdown' when
   * equity is more than maxDrawdownBps below its peak. Returns whether it tripped now.
   */
  checkMoney(view: MoneyView): boolean {
    const lossLimit = this.limits.maxDailyLoss;
    if (lossLimit !== undefined && view.net < -lossLimit) {
      return this.trip(
        'daily_loss',
        `net P&L ${money(view.net)} is below the daily loss limit -${money(lossLimit)}`,
      );
    }
    const ddLimit = this.limits.maxDrawdownBps;
    if (ddLimit !== undefined && view.drawdownBps !== undefined && view.drawdownBps > ddLimit) {
      const pct = (bps: number) => `${(bps / 100).toFixed(2)}%`;
      return this.trip(
        'drawdown',
        `equity ${money(view.equity ?? 0)} is ${pct(view.drawdownBps)} below its peak ${money(view.peakEquity ?? 0)}` +
          ` (limit ${pct(ddLimit)})`,
      );
    }
    return false;
  }

  /**
   * Opens the breaker (no-op while it is already open: the first reason stands).
   * Emits 'risk.breakerTripped'. Returns whether it tripped now.
   */
  trip(reason: string, detail: string): boolean {
    if (this.#breaker.open) return false;
    const at = this.#clock();
    this.#breaker = { ...this.#breaker, open: true, reason, detail, trippedAt: at };
    this.#bus.emit('risk.breakerTripped', { reason, detail, at });
    return true;
  }

  /** The operator's reset: the only way to close the breaker. Returns whether it was open. */
  resetBreaker(by: string): boolean {
    const wasOpen = this.#breaker.open;
    this.#breaker = { open: false, consecutiveErrors: 0 };
    if (wasOpen) this.#bus.emit('risk.breakerReset', { by, at: this.#clock() });
    return wasOpen;
  }

  #observeOrder(order: TrackedOrder): void {
    const previous = this.#lastStatus.get(order.clientOrderId);
    this.#lastStatus.set(order.clientOrderId, order.status);
    if (previous === order.status) return;
    // Throttling and post-only crosses say nothing is wrong with the order path: not errors.
    if (ERROR_STATUSES.has(order.status) && order.refusal === undefined) {
      if (this.#counted.has(order.clientOrderId)) return;
      this.#counted.add(order.clientOrderId);
      const consecutiveErrors = this.#breaker.consecutiveErrors + 1;
      this.#breaker = { ...this.#breaker, consecutiveErrors };
      if (consecutiveErrors >= this.limits.maxConsecutiveOrderErrors) {
        this.trip(
          'consecutive_order_errors',
          `${consecutiveErrors} consecutive order errors (limit ${this.limits.maxConsecutiveOrderErrors});` +
            ` last: ${order.clientOrderId} ${order.intent.ticker} ${order.status}${order.reason ? ` (${order.reason})` : ''}`,
        );
      }
    } else if (SUCCESS_STATUSES.has(order.status)) {
      this.#breaker = { ...this.#breaker, consecutiveErrors: 0 };
    }
  }
}
