/**
 * Order entry: an intent becomes one order at the exchange.
 *
 *  - Every order gets a fresh client_order_id and is recorded, then handed to the write-ahead hook,
 *    BEFORE the one create request. It goes in the trader's order group when one is known.
 *  - Three outcomes: denied (refused locally / never sent), rejected (the exchange's 4xx proves it
 *    was not placed), unknown (timeout, 5xx, network after send). An unknown order is never re-sent,
 *    under its id or a new one; a report, a fill or a lookup resolves it.
 *  - A 429 is not an order error: the order path backs off (doubling, capped) until a create is
 *    accepted again. A post-only order that would have crossed is not an order error either.
 * The wire request is built by the Kalshi adapter (src/kalshi/order-body.ts) from a domain
 * OrderRequest.
 */

import { pausePoint } from '../../chaos/pause-point.js';
import type {
  BookSide,
  OrderIntent,
  OrderPlacement,
  OrderRefusal,
  OrderRequest,
  SelfTradePrevention,
  TimeInForce,
  TrackedOrder,
} from '../../domain/index.js';
import { MAX_LIMIT_PRICE, MIN_LIMIT_PRICE } from '../../domain/index.js';
import { createOrderBody, formatCount, type KalshiHttpError, placementFromRest } from '../../kalshi/index.js';
import type { OrderEvent } from '../order-lifecycle.js';
import type { FillIngest } from './ingest.js';
import { httpReason, type OrderRestPort } from './ports.js';
import type { OrderStore } from './store.js';
import { errorText, RATE_LIMIT_BACKOFF_MS } from './types.js';

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

export interface OrderEntryDeps {
  readonly store: OrderStore;
  readonly ingest: FillIngest;
  readonly rest: OrderRestPort;
  readonly newId: () => string;
  readonly beforeSend: ((order: TrackedOrder) => Promise<void>) | undefined;
  readonly selfTradePrevention: SelfTradePrevention;
  readonly orderGroupId: () => string | undefined;
}

export class OrderEntry {
  /** The order path's 429 backoff: current step and when sending may resume. */
  #backoffMs = 0;
  #backoffUntil = 0;

  constructor(private readonly deps: OrderEntryDeps) {}

  /** Records an order the RiskController refused; it is never sent. */
  deny(intent: OrderIntent, reason: string): TrackedOrder {
    const { store } = this.deps;
    const created = store.create(this.deps.newId(), intent);
    store.stats.denied += 1;
    return store.move(created, 'DENIED', `denied: ${reason}`, 'local', { reason });
  }

