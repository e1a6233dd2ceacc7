/**
 * Operator notifications: the event type and a builder per kind. Text is for people (dollar
 * strings, ISO times); `data` is for machines. Nothing here may carry a secret — the notifier
 * redacts again on the way out anyway.
 */
import { type Micros, netPnl, pnlFields } from '../domain/index.js';
import { formatDollars } from '../kalshi/index.js';

export const NOTIFICATION_KINDS = [
  'halt',
  'resume',
  'breaker_tripped',
  'crash_recovery',
  'calibration_refused',
  'position_drift',
  'balance_drift',
  'daily_summary',
] as const;

export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];
export type Severity = 'info' | 'warning' | 'critical';

export interface Notification {
  readonly kind: NotificationKind;
  readonly severity: Severity;
  readonly title: string;
  readonly text: string;
  /** Epoch ms. */
  readonly at: number;
  readonly data?: Readonly<Record<string, unknown>>;
}

const money = (m: Micros) => `${m < 0 ? '-' : ''}$${formatDollars(Math.abs(m))}`;

export const notifications = {
  halt(at: number, reason: string, source: string): Notification {
    return {
      kind: 'halt',
      severity: 'warning',
      at,
      title: 'Trading halted',
      text: `Halted by ${source}: ${reason}. Only \`traderv3 resume\` lifts it.`,
      data: { reason, source },
    };
  },
  resume(at: number, by: string): Notification {
    return {
      kind: 'resume',
      severity: 'info',
      at,
      title: 'Trading resumed',
      text: `Resumed by ${by}.`,
      data: { by },
    };
  },
  breakerTripped(at: number, reason: string, detail: string): Notification {
    return {
      kind: 'breaker_tripped',
      severity: 'critical',
      at,
      title: `Breaker tripped: ${reason}`,
      text: `${detail}. Trading is halted until an operator resumes.`,
      data: { reason, detail },
    };
  },
  crashRecovery(at: number, crashedSessions: number, ordersRestored: number): Notification {
    return {
      kind: 'crash_recovery',
      severity: 'warning',
      at,
      title: 'Recovered from a crash',
      text: `Started after ${crashedSessions} run(s) that did not end cleanly; ${ordersRestored} open order(s) taken back and reconciled.`,
      data: { crashed_sessions: crashedSessions, orders_restored: ordersRestored },
    };
  },
  calibrationRefused(at: number, why: string): Notification {
    return {
      kind: 'calibration_refused',
      severity: 'critical',
      at,
      title: 'Calibration refused',
      text: `The trader will not trade: ${why}`,
      data: { why },
    };
  },
  positionDrift(at: number, ticker: string, local: number, exchange: number): Notification {
    return {
      kind: 'position_drift',
      severity: 'warning',
      at,
      title: `Position drift in ${ticker}`,
      text: `Local ${(local / 100).toFixed(2)} vs exchange ${(exchange / 100).toFixed(2)} contracts; the exchange's count was taken.`,
      data: { ticker, local, exchange },
    };
  },
  balanceDrift(at: number, ledger: Micros, exchange: Micros): Notification {
    return {
      kind: 'balance_drift',
      severity: 'warning',
      at,
      title: 'Balance drift',
      text: `Ledger ${money(ledger)} vs exchange ${money(exchange)} (difference ${money(exchange - ledger)}); a reconciliation entry was written.`,
      data: { ledger_dollars: formatDollars(ledger), exchange_dollars: formatDollars(exchange) },
    };
  },
  dailySummary(
    at: number,
    day: string,
    f: {
      fills: number;
      realizedPnl: Micros;
      fees: Micros;
      equity?: Micros;
      maxDrawdownPct?: string;
    },
  ): Notification {
    const parts = [
      `${f.fills} fill(s)`,
      `realized ${money(f.realizedPnl)}`,
      `fees ${money(f.fees)}`,
      `net ${money(netPnl({ realized: f.realizedPnl, fees: f.fees }))}`,
      ...(f.equity === undefined ? [] : [`equity ${money(f.equity)}`]),
      ...(f.maxDrawdownPct === undefined ? [] : [`max drawdown ${f.maxDrawdownPct}%`]),
    ];
    return {
      kind: 'daily_summary',
      severity: 'info',
      at,
      title: `Daily summary ${day}`,
      text: parts.join(' · '),
      data: {
        day,
        fills: f.fills,
        ...pnlFields({ realized: f.realizedPnl, fees: f.fees }, formatDollars),
      },
    };
  },
};
