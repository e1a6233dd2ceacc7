/**
 * Cancels: one order, or everything resting (cancel-all with batch and per-order fallback).
 *
 *  - One cancel: the answer decides. Removed something → canceled; removed nothing (or 404) → the
 *    order is looked up; refused → resting again; unknown → stays canceling until a report or
 *    resolveUnknowns settles it.
 *  - Cancel-all: DELETE /portfolio/events/orders first (only without a ticker: it has no ticker
 *    filter), then batch cancels (≤ 20) of what the exchange reports resting, then single cancels
 *    for batch items that failed. Resting orders are re-read at the end and our records settled
 *    from what the exchange says. Orders not ours (adopted) are canceled like our own.
 */
import type { ExchangeOrder, TrackedOrder } from '../../domain/index.js';
import { formatCount, type OrdersFilter, reducedByFromRest } from '../../kalshi/index.js';
import { isTerminal } from '../order-lifecycle.js';
import type { FillIngest } from './ingest.js';
import { httpReason, listOrders, type OrderRestPort, readOrder, threwUnknown } from './ports.js';
import type { OrderStore } from './store.js';
import { type CancelAllResult, errorText, MAX_BATCH_CANCEL, OrderServiceError } from './types.js';

export interface CancelsDeps {
  readonly store: OrderStore;
  readonly ingest: FillIngest;
  readonly rest: OrderRestPort;
}

export class Cancels {
  constructor(private readonly deps: CancelsDeps) {}

  async cancel(clientOrderId: string): Promise<TrackedOrder> {
    const { store, rest } = this.deps;
    const order = store.get(clientOrderId);
    if (!order)
      throw new OrderServiceError(
        'ORDER_UNKNOWN_CLIENT_ID',
        `no tracked order has client_order_id ${clientOrderId}`,
      );
    if (isTerminal(order.status) || order.status === 'canceling') return order;
    if (order.status !== 'resting' || order.orderId === undefined) {
      throw new OrderServiceError(
        'ORDER_NOT_CANCELABLE',
        `order ${clientOrderId} is ${order.status} with no order id yet; resolve it first (resolveUnknowns / reconcile)`,
      );
    }
    const orderId = order.orderId;
    store.stats.cancelsRequested += 1;
    store.move(order, 'CANCEL_REQUESTED', 'cancel requested', 'local');
    const r = await rest.cancelOrderV2(orderId).catch(threwUnknown);
    const now = () => store.current(clientOrderId);
    switch (r.outcome) {
      case 'accepted': {
        const reduced = reducedByFromRest(r.value);
        if (reduced > 0) {
          store.move(now(), 'CANCEL_CONFIRMED', `cancel removed ${formatCount(reduced)}`, 'exchange');
        } else {
          await this.#settleCancelThatFoundNothing(clientOrderId, orderId, 'cancel removed nothing');
        }
        break;
      }
      case 'rejected':
        if (r.error.status === 404) {
          await this.#settleCancelThatFoundNothing(clientOrderId, orderId, `cancel: ${httpReason(r.error)}`);
        } else {
          store.move(now(), 'CANCEL_REJECTED', `cancel rejected: ${httpReason(r.error)}`, 'exchange');
        }
        break;
      case 'not_sent':
        store.move(now(), 'CANCEL_REJECTED', `cancel not sent: ${r.error.message}`, 'exchange');
        break;
      case 'unknown':
        store.metaOf(clientOrderId).cancelUnknownSince = store.clock();
        store.move(now(), 'CANCEL_OUTCOME_UNKNOWN', `cancel outcome unknown: ${r.error.message}`, 'exchange');
        break;
    }
    return now();
  }

