/**
 * Calibration: reconcile with the exchange before trading (DESIGN §6 rule 1). It runs at start,
 * after every reconnect, and on the operator's `sync`. The startup path is the crash-recovery path.
 *
 *  1. Optional cleanup: cancel every resting order (cancel-all, then batches, then single orders).
 *  2. Read the exchange: positions, resting orders, fills since `fillsSinceMs`, balance (paginated).
 *  3. Adopt: orders by client_order_id / order_id into the OrderService (resolving Unknowns and
 *     submissions it never heard back about, and settling orders we hold as resting that the
 *     exchange no longer lists); fills and settlements go over the bus like live
 *     ones (everyone dedupes by trade id, and the recorder enters what it missed); the balance is
 *     published for the ledger to reconcile; then the exchange's positions are adopted by the
 *     PositionTracker (drift is reported).
 *  4. Check the invariant: local positions equal a fresh read of the exchange's. Fills that land
 *     while we read can break it; calibration then runs again, up to `attempts` times, and
 *     otherwise fails with a reason that names the markets that differ.
 */
import type { EventBus } from '../bus.js';
import type { ExchangeFill, ExchangeOrder, ExchangePosition } from '../domain/index.js';
import {
  balanceFromRest,
  collect,
  fillFromRest,
  formatCount,
  type KalshiRestClient,
  orderFromRest,
  positionFromRest,
  settlementFromRest,
} from '../kalshi/index.js';
import type { OrderService, PositionTracker } from '../services/index.js';

export interface CalibrationDeps {
  rest: Pick<KalshiRestClient, 'allPositions' | 'allOrders' | 'allFills' | 'allSettlements' | 'getBalance'>;
  orders: Pick<OrderService, 'reconcile' | 'resolveUnknowns' | 'cancelAll' | 'settleMissing'>;
  positions: Pick<PositionTracker, 'reconcile' | 'positions'>;
  bus: EventBus;
  clock: () => number;
  cleanup: boolean;
  /** Fills at or after this time are read back (the session's start). */
  fillsSinceMs: number;
  attempts?: number;
}

export interface CalibrationSummary {
  positions: number;
  restingOrders: number;
  fills: number;
  canceled: number;
  drifts: number;
  adoptedOrders: number;
  attempts: number;
  durationMs: number;
}

export class CalibrationError extends Error {
  readonly code = 'CALIBRATION_INVARIANT_FAILED';
}

async function readPositions(deps: CalibrationDeps): Promise<ExchangePosition[]> {
  return (await collect(deps.rest.allPositions())).map(positionFromRest);
}

function mismatches(local: Map<string, number>, exchange: ExchangePosition[]): string[] {
  const remote = new Map(exchange.map((p) => [p.ticker, p.position]));
  const tickers = new Set([...local.keys(), ...remote.keys()]);
  const out: string[] = [];
  for (const t of [...tickers].sort()) {
    const l = local.get(t) ?? 0;
    const r = remote.get(t) ?? 0;
    if (l !== r) out.push(`${t}: local ${formatCount(l)} ≠ exchange ${formatCount(r)}`);
  }
  return out;
}

export async function calibrate(deps: CalibrationDeps): Promise<CalibrationSummary> {
  const started = deps.clock();
  const maxAttempts = deps.attempts ?? 3;
  let canceled = 0;
  if (deps.cleanup) canceled = (await deps.orders.cancelAll()).canceled;

  let problems: string[] = [];
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    const positions = await readPositions(deps);
    const resting: ExchangeOrder[] = (await collect(deps.rest.allOrders({ status: 'resting' }))).map(
      orderFromRest,
    );
    const fills: ExchangeFill[] = (
      await collect(deps.rest.allFills({ min_ts: Math.floor(deps.fillsSinceMs / 1000) }))
    ).map(fillFromRest);
    const settlements = (
      await collect(deps.rest.allSettlements({ min_ts: Math.floor(deps.fillsSinceMs / 1000) }))
    ).map(settlementFromRest);
    const balance = balanceFromRest(await deps.rest.getBalance());

    const adopted = deps.orders.reconcile(resting, []);
    // Fills go over the bus like live ones: the OrderService, the PositionTracker and the recorder
    // each dedupe them by trade id, so the ones we already had change nothing.
    for (const fill of [...fills].sort((a, b) => a.createdMs - b.createdMs))
      deps.bus.emit('exchange.fillReported', fill);
    for (const s of settlements) deps.bus.emit('exchange.settlementReported', s);
    deps.bus.emit('exchange.balanceReported', { ...balance, at: deps.clock(), reconcile: true });
    await deps.orders.resolveUnknowns();
    await deps.orders.settleMissing(resting);
    const drifts = deps.positions.reconcile(positions, { adopt: true });

    const local = new Map(deps.positions.positions().map((p) => [p.ticker, p.position]));
    problems = mismatches(local, await readPositions(deps));
    if (problems.length === 0) {
      return {
        positions: positions.filter((p) => p.position !== 0).length,
        restingOrders: resting.length,
        fills: fills.length,
        canceled,
        drifts: drifts.length,
        adoptedOrders: adopted.adopted,
        attempts: attempt,
        durationMs: deps.clock() - started,
      };
    }
  }
  throw new CalibrationError(
    `positions still differ from the exchange after ${maxAttempts} calibration attempts: ${problems.join('; ')}`,
  );
}
