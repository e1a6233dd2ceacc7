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
  GetBalanceResponse,
  GetFillsResponse,
  GetMarketOrderbookResponse,
  GetMarketResponse,
  GetMarketsMveFilterEnum,
  GetMarketsResponse,
  GetMarketsStatusEnum,
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
import {
  describe,
  KalshiAbortedError,
  KalshiError,
  KalshiHttpError,
  KalshiNetworkError,
  KalshiTimeoutError,
  normalizeError,
  type RequestRef,
  systemErrorCode,
} from './errors.js';
import { type HttpRequest, type HttpTransport, undiciTransport } from './http-transport.js';
import { RateLimiter, realSleep, type Sleep } from './rate-limit.js';
import type { Signer } from './signer.js';

// ---------------------------------------------------------------------------------------------
// Types

export interface RetryPolicy {
  /** Attempts in all, first included (reads only). */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: Readonly<RetryPolicy> = { maxAttempts: 4, baseDelayMs: 200, maxDelayMs: 5_000 };
export const DEFAULT_TIMEOUT_MS = 10_000;

export interface KalshiRestClientOptions {
  /** Root of the API including its path, e.g. `http://127.0.0.1:PORT/trade-api/v2`. */
  baseUrl: string;
  /** Signs every request when given; without it only public market data works. */
  signer?: Signer;
  /** Per attempt: from sending until the whole body is read. Default 10 s. */
  timeoutMs?: number;
  /** Local pacing; default a basic-tier RateLimiter on the same clock; `false` = none. */
  rateLimiter?: RateLimiter | false;
  retry?: Partial<RetryPolicy>;
  /** The HTTP exchange; default undici's `request` on a pool of the client's own. */
  transport?: HttpTransport;
  now?: () => number;
  sleep?: Sleep;
  random?: () => number;
}

export interface RequestOptions {
  signal?: AbortSignal;
  /** Reads: at most this many attempts (≥ 1) instead of the client's retry policy's. */
  maxAttempts?: number;
}

export type WriteResult<T> =
  | { readonly outcome: 'accepted'; readonly value: T; readonly status: number }
  | { readonly outcome: 'rejected'; readonly error: KalshiHttpError }
  | { readonly outcome: 'unknown'; readonly error: KalshiError }
  | { readonly outcome: 'not_sent'; readonly error: KalshiError };

export type WriteOutcome = WriteResult<unknown>['outcome'];

export type QueryValue = string | number | boolean | readonly (string | number)[] | null | undefined;
export type Query = Readonly<Record<string, QueryValue>>;

export interface Page<T> {
  items: T[];
  cursor?: string | null;
}

type CsvOrList = string | readonly string[];

export interface MarketsFilter {
  limit?: number;
  cursor?: string;
  /** Up to 10 event tickers. */
  event_ticker?: CsvOrList;
  series_ticker?: string;
  tickers?: CsvOrList;
  status?: GetMarketsStatusEnum;
  min_created_ts?: number;
  max_created_ts?: number;
  min_updated_ts?: number;
  min_close_ts?: number;
  max_close_ts?: number;
  min_settled_ts?: number;
  max_settled_ts?: number;
  mve_filter?: GetMarketsMveFilterEnum;
}

export interface PositionsFilter {
  limit?: number;
  cursor?: string;
  /** `position`, `total_traded` (comma list). */
  count_filter?: CsvOrList;
  ticker?: string;
  event_ticker?: CsvOrList;
  subaccount?: number;
  exchange_index?: number;
}

export interface OrdersFilter {
  limit?: number;
  cursor?: string;
  ticker?: string;
  event_ticker?: CsvOrList;
  min_ts?: number;
  max_ts?: number;
  status?: 'resting' | 'canceled' | 'executed';
  subaccount?: number;
  exchange_index?: number;
}

export interface FillsFilter {
  limit?: number;
  cursor?: string;
  ticker?: string;
  order_id?: string;
  min_ts?: number;
  max_ts?: number;
  subaccount?: number;
  exchange_index?: number;
}

export interface SettlementsFilter {
  limit?: number;
  cursor?: string;
  ticker?: string;
  event_ticker?: CsvOrList;
  min_ts?: number;
  max_ts?: number;
  subaccount?: number;
}

export interface SubaccountParam {
  subaccount?: number;
}

/** Query of the order-group writes (the SDK sends both as query parameters). */
export interface OrderGroupParams extends SubaccountParam {
  exchange_index?: number;
}

export interface CancelOrderV2Params extends SubaccountParam {
  exchange_index?: number;
  market_ticker?: string;
}

// Legacy v1 shapes the SDK (3.30.0) no longer describes.

/** DELETE /portfolio/orders/{id} → 200 (KALSHI.md §4). */
export interface CancelOrderResponse {
  order: Order;
  reduced_by_fp: string;
  /** Legacy integer twin. */
  reduced_by?: number;
}

/** POST /portfolio/orders/{id}/decrease body: exactly one of the by / to fields. */
export interface DecreaseOrderRequest {
  reduce_by?: number;
  reduce_by_fp?: string;
  reduce_to?: number;
  reduce_to_fp?: string;
  subaccount?: number;
}

export interface DecreaseOrderResponse {
  order: Order;
}

// ---------------------------------------------------------------------------------------------
// Pagination

/**
 * A cursor-paginated listing. Iterated, it gives the items; `pages()` gives them a page at a time,
 * one await a page instead of one an item (calibration's reads of 10,000-item lists). An absent,
 * null or empty cursor ends it. A cursor that was already used would loop forever, so it throws
 * KALSHI_HTTP_PAGINATION_LOOP instead.
 */
export class Paged<T> implements AsyncIterable<T> {
  readonly #fetchPage: (cursor?: string) => Promise<Page<T>>;

