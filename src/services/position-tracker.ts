/**
 * PositionTracker: the bus wrapper over the accounting in position-accounting.ts. It applies each
 * of our fills once (dedupe on fillId), closes settled positions, compares with the exchange at
 * calibration, and, in the runtime, holds every fill until the first calibration says where each
 * market started (`anchored`). Each applied fill is announced with the position it met
 * ('position.fillApplied': the recorder books its cash from that), and each change of a view
 * ('position.changed').
 */
import type { EventBus } from '../bus.js';
import type { Count, ExchangeFill, ExchangePosition, Micros, PositionView, Price } from '../domain/index.js';
import { netPnl } from '../domain/index.js';
import {
  adoptExchangePosition,
  applyFill,
  applySettlement,
  emptyPosition,
  type PnlTotals,
  type PositionDrift,
  type PositionState,
  unrealized,
} from './position-accounting.js';

export * from './position-accounting.js';

export interface PositionTrackerOptions {
  readonly bus: EventBus;
  readonly clock: () => number;
  /** The YES mark of a ticker (book mid or last price); undefined when there is none. */
  readonly mark?: (ticker: string) => Price | undefined;
  /**
   * false: where the positions start is not known yet (a run before its first calibration). Fills
   * reported meanwhile are held, not applied, until `anchor` says where each market started: a
   * fill booked from the wrong position is booked at the wrong cash. Default true (from flat).
   */
  readonly anchored?: boolean;
}

/**
 * The bus wrapper: applies each reported fill once (dedupe on fillId) and announces the new view.
 * It subscribes on construction (fills must never be missed) and unsubscribes on `dispose()`.
 */
