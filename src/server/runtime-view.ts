/**
 * A TraderView built from what today's RunningTrader exposes (control, actor, services). The
 * types are structural so the server does not import the runtime. What it cannot see yet — the
 * books' own state (the server mirrors them from the bus instead), the model, the rate limiter,
 * the write queue, the record, the loop time — is left out and shows as `state_missing`; the
 * runtime can pass those in `extra`, or implement TraderView itself.
 */
import type { EventBus } from '../bus.js';
import type { PositionView, TrackedOrder } from '../domain/index.js';
import type { ControlTarget } from './control-routes.js';
import type { BreakerView, PnlView, TraderSnapshot, TraderView } from './view.js';

export interface RuntimeParts {
  control: ControlTarget;
  actor?: {
    getSnapshot(): {
      value: unknown;
      context: {
        halt: { reason: string; detail: string; source: string } | null;
        exchangePaused: boolean;
        lastError: string | null;
      };
    };
  };
  services?: {
    bus: EventBus;
    orders: { open(): readonly TrackedOrder[] };
    positions: { positions(): readonly PositionView[]; totals(): PnlView };
    risk: { breaker(): BreakerView };
  };
}

export function traderViewFromRuntime(
  parts: RuntimeParts,
  options: {
    clock?: () => number;
    extra?: () => Partial<TraderSnapshot>;
    record?: TraderView['record'];
  } = {},
): TraderView | undefined {
  const services = parts.services;
  if (!services) return undefined;
  const clock = options.clock ?? Date.now;
  // The exchange's last report; fills after it make it stale (the runtime's ledger balance is the
  // better source: see TraderSnapshot.balance).
  let balance: TraderSnapshot['balance'];
  services.bus.on('exchange.balanceReported', (b) => {
    balance = { cash: b.cash, portfolioValue: b.portfolioValue, at: b.at };
  });
  services.bus.on('exchange.fillReported', () => {
    if (balance) balance = { ...balance, stale: true };
  });
  return {
    bus: services.bus,
    control: parts.control,
    ...(options.record ? { record: options.record } : {}),
    snapshot(): TraderSnapshot {
      const actor = parts.actor?.getSnapshot();
      const positions = services.positions.positions();
      return {
        at: clock(),
        ...(actor
          ? {
              machine: {
                state: typeof actor.value === 'string' ? actor.value : JSON.stringify(actor.value),
                halt: actor.context.halt,
                exchangePaused: actor.context.exchangePaused,
                lastError: actor.context.lastError,
              },
            }
          : {}),
        orders: services.orders.open(),
        positions,
        pnl: services.positions.totals(),
        breaker: services.risk.breaker(),
        ...(balance ? { balance } : {}),
        ...(options.extra?.() ?? {}),
      };
    },
  };
}
