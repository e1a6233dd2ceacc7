/**
 * Drives markets along their schedule (KALSHI.md §9). The core performs each move and emits the
 * lifecycle event; this helper only decides when. One tick(nowMs), in this order:
 *
 *  1. OPEN / CLOSE. `initialized` → `active` ('activated') once openMs ≤ now; `active` or paused
 *     (`inactive`) → `closed` ('close_date_updated') once closeMs ≤ now. A market whose whole window
 *     has passed opens and closes in the same tick.
 *  2. DETERMINE AND SETTLE (when a `determine` function is given). A `closed` market is determined at
 *     its expected expiration time — once max(expectedExpirationMs, closeMs) ≤ now — with the result
 *     `determine(ticker)` answers, through core.settle, which emits 'determined', pays $1 per winning
 *     contract and emits 'settled' (status `finalized`). The expected expiration time is the one the
 *     API already shows (`expected_expiration_time`), so clients know when to expect it; the
 *     universe sets it 8 h after close for weather, 1 h for economics and 5 min for hourly crypto.
 *     determination.ts draws the results; an undefined answer leaves the market closed.
 *  3. RELIST (when a `relist` function is given). Once every market of an event has stopped
 *     trading (none is `initialized`, `active` or `inactive`), `relist(eventTicker, now)` is called
 *     exactly once for that event; it lists the successor (lifecycle 'created'; see universe.ts,
 *     RELISTING) and returns the new tickers.
 *  4. The newly listed markets go through step 1 at once, so a successor whose open time has come
 *     is 'activated' in the same tick it was 'created'.
 * Without `determine` and `relist` only step 1 runs: determination is then explicit
 * (determineAndSettle, or the admin endpoint), as nothing else knows an outcome.
 *
 * The driver is a function of the core's markets and the time it is given, so tests call
 * tick(nowMs) on simulated time; start() merely calls tick(clock()) and expire(clock()) on a timer.
 */
import type {
  CoreResult,
  ExchangeCore,
  MarketResult,
  MarketStatus,
  SimError,
  SimMarket,
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
  /** Markets determined and settled in this tick (step 2). */
  settled: Array<{ ticker: string; result: MarketResult }>;
  /** Markets listed in this tick (step 3), in listing order. */
  listed: string[];
  errors: Array<{ ticker: string; to: MarketStatus; error: SimError }>;
}

export interface LifecycleStats {
  /** Markets moved to `active` / `closed` by the driver. */
  opened: number;
  closed: number;
  /** Markets determined and settled by the driver (not through determineAndSettle). */
  settled: number;
  /** Events relisted and markets listed by the driver. */
  relistedEvents: number;
  listed: number;
}

export interface LifecycleTimers {
  setInterval(handler: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
}

export interface LifecycleDriver {
  /** One pass of the schedule at nowMs: open, close, determine and settle, relist (see the header). */
  tick(nowMs?: number): LifecycleTickResult;
  /** Cancels resting orders whose expiration time has passed (core.expire). */
  expire(nowMs?: number): SimOrder[];
  /** Determines and settles a market now with the given result (core.settle). */
  determineAndSettle(ticker: string, result: MarketResult): CoreResult<SimSettlement[]>;
  /** Calls tick() and expire() every intervalMs (default 1,000) until stop(). */
  start(timers?: LifecycleTimers, intervalMs?: number): void;
  stop(): void;
  readonly stats: Readonly<LifecycleStats>;
}

export interface LifecycleDriverOptions {
  core: ExchangeCore;
  clock: () => number;
  /** A closed market's result, asked at its expected expiration time; omit for manual settlement. */
  determine?: (ticker: string) => MarketResult | undefined;
  /** Lists the successor of an event that stopped trading; returns the new tickers. Omit: no relisting. */
  relist?: (eventTicker: string, nowMs: number) => readonly string[];
}

/** Statuses in which a market still trades or will: its event has not stopped trading. */
const TRADING: ReadonlySet<MarketStatus> = new Set<MarketStatus>(['initialized', 'active', 'inactive']);

export function createLifecycleDriver(opts: LifecycleDriverOptions): LifecycleDriver {
  const { core, clock, determine, relist } = opts;
  let timer: { handle: unknown; timers: LifecycleTimers } | undefined;
  const stats: LifecycleStats = { opened: 0, closed: 0, settled: 0, relistedEvents: 0, listed: 0 };
  /** Events whose successor has been asked for (relist is called once per event). */
  const relisted = new Set<string>();

  const tick = (nowMs: number = clock()): LifecycleTickResult => {
    const out: LifecycleTickResult = { transitions: [], settled: [], listed: [], errors: [] };
    const move = (ticker: string, from: MarketStatus, to: MarketStatus): boolean => {
      const r = core.setMarketStatus(ticker, to);
      if (r.ok) {
        out.transitions.push({ ticker, from, to });
        if (to === 'active') stats.opened += 1;
        else if (to === 'closed') stats.closed += 1;
      } else out.errors.push({ ticker, to, error: r.error });
      return r.ok;
    };
    const openAndClose = (m: SimMarket): void => {
      let status = m.status;
      // Open time reached: trading may begin.
      if (status === 'initialized' && m.openMs <= nowMs && move(m.ticker, status, 'active'))
        status = 'active';
      // Close time reached: no more trading, whether the market was trading or paused.
      if ((status === 'active' || status === 'inactive') && m.closeMs <= nowMs)
        move(m.ticker, status, 'closed');
    };

    // 1. Open and close on schedule.
    for (const m of core.markets()) openAndClose(m);
    if (!determine && !relist) return out;

    // 2. Determine and settle closed markets whose expected expiration time has come.
    const markets = core.markets();
    if (determine) {
      for (const m of markets) {
        if (m.status !== 'closed' || Math.max(m.expectedExpirationMs, m.closeMs) > nowMs) continue;
        const result = determine(m.ticker);
        if (result === undefined) continue;
        const r = core.settle(m.ticker, result);
        if (r.ok) {
          out.settled.push({ ticker: m.ticker, result });
          stats.settled += 1;
        } else out.errors.push({ ticker: m.ticker, to: 'finalized', error: r.error });
      }
    }

    // 3. Relist events none of whose markets trades any more (statuses only move forward from
    // closed, so the snapshot taken before step 2 is good enough to decide this).
    if (relist) {
      const stillTrading = new Set<string>();
      const seen = new Set<string>();
      for (const m of markets) {
        if (TRADING.has(m.status)) stillTrading.add(m.eventTicker);
        seen.add(m.eventTicker);
      }
      for (const eventTicker of seen) {
        if (stillTrading.has(eventTicker) || relisted.has(eventTicker)) continue;
        relisted.add(eventTicker);
        const listed = relist(eventTicker, nowMs);
        if (listed.length > 0) stats.relistedEvents += 1;
        stats.listed += listed.length;
        out.listed.push(...listed);
      }
      // 4. The successors open (and, after a clock jump, close) in the same tick.
      for (const ticker of out.listed) {
        const m = core.market(ticker);
        if (m) openAndClose(m);
      }
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
    stats,
  };
}