  constructor(fetchPage: (cursor?: string) => Promise<Page<T>>) {
    this.#fetchPage = fetchPage;
  }

  async *pages(): AsyncGenerator<readonly T[], void, undefined> {
    const used = new Set<string>();
    let cursor: string | undefined;
    for (let page = 1; ; page++) {
      const { items, cursor: next } = await this.#fetchPage(cursor);
      yield items;
      if (next === undefined || next === null || next === '') return;
      if (used.has(next)) {
        throw new KalshiError(
          'KALSHI_HTTP_PAGINATION_LOOP',
          `page ${page} returned cursor ${describe(next)}, which was already used; stopping instead of looping`,
        );
      }
      used.add(next);
      cursor = next;
    }
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<T, void, undefined> {
    for await (const page of this.pages()) yield* page;
  }

  /** The first page alone, and whether the listing goes on past it (a cursor came with it). */
  async first(): Promise<{ readonly items: readonly T[]; readonly more: boolean }> {
    const { items, cursor } = await this.#fetchPage(undefined);
    return { items, more: cursor !== undefined && cursor !== null && cursor !== '' };
  }
}

/** Walks a cursor-paginated listing (see Paged). */
export function paginate<T>(fetchPage: (cursor?: string) => Promise<Page<T>>): Paged<T> {
  return new Paged(fetchPage);
}

/** Collects an async iterable into an array. */
export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Client

/** Connection-level failures that prove the request never left this machine. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EADDRNOTAVAIL']);

type Attempt =
  | { kind: 'response'; status: number; text: string; retryAfterMs: number | undefined }
  | { kind: 'failure'; error: KalshiError; sent: boolean };

type Validate = (body: unknown) => string | undefined;

export class KalshiRestClient {
  readonly baseUrl: string;
  readonly #origin: string;
  readonly #prefix: string;
  readonly #signer: Signer | undefined;
  readonly #timeoutMs: number;
  readonly #limiter: RateLimiter | undefined;
  readonly #retry: RetryPolicy;
  readonly #transport: HttpTransport;
  #closed = false;
  readonly #now: () => number;
  readonly #sleep: Sleep;
  readonly #random: () => number;

  constructor(options: KalshiRestClientOptions) {
    const url = new URL(options.baseUrl);
    if (url.search || url.hash)
      throw new TypeError('KalshiRestClient baseUrl must not carry a query or fragment');
    this.#origin = url.origin;
    this.#prefix = url.pathname.replace(/\/+$/, '');
    this.baseUrl = this.#origin + this.#prefix;
    this.#signer = options.signer;
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.#now = options.now ?? Date.now;
    this.#sleep = options.sleep ?? realSleep;
    this.#random = options.random ?? Math.random;
    this.#limiter =
      options.rateLimiter === false
        ? undefined
        : (options.rateLimiter ?? new RateLimiter({ now: this.#now, sleep: this.#sleep }));
    this.#retry = { ...DEFAULT_RETRY, ...options.retry };
    if (!(this.#retry.maxAttempts >= 1)) throw new RangeError('retry.maxAttempts must be at least 1');
    this.#transport = options.transport ?? undiciTransport();
  }

  /**
   * Closes the connection pool once requests in flight have finished. Later requests fail as
   * not sent (KALSHI_HTTP_NETWORK): nothing leaves a closed client.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#transport.close();
  }

  // --- exchange & market data -----------------------------------------------------------------

  getExchangeStatus(opts?: RequestOptions): Promise<ExchangeStatus> {
    return this.#get(
      '/exchange/status',
      undefined,
      opts,
      fields({ boolean: ['exchange_active', 'trading_active'] }),
    );
  }

  getMarkets(filters: MarketsFilter = {}, opts?: RequestOptions): Promise<GetMarketsResponse> {
    return this.#get('/markets', { ...filters }, opts, fields({ array: ['markets'] }));
  }

  getMarket(ticker: string, opts?: RequestOptions): Promise<GetMarketResponse> {
    return this.#get(`/markets/${seg(ticker)}`, undefined, opts, fields({ object: ['market'] }));
  }

  /** `depth` 0–100, 0 = all levels. */
  getMarketOrderbook(
    ticker: string,
    depth?: number,
    opts?: RequestOptions,
  ): Promise<GetMarketOrderbookResponse> {
    return this.#get(
      `/markets/${seg(ticker)}/orderbook`,
      { depth },
      opts,
      fields({ object: ['orderbook_fp'] }),
    );
  }

