/**
 * Continuous reconciliation (issue 8 §5): while the trader is READY, every `intervalMs` it compares
 * its positions with the exchange's without leaving READY. A missed fill frame should not go
 * unnoticed until the next restart: where a position differs, the recent fills are read back (they
 * go over the bus like live ones; everyone dedupes by trade id) and the positions compared again.
 * A difference that remains puts the market in REDUCING ('market.doubted' position_mismatch) until a
 * later pass or a calibration finds it settled ('market.cleared'); every difference is counted.
 * Resting orders we hold as resting that the exchange no longer lists are settled from its answer.
 */
import type { EventBus } from '../bus.js';
import type { ExchangePosition } from '../domain/index.js';
import {
  collect,
  fillFromRest,
  formatCount,
  type KalshiRestClient,
  orderFromRest,
  positionFromRest,
} from '../kalshi/index.js';
import type { OrderService, PositionTracker } from '../services/index.js';

export const POSITION_MISMATCH = 'position_mismatch';

export interface ReconcilerDeps {
  readonly rest: Pick<KalshiRestClient, 'allPositions' | 'allFills' | 'allOrders'>;
  readonly orders: Pick<OrderService, 'settleMissing'>;
  readonly positions: Pick<PositionTracker, 'positions'>;
  readonly bus: EventBus;
  readonly clock: () => number;
  /** How far back fills are read when a position differs (default 15 min). */
  readonly fillsLookbackMs?: number;
  /**
   * The start of the run's fill window (calibration's fillsSinceMs): fills before it are in the
   * positions the run adopted, so they are never read back (applied again, they would count twice).
   */
  readonly fillsSinceMs?: number;
}

export interface ReconcileStats {
  passes: number;
  /** Markets whose position differed at a pass (before reading fills back). */
  differences: number;
  /** Differences the fills read back explained. */
  healed: number;
  /** Differences that remained (the market went REDUCING). */
  unresolved: number;
  errors: number;
}

export interface ReconcileReport {
  readonly agreed: boolean;
  readonly differing: ReadonlyArray<{ ticker: string; local: number; exchange: number }>;
}

function differences(
  local: ReadonlyArray<{ ticker: string; position: number }>,
  exchange: readonly ExchangePosition[],
): Array<{ ticker: string; local: number; exchange: number }> {
  const remote = new Map(exchange.map((p) => [p.ticker, p.position]));
  const mine = new Map(local.map((p) => [p.ticker, p.position]));
  const out: Array<{ ticker: string; local: number; exchange: number }> = [];
  for (const ticker of new Set([...mine.keys(), ...remote.keys()])) {
    const l = mine.get(ticker) ?? 0;
    const r = remote.get(ticker) ?? 0;
    if (l !== r) out.push({ ticker, local: l, exchange: r });
  }
  return out.sort((a, b) => a.ticker.localeCompare(b.ticker));
}

export class Reconciler {
  readonly stats: ReconcileStats = { passes: 0, differences: 0, healed: 0, unresolved: 0, errors: 0 };
  readonly #doubted = new Set<string>();
  #running: Promise<ReconcileReport> | undefined;

  constructor(private readonly deps: ReconcilerDeps) {}

  /** Markets a remaining difference put in REDUCING. */
  doubted(): readonly string[] {
    return [...this.#doubted];
  }

  /** One pass (single-flight). */
  pass(): Promise<ReconcileReport> {
    this.#running ??= this.#pass().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  async #readPositions(): Promise<ExchangePosition[]> {
    return (await collect(this.deps.rest.allPositions())).map(positionFromRest);
  }

  async #pass(): Promise<ReconcileReport> {
    const { bus, clock } = this.deps;
    this.stats.passes += 1;
    try {
      let differing = differences(this.deps.positions.positions(), await this.#readPositions());
      if (differing.length > 0) {
        this.stats.differences += differing.length;
        // Read the recent fills back (a dropped fill frame is the usual cause), and settle our
        // resting orders the exchange no longer lists.
        const since = Math.max(
          Math.floor((clock() - (this.deps.fillsLookbackMs ?? 15 * 60_000)) / 1000),
          Math.floor((this.deps.fillsSinceMs ?? 0) / 1000),
        );
        const fills = (await collect(this.deps.rest.allFills({ min_ts: since }))).map(fillFromRest);
        for (const fill of fills.sort((a, b) => a.createdMs - b.createdMs))
          bus.emit('exchange.fillReported', fill);
        const resting = (await collect(this.deps.rest.allOrders({ status: 'resting' }))).map(orderFromRest);
        await this.deps.orders.settleMissing(resting);
        const before = differing.length;
        differing = differences(this.deps.positions.positions(), await this.#readPositions());
        this.stats.healed += before - differing.length;
        this.stats.unresolved += differing.length;
      }
      const at = clock();
      const still = new Set(differing.map((d) => d.ticker));
      for (const d of differing) {
        if (!this.#doubted.has(d.ticker)) {
          this.#doubted.add(d.ticker);
          bus.emit('market.doubted', { ticker: d.ticker, reason: POSITION_MISMATCH, at });
          bus.emit('position.driftDetected', { ticker: d.ticker, local: d.local, exchange: d.exchange, at });
        }
      }
      for (const ticker of [...this.#doubted]) {
        if (still.has(ticker)) continue;
        this.#doubted.delete(ticker);
        bus.emit('market.cleared', { ticker, reason: POSITION_MISMATCH, at });
      }
      return { agreed: differing.length === 0, differing };
    } catch (err) {
      this.stats.errors += 1;
      throw err;
    }
  }

  /** A calibration settled everything: clear the doubts it settled. */
  clearAll(): void {
    const at = this.deps.clock();
    for (const ticker of this.#doubted)
      this.deps.bus.emit('market.cleared', { ticker, reason: POSITION_MISMATCH, at });
    this.#doubted.clear();
  }
}

/** "KX…: local 3 ≠ exchange 5" for messages. */
export function describeDifferences(d: ReconcileReport['differing']): string {
  return d
    .map((x) => `${x.ticker}: local ${formatCount(x.local)} ≠ exchange ${formatCount(x.exchange)}`)
    .join('; ');
}
