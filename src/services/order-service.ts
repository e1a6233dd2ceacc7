/**
 * OrderService: turns intents into orders at the exchange and keeps one TrackedOrder per
 * client_order_id, moved only through the lifecycle table (order-lifecycle.ts).
 *
 * It is a facade over the order path's parts (src/services/orders/):
 *   store.ts      the records, the lifecycle moves, 'order.changed'
 *   entry.ts      intent → one create request (write-ahead first; three outcomes; 429 backoff)
 *   ingest.ts     fills and order reports; the filled-count gap fetch
 *   cancels.ts    one cancel, cancel-all with batch and per-order fallback
 *   reconcile.ts  unknowns, calibration's view of the exchange, restart recovery
 *   adopt.ts      orders on the account that are not ours: tracked and flagged
 *   ports.ts      the REST port and its reads
 * The wire request is built by the Kalshi adapter (src/kalshi/order-body.ts).
 *
 * It does not check risk, compute positions or persist, and it sends nothing on its own
 * initiative: every create comes from `submit`, which the machine's ACTING stage calls.
 */
import type { EventBus } from '../bus.js';
import type { ExchangeFill, ExchangeOrder, OrderIntent, TrackedOrder } from '../domain/index.js';
import { Cancels } from './orders/cancels.js';
import { OrderEntry } from './orders/entry.js';
import { FillIngest } from './orders/ingest.js';
import { OrderReconciler } from './orders/reconcile.js';
import { OrderStore } from './orders/store.js';
import {
  type Anomaly,
  type CancelAllResult,
  createClientOrderIdFactory,
  DEFAULT_FILL_GAP_WAIT_MS,
  DEFAULT_MAX_PARKED_FILLS,
  DEFAULT_UNKNOWN_GRACE_MS,
  errorText,
  type OrderServiceDeps,
  type OrderServiceStats,
  type ReconcileResult,
  type ResolveUnknownsResult,
} from './orders/types.js';

