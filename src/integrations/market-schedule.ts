/**
 * MarketSchedule: where each watched market is in its trading window, so the trader never sends
 * an order to a market the exchange has paused, closed or settled (KALSHI.md §9).
 *
 * Learnt from the REST market at selection (status, open_time, close_time), then kept current by
 * market_lifecycle_v2 messages and by the clock:
 *
 *   REST status       initialized → upcoming, active → open, inactive → paused, closed → closed,
 *                     determined → determined, finalized / settled → settled
 *   activated         → open (a market opening, or a paused one resuming)
 *   deactivated       is_deactivated true → paused; false → open
 *   close_date_updated  the close time becomes close_ts (Unix seconds)
 *   determined        → determined;  settled → settled
 *   the clock         an upcoming market whose open time has come is open; an open or paused
 *                     market whose close time has passed is closed — Kalshi sends no message when a
 *                     market simply reaches its scheduled close, so `sweep` checks the time.
 *
 * Phases only move forward past 'closed' (a late 'activated' cannot reopen a determined market).
 * Every change is published as 'market.phaseChanged' with the reason.
 */
import type { Market } from 'kalshi-typescript';
import type { BusEvents, EventBus } from '../bus.js';
import type { MarketPhase } from '../domain/index.js';

interface MarketWindow {
  phase: MarketPhase;
  openMs: number | undefined;
  closeMs: number | undefined;
}

/** How far past the close a phase is; a market never moves back to a lower rank. */
const FINAL_RANK: Readonly<Record<MarketPhase, number>> = {
  upcoming: 0,
  open: 0,
  paused: 0,
  closed: 1,
  determined: 2,
  settled: 3,
};

function phaseOfStatus(status: string): MarketPhase | undefined {
  switch (status) {
    case 'initialized':
    case 'unopened':
      return 'upcoming';
    case 'active':
    case 'open':
      return 'open';
    case 'inactive':
    case 'paused':
      return 'paused';
    case 'closed':
      return 'closed';
    case 'determined':
      return 'determined';
    case 'finalized':
    case 'settled':
      return 'settled';
    default:
      return undefined;
  }
}

function timeOf(iso: string | undefined): number | undefined {
  if (iso === undefined || iso === '') return undefined;
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? undefined : ms;
}

export interface MarketScheduleDeps {
  readonly bus: EventBus;
  readonly clock: () => number;
}

export class MarketSchedule {
  readonly #bus: EventBus;
  readonly #clock: () => number;
  readonly #markets = new Map<string, MarketWindow>();
  readonly #onLifecycle = (e: LifecycleMessage): void => {
    this.#applyLifecycle(e);
  };

  constructor(deps: MarketScheduleDeps) {
    this.#bus = deps.bus;
    this.#clock = deps.clock;
    this.#bus.on('market.lifecycle', this.#onLifecycle);
  }

  dispose(): void {
    this.#bus.off('market.lifecycle', this.#onLifecycle);
  }

  /** Takes a market as the REST API describes it (at selection, or a later read). */
  learn(market: Pick<Market, 'ticker' | 'status' | 'open_time' | 'close_time'>): void {
    const phase = phaseOfStatus(market.status);
    if (phase === undefined) {
      throw new Error(`market ${market.ticker}: unknown status '${market.status}'`);
    }
    const known = this.#markets.get(market.ticker);
    const window: MarketWindow = known ?? { phase, openMs: undefined, closeMs: undefined };
    window.openMs = timeOf(market.open_time) ?? window.openMs;
    window.closeMs = timeOf(market.close_time) ?? window.closeMs;
    this.#markets.set(market.ticker, window);
    this.#move(market.ticker, window, phase, `exchange lists it as ${market.status}`, !known);
    this.#sweepOne(market.ticker, window, this.#clock());
  }

  /** The market's phase now; undefined for a market we were never told about. */
  phase(ticker: string): MarketPhase | undefined {
    const window = this.#markets.get(ticker);
    if (!window) return undefined;
    this.#sweepOne(ticker, window, this.#clock());
    return window.phase;
  }

  /** The scheduled close (epoch ms), when known. */
  closeMs(ticker: string): number | undefined {
    return this.#markets.get(ticker)?.closeMs;
  }

  /** Tickers we know of, with their phases (for status). */
  all(): Array<{ ticker: string; phase: MarketPhase; closeMs: number | undefined }> {
    const now = this.#clock();
    return [...this.#markets].map(([ticker, w]) => {
      this.#sweepOne(ticker, w, now);
      return { ticker, phase: w.phase, closeMs: w.closeMs };
    });
  }

  /** Stops tracking a market (no longer watched); phase() is undefined for it afterwards. */
  forget(ticker: string): void {
    this.#markets.delete(ticker);
  }

  /** Moves markets whose open or close time has come (call it periodically). */
  sweep(now: number = this.#clock()): void {
    for (const [ticker, window] of this.#markets) this.#sweepOne(ticker, window, now);
  }

  #sweepOne(ticker: string, window: MarketWindow, now: number): void {
    if (window.phase === 'upcoming' && window.openMs !== undefined && window.openMs <= now) {
      this.#move(ticker, window, 'open', 'its open time has come');
    }
    if (
      (window.phase === 'open' || window.phase === 'paused' || window.phase === 'upcoming') &&
      window.closeMs !== undefined &&
      window.closeMs <= now
    ) {
      this.#move(ticker, window, 'closed', 'its close time has passed');
    }
  }

  #applyLifecycle(e: LifecycleMessage): void {
    const window = this.#markets.get(e.ticker);
    if (!window) return; // not a market we watch
    switch (e.eventType) {
      case 'activated':
        this.#move(e.ticker, window, 'open', 'lifecycle: activated');
        break;
      case 'deactivated':
        if (e.data.is_deactivated === false) this.#move(e.ticker, window, 'open', 'lifecycle: reactivated');
        else this.#move(e.ticker, window, 'paused', 'lifecycle: deactivated');
        break;
      case 'close_date_updated':
        if (typeof e.data.close_ts === 'number') window.closeMs = e.data.close_ts * 1000;
        break;
      case 'determined':
        this.#move(e.ticker, window, 'determined', `lifecycle: determined ${String(e.data.result ?? '')}`);
        break;
      case 'settled':
        this.#move(e.ticker, window, 'settled', 'lifecycle: settled');
        break;
      default:
        break;
    }
    this.#sweepOne(e.ticker, window, e.at);
  }

  #move(ticker: string, window: MarketWindow, to: MarketPhase, why: string, first = false): void {
    const from = first ? undefined : window.phase;
    if (from === to) return;
    if (from !== undefined && FINAL_RANK[to] < FINAL_RANK[from]) return; // never reopen after close
    window.phase = to;
    this.#bus.emit('market.phaseChanged', { ticker, from, to, why, at: this.#clock() });
  }
}

type LifecycleMessage = BusEvents['market.lifecycle'][0];
