/**
 * The order store: one TrackedOrder per client_order_id, replaced (never mutated) on every change
 * and moved only through the lifecycle table (../order-lifecycle.ts). Every change is published as
 * 'order.changed'. Exchange news that contradicts the record is kept as an anomaly, not applied.
 *
 * Open orders stay for as long as they are open. A terminal order (executed, canceled, rejected)
 * stays `retentionMs` after it became terminal — for the late fill or report that names it — and is
 * then forgotten here: its record is in the database ('order.changed' wrote it), positions and
 * the ledger book fills without it, and a trader that trades for days would otherwise hold, and
 * scan at every risk check, every order it ever sent.
 *
 * The other modules of the order path (entry, ingest, cancels, reconcile) read and move orders
 * through this store; it knows nothing of the exchange.
 */
import type { EventBus } from '../../bus.js';
import type { OrderIntent, OrderRefusal, TrackedOrder } from '../../domain/index.js';
import { isTerminal, LifecycleError, type OrderEvent, transition } from '../order-lifecycle.js';
import {
  type Anomaly,
  CLIENT_ORDER_ID_PATTERN,
  MAX_ANOMALIES_KEPT,
  OrderServiceError,
  type OrderServiceStats,
} from './types.js';

/** Per-order bookkeeping that is not part of the published TrackedOrder. */
export interface OrderMeta {
  /** When it became unknown (grace is measured from here). */
  unknownSince?: number;
  /** A cancel whose outcome is unknown: since when. */
  cancelUnknownSince?: number;
}

/** What the store tells the fill ingest (parked fills wait on order ids). */
export interface StoreHooks {
  /** An order of ours got its exchange order id. */
  orderIdLearned(orderId: string): void;
  /** An order left submitting / unknown: parked fills may now be known to be foreign. */
  leftFlight(): void;
  /** A terminal order was forgotten (its retention ran out). */
  forgotten(clientOrderId: string): void;
}

/** How long a terminal order is kept after it became terminal. */
export const DEFAULT_TERMINAL_RETENTION_MS = 15 * 60_000;

export function emptyStats(): OrderServiceStats {
  return {
    submitted: 0,
    accepted: 0,
    rejected: 0,
    unknown: 0,
    denied: 0,
    cancelsRequested: 0,
    fills: 0,
    duplicateFills: 0,
    foreignFills: 0,
    foreignReports: 0,
    foreignOrders: 0,
    parkedFills: 0,
    anomalies: 0,
    rateLimited: 0,
    postOnlyCrosses: 0,
    fillGapFetches: 0,
    fillGapFillsFound: 0,
  };
}

export class OrderStore {
  readonly stats: OrderServiceStats = emptyStats();
  /** client_order_id → current snapshot (replaced, never mutated). */
  readonly #orders = new Map<string, TrackedOrder>();
  readonly #byOrderId = new Map<string, string>();
  readonly #meta = new Map<string, OrderMeta>();
  readonly #anomalies: Anomaly[] = [];
  /**
   * The client_order_ids of orders not yet ended — created (write-ahead, not sent yet) or open —
   * which open(), live() and so the risk checks and strategies read, not every order.
   */
  readonly #live = new Set<string>();
  /** client_order_id → when it became terminal; in that order (times only grow). */
  readonly #terminalSince = new Map<string, number>();
  /** Orders that ever had an exchange order id (ours accepted, adopted, restored). */
  #placed = 0;
  hooks: StoreHooks = {
    orderIdLearned: () => undefined,
    leftFlight: () => undefined,
    forgotten: () => undefined,
  };

  constructor(
    private readonly bus: EventBus,
    readonly clock: () => number,
    private readonly retentionMs: number = DEFAULT_TERMINAL_RETENTION_MS,
  ) {
    if (!(retentionMs >= 1_000))
      throw new RangeError(`retentionMs must be at least 1000 (got ${retentionMs})`);
  }

  // --- reads ----------------------------------------------------------------------------------

  get(clientOrderId: string): TrackedOrder | undefined {
    return this.#orders.get(clientOrderId);
  }

