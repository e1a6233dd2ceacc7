/**
 * The replay's in-process venue: the OrderService's REST port (OrderRestPort) over the recorded
 * books, on the replay's virtual clock. Fills are reported on the bus exactly as the trading
 * client reports the exchange's ('exchange.fillReported', 'exchange.orderReported').
 *
 * Fill rules (what a replay can know from a record of the book alone):
 *  1. An order that crosses when it arrives fills at once, as a taker, at the recorded book's
 *     prices: a bid (buy YES) walks the YES asks (1 − the NO bids) from the best up to its limit, an
 *     ask (sell YES ≡ buy NO) walks the YES bids down to its limit, each level giving at most its
 *     recorded size. Taker fee as the simulator's (src/exchange-sim/fees.ts, quadratic schedule).
 *  2. What is left: immediate_or_cancel → canceled; good_till_canceled → rests at its limit. A
 *     post-only order that would cross is rejected (HTTP 400, as Kalshi and the simulator do).
 *  3. A resting order fills, as a maker at its own limit, when a later recorded book trades
 *     through it: a resting bid at p fills when the YES ask drops to ≤ p (someone offers at or
 *     below our bid), an ask at p when the best YES bid rises to ≥ p — by at most the size
 *     recorded on the crossing levels. Maker fee as the simulator's. Queue position is ignored.
 *  4. Our fills do not change the recorded book (it is what the exchange showed; it is replayed
 *     as recorded). reduce_only is honoured as the exchange does: capped to the position held.
 * Nothing is ever unknown or slow here: every write is answered at once.
 */
import type {
  BatchCancelOrdersV2Request,
  BatchCancelOrdersV2Response,
  CancelOrderV2Response,
  CreateOrderV2Request,
  CreateOrderV2Response,
  GetFillsResponse,
  GetOrderResponse,
  GetOrdersResponse,
} from 'kalshi-typescript';
import type { EventBus } from '../bus.js';
import type { BookSide, Count, Micros, Price } from '../domain/index.js';
import { PRICE_SCALE } from '../domain/index.js';
import { makerFee, takerFee } from '../exchange-sim/fees.js';
import { formatCount, KalshiHttpError, parseCount, parsePrice, type WriteResult } from '../kalshi/index.js';
import type { OrderBook } from '../orderbook/index.js';
import type { OrderRestPort } from '../services/index.js';

interface Resting {
  readonly orderId: string;
  readonly clientOrderId: string;
  readonly ticker: string;
  readonly bookSide: BookSide;
  readonly yesPrice: Price;
  readonly initialCount: Count;
  filled: Count;
  fees: Micros;
  readonly createdMs: number;
}

export interface ReplayVenueDeps {
  readonly bus: EventBus;
  readonly clock: () => number;
  readonly book: (ticker: string) => OrderBook | undefined;
  /** Our signed position (for reduce_only). */
  readonly position: (ticker: string) => Count;
}

const accepted = <T>(value: T): WriteResult<T> => ({ outcome: 'accepted', value, status: 201 });
const rejected = <T>(path: string, status: number, code: string, message: string): WriteResult<T> => ({
  outcome: 'rejected',
  error: new KalshiHttpError({ method: 'POST', path }, status, { error: { code, message } }),
});

export class ReplayVenue implements OrderRestPort {
  private readonly resting = new Map<string, Resting>();
  private nextOrder = 0;
  private nextFill = 0;
  readonly stats = { creates: 0, fills: 0, takerFills: 0, makerFills: 0, rejected: 0 };

  constructor(private readonly deps: ReplayVenueDeps) {}

  /** Crossing levels of the recorded book for an order of `side` at `limit`: [price, size] best first. */
  private crossing(ticker: string, side: BookSide, limit: Price): Array<readonly [Price, Count]> {
    const book = this.deps.book(ticker);
    if (!book) return [];
    const out: Array<readonly [Price, Count]> = [];
    if (side === 'bid') {
      for (const l of book.depth('no', 100)) {
        const ask = PRICE_SCALE - l.price;
        if (ask > limit) break;
        out.push([ask, l.count]);
      }
    } else {
      for (const l of book.depth('yes', 100)) {
        if (l.price < limit) break;
        out.push([l.price, l.count]);
      }
    }
    return out;
  }

  private fill(o: Resting, price: Price, count: Count, taker: boolean): void {
    const fee = taker ? takerFee(count, price) : makerFee(count, price);
    o.filled += count;
    o.fees += fee;
    this.nextFill += 1;
    this.stats.fills += 1;
    if (taker) this.stats.takerFills += 1;
    else this.stats.makerFills += 1;
    this.deps.bus.emit('exchange.fillReported', {
      fillId: `rf-${this.nextFill}`,
      orderId: o.orderId,
      clientOrderId: o.clientOrderId,
      ticker: o.ticker,
      bookSide: o.bookSide,
      yesPrice: price,
      count,
      fee,
      isTaker: taker,
      createdMs: this.deps.clock(),
    });
  }