  // --- account --------------------------------------------------------------------------------

  /** GET /account/limits: the account's API usage tier and its read and write token buckets. */
  getAccountLimits(opts?: RequestOptions): Promise<GetAccountApiLimitsResponse> {
    return this.#get('/account/limits', undefined, opts, fields({ object: ['read', 'write'] }));
  }

  // --- portfolio reads ------------------------------------------------------------------------

  getBalance(params: SubaccountParam = {}, opts?: RequestOptions): Promise<GetBalanceResponse> {
    return this.#get('/portfolio/balance', { ...params }, opts, fields({ number: ['balance'] }));
  }

  getPositions(filters: PositionsFilter = {}, opts?: RequestOptions): Promise<GetPositionsResponse> {
    return this.#get('/portfolio/positions', { ...filters }, opts, fields({ array: ['market_positions'] }));
  }

  getOrders(filters: OrdersFilter = {}, opts?: RequestOptions): Promise<GetOrdersResponse> {
    return this.#get('/portfolio/orders', { ...filters }, opts, fields({ array: ['orders'] }));
  }

  getOrder(orderId: string, opts?: RequestOptions): Promise<GetOrderResponse> {
    return this.#get(`/portfolio/orders/${seg(orderId)}`, undefined, opts, fields({ object: ['order'] }));
  }

  getFills(filters: FillsFilter = {}, opts?: RequestOptions): Promise<GetFillsResponse> {
    return this.#get('/portfolio/fills', { ...filters }, opts, fields({ array: ['fills'] }));
  }

  getSettlements(filters: SettlementsFilter = {}, opts?: RequestOptions): Promise<GetSettlementsResponse> {
    return this.#get('/portfolio/settlements', { ...filters }, opts, fields({ array: ['settlements'] }));
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
    return this.#write(
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
    return this.#write(
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
    return this.#write(
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
    return this.#write(
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
    return this.#write('DELETE', '/portfolio/events/orders', { ...params }, undefined, 1, opts, 'empty');
  }

  /** `req.count` is the new max fillable: filled + desired remaining. */
  amendOrderV2(
    orderId: string,
    req: AmendOrderV2Request,
    params: SubaccountParam = {},
    opts?: RequestOptions,
  ): Promise<WriteResult<AmendOrderV2Response>> {
    return this.#write(
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
    return this.#write(
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
    return this.#write('POST', '/portfolio/orders', undefined, req, 1, opts, fields({ object: ['order'] }));
  }

  cancelOrder(
    orderId: string,
    params: SubaccountParam = {},
    opts?: RequestOptions,
  ): Promise<WriteResult<CancelOrderResponse>> {
    return this.#write(
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
    return this.#write(
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
    return this.#write(
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
    return this.#write(
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
    return this.#write(
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
    return this.#get('/portfolio/order_groups', { ...params }, opts, fields({}));
  }

