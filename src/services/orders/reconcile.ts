/**
 * Reconcile: our records against the exchange's view, and a restart's records taken back.
 *
 *  - resolveUnknowns: every unknown order is looked up (by ticker, matched on client_order_id or
 *    order id). Found → the exchange's status. Not found and unknown for the grace period →
 *    rejected. Orders whose cancel outcome is unknown are looked up the same way.
 *  - reconcile (calibration): orders matched on client_order_id / order id take the exchange's
 *    status (resolving submitting / unknown ones); orders that are not ours are adopted (adopt.ts);
 *    fills are applied with dedupe.
 *  - settleMissing (calibration, continuous reconciliation): orders we hold as resting that the
 *    exchange no longer lists are looked up one by one and take its final state.
 *  - restore: an earlier run's open orders come back; one whose send outcome was never learned
 *    becomes unknown and is resolved by the above — never sent again.
 */
import type { EventBus } from '../../bus.js';
import type { ExchangeFill, ExchangeOrder, TrackedOrder } from '../../domain/index.js';
import { adoptForeign } from './adopt.js';
import type { FillIngest } from './ingest.js';
import { listOrders, type OrderRestPort, readOrder } from './ports.js';
import type { OrderStore } from './store.js';
import { errorText, type ReconcileResult, type ResolveUnknownsResult } from './types.js';

export interface ReconcileDeps {
  readonly store: OrderStore;
  readonly ingest: FillIngest;
  readonly rest: OrderRestPort;
  readonly bus: EventBus;
  readonly graceMs: number;
}

export class OrderReconciler {
  constructor(private readonly deps: ReconcileDeps) {}

  async resolveUnknowns(): Promise<ResolveUnknownsResult> {
    const { store, ingest, rest, graceMs } = this.deps;
    const result: ResolveUnknownsResult = { resolved: 0, rejectedAfterGrace: 0, stillUnknown: 0, errors: [] };
    const pending = store
      .all()
      .filter(
        (o) =>
          o.status === 'unknown' ||
          (o.status === 'canceling' && store.metaOf(o.clientOrderId).cancelUnknownSince !== undefined),
      );
    const tickers = [...new Set(pending.map((o) => o.intent.ticker))];
    for (const ticker of tickers) {
      let seen: ExchangeOrder[];
      try {
        seen = await listOrders(rest, { ticker }, (e) =>
          store.anomaly(undefined, `unreadable order from the exchange: ${errorText(e)}`),
        );
      } catch (e) {
        result.errors.push(`orders of ${ticker}: ${errorText(e)}`);
        continue;
      }
      const byClientId = new Map(seen.filter((o) => o.clientOrderId !== '').map((o) => [o.clientOrderId, o]));
      const byOrderId = new Map(seen.map((o) => [o.orderId, o]));
      for (const order of pending.filter((o) => o.intent.ticker === ticker)) {
        const id = order.clientOrderId;
        const found =
          byClientId.get(id) ?? (order.orderId !== undefined ? byOrderId.get(order.orderId) : undefined);
        const now = store.clock();
        const meta = store.metaOf(id);
        if (order.status === 'canceling') {
          const since = meta.cancelUnknownSince ?? now;
          if (found) ingest.applyReport(found, 'lookup after an unknown cancel outcome');
          const after = store.current(id);
          if (after.status === 'canceling' && found?.status === 'resting' && now - since >= graceMs) {
            // Still resting well after a cancel of unknown outcome: the cancel did not take.
            store.move(
              after,
              'CANCEL_REJECTED',
              'cancel did not take: still resting after grace',
              'exchange',
            );
          }
          continue;
        }
        if (found) {
          ingest.applyReport(found, 'lookup of an unknown order');
          if (store.current(id).status !== 'unknown') result.resolved += 1;
          else result.stillUnknown += 1;
        } else if (now - (meta.unknownSince ?? order.updatedMs) >= graceMs) {
          store.stats.rejected += 1;
          const reason = 'not at the exchange after grace period';
          store.move(store.current(id), 'NOT_FOUND_AFTER_GRACE', reason, 'exchange', { reason });
          result.rejectedAfterGrace += 1;
        } else {
          result.stillUnknown += 1;
        }
      }
    }
    ingest.flushParkedIfNoneInFlight();
    return result;
  }

  reconcile(exchangeOrders: readonly ExchangeOrder[], fills: readonly ExchangeFill[]): ReconcileResult {
    const { store, ingest, bus } = this.deps;
    const anomaliesBefore = store.stats.anomalies;
    const result: ReconcileResult = {
      matched: 0,
      adopted: 0,
      resolved: 0,
      fillsApplied: 0,
      fillsDuplicate: 0,
      fillsForeign: 0,
      anomalies: 0,
    };
    for (const o of exchangeOrders) {
      const ours = store.find(o);
      if (ours) {
        result.matched += 1;
        const wasInFlight = ours.status === 'submitting' || ours.status === 'unknown';
        ingest.applyReport(o, 'calibration');
        const now = store.current(ours.clientOrderId).status;
        if (wasInFlight && now !== 'submitting' && now !== 'unknown') result.resolved += 1;
      } else {
        adoptForeign(store, bus, o, 'calibration');
        result.adopted += 1;
      }
    }
    for (const f of fills) {
      const outcome = ingest.ingest(f);
      if (outcome === 'applied') result.fillsApplied += 1;
      else if (outcome === 'duplicate') result.fillsDuplicate += 1;
      else if (outcome === 'foreign') result.fillsForeign += 1;
    }
    ingest.flushParkedIfNoneInFlight();
    result.anomalies = store.stats.anomalies - anomaliesBefore;
    return result;
  }

  async settleMissing(exchangeResting: readonly ExchangeOrder[]): Promise<number> {
    const { store, ingest, rest } = this.deps;
    const stillResting = new Set(exchangeResting.map((o) => o.orderId));
    let settled = 0;
    for (const ours of store.open()) {
      if (ours.status !== 'resting' || ours.orderId === undefined || stillResting.has(ours.orderId)) continue;
      try {
        ingest.applyReport(
          await readOrder(rest, ours.orderId),
          'calibration: no longer resting at the exchange',
        );
        if (store.current(ours.clientOrderId).status !== 'resting') settled += 1;
      } catch (e) {
        store.note(ours.clientOrderId, `calibration: could not read its state: ${errorText(e)}`);
      }
    }
    return settled;
  }

  restore(orders: readonly TrackedOrder[], countedFillIds: Iterable<string>): number {
    const { store, ingest } = this.deps;
    ingest.markSeen(countedFillIds);
    let restored = 0;
    for (const recorded of orders) {
      const id = recorded.clientOrderId;
      if (store.has(id)) continue;
      const now = store.clock();
      let order = recorded;
      if (order.status === 'created' || order.status === 'submitting') {
        order = {
          ...order,
          status: 'unknown',
          updatedMs: now,
          reason: 'restored after a restart: the send outcome was never learned',
          history: [
            ...order.history,
            { status: 'unknown', at: now, why: 'restored after restart: send outcome unknown' },
          ],
        };
      }
      const meta = store.metaOf(id);
      if (order.status === 'unknown') meta.unknownSince = now;
      if (order.status === 'canceling') meta.cancelUnknownSince = now;
      store.put(order);
      restored += 1;
      if (order !== recorded) store.emit(order);
    }
    return restored;
  }
}