export class PositionTracker {
  readonly #bus: EventBus;
  readonly #clock: () => number;
  readonly #mark: ((ticker: string) => Price | undefined) | undefined;
  readonly #states = new Map<string, PositionState>();
  readonly #seenFills = new Set<string>();
  readonly #settled = new Set<string>();
  /** Fills reported before `anchor`, by fillId (see PositionTrackerOptions.anchored). */
  readonly #held = new Map<string, ExchangeFill>();
  #anchored: boolean;
  readonly #onFill = (fill: ExchangeFill): void => {
    this.recordFill(fill);
  };
  readonly #onSettlement = (s: { readonly ticker: string; readonly revenue: Micros }): void => {
    this.recordSettlement(s.ticker, s.revenue);
  };

  constructor(options: PositionTrackerOptions) {
    this.#bus = options.bus;
    this.#clock = options.clock;
    this.#mark = options.mark;
    this.#anchored = options.anchored ?? true;
    this.#bus.on('exchange.fillReported', this.#onFill);
    this.#bus.on('exchange.settlementReported', this.#onSettlement);
  }

  dispose(): void {
    this.#bus.off('exchange.fillReported', this.#onFill);
    this.#bus.off('exchange.settlementReported', this.#onSettlement);
  }

  /**
   * Closes a position the exchange settled (calibration reads settlements back); each market once.
   * Returns whether it changed anything.
   */
  recordSettlement(ticker: string, revenue: Micros): boolean {
    if (this.#settled.has(ticker)) return false;
    this.#settled.add(ticker);
    const state = this.#states.get(ticker);
    if (!state || (state.position === 0 && state.costBasis === 0 && revenue === 0)) return false;
    const settled = applySettlement(state, revenue);
    this.#states.set(ticker, settled);
    this.#bus.emit('position.changed', this.#view(settled));
    return true;
  }

  /**
   * Applies a fill unless its fillId was seen; emits 'position.changed'. Returns whether it applied.
   * Before `anchor` the fill is held instead (and false returned).
   */
  recordFill(fill: ExchangeFill): boolean {
    if (!this.#anchored) {
      if (!this.#seenFills.has(fill.fillId)) this.#held.set(fill.fillId, fill);
      return false;
    }
    if (!this.#apply(fill)) return false;
    this.#bus.emit('position.changed', this.#view(this.#state(fill.ticker)));
    return true;
  }

  /**
   * Rebuilds from history (e.g. REST fills at calibration): applies the unseen fills oldest first
   * (stable sort on createdMs; REST lists newest first), then emits one 'position.changed' per
   * ticker touched. Returns how many fills were applied.
   */
  seedFills(fills: readonly ExchangeFill[]): number {
    const ordered = [...fills].sort((a, b) => a.createdMs - b.createdMs);
    const touched = new Set<string>();
    let applied = 0;
    for (const fill of ordered) {
      if (this.#apply(fill)) {
        applied += 1;
        touched.add(fill.ticker);
      }
    }
    for (const ticker of [...touched].sort()) {
      this.#bus.emit('position.changed', this.#view(this.#state(ticker)));
    }
    return applied;
  }

  hasFill(fillId: string): boolean {
    return this.#seenFills.has(fillId);
  }

  /** Every ticker we have traded or adopted (flat ones too: they carry realized P&L), by ticker. */
  positions(): PositionView[] {
    return [...this.#states.keys()].sort().map((t) => this.#view(this.#state(t)));
  }

  get(ticker: string): PositionView | undefined {
    const state = this.#states.get(ticker);
    return state ? this.#view(state) : undefined;
  }

  /** The raw per-ticker state (for the pure helpers). */
  state(ticker: string): PositionState | undefined {
    return this.#states.get(ticker);
  }

  totals(): PnlTotals {
    let realized = 0;
    let unrealizedSum = 0;
    let fees = 0;
    for (const state of this.#states.values()) {
      realized += state.realizedPnl;
      fees += state.feesPaid;
      const mark = state.position === 0 ? undefined : this.#mark?.(state.ticker);
      if (mark !== undefined) unrealizedSum += unrealized(state, mark);
    }
    return {
      realized,
      unrealized: unrealizedSum,
      fees,
      net: netPnl({ realized, unrealized: unrealizedSum, fees }),
    };
  }

  /**
   * Compares local counts with the exchange's, over the tickers on either side; emits
   * 'position.driftDetected' for each mismatch and returns them. With `adopt` (calibration) the
   * local count becomes the exchange's (see adoptExchangePosition) and 'position.changed' is
   * emitted for each adopted ticker, so that afterwards local = exchange.
   */
  reconcile(exchangePositions: readonly ExchangePosition[], opts: { adopt: boolean }): PositionDrift[] {
    const at = this.#clock();
    const exchangeByTicker = new Map<string, ExchangePosition>();
    for (const p of exchangePositions) exchangeByTicker.set(p.ticker, p);
    const tickers = [...new Set([...this.#states.keys(), ...exchangeByTicker.keys()])].sort();
    const drifts: PositionDrift[] = [];
    for (const ticker of tickers) {
      const local = this.#states.get(ticker) ?? emptyPosition(ticker);
      const exchange = exchangeByTicker.get(ticker) ?? {
        ticker,
        position: 0,
        realizedPnl: 0,
        feesPaid: 0,
        exposure: 0,
      };
      if (local.position === exchange.position) continue;
      const drift: PositionDrift = { ticker, local: local.position, exchange: exchange.position, at };
      drifts.push(drift);
      this.#bus.emit('position.driftDetected', drift);
      if (opts.adopt) {
        const adopted = adoptExchangePosition(local, exchange);
        this.#states.set(ticker, adopted);
        this.#bus.emit('position.changed', this.#view(adopted));
      }
    }
    return drifts;
  }

  /** Whether `anchor` has placed the run's start positions (see PositionTrackerOptions.anchored). */
  get anchored(): boolean {
    return this.#anchored;
  }

  /**
   * The fills of `fills` this tracker has not applied, with those held before `anchor` (a run's
   * first calibration: the crashed run's fills read back, and what landed while it read them).
   */
  unapplied(fills: readonly ExchangeFill[]): ExchangeFill[] {
    const out = new Map([...this.#held].filter(([id]) => !this.#seenFills.has(id)));
    for (const f of fills) if (!this.#seenFills.has(f.fillId)) out.set(f.fillId, f);
    return [...out.values()];
  }

  /**
   * Places the run's start positions (see replayStartPositions) and applies `fills` and every
   * fill held meanwhile from there, oldest first, each once. A market with a start takes it as
   * `rebase` does; one without keeps what it has (flat). Returns how many fills were applied.
   */
  anchor(
    starts: ReadonlyMap<string, Count>,
    exchangeNow: readonly ExchangePosition[],
    fills: readonly ExchangeFill[],
  ): number {
    this.rebase(starts, exchangeNow);
    for (const ticker of starts.keys()) {
      const state = this.#states.get(ticker);
      if (state !== undefined) this.#bus.emit('position.changed', this.#view(state));
    }
    const pending = this.unapplied(fills);
    this.#held.clear();
    this.#anchored = true;
    return this.seedFills(pending);
  }

  /**
   * Moves positions to where a replay of fills must start (see replayStartPositions), so that each
   * replayed fill meets the position it really met. The basis of a start position is not known:
   * the exchange's average cost now on the same leg is taken (0 on the other leg). Returns how many
   * markets moved.
   */
  rebase(starts: ReadonlyMap<string, Count>, exchangeNow: readonly ExchangePosition[]): number {
    const byTicker = new Map(exchangeNow.map((p) => [p.ticker, p]));
    let moved = 0;
    for (const [ticker, start] of starts) {
      const local = this.#states.get(ticker) ?? emptyPosition(ticker);
      if (local.position === start) continue;
      const now = byTicker.get(ticker);
      const sameLeg = now !== undefined && now.position !== 0 && Math.sign(now.position) === Math.sign(start);
      const exposure = sameLeg
        ? Number((BigInt(now.exposure) * BigInt(Math.abs(start))) / BigInt(Math.abs(now.position)))
        : 0;
      this.#states.set(
        ticker,
        adoptExchangePosition(local, { ticker, position: start, realizedPnl: 0, feesPaid: 0, exposure }),
      );
      moved += 1;
    }
    return moved;
  }

  #apply(fill: ExchangeFill): boolean {
    if (this.#seenFills.has(fill.fillId)) return false;
    const before = this.#states.get(fill.ticker) ?? emptyPosition(fill.ticker);
    const next = applyFill(before, fill);
    this.#seenFills.add(fill.fillId);
    this.#states.set(fill.ticker, next);
    this.#bus.emit('position.fillApplied', { fill, before: before.position });
    return true;
  }

  #state(ticker: string): PositionState {
    const state = this.#states.get(ticker);
    if (!state) throw new Error(`no position state for ${ticker}`);
    return state;
  }

  #view(state: PositionState): PositionView {
    const mark = this.#mark?.(state.ticker);
    const view: PositionView = {
      ticker: state.ticker,
      position: state.position,
      costBasis: state.costBasis,
      realizedPnl: state.realizedPnl,
      feesPaid: state.feesPaid,
    };
    return mark === undefined ? view : { ...view, unrealizedPnl: unrealized(state, mark) };
  }
}
