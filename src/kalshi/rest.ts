/**
 * Kalshi REST client (KALSHI.md §3–§5): signed requests, local token-bucket pacing, timeouts,
 * retries for reads, and three-outcome results for writes.
 *
 * Reads (GET) are idempotent: they are retried on 429, 5xx, timeouts and network errors with
 * jittered exponential backoff, and throw a typed KalshiError when they finally fail.
 *
 * Writes (POST / PUT / DELETE) are NEVER retried here. They return a WriteResult:
 *  - accepted : 2xx with a readable body.
 *  - rejected : 4xx; the answer proves the request was not carried out. That includes 429: Kalshi
 *               rate-limits before processing, so a 429'd order was not placed.
 *  - unknown  : timeout, network failure once the request may have left, caller abort after
 *               sending, 5xx, 3xx, or a 2xx whose body cannot be read. The order may or may not
 *               exist: keep it in flight until a fill, an order update or reconciliation resolves it,
 *               and never resubmit it under a new client_order_id.
 *  - not_sent : provably never reached the exchange: the local rate limiter refused or was aborted,
 *               or the connection was refused / the host did not resolve. Safe to send again.
 *
 * A batch that is accepted can still carry per-order `error`s inside `value.orders`.
 */
import type {
  AmendOrderRequest,
  AmendOrderResponse,
  AmendOrderV2Request,
  AmendOrderV2Response,
  BatchCancelOrdersIndividualResponse,
  BatchCancelOrdersRequest,
  BatchCancelOrdersV2Request,
  BatchCancelOrdersV2Response,
  BatchCreateOrdersRequest,
  BatchCreateOrdersResponse,
  BatchCreateOrdersV2Request,
  BatchCreateOrdersV2Response,
  CancelOrderV2Response,
  CreateOrderGroupRequest,
  CreateOrderGroupResponse,
  CreateOrderRequest,
  CreateOrderResponse,
  CreateOrderV2Request,
  CreateOrderV2Response,
  DecreaseOrderV2Request,
  DecreaseOrderV2Response,
  EventPosition,
  ExchangeStatus,
  Fill,
  GetAccountApiLimitsResponse,
  GetAccountEndpointCostsResponse,
  GetBalanceResponse,
  GetFillsResponse,
  GetMarketOrderbookResponse,
  GetMarketResponse,
  GetMarketsResponse,
  GetOrderGroupResponse,
  GetOrderGroupsResponse,
  GetOrderResponse,
  GetOrdersResponse,
  GetPositionsResponse,
  GetSettlementsResponse,
  Market,
  MarketPosition,
  Order,
  Settlement,
  UpdateOrderGroupLimitRequest,
} from 'kalshi-typescript';
import { type Paged, paginate } from './paged.js';
import { fields, RestEngine, seg } from './rest-engine.js';
import type {
  CancelOrderResponse,
  CancelOrderV2Params,
  DecreaseOrderRequest,
  DecreaseOrderResponse,
  FillsFilter,
  KalshiRestClientOptions,
  MarketsFilter,
  OrderGroupParams,
  OrdersFilter,
  PositionsFilter,
  RequestOptions,
  SettlementsFilter,
  SubaccountParam,
  WriteResult,
} from './rest-types.js';

export * from './paged.js';
export { buildQuery } from './rest-engine.js';
export * from './rest-types.js';

export class KalshiRestClient {
  readonly baseUrl: string;
  readonly #engine: RestEngine;

  constructor(options: KalshiRestClientOptions) {
    this.#engine = new RestEngine(options);
    this.baseUrl = this.#engine.baseUrl;
  }

  /**
   * Closes the connection pool once requests in flight have finished. Later requests fail as
   * not sent (KALSHI_HTTP_NETWORK): nothing leaves a closed client.
   */
  close(): Promise<void> {
    return this.#engine.close();
  }

  // --- exchange & market data -----------------------------------------------------------------

