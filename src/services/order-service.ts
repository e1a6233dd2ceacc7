/**
 * OrderService: turns intents into orders at the exchange and keeps one TrackedOrder per
 * client_order_id, moved only through the lifecycle table (order-lifecycle.ts).
 *
 * Rules it keeps (DESIGN §6, STYLE practice 3):
 *  - Every order gets a fresh client_order_id (`tv3-<session>-<n>`; the session part is random per
 *    process) and is recorded, then handed to the write-ahead hook, BEFORE the one create request.
 *  - Three outcomes: denied (refused locally / never sent), rejected (the exchange's 4xx proves it
 *    was not placed), unknown (timeout, 5xx, network after send). An unknown order is never re-sent,
 *    under its id or a new one; a report, a fill or a lookup (resolveUnknowns / adopt) resolves it.
 *  - Fills are money facts: deduped by fillId, applied to our order whatever its status. A fill can
 *    outrun the create answer; one that names no client_order_id and an order id we do not know yet
 *    is parked while any order of ours is still without an order id, and applied once the id is known.
 *  - Fill totals (fillCount, fillNotional, fees) come from fills only; reports move the status.
 *  - Exchange news that contradicts our record (a LifecycleError on an exchange-sourced event) is
 *    not applied and is counted as an anomaly (stats + anomalies()); our own illegal moves throw.
 *
 * It does not check risk, compute positions or persist: it emits 'order.changed' with a fresh,
 * immutable snapshot on every change, and others listen.
 */
import { randomBytes } from 'node:crypto';
import type {
  BatchCancelOrdersV2Request,
  BatchCancelOrdersV2Response,
  CancelOrderV2Response,
  CreateOrderV2Request,
  CreateOrderV2Response,
  GetOrderResponse,
  GetOrdersResponse,
} from 'kalshi-typescript';
import type { EventBus } from '../bus.js';
import { pausePoint } from '../chaos/pause-point.js';
import type {
  BookSide,
  ExchangeFill,
  ExchangeOrder,
  ExchangeOrderStatus,
  OrderIntent,
  OrderLifecycleStatus,
  OrderRefusal,
  TimeInForce,
  TrackedOrder,
} from '../domain/index.js';
import { type Count, MAX_LIMIT_PRICE, MIN_LIMIT_PRICE, notional, type Price } from '../domain/index.js';
import {
  formatCount,
  formatPrice,
  type KalshiError,
  type KalshiHttpError,
  normalizeError,
  type OrdersFilter,
  orderFromRest,
  paginate,
  parseCount,
  type SubaccountParam,
  type WriteResult,
} from '../kalshi/index.js';
import { isTerminal, LifecycleError, type OrderEvent, transition } from './order-lifecycle.js';

// ---------------------------------------------------------------------------------------------
// Ports and options

/** The part of KalshiRestClient the OrderService uses (KalshiRestClient satisfies it). */
export interface OrderRestPort {
  createOrderV2(req: CreateOrderV2Request): Promise<WriteResult<CreateOrderV2Response>>;
  cancelOrderV2(orderId: string): Promise<WriteResult<CancelOrderV2Response>>;
  batchCancelOrdersV2(req: BatchCancelOrdersV2Request): Promise<WriteResult<BatchCancelOrdersV2Response>>;
  cancelAllOrders(params?: SubaccountParam): Promise<WriteResult<void>>;
  getOrders(filters: OrdersFilter): Promise<GetOrdersResponse>;
  getOrder(orderId: string): Promise<GetOrderResponse>;
}

export type SelfTradePrevention = 'maker' | 'taker_at_cross';

export interface TakerQuote {
  readonly bestYesBid?: Price;
  readonly yesAsk?: Price;
}

export interface MakerToTakerOptions {
  /** A post-only order resting at least this long is canceled and its remainder sent as IOC. */
  readonly afterMs: number;
  readonly quote: (ticker: string) => TakerQuote | undefined;
}

export interface OrderServiceDeps {
  readonly rest: OrderRestPort;
  readonly bus: EventBus;
  readonly clock: () => number;
  readonly newClientOrderId?: () => string;
  /** Write-ahead: commit the order and its client_order_id before it is sent; throwing denies it. */
  readonly beforeSend?: (order: TrackedOrder) => Promise<void>;
  /** How long an unknown order may be missing at the exchange before it counts as rejected. */
  readonly unknownGraceMs?: number;
  readonly selfTradePrevention?: SelfTradePrevention;
  readonly makerToTaker?: MakerToTakerOptions;
  /** Most fills parked (waiting for their order id to become known) at once; oldest dropped. */
  readonly maxParkedFills?: number;
}

export const DEFAULT_UNKNOWN_GRACE_MS = 15_000;
/** Kalshi's batch cancel takes at most 20 orders. */
export const MAX_BATCH_CANCEL = 20;
const DEFAULT_MAX_PARKED_FILLS = 1_000;
const MAX_ANOMALIES_KEPT = 100;
/** client_order_id as Kalshi accepts it (FIX limits). */
export const CLIENT_ORDER_ID_PATTERN = /^[-\w:+=/]{1,64}$/;
export const ADOPTED_STRATEGY = 'adopted';

export const ORDER_SERVICE_ERROR_CODES = {
  ORDER_UNKNOWN_CLIENT_ID: 'no order with this client_order_id is tracked',
  ORDER_NOT_CANCELABLE: 'the order has no order id at the exchange yet, so it cannot be canceled',
  ORDER_BAD_CLIENT_ID: 'the client_order_id generator produced an invalid or reused id',
} as const;

export type OrderServiceErrorCode = keyof typeof ORDER_SERVICE_ERROR_CODES;

export class OrderServiceError extends Error {
  readonly code: OrderServiceErrorCode;

  constructor(code: OrderServiceErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'OrderServiceError';
    this.code = code;
  }
}