export type { OrderRestPort } from './orders/ports.js';
export * from './orders/types.js';

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class OrderService {
  readonly #bus: EventBus;
  readonly #clock: () => number;
  readonly #store: OrderStore;
  readonly #ingest: FillIngest;
  readonly #entry: OrderEntry;
  readonly #cancels: Cancels;
  readonly #reconciler: OrderReconciler;
  readonly #inFlight = new Set<Promise<unknown>>();

  readonly #onFill = (fill: ExchangeFill): void => {
    this.#ingest.ingest(fill);
  };
  readonly #onReport = (report: ExchangeOrder): void => {
    this.#ingest.report(report);
  };

  constructor(deps: OrderServiceDeps) {
    this.#bus = deps.bus;
    this.#clock = deps.clock;
    const store = new OrderStore(deps.bus, deps.clock, deps.terminalRetentionMs);
    this.#store = store;
    this.#ingest = new FillIngest({
      store,
      bus: deps.bus,
      rest: deps.rest,
      maxParked: deps.maxParkedFills ?? DEFAULT_MAX_PARKED_FILLS,
      waitMs: deps.fillGapWaitMs ?? DEFAULT_FILL_GAP_WAIT_MS,
      sleep: deps.sleep ?? realSleep,
      track: (p) => this.#track(p),
    });
    this.#entry = new OrderEntry({
      store,
      ingest: this.#ingest,
      rest: deps.rest,
      newId: deps.newClientOrderId ?? createClientOrderIdFactory(),
      beforeSend: deps.beforeSend,
      selfTradePrevention: deps.selfTradePrevention ?? 'maker',
      orderGroupId: deps.orderGroupId ?? (() => undefined),
    });
    this.#cancels = new Cancels({ store, ingest: this.#ingest, rest: deps.rest });
    this.#reconciler = new OrderReconciler({
      store,
      ingest: this.#ingest,
      rest: deps.rest,
      bus: deps.bus,
      graceMs: deps.unknownGraceMs ?? DEFAULT_UNKNOWN_GRACE_MS,
    });
    this.#bus.on('exchange.fillReported', this.#onFill);
    this.#bus.on('exchange.orderReported', this.#onReport);
  }

  /** Stops listening to the bus (and any filled-count gap fetch). */
  dispose(): void {
    this.#ingest.stop();
    this.#bus.off('exchange.fillReported', this.#onFill);
    this.#bus.off('exchange.orderReported', this.#onReport);
  }

  // --- queries --------------------------------------------------------------------------------

  get(clientOrderId: string): TrackedOrder | undefined {
    return this.#store.get(clientOrderId);
  }

  getByOrderId(orderId: string): TrackedOrder | undefined {
    return this.#store.getByOrderId(orderId);
  }

  /** Orders that are or may be live at the exchange: submitting, unknown, resting, canceling. */
  open(): TrackedOrder[] {
    return this.#store.open();
  }

  /** Orders not yet ended: open ones and those created but not sent yet (what risk counts). */
  live(): TrackedOrder[] {
    return this.#store.live();
  }

  /** Open orders, and terminal ones until their retention runs out (store.ts). */
  all(): TrackedOrder[] {
    return this.#store.all();
  }

  /** Orders that ever had an exchange order id: ours accepted, adopted, restored. */
  placedCount(): number {
    return this.#store.placedCount();
  }

  stats(): Readonly<OrderServiceStats> {
    return { ...this.#store.stats, parkedFills: this.#ingest.parkedCount() };
  }

  /** The most recent exchange messages that contradicted our records (newest last). */
  anomalies(): readonly Anomaly[] {
    return this.#store.anomalies();
  }

  /** Resolves when background work (creates on the wire, filled-count gap fetches) has finished. */
  async idle(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.allSettled([...this.#inFlight]);
  }

  // --- order entry ----------------------------------------------------------------------------

  /** Records an order the RiskController refused; it is never sent. */
  deny(intent: OrderIntent, reason: string): TrackedOrder {
    return this.#entry.deny(intent, reason);
  }

  /**
   * Places one order: records it (created), runs write-ahead, sends ONE create request.
   * Resolves with the order's status after the answer: resting / executed / canceled, rejected,
   * unknown (left in flight, never re-sent) or denied (write-ahead failed or provably not sent).
   * `signal`: the machine's say-so; aborted before the send (a halt during the write-ahead), the
   * order is denied, never sent.
   */
  submit(intent: OrderIntent, signal?: AbortSignal): Promise<TrackedOrder> {
    // Tracked so that idle() (and so a graceful shutdown) waits for a create still on the wire.
    const placing = this.#entry.submit(intent, signal);
    this.#track(placing.then(() => undefined));
    return placing;
  }

  /** Milliseconds until the order path may send again after a 429 (0 when it may now). */
  backoffRemaining(now: number = this.#clock()): number {
    return this.#entry.backoffRemaining(now);
  }

  // --- cancels --------------------------------------------------------------------------------

  /** Cancels one resting order (see orders/cancels.ts). */
  cancel(clientOrderId: string): Promise<TrackedOrder> {
    return this.#cancels.cancel(clientOrderId);
  }

  /** Cancels every resting order at the exchange, or one ticker's (see orders/cancels.ts). */
  cancelAll(opts: { ticker?: string } = {}): Promise<CancelAllResult> {
    return this.#cancels.cancelAll(opts);
  }

  // --- reconcile ------------------------------------------------------------------------------

  /** Looks every unknown order up at the exchange (see orders/reconcile.ts). */
  resolveUnknowns(): Promise<ResolveUnknownsResult> {
    return this.#reconciler.resolveUnknowns();
  }

  /**
   * Takes the exchange's view at calibration: orders matched on client_order_id or order id; orders
   * that are not ours adopted and flagged; fills applied with dedupe.
   */
  reconcile(exchangeOrders: readonly ExchangeOrder[], fills: readonly ExchangeFill[]): ReconcileResult {
    return this.#reconciler.reconcile(exchangeOrders, fills);
  }

  /** Orders we hold as resting that the exchange no longer lists take its final state. */
  settleMissing(exchangeResting: readonly ExchangeOrder[]): Promise<number> {
    return this.#reconciler.settleMissing(exchangeResting);
  }

  /** Takes back an earlier run's open orders and the fill ids already counted in them. */
  restore(orders: readonly TrackedOrder[], countedFillIds: Iterable<string>): number {
    return this.#reconciler.restore(orders, countedFillIds);
  }

  #track(p: Promise<void>): void {
    const guarded = p.catch((e: unknown) => {
      this.#store.anomaly(undefined, `background work failed: ${errorText(e)}`);
    });
    this.#inFlight.add(guarded);
    void guarded.finally(() => this.#inFlight.delete(guarded));
  }
}