  private report(o: Resting, status: 'resting' | 'canceled' | 'executed'): void {
    this.deps.bus.emit('exchange.orderReported', {
      orderId: o.orderId,
      clientOrderId: o.clientOrderId,
      ticker: o.ticker,
      bookSide: o.bookSide,
      yesPrice: o.yesPrice,
      status,
      initialCount: o.initialCount,
      fillCount: o.filled,
      remainingCount: status === 'resting' ? o.initialCount - o.filled : 0,
      fees: o.fees,
      createdMs: o.createdMs,
      updatedMs: this.deps.clock(),
    });
  }

  async createOrderV2(req: CreateOrderV2Request): Promise<WriteResult<CreateOrderV2Response>> {
    this.stats.creates += 1;
    const path = '/portfolio/orders';
    const side: BookSide = req.side === 'ask' ? 'ask' : 'bid';
    const limit = parsePrice(req.price, 'price');
    let count = parseCount(req.count, 'count');
    if (req.reduce_only) {
      const held = this.deps.position(req.ticker);
      const reducible = side === 'ask' ? Math.max(0, held) : Math.max(0, -held);
      count = Math.min(count, reducible);
      if (count <= 0) {
        this.stats.rejected += 1;
        return rejected(
          path,
          400,
          'reduce_only_nothing_to_reduce',
          'reduce-only order would increase position',
        );
      }
    }
    const levels = this.crossing(req.ticker, side, limit);
    if (req.post_only && levels.length > 0) {
      this.stats.rejected += 1;
      return rejected(path, 400, 'post_only_cross', 'post-only order would cross');
    }
    this.nextOrder += 1;
    const o: Resting = {
      orderId: `ro-${this.nextOrder}`,
      clientOrderId: req.client_order_id ?? `ro-${this.nextOrder}`,
      ticker: req.ticker,
      bookSide: side,
      yesPrice: limit,
      initialCount: count,
      filled: 0,
      fees: 0,
      createdMs: this.deps.clock(),
    };
    for (const [price, size] of levels) {
      const left = count - o.filled;
      if (left <= 0) break;
      this.fill(o, price, Math.min(left, size), true);
    }
    const remaining = count - o.filled;
    const rests = remaining > 0 && req.time_in_force === 'good_till_canceled';
    if (rests) this.resting.set(o.orderId, o);
    return accepted({
      order_id: o.orderId,
      client_order_id: o.clientOrderId,
      fill_count: formatCount(o.filled),
      remaining_count: formatCount(rests ? remaining : 0),
      ts_ms: this.deps.clock(),
    });
  }

  /** After the recorded book of `ticker` changed: rule 3 for our resting orders there. */
  onBook(ticker: string): void {
    if (this.resting.size === 0) return;
    for (const o of [...this.resting.values()]) {
      if (o.ticker !== ticker) continue;
      let available = 0;
      for (const [, size] of this.crossing(ticker, o.bookSide, o.yesPrice)) available += size;
      if (available <= 0) continue;
      this.fill(o, o.yesPrice, Math.min(available, o.initialCount - o.filled), false);
      if (o.filled >= o.initialCount) {
        this.resting.delete(o.orderId);
        this.report(o, 'executed');
      }
    }
  }

  async cancelOrderV2(orderId: string): Promise<WriteResult<CancelOrderV2Response>> {
    const o = this.resting.get(orderId);
    if (!o) return rejected(`/portfolio/orders/${orderId}`, 404, 'not_found', 'order not found');
    this.resting.delete(orderId);
    this.report(o, 'canceled');
    return accepted({
      order_id: orderId,
      client_order_id: o.clientOrderId,
      reduced_by: formatCount(o.initialCount - o.filled),
      ts_ms: this.deps.clock(),
    });
  }

  async batchCancelOrdersV2(
    req: BatchCancelOrdersV2Request,
  ): Promise<WriteResult<BatchCancelOrdersV2Response>> {
    const ids = (req as { orders?: Array<{ order_id: string }> }).orders?.map((x) => x.order_id) ?? [];
    for (const id of ids) await this.cancelOrderV2(id);
    return accepted({ orders: [] } as unknown as BatchCancelOrdersV2Response);
  }

  async cancelAllOrders(): Promise<WriteResult<void>> {
    for (const id of [...this.resting.keys()]) await this.cancelOrderV2(id);
    return accepted(undefined);
  }

  async getOrders(): Promise<GetOrdersResponse> {
    return { orders: [], cursor: '' } as unknown as GetOrdersResponse;
  }

  /** Every fill is on the bus before the answer that counts it, so a gap fetch finds nothing new. */
  async getFills(): Promise<GetFillsResponse> {
    return { fills: [], cursor: '' } as unknown as GetFillsResponse;
  }

  async getOrder(orderId: string): Promise<GetOrderResponse> {
    throw new KalshiHttpError({ method: 'GET', path: `/portfolio/orders/${orderId}` }, 404, {
      error: { code: 'not_found', message: 'the replay venue answers lookups with 404' },
    });
  }

  /** Resting orders (for the end of a replay). */
  open(): number {
    return this.resting.size;
  }
}
