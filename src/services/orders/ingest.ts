/**
 * Fill ingest: the exchange's news about our orders — fills and order reports (user_order
 * messages, REST reads) — applied to the store.
 *
 *  - Fills are money facts: deduped by fillId, applied to our order whatever its status. A fill can
 *    outrun the create answer; one that names no client_order_id and an order id we do not know yet
 *    is parked while any order of ours is still without an order id, and applied once the id is known.
 *  - Fill totals (fillCount, fillNotional, fees) come from fills only; reports move the status.
 *  - Filled-count gap: the create answer and every order report carry the order's filled count.
 *    When it runs ahead of the fills we hold (a fill frame was lost), that order's fills are read by
 *    REST at once — after `waitMs` for frames still in flight — and put on the bus like live ones
 *    (everyone dedupes by trade id). Single-flight per order; a few rounds while the REST read lags.
 *  - A report about an order that is not ours and still rests is adopted (adopt.ts).
 */
import type { EventBus } from '../../bus.js';
import type { Count, ExchangeFill, ExchangeOrder, TrackedOrder } from '../../domain/index.js';
import { notional } from '../../domain/index.js';
import { formatCount, formatPrice } from '../../kalshi/index.js';
import type { OrderEvent } from '../order-lifecycle.js';
import { adoptForeign, REPORT_EVENT } from './adopt.js';
import { listOrderFills, type OrderRestPort } from './ports.js';
import type { OrderStore } from './store.js';
import { errorText, isForeign } from './types.js';

/** Rounds of (wait, read) while the exchange's fills endpoint has not caught up with its count. */
const MAX_GAP_ROUNDS = 3;

export type IngestOutcome = 'applied' | 'duplicate' | 'parked' | 'foreign';

export interface FillIngestDeps {
  readonly store: OrderStore;
  readonly bus: EventBus;
  readonly rest: OrderRestPort;
  readonly maxParked: number;
  readonly waitMs: number;
  readonly sleep: (ms: number) => Promise<void>;
  /** Background work idle() waits for. */
  readonly track: (p: Promise<void>) => void;
}

export class FillIngest {
  readonly #seen = new Set<string>();
  /** order id → fills that arrived before we knew which order of ours it is. */
  readonly #parked = new Map<string, ExchangeFill[]>();
  /** client_order_id → the highest filled count the exchange reported. */
  readonly #reported = new Map<string, Count>();
  readonly #gapRuns = new Map<string, Promise<void>>();
  #stopped = false;

  constructor(private readonly deps: FillIngestDeps) {
    deps.store.hooks = {
      orderIdLearned: (orderId) => this.#drainParked(orderId),
      leftFlight: () => this.flushParkedIfNoneInFlight(),
      forgotten: (clientOrderId) => this.#reported.delete(clientOrderId),
    };
  }

  stop(): void {
    this.#stopped = true;
  }

  /** Fill ids counted before (a restart's record). */
  markSeen(ids: Iterable<string>): void {
    for (const id of ids) this.#seen.add(id);
  }

