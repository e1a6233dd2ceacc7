/**
 * Drives markets along their schedule (KALSHI.md §9): `initialized` → `active` at open time, and
 * `active` (or paused, `inactive`) → `closed` at close time. The core performs each move and emits
 * the lifecycle event; this helper only decides when. Determination and settlement are explicit
 * (determineAndSettle), because nothing in the simulator knows an outcome by itself.
 *
 * The driver is a pure function of the core's markets and the time it is given, so tests call
 * tick(nowMs) on simulated time; start() merely calls tick(clock()) and expire(clock()) on a timer.
 */
import type {
  CoreResult,
  ExchangeCore,
  MarketResult,
  MarketStatus,
  SimError,
  SimOrder,
  SimSettlement,
} from './core-types.js';

export interface LifecycleTransition {
  ticker: string;
  from: MarketStatus;
  to: MarketStatus;
}

export interface LifecycleTickResult {
  transitions: LifecycleTransition[];
  errors: Array<{ ticker: string; to: MarketStatus; error: SimError }>;
}

export interface LifecycleTimers {
  setInterval(handler: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
}

export interface LifecycleDriver {
  /** Opens markets whose open time has come and closes those whose close time has passed. */
  tick(nowMs?: number): LifecycleTickResult;
  /** Cancels resting orders whose expiration time has passed (core.expire). */
  expire(nowMs?: number): SimOrder[];
  /** Determines and settles a market (core.settle). */
  determineAndSettle(ticker: string, result: MarketResult): CoreResult<SimSettlement[]>;
  /** Calls tick() and expire() every intervalMs (default 1,000) until stop(). */
  start(timers?: LifecycleTimers, intervalMs?: number): void;
  stop(): void;
}

export interface LifecycleDriverOptions {
  core: ExchangeCore;
  clock: () => number;
}

export function createLifecycleDriver(opts: LifecycleDriverOptions): LifecycleDriver {
  const { core, clock } = opts;
  let timer: { handle: unknown; timers: LifecycleTimers } | undefined;

  const tick = (nowMs: number = clock()): LifecycleTickResult => {
    const out: LifecycleTickResult = { transitions: [], errors: [] };
    const move = (ticker: string, from: MarketStatus, to: MarketStatus): boolean => {
      const r = core.setMarketStatus(ticker, to);
      if (r.ok) out.transitions.push({ ticker, from, to });
      else out.errors.push({ ticker, to, error: r.error });
      return r.ok;
    };
    for (const m of core.markets()) {
      let status = m.status;
      // Open time reached: trading may begin.
      if (status === 'initialized' && m.openMs <= nowMs && move(m.ticker, status, 'active'))
        status = 'active';
      // Close time reached: no more trading, whether the market was trading or paused.
      if ((status === 'active' || status === 'inactive') && m.closeMs <= nowMs)
        move(m.ticker, status, 'closed');
    }
    return out;
  };

  return {
    tick,
    expire: (nowMs = clock()) => core.expire(nowMs),
    determineAndSettle: (ticker, result) => core.settle(ticker, result),
    start(timers: LifecycleTimers = globalThis, intervalMs = 1_000) {
      if (timer) return;
      const handle = timers.setInterval(() => {
        const now = clock();
        tick(now);
        core.expire(now);
      }, intervalMs);
      timer = { handle, timers };
    },
    stop() {
      if (!timer) return;
      timer.timers.clearInterval(timer.handle);
      timer = undefined;
    },
  };
}
