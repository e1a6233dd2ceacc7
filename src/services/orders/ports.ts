/**
 * The OrderService's road to the exchange: the part of KalshiRestClient it uses (the client
 * satisfies it), and the reads and error wordings every module of the order path shares. Wire
 * shapes become domain values here, through src/kalshi's normalizers.
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
import type { ExchangeFill, ExchangeOrder } from '../../domain/index.js';
import {
  type FillsFilter,
  fillFromRest,
  type KalshiError,
  type KalshiHttpError,
  normalizeError,
  type OrdersFilter,
  orderFromRest,
  paginate,
  type SubaccountParam,
  type WriteResult,
} from '../../kalshi/index.js';

/** The part of KalshiRestClient the OrderService uses (KalshiRestClient satisfies it). */
export interface OrderRestPort {
  createOrderV2(req: CreateOrderV2Request): Promise<WriteResult<CreateOrderV2Response>>;
  cancelOrderV2(orderId: string): Promise<WriteResult<CancelOrderV2Response>>;
  batchCancelOrdersV2(req: BatchCancelOrdersV2Request): Promise<WriteResult<BatchCancelOrdersV2Response>>;
  cancelAllOrders(params?: SubaccountParam): Promise<WriteResult<void>>;
  getOrders(filters: OrdersFilter): Promise<GetOrdersResponse>;
  getOrder(orderId: string): Promise<GetOrderResponse>;
  getFills(filters: FillsFilter): Promise<GetFillsResponse>;
}

/** Every order the exchange lists for `filter` (paginated); unreadable ones go to `unreadable`. */
export async function listOrders(
  rest: OrderRestPort,
  filter: OrdersFilter,
  unreadable: (error: unknown) => void,
): Promise<ExchangeOrder[]> {
  const out: ExchangeOrder[] = [];
  for await (const raw of paginate(async (cursor) => {
    const r = await rest.getOrders({ ...filter, ...(cursor ? { cursor } : {}) });
    return { items: r.orders, cursor: r.cursor };
  })) {
    try {
      out.push(orderFromRest(raw));
    } catch (e) {
      unreadable(e);
    }
  }
  return out;
}

/** One order's fills (paginated); unreadable ones go to `unreadable`. */
export async function listOrderFills(
  rest: OrderRestPort,
  orderId: string,
  unreadable: (error: unknown) => void,
): Promise<ExchangeFill[]> {
  const out: ExchangeFill[] = [];
  for await (const raw of paginate(async (cursor) => {
    const r = await rest.getFills({ order_id: orderId, limit: 1000, ...(cursor ? { cursor } : {}) });
    return { items: r.fills, cursor: r.cursor };
  })) {
    try {
      out.push(fillFromRest(raw));
    } catch (e) {
      unreadable(e);
    }
  }
  return out;
}

/** One order as the exchange sees it now. */
export async function readOrder(rest: OrderRestPort, orderId: string): Promise<ExchangeOrder> {
  return orderFromRest((await rest.getOrder(orderId)).order);
}

export function httpReason(error: KalshiHttpError): string {
  const parts = [error.apiCode, error.details ?? error.apiMessage].filter(
    (p): p is string => typeof p === 'string' && p !== '',
  );
  return `HTTP ${error.status}${parts.length ? ` ${parts.join(': ')}` : ''}`;
}

/** A write that threw instead of returning a WriteResult: it may have left, so its outcome is unknown. */
export function threwUnknown(e: unknown): { readonly outcome: 'unknown'; readonly error: KalshiError } {
  return { outcome: 'unknown', error: normalizeError(e) };
}