  /** A cancel found nothing to cancel (reduced_by 0, or 404): ask the exchange what became of it. */
  async #settleCancelThatFoundNothing(clientOrderId: string, orderId: string, why: string): Promise<void> {
    const { store, ingest, rest } = this.deps;
    let report: ExchangeOrder | undefined;
    try {
      report = await readOrder(rest, orderId);
    } catch {
      report = undefined;
    }
    if (report && report.status !== 'resting') {
      ingest.applyReport(report, `${why}; lookup says ${report.status}`);
      return;
    }
    const order = store.current(clientOrderId);
    if (order.status === 'canceling') {
      store.move(
        order,
        'CANCEL_REJECTED',
        `${why}; ${report ? 'lookup says still resting' : 'lookup failed'}`,
        'exchange',
      );
    }
  }

  async cancelAll(opts: { ticker?: string } = {}): Promise<CancelAllResult> {
    const { store, ingest, rest } = this.deps;
    const filter: OrdersFilter = { status: 'resting', ...(opts.ticker ? { ticker: opts.ticker } : {}) };
    const list = () =>
      listOrders(rest, filter, (e) =>
        store.anomaly(undefined, `unreadable order from the exchange: ${errorText(e)}`),
      );
    let before: ExchangeOrder[];
    try {
      before = await list();
    } catch (e) {
      // Cannot see what rests: the account-wide cancel is all we can do; then report what remains.
      if (opts.ticker) throw e;
      const r = await rest.cancelAllOrders().catch(threwUnknown);
      if (r.outcome !== 'accepted') throw e;
      const after = await list();
      for (const o of after) ingest.applyReport(o, 'still resting after cancel-all');
      const stillResting = new Set(after.map((o) => o.orderId));
      let canceled = 0;
      for (const ours of store.open()) {
        if (ours.orderId === undefined || stillResting.has(ours.orderId)) continue;
        if (ours.status !== 'resting' && ours.status !== 'canceling') continue;
        await this.#settleGone(ours);
        if (store.current(ours.clientOrderId).status === 'canceled') canceled += 1;
      }
      // Only our own orders can be counted: the exchange's list before the cancel was unreadable.
      return { canceled, failed: after.length, method: 'cancel_all', remaining: after.length };
    }
    for (const o of before) ingest.applyReport(o, 'resting at the exchange before cancel-all');
    for (const o of before) {
      const ours = store.find(o);
      if (ours?.status === 'resting') {
        store.stats.cancelsRequested += 1;
        store.move(ours, 'CANCEL_REQUESTED', 'cancel-all requested', 'local');
      }
    }

    let method: CancelAllResult['method'] = 'batch';
    let done = false;
    if (!opts.ticker) {
      const r = await rest.cancelAllOrders().catch(threwUnknown);
      if (r.outcome === 'accepted') {
        method = 'cancel_all';
        done = true;
      }
    }
    if (!done && before.length > 0) method = await this.#batchCancel(before.map((o) => o.orderId));

    const after = await list();
    const stillResting = new Set(after.map((o) => o.orderId));
    for (const o of after) ingest.applyReport(o, 'still resting after cancel-all');
    for (const o of before) {
      const ours = store.find(o);
      if (stillResting.has(o.orderId)) {
        if (ours?.status === 'canceling')
          store.move(ours, 'CANCEL_REJECTED', 'still resting after cancel-all', 'exchange');
        continue;
      }
      if (ours) await this.#settleGone(ours);
    }
    const failed = before.filter((o) => stillResting.has(o.orderId)).length;
    return { canceled: before.length - failed, failed, method, remaining: after.length };
  }

  /** Batches of ≤ 20; items that errored (and whole batches that were not accepted) go one by one. */
  async #batchCancel(orderIds: string[]): Promise<'batch' | 'single'> {
    const { rest } = this.deps;
    let anyBatchAccepted = false;
    const singles: string[] = [];
    for (let i = 0; i < orderIds.length; i += MAX_BATCH_CANCEL) {
      const chunk = orderIds.slice(i, i + MAX_BATCH_CANCEL);
      const r = await rest
        .batchCancelOrdersV2({ orders: chunk.map((order_id) => ({ order_id })) })
        .catch(threwUnknown);
      if (r.outcome !== 'accepted') {
        singles.push(...chunk);
        continue;
      }
      anyBatchAccepted = true;
      const answered = new Set<string>();
      for (const item of r.value.orders) {
        answered.add(item.order_id);
        if (item.error) singles.push(item.order_id);
      }
      for (const id of chunk) if (!answered.has(id)) singles.push(id);
    }
    for (const id of singles) {
      await rest.cancelOrderV2(id).catch(() => undefined);
    }
    return anyBatchAccepted ? 'batch' : 'single';
  }

  /** An order that was resting before cancel-all and is not any more: learn its final state. */
  async #settleGone(ours: TrackedOrder): Promise<void> {
    const { store, ingest, rest } = this.deps;
    const current = store.current(ours.clientOrderId);
    if (isTerminal(current.status) || current.orderId === undefined) return;
    try {
      ingest.applyReport(await readOrder(rest, current.orderId), 'after cancel-all');
    } catch (e) {
      // Left canceling; a report or resolveUnknowns settles it.
      store.metaOf(ours.clientOrderId).cancelUnknownSince ??= store.clock();
      store.note(ours.clientOrderId, `cancel-all: could not read final state: ${errorText(e)}`);
    }
  }
}