export interface OrderServiceStats {
  /** Create requests sent (exactly one per order that got past write-ahead). */
  submitted: number;
  accepted: number;
  /** Exchange rejections, plus unknowns not found after the grace period. */
  rejected: number;
  /** Create outcomes that were unknown (cumulative; see open() for the current ones). */
  unknown: number;
  /** Refused locally: risk, invalid intent, write-ahead failure, or provably not sent. */
  denied: number;
  cancelsRequested: number;
  /** Fills applied to our orders. */
  fills: number;
  duplicateFills: number;
  /** Fills for orders that are not ours. */
  foreignFills: number;
  /** Order reports for orders that are not ours (ignored; adopt() takes them at calibration). */
  foreignReports: number;
  /** Fills waiting for their order id to become known. */
  parkedFills: number;
  /** Exchange news that contradicted our record and was not applied. */
  anomalies: number;
  makerToTakerConversions: number;
  /** Creates answered 429 (not order errors; the order path backs off). */
  rateLimited: number;
  /** Post-only orders the exchange refused because they would have crossed (not order errors). */
  postOnlyCrosses: number;
}

export interface Anomaly {
  readonly at: number;
  readonly clientOrderId?: string;
  readonly message: string;
}

export interface CancelAllResult {
  /** Orders that were resting before and are not resting afterwards. */
  canceled: number;
  /** Orders that were resting before and still are. */
  failed: number;
  method: 'cancel_all' | 'batch' | 'single';
  /** Everything still resting at the exchange afterwards (including orders placed meanwhile). */
  remaining: number;
}

export interface AdoptResult {
  /** Exchange orders that matched one of our records. */
  matched: number;
  /** Exchange orders we had no record of, now tracked with strategy 'adopted'. */
  adopted: number;
  /** Submitting / unknown orders of ours that the exchange's view resolved. */
  resolved: number;
  fillsApplied: number;
  fillsDuplicate: number;
  fillsForeign: number;
  /** Orders or fills that contradicted our record (see anomalies()). */
  anomalies: number;
}

export interface ResolveUnknownsResult {
  resolved: number;
  rejectedAfterGrace: number;
  stillUnknown: number;
  /** Lookups that failed (those orders stay as they are; grace is not applied without a lookup). */
  errors: string[];
}

// ---------------------------------------------------------------------------------------------
// Client order ids

/** Ids `tv3-<8 hex, random per factory>-<n>`: unique within a process and across restarts. */
export function createClientOrderIdFactory(session: string = randomBytes(4).toString('hex')): () => string {
  if (!/^[0-9a-z]{1,16}$/i.test(session)) throw new RangeError('session must be 1–16 letters or digits');
  let n = 0;
  return () => {
    n += 1;
    return `tv3-${session}-${n}`;
  };
}

// ---------------------------------------------------------------------------------------------
// Helpers

const OPEN_STATUSES: ReadonlySet<OrderLifecycleStatus> = new Set<OrderLifecycleStatus>([
  'submitting',
  'unknown',
  'resting',
  'canceling',
]);

const REPORT_EVENT: Record<ExchangeOrderStatus, OrderEvent> = {
  resting: 'EXCHANGE_REPORTED_RESTING',
  executed: 'EXCHANGE_REPORTED_EXECUTED',
  canceled: 'EXCHANGE_REPORTED_CANCELED',
};

const BOOK_SIDES: ReadonlySet<BookSide> = new Set<BookSide>(['bid', 'ask']);
const TIMES_IN_FORCE: ReadonlySet<TimeInForce> = new Set<TimeInForce>([
  'good_till_canceled',
  'immediate_or_cancel',
  'fill_or_kill',
]);

function intentProblem(intent: OrderIntent): string | undefined {
  if (typeof intent.ticker !== 'string' || intent.ticker === '') return 'ticker is empty';
  if (!BOOK_SIDES.has(intent.bookSide)) return `bookSide ${String(intent.bookSide)} is not bid or ask`;
  if (!TIMES_IN_FORCE.has(intent.timeInForce)) return `timeInForce ${String(intent.timeInForce)} is unknown`;
  if (!Number.isSafeInteger(intent.count) || intent.count <= 0)
    return `count ${intent.count} is not a positive integer number of 1/100 contracts`;
  if (
    !Number.isSafeInteger(intent.yesPrice) ||
    intent.yesPrice < MIN_LIMIT_PRICE ||
    intent.yesPrice > MAX_LIMIT_PRICE
  )
    return `yesPrice ${intent.yesPrice} is outside ${MIN_LIMIT_PRICE}..${MAX_LIMIT_PRICE}`;
  return undefined;
}

/** The 429 backoff: the first step, doubling up to the cap while creates keep being throttled. */
export const RATE_LIMIT_BACKOFF_MS = { first: 500, max: 16_000 } as const;

/** A rejection that is not an order error: throttling, or a post-only order that would cross. */
function refusalOf(error: KalshiHttpError): OrderRefusal | undefined {
  if (error.status === 429) return 'rate_limited';
  if (
    error.status === 400 &&
    /post[ _-]?only[ _-]?cross/i.test(`${error.details ?? ''} ${error.apiMessage ?? ''}`)
  ) {
    return 'post_only_cross';
  }
  return undefined;
}

function httpReason(error: KalshiHttpError): string {
  const parts = [error.apiCode, error.details ?? error.apiMessage].filter(
    (p): p is string => typeof p === 'string' && p !== '',
  );
  return `HTTP ${error.status}${parts.length ? ` ${parts.join(': ')}` : ''}`;
}