  /** `is_auto_cancel_enabled` is true while the group is triggered. */
  getOrderGroup(
    orderGroupId: string,
    params: SubaccountParam = {},
    opts?: RequestOptions,
  ): Promise<GetOrderGroupResponse> {
    return this.#get(
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
    return this.#write(
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
    return this.#write(
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
    return this.#write(
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
    return this.#write(
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
    return this.#write(
      'PUT',
      `/portfolio/order_groups/${seg(orderGroupId)}/limit`,
      { ...params },
      req,
      1,
      opts,
      'empty',
    );
  }

  // --- machinery ------------------------------------------------------------------------------

  async #get<T>(
    path: string,
    query: Query | undefined,
    opts: RequestOptions | undefined,
    validate: Validate,
  ): Promise<T> {
    const ref: RequestRef = { method: 'GET', path: this.#prefix + path };
    const signal = opts?.signal;
    const maxAttempts = Math.max(1, opts?.maxAttempts ?? this.#retry.maxAttempts);
    for (let attempt = 1; ; attempt++) {
      if (this.#limiter) {
        try {
          await this.#limiter.acquire('GET', ref.path, undefined, signal);
        } catch (e) {
          throw normalizeError(e, ref);
        }
      }
      const r = await this.#attempt(ref, query, undefined, signal);
      let error: KalshiError;
      let retryable: boolean;
      let retryAfterMs: number | undefined;
      if (r.kind === 'response') {
        if (r.status >= 200 && r.status < 300) {
          const body = parseJson(r.text);
          const problem = body.ok ? validate(body.value) : 'body is not JSON';
          if (body.ok && problem === undefined) return body.value as T;
          throw new KalshiError(
            'KALSHI_WIRE_BAD_MESSAGE',
            `GET ${ref.path} answered ${r.status} but ${problem}`,
          );
        }
        error = httpError(ref, r);
        if (r.status === 429) this.#limiter?.onRateLimited('GET', ref.path);
        retryable = r.status === 429 || r.status >= 500;
        retryAfterMs = r.retryAfterMs;
      } else {
        error = r.error;
        retryable = !(error instanceof KalshiAbortedError);
      }
      if (!retryable || attempt >= maxAttempts) throw error;
      try {
        await this.#sleep(this.#backoff(attempt, retryAfterMs), signal);
      } catch (cause) {
        throw new KalshiAbortedError(ref, { cause: signal?.reason ?? cause });
      }
      if (signal?.aborted) throw new KalshiAbortedError(ref, { cause: signal.reason });
    }
  }

  async #write<T>(
    method: 'POST' | 'PUT' | 'DELETE',
    path: string,
    query: Query | undefined,
    body: unknown,
    items: number,
    opts: RequestOptions | undefined,
    validate: Validate | 'empty',
  ): Promise<WriteResult<T>> {
    const ref: RequestRef = { method, path: this.#prefix + path };
    const signal = opts?.signal;
    if (this.#limiter) {
      try {
        await this.#limiter.acquire(method, ref.path, items, signal);
      } catch (e) {
        return { outcome: 'not_sent', error: normalizeError(e, ref) };
      }
    }
    if (signal?.aborted)
      return { outcome: 'not_sent', error: new KalshiAbortedError(ref, { cause: signal.reason }) };
    const r = await this.#attempt(ref, query, body, signal);
    if (r.kind === 'failure') return { outcome: r.sent ? 'unknown' : 'not_sent', error: r.error };
    if (r.status >= 200 && r.status < 300) {
      if (validate === 'empty') return { outcome: 'accepted', value: undefined as T, status: r.status };
      const parsed = parseJson(r.text);
      const problem = parsed.ok ? validate(parsed.value) : 'body is not JSON';
      if (parsed.ok && problem === undefined) {
        return { outcome: 'accepted', value: parsed.value as T, status: r.status };
      }
      return {
        outcome: 'unknown',
        error: new KalshiError(
          'KALSHI_WIRE_BAD_MESSAGE',
          `${method} ${ref.path} answered ${r.status} but ${problem}; outcome unknown`,
        ),
      };
    }
    const error = httpError(ref, r);
    if (r.status >= 400 && r.status < 500) {
      // 429 included: Kalshi refuses before processing, so the request was not carried out.
      if (r.status === 429) this.#limiter?.onRateLimited(method, ref.path);
      return { outcome: 'rejected', error };
    }
    return { outcome: 'unknown', error };
  }

  /** One HTTP exchange. Never throws: failures are classified, with whether the request may have left. */
  async #attempt(
    ref: RequestRef,
    query: Query | undefined,
    body: unknown,
    callerSignal: AbortSignal | undefined,
  ): Promise<Attempt> {
    if (this.#closed) {
      const cause = new Error('the REST client is closed');
      return { kind: 'failure', error: new KalshiNetworkError(ref, { cause }), sent: false };
    }
    const url = this.#origin + ref.path + buildQuery(query);
    const headers: Record<string, string> = { accept: 'application/json' };
    let payload: string | undefined;
    try {
      if (body !== undefined) {
        payload = JSON.stringify(body);
        headers['content-type'] = 'application/json';
      }
      if (this.#signer) Object.assign(headers, this.#signer.headers(ref.method, ref.path, this.#now()));
    } catch (e) {
      return { kind: 'failure', error: normalizeError(e, ref), sent: false };
    }
    const timeoutSignal = AbortSignal.timeout(this.#timeoutMs);
    const signal = callerSignal ? AbortSignal.any([timeoutSignal, callerSignal]) : timeoutSignal;
    try {
      const res = await this.#transport.send({
        method: ref.method as HttpRequest['method'],
        url,
        headers,
        body: payload,
        signal,
      });
      return {
        kind: 'response',
        status: res.status,
        text: res.text,
        retryAfterMs: parseRetryAfter(res.retryAfter),
      };
    } catch (e) {
      if (callerSignal?.aborted) {
        return { kind: 'failure', error: new KalshiAbortedError(ref, { cause: e }), sent: true };
      }
      if (timeoutSignal.aborted) {
        return {
          kind: 'failure',
          error: new KalshiTimeoutError(ref, this.#timeoutMs, { cause: e }),
          sent: true,
        };
      }
      const code = systemErrorCode(e);
      const error = e instanceof KalshiError ? e : new KalshiNetworkError(ref, { cause: e });
      return { kind: 'failure', error, sent: !(code !== undefined && NOT_SENT_CODES.has(code)) };
    }
  }

  #backoff(attempt: number, retryAfterMs: number | undefined): number {
    const { baseDelayMs, maxDelayMs } = this.#retry;
    const exp = Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1));
    const jittered = exp / 2 + (this.#random() * exp) / 2;
    const floor = retryAfterMs === undefined ? 0 : Math.min(retryAfterMs, maxDelayMs);
    return Math.round(Math.max(jittered, floor));
  }
}

