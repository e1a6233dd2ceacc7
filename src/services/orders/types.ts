/**
 * The OrderService's public vocabulary: its options, errors, counters and results, and the
 * client_order_id rules. Shared by the modules of src/services/orders/ and re-exported by
 * src/services/order-service.ts.
 */
import { randomBytes } from 'node:crypto';
import type { EventBus } from '../../bus.js';
import type { SelfTradePrevention, TrackedOrder } from '../../domain/index.js';
import type { OrderRestPort } from './ports.js';

export type { SelfTradePrevention } from '../../domain/index.js';

export interface OrderServiceDeps {
  readonly rest: OrderRestPort;
  readonly bus: EventBus;
  readonly clock: () => number;
  readonly newClientOrderId?: () => string;
  /** Write-ahead: commit the order and its client_order_id before it is sent; throwing denies it. */
  readonly beforeSend?: (order: TrackedOrder) => Promise<void>;
  /** How long an unknown order may be missing at the exchange before it counts as rejected. */
  readonly unknownGraceMs?: number;
  /** How long a terminal order is kept in memory (store.ts; default 15 minutes, at least 1 s). */
  readonly terminalRetentionMs?: number;
  readonly selfTradePrevention?: SelfTradePrevention;
  /** The trader's order group (the exchange-side kill switch): every order created goes in it. */
  readonly orderGroupId?: () => string | undefined;
  /** Most fills parked (waiting for their order id to become known) at once; oldest dropped. */
  readonly maxParkedFills?: number;
  /**
   * Filled-count gap: when the exchange says an order filled more than the fills we hold, wait
   * this long for the fill frames in flight, then read that order's fills by REST (default 250 ms).
   */
  readonly fillGapWaitMs?: number;
  /** Waits (default: real timers). */
  readonly sleep?: (ms: number) => Promise<void>;
}

export const DEFAULT_UNKNOWN_GRACE_MS = 15_000;
export const DEFAULT_FILL_GAP_WAIT_MS = 250;
/** Kalshi's batch cancel takes at most 20 orders. */
export const MAX_BATCH_CANCEL = 20;
export const DEFAULT_MAX_PARKED_FILLS = 1_000;
export const MAX_ANOMALIES_KEPT = 100;
/** client_order_id as Kalshi accepts it (FIX limits). */
export const CLIENT_ORDER_ID_PATTERN = /^[-\w:+=/]{1,64}$/;
/**
 * "Adopt" has one meaning here: an order on the account that is not ours (its client_order_id is
 * unknown to us) is taken under watch — tracked, counted against exposure, canceled by cancel-all
 * — and flagged ('order.foreignFound'). Adopted orders carry this strategy.
 */
export const ADOPTED_STRATEGY = 'adopted';

/** An order of someone else's we track (see ADOPTED_STRATEGY). */
export function isForeign(order: TrackedOrder): boolean {
  return order.intent.strategy === ADOPTED_STRATEGY;
}

/** The 429 backoff: the first step, doubling up to the cap while creates keep being throttled. */
export const RATE_LIMIT_BACKOFF_MS = { first: 500, max: 16_000 } as const;

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
  /** Order reports for orders that are not ours and not resting (nothing to adopt). */
  foreignReports: number;
  /** Orders that are not ours, adopted (tracked and flagged) since the start. */
  foreignOrders: number;
  /** Fills waiting for their order id to become known. */
  parkedFills: number;
  /** Exchange news that contradicted our record and was not applied. */
  anomalies: number;
  /** Creates answered 429 (not order errors; the order path backs off). */
  rateLimited: number;
  /** Post-only orders the exchange refused because they would have crossed (not order errors). */
  postOnlyCrosses: number;
  /** REST reads of one order's fills because its filled count ran ahead of the fills we held. */
  fillGapFetches: number;
  /** Fills those reads found that no frame had brought. */
  fillGapFillsFound: number;
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

/** What OrderService.reconcile made of the exchange's orders and fills (calibration). */
export interface ReconcileResult {
  /** Exchange orders that matched one of our records. */
  matched: number;
  /** Exchange orders that are not ours, now adopted (tracked with strategy 'adopted', flagged). */
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

/** Ids `tv3-<8 hex, random per factory>-<n>`: unique within a process and across restarts. */
export function createClientOrderIdFactory(session: string = randomBytes(4).toString('hex')): () => string {
  if (!/^[0-9a-z]{1,16}$/i.test(session)) throw new RangeError('session must be 1–16 letters or digits');
  let n = 0;
  return () => {
    n += 1;
    return `tv3-${session}-${n}`;
  };
}

export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
