/**
 * What the Kalshi REST client (rest.ts) takes and gives: its options, the filters of its reads and
 * the results of its writes (WriteResult: accepted, rejected, unknown, not_sent).
 */
import type { GetMarketsMveFilterEnum, GetMarketsStatusEnum, Order } from 'kalshi-typescript';
import type { KalshiError, KalshiHttpError } from './errors.js';
import type { HttpTransport } from './http-transport.js';
import type { RateLimiter, Sleep } from './rate-limit.js';
import type { Signer } from './signer.js';

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

/** What the portfolio lists (orders, fills, settlements) are filtered and paged by alike. */
interface PortfolioListFilter {
  limit?: number;
  cursor?: string;
  ticker?: string;
  min_ts?: number;
  max_ts?: number;
  subaccount?: number;
}

export interface OrdersFilter extends PortfolioListFilter {
  event_ticker?: CsvOrList;
  status?: 'resting' | 'canceled' | 'executed';
  exchange_index?: number;
}

export interface FillsFilter extends PortfolioListFilter {
  order_id?: string;
  exchange_index?: number;
}

export interface SettlementsFilter extends PortfolioListFilter {
  event_ticker?: CsvOrList;
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