// ---------------------------------------------------------------------------------------------
// Helpers

/** Query string from a filter object: undefined / null skipped, lists comma-joined, in key order. */
export function buildQuery(query: Query | undefined): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null) continue;
    if (Array.isArray(value)) {
      if (value.length > 0) params.append(key, value.join(','));
    } else {
      params.append(key, String(value));
    }
  }
  const s = params.toString();
  return s ? `?${s}` : '';
}

function seg(id: string): string {
  if (typeof id !== 'string' || id === '') throw new TypeError('path parameter must be a non-empty string');
  return encodeURIComponent(id);
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  if (text.trim() === '') return { ok: false };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}

function httpError(
  ref: RequestRef,
  r: { status: number; text: string; retryAfterMs: number | undefined },
): KalshiHttpError {
  const parsed = parseJson(r.text);
  const body = parsed.ok ? parsed.value : r.text === '' ? undefined : r.text.slice(0, 500);
  return new KalshiHttpError(
    ref,
    r.status,
    body,
    r.retryAfterMs === undefined ? undefined : { retryAfterMs: r.retryAfterMs },
  );
}

function parseRetryAfter(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  return undefined;
}

/** A shallow shape check of a response body: enough to fail loudly on the wrong endpoint or shape. */
function fields(spec: {
  array?: string[];
  object?: string[];
  string?: string[];
  number?: string[];
  boolean?: string[];
}): Validate {
  return (body) => {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) return 'body is not a JSON object';
    const rec = body as Record<string, unknown>;
    for (const k of spec.array ?? []) if (!Array.isArray(rec[k])) return `"${k}" is not an array`;
    for (const k of spec.object ?? []) {
      const v = rec[k];
      if (typeof v !== 'object' || v === null || Array.isArray(v)) return `"${k}" is not an object`;
    }
    for (const k of spec.string ?? []) if (typeof rec[k] !== 'string') return `"${k}" is not a string`;
    for (const k of spec.number ?? []) if (typeof rec[k] !== 'number') return `"${k}" is not a number`;
    for (const k of spec.boolean ?? []) if (typeof rec[k] !== 'boolean') return `"${k}" is not a boolean`;
    return undefined;
  };
}