  /** Milliseconds until the order path may send again after a 429 (0 when it may now). */
  backoffRemaining(now: number): number {
    return Math.max(0, this.#backoffUntil - now);
  }

  async submit(intent: OrderIntent, signal?: AbortSignal): Promise<TrackedOrder> {
    const { store } = this.deps;
    const problem = intentProblem(intent);
    if (problem !== undefined) return this.deny(intent, `invalid intent: ${problem}`);

    const created = store.create(this.deps.newId(), intent);
    store.emit(created);
    const id = created.clientOrderId;
    if (this.deps.beforeSend) {
      try {
        await this.deps.beforeSend(created);
      } catch (e) {
        store.stats.denied += 1;
        const reason = `write-ahead failed: ${errorText(e)}`;
        return store.move(store.current(id), 'DENIED', reason, 'local', { reason });
      }
    }

    if (signal?.aborted === true) {
      // The machine left ACTING (a halt) while the write-ahead ran: nothing goes out.
      store.stats.denied += 1;
      const reason = 'abandoned: the machine stopped this intent before the send';
      return store.move(store.current(id), 'DENIED', reason, 'local', { reason });
    }
    await pausePoint('order.send', id); // test-only (src/chaos/pause-point.ts): kill -9 after the write-ahead
    store.move(store.current(id), 'SENT', 'create request sent', 'local');
    store.stats.submitted += 1;
    let result: Awaited<ReturnType<OrderRestPort['createOrderV2']>>;
    try {
      result = await this.deps.rest.createOrderV2(createOrderBody(this.request(id, intent)));
    } catch (e) {
      // The client never throws for writes; if it did we cannot know whether it left: unknown.
      return this.#unknown(id, `create threw: ${errorText(e)}`);
    }
    return this.#answered(id, result);
  }

  /** The domain order for one intent: its terms, our id, our order group. */
  request(clientOrderId: string, intent: OrderIntent): OrderRequest {
    const group = this.deps.orderGroupId();
    return {
      clientOrderId,
      ticker: intent.ticker,
      bookSide: intent.bookSide,
      yesPrice: intent.yesPrice,
      count: intent.count,
      timeInForce: intent.timeInForce,
      postOnly: intent.postOnly === true,
      reduceOnly: intent.reduceOnly === true,
      selfTradePrevention: this.deps.selfTradePrevention,
      ...(group !== undefined ? { orderGroupId: group } : {}),
    };
  }

  #answered(id: string, result: Awaited<ReturnType<OrderRestPort['createOrderV2']>>): TrackedOrder {
    const { store } = this.deps;
    switch (result.outcome) {
      case 'accepted': {
        store.stats.accepted += 1;
        this.#backoffMs = 0;
        store.learnOrderId(id, result.value.order_id);
        let placed: OrderPlacement;
        try {
          placed = placementFromRest(result.value);
        } catch (e) {
          // Placed (2xx, order id known) but the counts are unreadable: let a lookup settle its status.
          return this.#unknown(id, `accepted as ${result.value.order_id} but ${errorText(e)}`);
        }
        return this.#accepted(id, placed);
      }
      case 'rejected':
        return this.#rejected(id, result.error);
      case 'unknown':
        return this.#unknown(id, `outcome unknown: ${result.error.message}`);
      case 'not_sent': {
        store.stats.denied += 1;
        const reason = `not sent: ${result.error.message}`;
        return store.move(store.current(id), 'NOT_SENT', reason, 'exchange', { reason });
      }
    }
  }

  #accepted(id: string, placed: OrderPlacement): TrackedOrder {
    const { store } = this.deps;
    const intent = store.current(id).intent;
    const { fillCount: fill, remainingCount: remaining } = placed;
    const event: OrderEvent =
      remaining > 0 ? 'ACCEPTED_RESTING' : fill >= intent.count ? 'ACCEPTED_EXECUTED' : 'ACCEPTED_CANCELED';
    const why = `accepted as ${placed.orderId}: filled ${formatCount(fill)}, remaining ${formatCount(remaining)}`;
    const moved = store.move(store.current(id), event, why, 'exchange');
    // The answer says what filled at once: fills it names that no frame brought are read back.
    this.deps.ingest.filledCountReported(id, fill);
    return moved;
  }

  #rejected(id: string, error: KalshiHttpError): TrackedOrder {
    const { store } = this.deps;
    if (error.status === 409) {
      // "Already exists": an order with this id is at the exchange. Not a rejection; look it up.
      return this.#unknown(id, `exchange says the client_order_id exists: ${httpReason(error)}`);
    }
    store.stats.rejected += 1;
    const reason = `rejected: ${httpReason(error)}`;
    const refusal = refusalOf(error);
    if (refusal === 'rate_limited') {
      // Kalshi sends no Retry-After: back off exponentially until a create is accepted again.
      store.stats.rateLimited += 1;
      this.#backoffMs = Math.min(
        Math.max(RATE_LIMIT_BACKOFF_MS.first, this.#backoffMs * 2),
        RATE_LIMIT_BACKOFF_MS.max,
      );
      this.#backoffUntil = store.clock() + this.#backoffMs;
    } else if (refusal === 'post_only_cross') {
      store.stats.postOnlyCrosses += 1;
    }
    return store.move(store.current(id), 'REJECTED', reason, 'exchange', {
      reason,
      ...(refusal ? { refusal } : {}),
    });
  }

  #unknown(id: string, reason: string): TrackedOrder {
    const { store } = this.deps;
    const before = store.current(id);
    if (before.status !== 'submitting') {
      // A report or fill already settled it while the answer was being lost: keep what we know.
      return store.move(before, 'OUTCOME_UNKNOWN', reason, 'exchange');
    }
    store.stats.unknown += 1;
    store.metaOf(id).unknownSince = store.clock();
    return store.move(before, 'OUTCOME_UNKNOWN', reason, 'exchange', { reason });
  }
}