  parkedCount(): number {
    let n = 0;
    for (const list of this.#parked.values()) n += list.length;
    return n;
  }

  ingest(fill: ExchangeFill): IngestOutcome {
    const { store } = this.deps;
    if (this.#seen.has(fill.fillId)) {
      store.stats.duplicateFills += 1;
      return 'duplicate';
    }
    const byClient = fill.clientOrderId !== undefined ? store.get(fill.clientOrderId) : undefined;
    const ours = byClient ?? store.getByOrderId(fill.orderId);
    if (ours) {
      this.#apply(ours.clientOrderId, fill);
      return 'applied';
    }
    if (fill.clientOrderId === undefined && store.anyWithoutOrderId()) {
      const list = this.#parked.get(fill.orderId) ?? [];
      if (list.some((f) => f.fillId === fill.fillId)) {
        store.stats.duplicateFills += 1;
        return 'duplicate';
      }
      list.push(fill);
      this.#parked.set(fill.orderId, list);
      this.#trimParked();
      return 'parked';
    }
    store.stats.foreignFills += 1;
    return 'foreign';
  }

  /** A live order report (user_order): applied to ours; a resting order not ours is adopted. */
  report(report: ExchangeOrder): void {
    if (this.applyReport(report, 'user_order report')) return;
    if (report.status === 'resting')
      adoptForeign(this.deps.store, this.deps.bus, report, 'user_order report');
    else this.deps.store.stats.foreignReports += 1;
  }

  /** Applies a report to our order; false when it is not ours. */
  applyReport(report: ExchangeOrder, source: string): boolean {
    const { store } = this.deps;
    const ours = store.find(report);
    if (!ours) return false;
    if (ours.orderId !== undefined && ours.orderId !== report.orderId) {
      store.anomaly(
        ours.clientOrderId,
        `${source} names order id ${report.orderId} for ${ours.clientOrderId}, we recorded ${ours.orderId}`,
      );
      return true;
    }
    if (ours.orderId === undefined) store.learnOrderId(ours.clientOrderId, report.orderId);
    const current = store.current(ours.clientOrderId);
    const why = `${source}: ${report.status}, filled ${formatCount(report.fillCount)}, remaining ${formatCount(report.remainingCount)}`;
    store.move(current, REPORT_EVENT[report.status], why, 'exchange');
    this.flushParkedIfNoneInFlight();
    this.filledCountReported(ours.clientOrderId, report.fillCount);
    return true;
  }

  /**
   * The exchange says this order of ours has filled `count`: when that is more than the fills we
   * hold, read the order's fills by REST (single-flight per order).
   */
  filledCountReported(clientOrderId: string, count: Count): void {
    const order = this.deps.store.get(clientOrderId);
    if (!order || isForeign(order) || count <= order.fillCount || this.#stopped) return;
    this.#reported.set(clientOrderId, Math.max(this.#reported.get(clientOrderId) ?? 0, count));
    if (this.#gapRuns.has(clientOrderId)) return;
    const run = this.#closeGap(clientOrderId).finally(() => {
      this.#gapRuns.delete(clientOrderId);
    });
    this.#gapRuns.set(clientOrderId, run);
    this.deps.track(run);
  }

  async #closeGap(clientOrderId: string): Promise<void> {
    const { store, bus, rest } = this.deps;
    for (let round = 0; round < MAX_GAP_ROUNDS && !this.#stopped; round++) {
      await this.deps.sleep(this.deps.waitMs);
      const order = store.current(clientOrderId);
      const reported = this.#reported.get(clientOrderId) ?? 0;
      if (order.fillCount >= reported || order.orderId === undefined || this.#stopped) break;
      store.stats.fillGapFetches += 1;
      let fills: ExchangeFill[];
      try {
        fills = await listOrderFills(rest, order.orderId, (e) =>
          store.anomaly(clientOrderId, `unreadable fill from the exchange: ${errorText(e)}`),
        );
      } catch (e) {
        store.note(clientOrderId, `filled-count gap: reading its fills failed: ${errorText(e)}`);
        break;
      }
      const missing = fills
        .filter((f) => !this.#seen.has(f.fillId))
        .sort((a, b) => a.createdMs - b.createdMs);
      store.stats.fillGapFillsFound += missing.length;
      // Over the bus like live fills: positions and the record take them too.
      for (const f of missing) bus.emit('exchange.fillReported', f);
    }
    if (store.current(clientOrderId).fillCount >= (this.#reported.get(clientOrderId) ?? 0))
      this.#reported.delete(clientOrderId);
  }

  /** With no order of ours lacking an order id, parked fills cannot be ours: count them as foreign. */
  flushParkedIfNoneInFlight(): void {
    const { store } = this.deps;
    if (this.#parked.size === 0 || store.anyWithoutOrderId()) return;
    for (const list of this.#parked.values()) store.stats.foreignFills += list.length;
    this.#parked.clear();
  }

  #apply(clientOrderId: string, fill: ExchangeFill): void {
    const { store } = this.deps;
    this.#seen.add(fill.fillId);
    store.stats.fills += 1;
    if (store.current(clientOrderId).orderId === undefined) store.learnOrderId(clientOrderId, fill.orderId);
    const base = store.current(clientOrderId);
    const fillCount = base.fillCount + fill.count;
    const updated: TrackedOrder = {
      ...base,
      fillCount,
      fillNotional: base.fillNotional + notional(fill.count, fill.yesPrice),
      fees: base.fees + fill.fee,
      updatedMs: store.clock(),
    };
    if (fillCount > base.intent.count) {
      store.anomaly(
        clientOrderId,
        `fills total ${formatCount(fillCount)}, more than the order's ${formatCount(base.intent.count)}`,
      );
    }
    store.replace(updated);
    const event: OrderEvent = fillCount >= base.intent.count ? 'FILLED_COMPLETELY' : 'FILLED_PARTIALLY';
    const why = `filled ${formatCount(fill.count)} @ ${formatPrice(fill.yesPrice)} (fill ${fill.fillId})`;
    const moved = store.move(updated, event, why, 'exchange');
    // move emits only when the status changed or the move was legal; make sure the fill is visible.
    if (moved === updated) store.emit(updated);
  }

  #drainParked(orderId: string): void {
    const parked = this.#parked.get(orderId);
    if (!parked) return;
    this.#parked.delete(orderId);
    for (const fill of parked) this.ingest(fill);
  }

  #trimParked(): void {
    while (this.parkedCount() > this.deps.maxParked) {
      const oldest = this.#parked.keys().next();
      if (oldest.done) return;
      const list = this.#parked.get(oldest.value) ?? [];
      list.shift();
      this.deps.store.stats.foreignFills += 1;
      if (list.length === 0) this.#parked.delete(oldest.value);
    }
  }
}