/** A write that threw instead of returning a WriteResult: it may have left, so its outcome is unknown. */
function threwUnknown(e: unknown): { readonly outcome: 'unknown'; readonly error: KalshiError } {
  return { outcome: 'unknown', error: normalizeError(e) };
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Per-order bookkeeping that is not part of the published TrackedOrder. */
interface OrderMeta {
  /** When it became unknown (grace is measured from here). */
  unknownSince?: number;
  /** When it became resting (maker→taker is measured from here). */
  restingSince?: number;
  /** A cancel whose outcome is unknown: since when. */
  cancelUnknownSince?: number;
  /** Maker→taker: canceling this order in order to send its remainder as IOC. */
  converting?: boolean;
}

// ---------------------------------------------------------------------------------------------
// The service

export class OrderService {
  readonly #rest: OrderRestPort;
  readonly #bus: EventBus;
  readonly #clock: () => number;
  readonly #newId: () => string;
  readonly #beforeSend: ((order: TrackedOrder) => Promise<void>) | undefined;
  readonly #graceMs: number;
  readonly #stp: SelfTradePrevention;
  readonly #makerToTaker: MakerToTakerOptions | undefined;
  readonly #maxParked: number;

  /** client_order_id → current snapshot (replaced, never mutated). */
  readonly #orders = new Map<string, TrackedOrder>();
  readonly #byOrderId = new Map<string, string>();
  readonly #meta = new Map<string, OrderMeta>();
  readonly #seenFills = new Set<string>();
  /** order id → fills that arrived before we knew which order of ours it is. */
  readonly #parked = new Map<string, ExchangeFill[]>();
  readonly #anomalies: Anomaly[] = [];
  readonly #inFlight = new Set<Promise<unknown>>();
  readonly #stats: OrderServiceStats = {
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
    parkedFills: 0,
    anomalies: 0,
    makerToTakerConversions: 0,
    rateLimited: 0,
    postOnlyCrosses: 0,
  };
  /** The order path's 429 backoff: current step and when sending may resume. */
  #backoffMs = 0;
  #backoffUntil = 0;

  readonly #onFill = (fill: ExchangeFill): void => {
    this.#ingestFill(fill);
  };
  readonly #onReport = (report: ExchangeOrder): void => {
    if (!this.#applyReport(report, 'user_order report')) this.#stats.foreignReports += 1;
  };

  constructor(deps: OrderServiceDeps) {
    this.#rest = deps.rest;
    this.#bus = deps.bus;
    this.#clock = deps.clock;
    this.#newId = deps.newClientOrderId ?? createClientOrderIdFactory();
    this.#beforeSend = deps.beforeSend;
    this.#graceMs = deps.unknownGraceMs ?? DEFAULT_UNKNOWN_GRACE_MS;
    this.#stp = deps.selfTradePrevention ?? 'maker';
    this.#makerToTaker = deps.makerToTaker;
    this.#maxParked = deps.maxParkedFills ?? DEFAULT_MAX_PARKED_FILLS;
    this.#bus.on('exchange.fillReported', this.#onFill);
    this.#bus.on('exchange.orderReported', this.#onReport);
  }

  /** Stops listening to the bus. */
  dispose(): void {
    this.#bus.off('exchange.fillReported', this.#onFill);
    this.#bus.off('exchange.orderReported', this.#onReport);
  }

  // --- queries --------------------------------------------------------------------------------

  get(clientOrderId: string): TrackedOrder | undefined {
    return this.#orders.get(clientOrderId);
  }

  getByOrderId(orderId: string): TrackedOrder | undefined {
    const id = this.#byOrderId.get(orderId);
    return id === undefined ? undefined : this.#orders.get(id);
  }

  /** Orders that are or may be live at the exchange: submitting, unknown, resting, canceling. */
  open(): TrackedOrder[] {
    return [...this.#orders.values()].filter((o) => OPEN_STATUSES.has(o.status));
  }

  all(): TrackedOrder[] {
    return [...this.#orders.values()];
  }

  stats(): Readonly<OrderServiceStats> {
    return { ...this.#stats, parkedFills: this.#parkedCount() };
  }

  /** The most recent exchange messages that contradicted our records (newest last). */
  anomalies(): readonly Anomaly[] {
    return [...this.#anomalies];
  }

  /** Resolves when background work (creates on the wire, maker→taker conversions) has finished. */
  async idle(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.allSettled([...this.#inFlight]);
  }

  // --- order entry ----------------------------------------------------------------------------

  /** Records an order the RiskController refused; it is never sent. */
  deny(intent: OrderIntent, reason: string): TrackedOrder {
    const created = this.#create(intent);
    this.#stats.denied += 1;
    return this.#move(created, 'DENIED', `denied: ${reason}`, 'local', { reason });
  }

  /**
   * Places one order: records it (created), runs write-ahead, sends ONE create request.
   * Resolves with the order's status after the answer: resting / executed / canceled, rejected,
   * unknown (left in flight, never re-sent) or denied (write-ahead failed or provably not sent).
   */
  submit(intent: OrderIntent): Promise<TrackedOrder> {
    // Tracked so that idle() (and so a graceful shutdown) waits for a create still on the wire.
    const placing = this.#submit(intent);
    this.#track(placing.then(() => undefined));
    return placing;
  }

  async #submit(intent: OrderIntent): Promise<TrackedOrder> {
    const problem = intentProblem(intent);
    if (problem !== undefined) return this.deny(intent, `invalid intent: ${problem}`);

    const created = this.#create(intent);
    this.#emit(created);
    const id = created.clientOrderId;
    if (this.#beforeSend) {
      try {
        await this.#beforeSend(created);
      } catch (e) {
        this.#stats.denied += 1;
        const reason = `write-ahead failed: ${errorText(e)}`;
        return this.#move(this.#current(id), 'DENIED', reason, 'local', { reason });
      }
    }

    this.#move(this.#current(id), 'SENT', 'create request sent', 'local');
    this.#stats.submitted += 1;
    await pausePoint('order.send', id); // test-only (src/chaos/pause-point.ts): kill -9 after the write-ahead
    let result: WriteResult<CreateOrderV2Response>;
    try {
      result = await this.#rest.createOrderV2(this.#createBody(id, intent));
    } catch (e) {
      // The client never throws for writes; if it did we cannot know whether it left: unknown.
      return this.#createUnknown(id, `create threw: ${errorText(e)}`);
    }

    switch (result.outcome) {
      case 'accepted':
        this.#stats.accepted += 1;
        this.#backoffMs = 0;
        return this.#createAccepted(id, result.value);
      case 'rejected':
        return this.#createRejected(id, result.error);
      case 'unknown':
        return this.#createUnknown(id, `outcome unknown: ${result.error.message}`);
      case 'not_sent': {
        this.#stats.denied += 1;
        const reason = `not sent: ${result.error.message}`;
        return this.#move(this.#current(id), 'NOT_SENT', reason, 'exchange', { reason });
      }
    }
  }

  #createBody(clientOrderId: string, intent: OrderIntent): CreateOrderV2Request {
    return {
      ticker: intent.ticker,
      client_order_id: clientOrderId,
      side: intent.bookSide,
      count: formatCount(intent.count),
      price: formatPrice(intent.yesPrice),
      time_in_force: intent.timeInForce,
      self_trade_prevention_type: this.#stp,
      post_only: intent.postOnly === true,
      reduce_only: intent.reduceOnly === true,
    };
  }

  #createAccepted(id: string, value: CreateOrderV2Response): TrackedOrder {
    this.#adoptOrderId(id, value.order_id);
    let fill: Count;
    let remaining: Count;
    try {
      fill = parseCount(value.fill_count, 'fill_count');
      remaining = parseCount(value.remaining_count, 'remaining_count');
    } catch (e) {
      // Placed (2xx, order id known) but the counts are unreadable: let a lookup settle its status.
      return this.#createUnknown(id, `accepted as ${value.order_id} but ${errorText(e)}`);
    }
    const intent = this.#current(id).intent;
    const event: OrderEvent =
      remaining > 0 ? 'ACCEPTED_RESTING' : fill >= intent.count ? 'ACCEPTED_EXECUTED' : 'ACCEPTED_CANCELED';
    const why = `accepted as ${value.order_id}: filled ${formatCount(fill)}, remaining ${formatCount(remaining)}`;
    return this.#move(this.#current(id), event, why, 'exchange');
  }

  #createRejected(id: string, error: KalshiHttpError): TrackedOrder {
    if (error.status === 409) {
      // "Already exists": an order with this id is at the exchange. Not a rejection; look it up.
      return this.#createUnknown(id, `exchange says the client_order_id exists: ${httpReason(error)}`);
    }
    this.#stats.rejected += 1;
    const reason = `rejected: ${httpReason(error)}`;
    const refusal = refusalOf(error);
    if (refusal === 'rate_limited') {
      // Kalshi sends no Retry-After: back off exponentially until a create is accepted again.
      this.#stats.rateLimited += 1;
      this.#backoffMs = Math.min(
        Math.max(RATE_LIMIT_BACKOFF_MS.first, this.#backoffMs * 2),
        RATE_LIMIT_BACKOFF_MS.max,
      );
      this.#backoffUntil = this.#clock() + this.#backoffMs;
    } else if (refusal === 'post_only_cross') {
      this.#stats.postOnlyCrosses += 1;
    }
    return this.#move(this.#current(id), 'REJECTED', reason, 'exchange', {
      reason,
      ...(refusal ? { refusal } : {}),
    });
  }

  /** Milliseconds until the order path may send again after a 429 (0 when it may now). */
  backoffRemaining(now: number = this.#clock()): number {
    return Math.max(0, this.#backoffUntil - now);
  }

  #createUnknown(id: string, reason: string): TrackedOrder {
    const before = this.#current(id);
    if (before.status !== 'submitting') {
      // A report or fill already settled it while the answer was being lost: keep what we know.
      return this.#move(before, 'OUTCOME_UNKNOWN', reason, 'exchange');
    }
    this.#stats.unknown += 1;
    this.#metaOf(id).unknownSince = this.#clock();
    return this.#move(before, 'OUTCOME_UNKNOWN', reason, 'exchange', { reason });
  }

  // --- unknowns ---------------------------------------------------------------------------------

  /**
   * Looks every unknown order up at the exchange (by ticker, matched on client_order_id or order
   * id). Found → adopts the exchange's status. Not found and unknown for at least the grace period →
   * rejected. Orders whose cancel outcome is unknown are looked up the same way.
   */
  async resolveUnknowns(): Promise<ResolveUnknownsResult> {
    const result: ResolveUnknownsResult = { resolved: 0, rejectedAfterGrace: 0, stillUnknown: 0, errors: [] };
    const pending = [...this.#orders.values()].filter(
      (o) =>
        o.status === 'unknown' ||
        (o.status === 'canceling' && this.#metaOf(o.clientOrderId).cancelUnknownSince !== undefined),
    );
    const tickers = [...new Set(pending.map((o) => o.intent.ticker))];
    for (const ticker of tickers) {
      let seen: ExchangeOrder[];
      try {
        seen = await this.#listOrders({ ticker });
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
        const now = this.#clock();
        const meta = this.#metaOf(id);
        if (order.status === 'canceling') {
          if (found) this.#applyReport(found, 'lookup after an unknown cancel outcome');
          const after = this.#current(id);
          if (
            after.status === 'canceling' &&
            found?.status === 'resting' &&
            now - (meta.cancelUnknownSince ?? now) >= this.#graceMs
          ) {
            // Still resting well after a cancel of unknown outcome: the cancel did not take.
            this.#move(
              after,
              'CANCEL_REJECTED',
              'cancel did not take: still resting after grace',
              'exchange',
            );
          }
          continue;
        }
        if (found) {
          this.#applyReport(found, 'lookup of an unknown order');
          if (this.#current(id).status !== 'unknown') result.resolved += 1;
          else result.stillUnknown += 1;
        } else if (now - (meta.unknownSince ?? order.updatedMs) >= this.#graceMs) {
          this.#stats.rejected += 1;
          const reason = 'not at the exchange after grace period';
          this.#move(this.#current(id), 'NOT_FOUND_AFTER_GRACE', reason, 'exchange', { reason });
          result.rejectedAfterGrace += 1;
        } else {
          result.stillUnknown += 1;
        }
      }
    }
    this.#flushParkedIfNoneInFlight();
    return result;
  }

  // --- cancels ----------------------------------------------------------------------------------

  /**
   * Cancels one resting order. Terminal and already-canceling orders are returned as they are.
   * The answer decides: removed something → canceled; nothing left → the order is looked up;
   * refused → resting again; unknown → stays canceling until a report or resolveUnknowns settles it.
   */
  async cancel(clientOrderId: string): Promise<TrackedOrder> {
    const order = this.#orders.get(clientOrderId);
    if (!order)
      throw new OrderServiceError(
        'ORDER_UNKNOWN_CLIENT_ID',
        `no tracked order has client_order_id ${clientOrderId}`,
      );
    if (isTerminal(order.status) || order.status === 'canceling') return order;
    if (order.status !== 'resting' || order.orderId === undefined) {
      throw new OrderServiceError(
        'ORDER_NOT_CANCELABLE',
        `order ${clientOrderId} is ${order.status} with no order id yet; resolve it first (resolveUnknowns / adopt)`,
      );
    }
    const orderId = order.orderId;
    this.#stats.cancelsRequested += 1;
    this.#move(order, 'CANCEL_REQUESTED', 'cancel requested', 'local');
    const r = await this.#rest.cancelOrderV2(orderId).catch(threwUnknown);
    switch (r.outcome) {
      case 'accepted': {
        let reduced: Count;
        try {
          reduced = parseCount(r.value.reduced_by, 'reduced_by');
        } catch {
          reduced = 0;
        }
        if (reduced > 0) {
          this.#move(
            this.#current(clientOrderId),
            'CANCEL_CONFIRMED',
            `cancel removed ${formatCount(reduced)}`,
            'exchange',
          );
        } else {
          await this.#settleCancelThatFoundNothing(clientOrderId, orderId, 'cancel removed nothing');
        }
        break;
      }
      case 'rejected':
        if (r.error.status === 404) {
          await this.#settleCancelThatFoundNothing(clientOrderId, orderId, `cancel: ${httpReason(r.error)}`);
        } else {
          this.#move(
            this.#current(clientOrderId),
            'CANCEL_REJECTED',
            `cancel rejected: ${httpReason(r.error)}`,
            'exchange',
          );
        }
        break;
      case 'not_sent':
        this.#move(
          this.#current(clientOrderId),
          'CANCEL_REJECTED',
          `cancel not sent: ${r.error.message}`,
          'exchange',
        );
        break;
      case 'unknown':
        this.#metaOf(clientOrderId).cancelUnknownSince = this.#clock();
        this.#move(
          this.#current(clientOrderId),
          'CANCEL_OUTCOME_UNKNOWN',
          `cancel outcome unknown: ${r.error.message}`,
          'exchange',
        );
        break;
    }
    return this.#current(clientOrderId);
  }

  /** A cancel found nothing to cancel (reduced_by 0, or 404): ask the exchange what became of it. */
  async #settleCancelThatFoundNothing(clientOrderId: string, orderId: string, why: string): Promise<void> {
    let report: ExchangeOrder | undefined;
    try {
      report = orderFromRest((await this.#rest.getOrder(orderId)).order);
    } catch {
      report = undefined;
    }
    if (report && report.status !== 'resting') {
      this.#applyReport(report, `${why}; lookup says ${report.status}`);
      return;
    }
    const order = this.#current(clientOrderId);
    if (order.status === 'canceling') {
      this.#move(
        order,
        'CANCEL_REJECTED',
        `${why}; ${report ? 'lookup says still resting' : 'lookup failed'}`,
        'exchange',
      );
    }
  }

  /**
   * Cancels every resting order at the exchange (or one ticker's): DELETE /portfolio/events/orders
   * first (only without a ticker: it has no ticker filter), then batch cancels of what the exchange
   * reports resting, then single cancels for batch items that failed. Re-reads resting orders at
   * the end and settles our records from what it sees.
   */
  async cancelAll(opts: { ticker?: string } = {}): Promise<CancelAllResult> {
    const filter: OrdersFilter = { status: 'resting', ...(opts.ticker ? { ticker: opts.ticker } : {}) };
    let before: ExchangeOrder[];
    try {
      before = await this.#listOrders(filter);
    } catch (e) {
      // Cannot see what rests: the account-wide cancel is all we can do; then report what remains.
      if (opts.ticker) throw e;
      const r = await this.#rest.cancelAllOrders().catch(threwUnknown);
      if (r.outcome !== 'accepted') throw e;
      const after = await this.#listOrders(filter);
      for (const o of after) this.#applyReport(o, 'still resting after cancel-all');
      const stillResting = new Set(after.map((o) => o.orderId));
      let canceled = 0;
      for (const ours of this.open()) {
        if (ours.orderId === undefined || stillResting.has(ours.orderId)) continue;
        if (ours.status !== 'resting' && ours.status !== 'canceling') continue;
        await this.#settleGone(ours);
        if (this.#current(ours.clientOrderId).status === 'canceled') canceled += 1;
      }
      // Only our own orders can be counted: the exchange's list before the cancel was unreadable.
      return { canceled, failed: after.length, method: 'cancel_all', remaining: after.length };
    }
    for (const o of before) this.#applyReport(o, 'resting at the exchange before cancel-all');
    for (const o of before) {
      const ours = this.#find(o);
      if (ours?.status === 'resting') {
        this.#stats.cancelsRequested += 1;
        this.#move(ours, 'CANCEL_REQUESTED', 'cancel-all requested', 'local');
      }
    }

    let method: CancelAllResult['method'] = 'batch';
    let done = false;
    if (!opts.ticker) {
      const r = await this.#rest.cancelAllOrders().catch(threwUnknown);
      if (r.outcome === 'accepted') {
        method = 'cancel_all';
        done = true;
      }
    }
    if (!done && before.length > 0) method = await this.#batchCancel(before.map((o) => o.orderId));

    const after = await this.#listOrders(filter);
    const stillResting = new Set(after.map((o) => o.orderId));
    for (const o of after) this.#applyReport(o, 'still resting after cancel-all');
    for (const o of before) {
      if (stillResting.has(o.orderId)) {
        const ours = this.#find(o);
        if (ours?.status === 'canceling')
          this.#move(ours, 'CANCEL_REJECTED', 'still resting after cancel-all', 'exchange');
        continue;
      }
      const ours = this.#find(o);
      if (ours) await this.#settleGone(ours);
    }
    const failed = before.filter((o) => stillResting.has(o.orderId)).length;
    return { canceled: before.length - failed, failed, method, remaining: after.length };
  }

  /** Batches of ≤ 20; items that errored (and whole batches that were not accepted) go one by one. */
  async #batchCancel(orderIds: string[]): Promise<'batch' | 'single'> {
    let anyBatchAccepted = false;
    const singles: string[] = [];
    for (let i = 0; i < orderIds.length; i += MAX_BATCH_CANCEL) {
      const chunk = orderIds.slice(i, i + MAX_BATCH_CANCEL);
      const r = await this.#rest
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
      await this.#rest.cancelOrderV2(id).catch(() => undefined);
    }
    return anyBatchAccepted ? 'batch' : 'single';
  }

  /** An order that was resting before cancel-all and is not any more: learn its final state. */
  async #settleGone(ours: TrackedOrder): Promise<void> {
    if (isTerminal(ours.status) || ours.orderId === undefined) return;
    try {
      const report = orderFromRest((await this.#rest.getOrder(ours.orderId)).order);
      this.#applyReport(report, 'after cancel-all');
    } catch (e) {
      // Left canceling; a report or resolveUnknowns settles it.
      this.#metaOf(ours.clientOrderId).cancelUnknownSince ??= this.#clock();
      this.#note(ours.clientOrderId, `cancel-all: could not read final state: ${errorText(e)}`);
    }
  }

  // --- calibration ------------------------------------------------------------------------------

  /**
   * Takes the exchange's view at calibration: orders are matched on client_order_id or order id
   * (resolving submitting/unknown ones); orders we have no record of are tracked with strategy
   * 'adopted'; fills are applied with dedupe.
   */
  adopt(exchangeOrders: readonly ExchangeOrder[], fills: readonly ExchangeFill[]): AdoptResult {
    const anomaliesBefore = this.#stats.anomalies;
    const result: AdoptResult = {
      matched: 0,
      adopted: 0,
      resolved: 0,
      fillsApplied: 0,
      fillsDuplicate: 0,
      fillsForeign: 0,
      anomalies: 0,
    };
    for (const o of exchangeOrders) {
      const ours = this.#find(o);
      if (ours) {
        result.matched += 1;
        const wasInFlight = ours.status === 'submitting' || ours.status === 'unknown';
        this.#applyReport(o, 'calibration');
        const now = this.#current(ours.clientOrderId).status;
        if (wasInFlight && now !== 'submitting' && now !== 'unknown') result.resolved += 1;
      } else {
        this.#adoptForeign(o);
        result.adopted += 1;
      }
    }
    for (const f of fills) {
      const outcome = this.#ingestFill(f);
      if (outcome === 'applied') result.fillsApplied += 1;
      else if (outcome === 'duplicate') result.fillsDuplicate += 1;
      else if (outcome === 'foreign') result.fillsForeign += 1;
    }
    this.#flushParkedIfNoneInFlight();
    result.anomalies = this.#stats.anomalies - anomaliesBefore;
    return result;
  }

  #adoptForeign(o: ExchangeOrder): void {
    const clientOrderId = o.clientOrderId !== '' ? o.clientOrderId : `adopted:${o.orderId}`;
    const now = this.#clock();
    const intent: OrderIntent = {
      ticker: o.ticker,
      bookSide: o.bookSide,
      yesPrice: o.yesPrice,
      count: o.initialCount,
      // Not reported by the exchange; a resting order behaves as good-till-canceled.
      timeInForce: 'good_till_canceled',
      strategy: ADOPTED_STRATEGY,
      reason: 'found at the exchange with no local record (previous run or placed by hand)',
    };
    // It starts as unknown (we know nothing of it but the report), then the report moves it.
    const order: TrackedOrder = {
      clientOrderId,
      orderId: o.orderId,
      intent,
      status: 'unknown',
      fillCount: 0,
      fillNotional: 0,
      fees: 0,
      createdMs: o.createdMs || now,
      updatedMs: now,
      history: [{ status: 'unknown', at: now, why: 'adopted from the exchange' }],
    };
    this.#orders.set(clientOrderId, order);
    this.#byOrderId.set(o.orderId, clientOrderId);
    this.#move(order, REPORT_EVENT[o.status], `adopted: exchange says ${o.status}`, 'exchange');
    this.#drainParked(o.orderId);
  }

  // --- maker → taker ----------------------------------------------------------------------------

  /**
   * Drives maker→taker conversion: each post-only order resting for at least `afterMs` is canceled;
   * once the cancel is confirmed its remaining count goes out as an IOC order at the opposite best.
   */
  async tick(now: number = this.#clock()): Promise<void> {
    const m2t = this.#makerToTaker;
    if (!m2t) return;
    const due = [...this.#orders.values()].filter((o) => {
      const meta = this.#metaOf(o.clientOrderId);
      return (
        o.status === 'resting' &&
        o.intent.postOnly === true &&
        !meta.converting &&
        meta.restingSince !== undefined &&
        now - meta.restingSince >= m2t.afterMs
      );
    });
    await Promise.all(
      due.map(async (o) => {
        this.#metaOf(o.clientOrderId).converting = true;
        try {
          await this.cancel(o.clientOrderId);
        } catch (e) {
          this.#metaOf(o.clientOrderId).converting = false;
          this.#note(o.clientOrderId, `maker→taker cancel failed: ${errorText(e)}`);
        }
        // The conversion itself starts from #afterChange once the order is canceled.
      }),
    );
    await this.idle();
  }

  async #convertToTaker(maker: TrackedOrder): Promise<void> {
    const m2t = this.#makerToTaker;
    if (!m2t) return;
    const remaining = maker.intent.count - maker.fillCount;
    if (remaining <= 0) return;
    const quote = m2t.quote(maker.intent.ticker);
    const price = maker.intent.bookSide === 'bid' ? quote?.yesAsk : quote?.bestYesBid;
    if (price === undefined) {
      this.#setReason(maker.clientOrderId, 'maker→taker: no opposite quote; remainder not sent');
      return;
    }
    this.#stats.makerToTakerConversions += 1;
    const taker = await this.submit({
      ...maker.intent,
      count: remaining,
      yesPrice: price,
      timeInForce: 'immediate_or_cancel',
      postOnly: false,
      reason: `maker_to_taker:${maker.clientOrderId}`,
    });
    this.#setReason(maker.clientOrderId, `converted to taker ${taker.clientOrderId}`);
  }

  // --- ingest -----------------------------------------------------------------------------------

  #ingestFill(fill: ExchangeFill): 'applied' | 'duplicate' | 'parked' | 'foreign' {
    if (this.#seenFills.has(fill.fillId)) {
      this.#stats.duplicateFills += 1;
      return 'duplicate';
    }
    const byClient = fill.clientOrderId !== undefined ? this.#orders.get(fill.clientOrderId) : undefined;
    const ours = byClient ?? this.getByOrderId(fill.orderId);
    if (ours) {
      this.#applyFill(ours.clientOrderId, fill);
      return 'applied';
    }
    const mayBeOurs = fill.clientOrderId === undefined && this.#anyWithoutOrderId();
    if (mayBeOurs) {
      const list = this.#parked.get(fill.orderId) ?? [];
      if (list.some((f) => f.fillId === fill.fillId)) {
        this.#stats.duplicateFills += 1;
        return 'duplicate';
      }
      list.push(fill);
      this.#parked.set(fill.orderId, list);
      this.#trimParked();
      return 'parked';
    }
    this.#stats.foreignFills += 1;
    return 'foreign';
  }

  #applyFill(clientOrderId: string, fill: ExchangeFill): void {
    this.#seenFills.add(fill.fillId);
    this.#stats.fills += 1;
    const before = this.#current(clientOrderId);
    if (before.orderId === undefined) this.#adoptOrderId(clientOrderId, fill.orderId);
    const base = this.#current(clientOrderId);
    const fillCount = base.fillCount + fill.count;
    const updated: TrackedOrder = {
      ...base,
      fillCount,
      fillNotional: base.fillNotional + notional(fill.count, fill.yesPrice),
      fees: base.fees + fill.fee,
      updatedMs: this.#clock(),
    };
    if (fillCount > base.intent.count) {
      this.#anomaly(
        clientOrderId,
        `fills total ${formatCount(fillCount)}, more than the order's ${formatCount(base.intent.count)}`,
      );
    }
    this.#orders.set(clientOrderId, updated);
    const event: OrderEvent = fillCount >= base.intent.count ? 'FILLED_COMPLETELY' : 'FILLED_PARTIALLY';
    const why = `filled ${formatCount(fill.count)} @ ${formatPrice(fill.yesPrice)} (fill ${fill.fillId})`;
    const moved = this.#move(updated, event, why, 'exchange');
    // #move emits only when the status changed or the move was legal; make sure the fill is visible.
    if (moved === updated) this.#emit(updated);
  }

  /** Applies a report to our order; false when it is not ours. */
  #applyReport(report: ExchangeOrder, source: string): boolean {
    const ours = this.#find(report);
    if (!ours) return false;
    if (ours.orderId !== undefined && ours.orderId !== report.orderId) {
      this.#anomaly(
        ours.clientOrderId,
        `${source} names order id ${report.orderId} for ${ours.clientOrderId}, we recorded ${ours.orderId}`,
      );
      return true;
    }
    if (ours.orderId === undefined) this.#adoptOrderId(ours.clientOrderId, report.orderId);
    const current = this.#current(ours.clientOrderId);
    const why = `${source}: ${report.status}, filled ${formatCount(report.fillCount)}, remaining ${formatCount(report.remainingCount)}`;
    this.#move(current, REPORT_EVENT[report.status], why, 'exchange');
    this.#flushParkedIfNoneInFlight();
    return true;
  }

  #find(o: { clientOrderId: string; orderId: string }): TrackedOrder | undefined {
    return (
      (o.clientOrderId !== '' ? this.#orders.get(o.clientOrderId) : undefined) ?? this.getByOrderId(o.orderId)
    );
  }

  /**
   * Calibration: orders we hold as resting that the exchange no longer lists as resting (canceled
   * or filled while our socket was down, or before a crash, with the news lost) are looked up one
   * by one and take the exchange's final state. Returns how many were settled.
   */
  async settleMissing(exchangeResting: readonly ExchangeOrder[]): Promise<number> {
    const stillResting = new Set(exchangeResting.map((o) => o.orderId));
    let settled = 0;
    for (const ours of this.open()) {
      if (ours.status !== 'resting' || ours.orderId === undefined || stillResting.has(ours.orderId)) continue;
      try {
        const report = orderFromRest((await this.#rest.getOrder(ours.orderId)).order);
        this.#applyReport(report, 'calibration: no longer resting at the exchange');
        if (this.#current(ours.clientOrderId).status !== 'resting') settled += 1;
      } catch (e) {
        this.#note(ours.clientOrderId, `calibration: could not read its state: ${errorText(e)}`);
      }
    }
    return settled;
  }

  // --- restart recovery -----------------------------------------------------------------------

  /**
   * Takes back the orders an earlier run recorded (write-ahead) that may still be live, and the ids
   * of the fills already counted in them. An order whose send outcome was never learned (created
   * or submitting when the process died) becomes unknown: calibration resolves it by
   * client_order_id, and after the grace period an order the exchange never saw is rejected. A
   * restored order is never sent again.
   */
  restore(orders: readonly TrackedOrder[], countedFillIds: Iterable<string>): number {
    for (const id of countedFillIds) this.#seenFills.add(id);
    let restored = 0;
    for (const recorded of orders) {
      const id = recorded.clientOrderId;
      if (this.#orders.has(id)) continue;
      const now = this.#clock();
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
      const meta = this.#metaOf(id);
      if (order.status === 'unknown') meta.unknownSince = now;
      if (order.status === 'resting') meta.restingSince = now;
      if (order.status === 'canceling') meta.cancelUnknownSince = now;
      this.#orders.set(id, order);
      if (order.orderId !== undefined) this.#byOrderId.set(order.orderId, id);
      restored += 1;
      if (order !== recorded) this.#emit(order);
    }
    return restored;
  }

  // --- state machinery --------------------------------------------------------------------------

  #create(intent: OrderIntent): TrackedOrder {
    const id = this.#newId();
    if (!CLIENT_ORDER_ID_PATTERN.test(id) || this.#orders.has(id)) {
      throw new OrderServiceError(
        'ORDER_BAD_CLIENT_ID',
        `client_order_id ${JSON.stringify(id)} is invalid or already used`,
      );
    }
    const now = this.#clock();
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
    return order;
  }

  /**
   * Moves an order through the lifecycle table. `local` events come from our own sequencing: an
   * illegal one is a bug and throws. `exchange` events carry the exchange's news: an illegal one
   * contradicts our record, is not applied, and is counted as an anomaly.
   */
  #move(
    order: TrackedOrder,
    event: OrderEvent,
    why: string,
    source: 'local' | 'exchange',
    extra: { reason?: string; refusal?: OrderRefusal } = {},
  ): TrackedOrder {
    const next = transition(order.status, event);
    if (next instanceof LifecycleError) {
      if (source === 'local') throw next;
      this.#anomaly(order.clientOrderId, `${next.message} — ${why}`);
      return order;
    }
    const now = this.#clock();
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
    if (changed) this.#afterChange(updated, order.status);
    this.#emit(updated);
    if (changed && (order.status === 'submitting' || order.status === 'unknown')) {
      this.#flushParkedIfNoneInFlight();
    }
    return updated;
  }

  #afterChange(order: TrackedOrder, from: OrderLifecycleStatus): void {
    const meta = this.#metaOf(order.clientOrderId);
    if (order.status === 'resting' && from !== 'canceling') meta.restingSince ??= this.#clock();
    if (order.status !== 'canceling') meta.cancelUnknownSince = undefined;
    if (order.status !== 'unknown') meta.unknownSince = undefined;
    if (meta.converting && order.status !== 'canceling') {
      meta.converting = false;
      if (order.status === 'canceled') this.#track(this.#convertToTaker(order));
    }
  }

  #track(p: Promise<void>): void {
    const guarded = p.catch((e: unknown) => {
      this.#anomaly(undefined, `background work failed: ${errorText(e)}`);
    });
    this.#inFlight.add(guarded);
    void guarded.finally(() => this.#inFlight.delete(guarded));
  }

  #adoptOrderId(clientOrderId: string, orderId: string): void {
    const order = this.#current(clientOrderId);
    if (order.orderId === orderId) return;
    if (order.orderId !== undefined) {
      this.#anomaly(clientOrderId, `exchange names order id ${orderId}, we recorded ${order.orderId}`);
      return;
    }
    const updated: TrackedOrder = { ...order, orderId, updatedMs: this.#clock() };
    this.#orders.set(clientOrderId, updated);
    this.#byOrderId.set(orderId, clientOrderId);
    this.#drainParked(orderId);
  }

  #drainParked(orderId: string): void {
    const parked = this.#parked.get(orderId);
    if (!parked) return;
    this.#parked.delete(orderId);
    for (const fill of parked) this.#ingestFill(fill);
  }

  /** With no order of ours lacking an order id, parked fills cannot be ours: count them as foreign. */
  #flushParkedIfNoneInFlight(): void {
    if (this.#parked.size === 0 || this.#anyWithoutOrderId()) return;
    for (const list of this.#parked.values()) this.#stats.foreignFills += list.length;
    this.#parked.clear();
  }

  #anyWithoutOrderId(): boolean {
    for (const o of this.#orders.values()) {
      if (o.orderId === undefined && (o.status === 'submitting' || o.status === 'unknown')) return true;
    }
    return false;
  }

  #parkedCount(): number {
    let n = 0;
    for (const list of this.#parked.values()) n += list.length;
    return n;
  }

  #trimParked(): void {
    while (this.#parkedCount() > this.#maxParked) {
      const oldest = this.#parked.keys().next();
      if (oldest.done) return;
      const list = this.#parked.get(oldest.value) ?? [];
      list.shift();
      this.#stats.foreignFills += 1;
      if (list.length === 0) this.#parked.delete(oldest.value);
    }
  }

  async #listOrders(filter: OrdersFilter): Promise<ExchangeOrder[]> {
    const out: ExchangeOrder[] = [];
    for await (const raw of paginate(async (cursor) => {
      const r = await this.#rest.getOrders({ ...filter, ...(cursor ? { cursor } : {}) });
      return { items: r.orders, cursor: r.cursor };
    })) {
      try {
        out.push(orderFromRest(raw));
      } catch (e) {
        this.#anomaly(undefined, `unreadable order from the exchange: ${errorText(e)}`);
      }
    }
    return out;
  }

  #setReason(clientOrderId: string, reason: string): void {
    const order = this.#current(clientOrderId);
    const updated: TrackedOrder = { ...order, reason, updatedMs: this.#clock() };
    this.#orders.set(clientOrderId, updated);
    this.#emit(updated);
  }

  /** A remark on an order that does not change its status (kept in `reason`). */
  #note(clientOrderId: string, text: string): void {
    this.#setReason(clientOrderId, text);
  }

  #anomaly(clientOrderId: string | undefined, message: string): void {
    this.#stats.anomalies += 1;
    this.#anomalies.push({ at: this.#clock(), ...(clientOrderId ? { clientOrderId } : {}), message });
    if (this.#anomalies.length > MAX_ANOMALIES_KEPT) this.#anomalies.shift();
  }

  #current(clientOrderId: string): TrackedOrder {
    const o = this.#orders.get(clientOrderId);
    if (!o)
      throw new OrderServiceError(
        'ORDER_UNKNOWN_CLIENT_ID',
        `no tracked order has client_order_id ${clientOrderId}`,
      );
    return o;
  }

  #metaOf(clientOrderId: string): OrderMeta {
    let m = this.#meta.get(clientOrderId);
    if (!m) {
      m = {};
      this.#meta.set(clientOrderId, m);
    }
    return m;
  }

  #emit(order: TrackedOrder): void {
    this.#bus.emit('order.changed', order);
  }
}
