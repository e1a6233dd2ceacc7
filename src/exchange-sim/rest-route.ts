/**
 * The pieces every REST handler shares: the context, the request and reply shapes, the route
 * record and its builder, and the small helpers that turn a core result into an HTTP answer.
 */

import type { EndpointCosts, RateLimitTier } from '../kalshi/index.js';
import type { KeyRegistry } from './auth.js';
import type { CoreResult, ExchangeCore } from './core-types.js';
import type { FaultInjector } from './faults.js';
import { HttpProblem, optionalIntParam } from './http-util.js';

/** Anything that decides whether a request may pass the rate limit now. */
export interface RequestGate {
  tryAcquire(method: string, path: string, items?: number): boolean;
}

export interface RestContext {
  core: ExchangeCore;
  clock: () => number;
  keys: KeyRegistry;
  faults: FaultInjector;
  /** The rate-limit gate for a caller (key id, or `anon:<ip>`); undefined = unlimited. */
  gate(caller: string): RequestGate | undefined;
  /** The tier every key is limited by (GET /account/limits); false = rate limits off. */
  rateLimit: RateLimitTier | false;
  /** The costs served at GET /account/endpoint_costs; 'unlisted' = that endpoint is a 404. */
  endpointCosts: EndpointCosts | 'unlisted';
  /** Stable per-market uuid (Kalshi's market_id). */
  marketId(ticker: string): string;
}

export interface RestRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  params: string[];
  body: unknown;
  accountId: string;
  now: number;
}

export interface Reply {
  status: number;
  body: unknown;
}

export type Handler = (ctx: RestContext, req: RestRequest) => Reply;

export interface Route {
  method: string;
  pattern: RegExp;
  auth: boolean;
  handler: Handler;
  /** Items billed for the rate limit (batch endpoints bill per order). */
  items?: (body: unknown) => number;
}

export const ok = (body: unknown): Reply => ({ status: 200, body });
export const created = (body: unknown): Reply => ({ status: 201, body });

export function unwrap<T>(r: CoreResult<T>): T {
  if (!r.ok) throw HttpProblem.from(r.error);
  return r.value;
}

const SEG = '([^/]+)';

/** One line of a route table; `{name}` segments become the handler's params, in order. */
export const route = (
  method: string,
  path: string,
  auth: boolean,
  handler: Handler,
  items?: Route['items'],
): Route => ({
  method,
  pattern: new RegExp(`^${path.replace(/\{[a-z_]+\}/g, SEG)}$`),
  auth,
  handler,
  ...(items ? { items } : {}),
});

/** `min_ts` / `max_ts` (Unix seconds, inclusive) as a millisecond range. */
export function timeRange(q: URLSearchParams): { minTs?: number; maxTs?: number } {
  const minTs = optionalIntParam(q, 'min_ts');
  const maxTs = optionalIntParam(q, 'max_ts');
  return {
    ...(minTs !== undefined ? { minTs: minTs * 1000 } : {}),
    ...(maxTs !== undefined ? { maxTs: maxTs * 1000 + 999 } : {}),
  };
}