  has(clientOrderId: string): boolean {
    return this.#orders.has(clientOrderId);
  }

  getByOrderId(orderId: string): TrackedOrder | undefined {
    const id = this.#byOrderId.get(orderId);
    return id === undefined ? undefined : this.#orders.get(id);
  }

  /** Ours by client_order_id, else by order id. */
  find(o: { clientOrderId: string; orderId: string }): TrackedOrder | undefined {
    return (
      (o.clientOrderId !== '' ? this.#orders.get(o.clientOrderId) : undefined) ?? this.getByOrderId(o.orderId)
    );
  }

  /** The order, or a programmer error. */
  current(clientOrderId: string): TrackedOrder {
    const o = this.#orders.get(clientOrderId);
    if (!o)
      throw new OrderServiceError(
        'ORDER_UNKNOWN_CLIENT_ID',
        `no tracked order has client_order_id ${clientOrderId}`,
      );
    return o;
  }

  open(): TrackedOrder[] {
    const out: TrackedOrder[] = [];
    for (const id of this.#live) {
      const o = this.#orders.get(id) as TrackedOrder;
      if (o.status !== 'created') out.push(o);
    }
    return out;
  }

  /** Orders not yet ended: open ones and those created but not sent yet. */
  live(): TrackedOrder[] {
    const out: TrackedOrder[] = [];
    for (const id of this.#live) out.push(this.#orders.get(id) as TrackedOrder);
    return out;
  }

  all(): TrackedOrder[] {
    return [...this.#orders.values()];
  }

  anomalies(): readonly Anomaly[] {
    return [...this.#anomalies];
  }

  /** Orders that ever had an exchange order id, forgotten ones included. */
  placedCount(): number {
    return this.#placed;
  }

  metaOf(clientOrderId: string): OrderMeta {
    let m = this.#meta.get(clientOrderId);
    if (!m) {
      m = {};
      this.#meta.set(clientOrderId, m);
    }
    return m;
  }

  /** Some order of ours is in flight without an exchange order id (a fill may be its). */
  anyWithoutOrderId(): boolean {
    for (const id of this.#live) {
      const o = this.#orders.get(id) as TrackedOrder;
      if (o.orderId === undefined && (o.status === 'submitting' || o.status === 'unknown')) return true;
    }
    return false;
  }

  // --- writes ---------------------------------------------------------------------------------

  /** Records a new order of ours as created. */
  create(id: string, intent: OrderIntent): TrackedOrder {
    if (!CLIENT_ORDER_ID_PATTERN.test(id) || this.#orders.has(id)) {
      throw new OrderServiceError(
        'ORDER_BAD_CLIENT_ID',
        `client_order_id ${JSON.stringify(id)} is invalid or already used`,
      );
    }
    const now = this.clock();
    const order: TrackedOrder = {
      clientOrderId: id,
      intent,
      status: 'created',
      fillCount: 0,
      fillNotional: 0,
      fees: 0,
      createdMs: now,
      updatedMs: now,
      history: [{ status: 'created', at: now, why: `${intent.strategy}: ${intent.reason}` }],
    };
    this.#orders.set(id, order);
    this.#live.add(id);
    return order;
  }

  /** Puts an order in as it is (restored from the record, or adopted); no event. */
  put(order: TrackedOrder): void {
    this.#orders.set(order.clientOrderId, order);
    this.#track(order);
    if (order.orderId !== undefined && !this.#byOrderId.has(order.orderId)) this.#placed += 1;
    if (order.orderId !== undefined) this.#byOrderId.set(order.orderId, order.clientOrderId);
    if (isTerminal(order.status)) this.#retire(order.clientOrderId);
  }

  /** Replaces the snapshot (fill totals) without a status move; no event. */
  replace(order: TrackedOrder): void {
    this.#orders.set(order.clientOrderId, order);
    this.#track(order);
  }

  /**
   * Moves an order through the lifecycle table. `local` events come from our own sequencing: an
   * illegal one is a bug and throws. `exchange` events carry the exchange's news: an illegal one
   * contradicts our record, is not applied, and is counted as an anomaly.
   */
  move(
    order: TrackedOrder,
    event: OrderEvent,
    why: string,
    source: 'local' | 'exchange',
    extra: { reason?: string; refusal?: OrderRefusal } = {},
  ): TrackedOrder {
    const next = transition(order.status, event);
    if (next instanceof LifecycleError) {
      if (source === 'local') throw next;
      this.anomaly(order.clientOrderId, `${next.message} — ${why}`);
      return order;
    }
    const now = this.clock();
    const changed = next !== order.status;
    if (!changed && extra.reason === undefined) return order;
    const updated: TrackedOrder = {
      ...order,
      status: next,
      updatedMs: now,
      ...(extra.reason !== undefined ? { reason: extra.reason } : {}),
      ...(extra.refusal !== undefined ? { refusal: extra.refusal } : {}),
      history: changed ? [...order.history, { status: next, at: now, why }] : order.history,
    };
    this.#orders.set(order.clientOrderId, updated);
    this.#track(updated);
    if (changed && isTerminal(next)) this.#retire(order.clientOrderId);
    if (changed) {
      const meta = this.metaOf(order.clientOrderId);
      if (next !== 'canceling') meta.cancelUnknownSince = undefined;
      if (next !== 'unknown') meta.unknownSince = undefined;
    }
    this.emit(updated);
    if (changed && (order.status === 'submitting' || order.status === 'unknown')) this.hooks.leftFlight();
    return updated;
  }

  /** The exchange named the order id of an order of ours. */
  learnOrderId(clientOrderId: string, orderId: string): void {
    const order = this.current(clientOrderId);
    if (order.orderId === orderId) return;
    if (order.orderId !== undefined) {
      this.anomaly(clientOrderId, `exchange names order id ${orderId}, we recorded ${order.orderId}`);
      return;
    }
    const updated: TrackedOrder = { ...order, orderId, updatedMs: this.clock() };
    this.#orders.set(clientOrderId, updated);
    this.#byOrderId.set(orderId, clientOrderId);
    this.#placed += 1;
    this.hooks.orderIdLearned(orderId);
  }

  /** A remark on an order that does not change its status (kept in `reason`). */
  note(clientOrderId: string, reason: string): void {
    const order = this.current(clientOrderId);
    const updated: TrackedOrder = { ...order, reason, updatedMs: this.clock() };
    this.#orders.set(clientOrderId, updated);
    this.emit(updated);
  }

  anomaly(clientOrderId: string | undefined, message: string): void {
    this.stats.anomalies += 1;
    this.#anomalies.push({ at: this.clock(), ...(clientOrderId ? { clientOrderId } : {}), message });
    if (this.#anomalies.length > MAX_ANOMALIES_KEPT) this.#anomalies.shift();
  }

  emit(order: TrackedOrder): void {
    this.bus.emit('order.changed', order);
  }

  /** Keeps the live set true to the order's status (live: not terminal in the lifecycle table). */
  #track(order: TrackedOrder): void {
    if (isTerminal(order.status)) this.#live.delete(order.clientOrderId);
    else this.#live.add(order.clientOrderId);
  }

  /**
   * Notes that an order became terminal now, and forgets those terminal longer than retentionMs
   * (never the one just moved: its mover reads it back).
   */
  #retire(clientOrderId: string): void {
    const now = this.clock();
    this.#terminalSince.delete(clientOrderId);
    this.#terminalSince.set(clientOrderId, now);
    for (const [id, since] of this.#terminalSince) {
      if (now - since < this.retentionMs || id === clientOrderId) break;
      this.#terminalSince.delete(id);
      const order = this.#orders.get(id);
      if (order === undefined || !isTerminal(order.status)) continue;
      this.#orders.delete(id);
      this.#meta.delete(id);
      if (order.orderId !== undefined && this.#byOrderId.get(order.orderId) === id)
        this.#byOrderId.delete(order.orderId);
      this.hooks.forgotten(id);
    }
  }
}