  getExchangeStatus(opts?: RequestOptions): Promise<ExchangeStatus> {
    return this.#engine.get(
      '/exchange/status',
      undefined,
      opts,
      fields({ boolean: ['exchange_active', 'trading_active'] }),
    );
  }

  getMarkets(filters: MarketsFilter = {}, opts?: RequestOptions): Promise<GetMarketsResponse> {
    return this.#engine.get('/markets', { ...filters }, opts, fields({ array: ['markets'] }));
  }

  getMarket(ticker: string, opts?: RequestOptions): Promise<GetMarketResponse> {
    return this.#engine.get(`/markets/${seg(ticker)}`, undefined, opts, fields({ object: ['market'] }));
  }

  /** `depth` 0–100, 0 = all levels. */
  getMarketOrderbook(
    ticker: string,
    depth?: number,
    opts?: RequestOptions,
  ): Promise<GetMarketOrderbookResponse> {
    return this.#engine.get(
      `/markets/${seg(ticker)}/orderbook`,
      { depth },
      opts,
      fields({ object: ['orderbook_fp'] }),
    );
  }

  // --- account --------------------------------------------------------------------------------

  /** GET /account/limits: the account's API usage tier and its read and write token buckets. */
  getAccountLimits(opts?: RequestOptions): Promise<GetAccountApiLimitsResponse> {
    return this.#engine.get('/account/limits', undefined, opts, fields({ object: ['read', 'write'] }));
  }

  /** The endpoints whose token cost differs from the default, and the default (normalize: endpointCostsFromRest). */
  getAccountEndpointCosts(opts?: RequestOptions): Promise<GetAccountEndpointCostsResponse> {
    return this.#engine.get(
      '/account/endpoint_costs',
      undefined,
      opts,
      fields({ number: ['default_cost'], array: ['endpoint_costs'] }),
    );
  }

  // --- portfolio reads ------------------------------------------------------------------------

  getBalance(params: SubaccountParam = {}, opts?: RequestOptions): Promise<GetBalanceResponse> {
    return this.#engine.get('/portfolio/balance', { ...params }, opts, fields({ number: ['balance'] }));
  }

  getPositions(filters: PositionsFilter = {}, opts?: RequestOptions): Promise<GetPositionsResponse> {
    return this.#engine.get(
      '/portfolio/positions',
      { ...filters },
      opts,
      fields({ array: ['market_positions'] }),
    );
  }

  getOrders(filters: OrdersFilter = {}, opts?: RequestOptions): Promise<GetOrdersResponse> {
    return this.#engine.get('/portfolio/orders', { ...filters }, opts, fields({ array: ['orders'] }));
  }

  getOrder(orderId: string, opts?: RequestOptions): Promise<GetOrderResponse> {
    return this.#engine.get(
      `/portfolio/orders/${seg(orderId)}`,
      undefined,
      opts,
      fields({ object: ['order'] }),
    );
  }

  getFills(filters: FillsFilter = {}, opts?: RequestOptions): Promise<GetFillsResponse> {
    return this.#engine.get('/portfolio/fills', { ...filters }, opts, fields({ array: ['fills'] }));
  }

  getSettlements(filters: SettlementsFilter = {}, opts?: RequestOptions): Promise<GetSettlementsResponse> {
    return this.#engine.get(
      '/portfolio/settlements',
      { ...filters },
      opts,
      fields({ array: ['settlements'] }),
    );
  }

  // --- paginated walks ------------------------------------------------------------------------

  allMarkets(filters: Omit<MarketsFilter, 'cursor'> = {}, opts?: RequestOptions): Paged<Market> {
    return paginate(async (cursor) => {
      const r = await this.getMarkets({ ...filters, cursor }, opts);
      return { items: r.markets, cursor: r.cursor };
    });
  }

  /** Market positions (unsettled); event positions are on getPositions / allEventPositions. */
  allPositions(filters: Omit<PositionsFilter, 'cursor'> = {}, opts?: RequestOptions): Paged<MarketPosition> {
    return paginate(async (cursor) => {
      const r = await this.getPositions({ ...filters, cursor }, opts);
      return { items: r.market_positions, cursor: r.cursor };
    });
  }

  allEventPositions(
    filters: Omit<PositionsFilter, 'cursor'> = {},
    opts?: RequestOptions,
  ): Paged<EventPosition> {
    return paginate(async (cursor) => {
      const r = await this.getPositions({ ...filters, cursor }, opts);
      return { items: r.event_positions ?? [], cursor: r.cursor };
    });
  }

  allOrders(filters: Omit<OrdersFilter, 'cursor'> = {}, opts?: RequestOptions): Paged<Order> {
    return paginate(async (cursor) => {
      const r = await this.getOrders({ ...filters, cursor }, opts);
      return { items: r.orders, cursor: r.cursor };
    });
  }

  allFills(filters: Omit<FillsFilter, 'cursor'> = {}, opts?: RequestOptions): Paged<Fill> {
    return paginate(async (cursor) => {
      const r = await this.getFills({ ...filters, cursor }, opts);
      return { items: r.fills, cursor: r.cursor };
    });
  }

  allSettlements(filters: Omit<SettlementsFilter, 'cursor'> = {}, opts?: RequestOptions): Paged<Settlement> {
    return paginate(async (cursor) => {
      const r = await this.getSettlements({ ...filters, cursor }, opts);
      return { items: r.settlements, cursor: r.cursor };
    });
  }

  // --- V2 order entry (/portfolio/events/orders) -----------------------------------------------

  createOrderV2(
    req: CreateOrderV2Request,
    opts?: RequestOptions,
  ): Promise<WriteResult<CreateOrderV2Response>> {
    return this.#engine.write(
      'POST',
      '/portfolio/events/orders',
      undefined,
      req,
      1,
      opts,
      fields({ string: ['order_id'] }),
    );
  }

  cancelOrderV2(
    orderId: string,
    params: CancelOrderV2Params = {},
    opts?: RequestOptions,
  ): Promise<WriteResult<CancelOrderV2Response>> {
    return this.#engine.write(
      'DELETE',
      `/portfolio/events/orders/${seg(orderId)}`,
      { ...params },
      undefined,
      1,
      opts,
      fields({ string: ['order_id'] }),
    );
  }

  batchCreateOrdersV2(
    req: BatchCreateOrdersV2Request,
    opts?: RequestOptions,
  ): Promise<WriteResult<BatchCreateOrdersV2Response>> {
    return this.#engine.write(
      'POST',
      '/portfolio/events/orders/batched',
      undefined,
      req,
      req.orders.length,
      opts,
      fields({ array: ['orders'] }),
    );
  }

  batchCancelOrdersV2(
    req: BatchCancelOrdersV2Request,
    opts?: RequestOptions,
  ): Promise<WriteResult<BatchCancelOrdersV2Response>> {
    return this.#engine.write(
      'DELETE',
      '/portfolio/events/orders/batched',
      undefined,
      req,
      req.orders.length,
      opts,
      fields({ array: ['orders'] }),
    );
  }

  /** DELETE /portfolio/events/orders → 204. Without `subaccount`, every subaccount's orders. */
  cancelAllOrders(params: SubaccountParam = {}, opts?: RequestOptions): Promise<WriteResult<void>> {
    return this.#engine.write(
      'DELETE',
      '/portfolio/events/orders',
      { ...params },
      undefined,
      1,
      opts,
      'empty',
    );
  }

  /** `req.count` is the new max fillable: filled + desired remaining. */
  amendOrderV2(
    orderId: string,
    req: AmendOrderV2Request,
    params: SubaccountParam = {},
    opts?: RequestOptions,
  ): Promise<WriteResult<AmendOrderV2Response>> {
    return this.#engine.write(
      'POST',
      `/portfolio/events/orders/${seg(orderId)}/amend`,
      { ...params },
      req,
      1,
      opts,
      fields({ string: ['order_id'] }),
    );
  }

  decreaseOrderV2(
    orderId: string,
    req: DecreaseOrderV2Request,
    params: SubaccountParam = {},
    opts?: RequestOptions,
  ): Promise<WriteResult<DecreaseOrderV2Response>> {
    return this.#engine.write(
      'POST',
      `/portfolio/events/orders/${seg(orderId)}/decrease`,
      { ...params },
      req,
      1,
      opts,
      fields({ string: ['order_id'] }),
    );
  }

  // --- legacy v1 order entry (/portfolio/orders) ------------------------------------------------

  /** POST /portfolio/orders → 201 {order}. Body per KALSHI.md §5.1. */
  createOrder(req: CreateOrderRequest, opts?: RequestOptions): Promise<WriteResult<CreateOrderResponse>> {
    return this.#engine.write(
      'POST',
      '/portfolio/orders',
      undefined,
      req,
      1,
      opts,
      fields({ object: ['order'] }),
    );
  }

  cancelOrder(
    orderId: string,
    params: SubaccountParam = {},
    opts?: RequestOptions,
  ): Promise<WriteResult<CancelOrderResponse>> {
    return this.#engine.write(
      'DELETE',
      `/portfolio/orders/${seg(orderId)}`,
      { ...params },
      undefined,
      1,
      opts,
      fields({ object: ['order'] }),
    );
  }

  batchCreateOrders(
    req: BatchCreateOrdersRequest,
    opts?: RequestOptions,
  ): Promise<WriteResult<BatchCreateOrdersResponse>> {
    return this.#engine.write(
      'POST',
      '/portfolio/orders/batched',
      undefined,
      req,
      req.orders.length,
      opts,
      fields({ array: ['orders'] }),
    );
  }

  batchCancelOrders(
    req: BatchCancelOrdersRequest,
    opts?: RequestOptions,
  ): Promise<WriteResult<{ orders: BatchCancelOrdersIndividualResponse[] }>> {
    const items = req.orders?.length ?? req.ids?.length ?? 1;
    return this.#engine.write(
      'DELETE',
      '/portfolio/orders/batched',
      undefined,
      req,
      items,
      opts,
      fields({ array: ['orders'] }),
    );
  }

  amendOrder(
    orderId: string,
    req: AmendOrderRequest,
    opts?: RequestOptions,
  ): Promise<WriteResult<AmendOrderResponse>> {
    return this.#engine.write(
      'POST',
      `/portfolio/orders/${seg(orderId)}/amend`,
      undefined,
      req,
      1,
      opts,
      fields({ object: ['order'] }),
    );
  }

  decreaseOrder(
    orderId: string,
    req: DecreaseOrderRequest,
    opts?: RequestOptions,
  ): Promise<WriteResult<DecreaseOrderResponse>> {
    return this.#engine.write(
      'POST',
      `/portfolio/orders/${seg(orderId)}/decrease`,
      undefined,
      req,
      1,
      opts,
      fields({ object: ['order'] }),
    );
  }

  // --- order groups (/portfolio/order_groups) ---------------------------------------------------
  // A group caps the contracts its orders may match over a rolling 15 s window; reaching the cap
  // (or a trigger) cancels its resting orders and refuses new ones until reset.

  /** Without `subaccount`, every subaccount's groups. `order_groups` may be absent when none. */
  getOrderGroups(params: SubaccountParam = {}, opts?: RequestOptions): Promise<GetOrderGroupsResponse> {
    return this.#engine.get('/portfolio/order_groups', { ...params }, opts, fields({}));
  }

  /** `is_auto_cancel_enabled` is true while the group is triggered. */
  getOrderGroup(
    orderGroupId: string,
    params: SubaccountParam = {},
    opts?: RequestOptions,
  ): Promise<GetOrderGroupResponse> {
    return this.#engine.get(
      `/portfolio/order_groups/${seg(orderGroupId)}`,
      { ...params },
      opts,
      fields({ boolean: ['is_auto_cancel_enabled'] }),
    );
  }

  /** POST /portfolio/order_groups/create → 201 {order_group_id}. */
  createOrderGroup(
    req: CreateOrderGroupRequest,
    opts?: RequestOptions,
  ): Promise<WriteResult<CreateOrderGroupResponse>> {
    return this.#engine.write(
      'POST',
      '/portfolio/order_groups/create',
      undefined,
      req,
      1,
      opts,
      fields({ string: ['order_group_id'] }),
    );
  }

  /** Cancels the group's orders and removes it. */
  deleteOrderGroup(
    orderGroupId: string,
    params: OrderGroupParams = {},
    opts?: RequestOptions,
  ): Promise<WriteResult<void>> {
    return this.#engine.write(
      'DELETE',
      `/portfolio/order_groups/${seg(orderGroupId)}`,
      { ...params },
      undefined,
      1,
      opts,
      'empty',
    );
  }

  /** Empties the group's window so it takes orders again. */
  resetOrderGroup(
    orderGroupId: string,
    params: OrderGroupParams = {},
    opts?: RequestOptions,
  ): Promise<WriteResult<void>> {
    return this.#engine.write(
      'PUT',
      `/portfolio/order_groups/${seg(orderGroupId)}/reset`,
      { ...params },
      {},
      1,
      opts,
      'empty',
    );
  }

  /** The exchange-side kill switch: cancels the group's orders and blocks new ones until reset. */
  triggerOrderGroup(
    orderGroupId: string,
    params: OrderGroupParams = {},
    opts?: RequestOptions,
  ): Promise<WriteResult<void>> {
    return this.#engine.write(
      'PUT',
      `/portfolio/order_groups/${seg(orderGroupId)}/trigger`,
      { ...params },
      {},
      1,
      opts,
      'empty',
    );
  }

  /** A limit at or below what the window already holds triggers the group at once. */
  updateOrderGroupLimit(
    orderGroupId: string,
    req: UpdateOrderGroupLimitRequest,
    params: OrderGroupParams = {},
    opts?: RequestOptions,
  ): Promise<WriteResult<void>> {
    return this.#engine.write(
      'PUT',
      `/portfolio/order_groups/${seg(orderGroupId)}/limit`,
      { ...params },
      req,
      1,
      opts,
      'empty',
    );
  }
}
