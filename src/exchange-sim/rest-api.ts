/**
 * The simulator's REST surface under /trade-api/v2: Kalshi's paths, field shapes, status codes and
 * error bodies. Each route is one line of the table below; the handlers (small: validate, call the
 * exchange core, render) live in rest-market-data.ts, rest-portfolio.ts, rest-orders.ts and
 * rest-order-groups.ts, over the shared shapes of rest-route.ts.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AuthResult } from './auth.js';
import {
  HttpProblem,
  notFound,
  readJsonBody,
  sendJson,
  sendProblem,
  sendTooManyRequests,
} from './http-util.js';
import {
  getEvent,
  getEvents,
  getExchangeSchedule,
  getExchangeStatus,
  getMarket,
  getMarketOrderbook,
  getMarketOrderbooks,
  getMarkets,
  getSeries,
  getSeriesList,
  getTrades,
} from './rest-market-data.js';
import {
  createOrderGroup,
  deleteOrderGroup,
  getOrderGroup,
  getOrderGroups,
  resetOrderGroup,
  triggerOrderGroup,
  updateOrderGroupLimit,
} from './rest-order-groups.js';
import {
  amendOrderV1,
  amendOrderV2,
  batchCancelOrdersV1,
  batchCancelOrdersV2,
  batchCount,
  batchCreateOrdersV1,
  batchCreateOrdersV2,
  cancelAllOrders,
  cancelOrderV1,
  cancelOrderV2,
  createOrderV1,
  createOrderV2,
  decreaseOrderV1,
  decreaseOrderV2,
} from './rest-orders.js';
import {
  getAccountEndpointCosts,
  getAccountLimits,
  getBalance,
  getFills,
  getOrder,
  getOrders,
  getPositions,
  getSettlements,
} from './rest-portfolio.js';
import { type RestContext, type Route, route } from './rest-route.js';

export type { RequestGate, RestContext } from './rest-route.js';

export const REST_PREFIX = '/trade-api/v2';

// ---------- the route table ----------

const ROUTES: Route[] = [
  route('GET', '/exchange/status', false, getExchangeStatus),
  route('GET', '/exchange/schedule', false, getExchangeSchedule),
  route('GET', '/markets', false, getMarkets),
  route('GET', '/markets/trades', false, getTrades),
  route('GET', '/markets/orderbooks', true, getMarketOrderbooks),
  route('GET', '/markets/{ticker}', false, getMarket),
  route('GET', '/markets/{ticker}/orderbook', false, getMarketOrderbook),
  route('GET', '/events', false, getEvents),
  route('GET', '/events/{event_ticker}', false, getEvent),
  route('GET', '/series', false, getSeriesList),
  route('GET', '/series/{series_ticker}', false, getSeries),
  route('GET', '/account/limits', true, getAccountLimits),
  route('GET', '/account/endpoint_costs', true, getAccountEndpointCosts),
  route('GET', '/portfolio/balance', true, getBalance),
  route('GET', '/portfolio/positions', true, getPositions),
  route('GET', '/portfolio/orders', true, getOrders),
  route('GET', '/portfolio/orders/{order_id}', true, getOrder),
  route('GET', '/portfolio/fills', true, getFills),
  route('GET', '/portfolio/settlements', true, getSettlements),
  // V2 order entry.
  route('POST', '/portfolio/events/orders', true, createOrderV2),
  route('DELETE', '/portfolio/events/orders', true, cancelAllOrders),
  route('POST', '/portfolio/events/orders/batched', true, batchCreateOrdersV2, batchCount),
  route('DELETE', '/portfolio/events/orders/batched', true, batchCancelOrdersV2, batchCount),
  route('DELETE', '/portfolio/events/orders/{order_id}', true, cancelOrderV2),
  route('POST', '/portfolio/events/orders/{order_id}/amend', true, amendOrderV2),
  route('POST', '/portfolio/events/orders/{order_id}/decrease', true, decreaseOrderV2),
  // Legacy v1 order entry.
  route('POST', '/portfolio/orders', true, createOrderV1),
  route('POST', '/portfolio/orders/batched', true, batchCreateOrdersV1, batchCount),
  route('DELETE', '/portfolio/orders/batched', true, batchCancelOrdersV1, batchCount),
  route('DELETE', '/portfolio/orders/{order_id}', true, cancelOrderV1),
  route('POST', '/portfolio/orders/{order_id}/amend', true, amendOrderV1),
  route('POST', '/portfolio/orders/{order_id}/decrease', true, decreaseOrderV1),
  // Order groups.
  route('GET', '/portfolio/order_groups', true, getOrderGroups),
  route('POST', '/portfolio/order_groups/create', true, createOrderGroup),
  route('GET', '/portfolio/order_groups/{order_group_id}', true, getOrderGroup),
  route('DELETE', '/portfolio/order_groups/{order_group_id}', true, deleteOrderGroup),
  route('PUT', '/portfolio/order_groups/{order_group_id}/reset', true, resetOrderGroup),
  route('PUT', '/portfolio/order_groups/{order_group_id}/trigger', true, triggerOrderGroup),
  route('PUT', '/portfolio/order_groups/{order_group_id}/limit', true, updateOrderGroupLimit),
];

function findRoute(method: string, path: string): { route: Route; params: string[] } | 'method' | undefined {
  let pathMatched = false;
  for (const r of ROUTES) {
    const m = r.pattern.exec(path);
    if (!m) continue;
    pathMatched = true;
    if (r.method === method) return { route: r, params: m.slice(1).map(decodeURIComponent) };
  }
  return pathMatched ? 'method' : undefined;
}

function authFailure(details: string): HttpProblem {
  return new HttpProblem(401, 'authentication_error', 'authentication_error', details);
}

/** Handles one request whose path starts with /trade-api/v2. */
export async function handleRest(
  ctx: RestContext,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<void> {
  const method = (req.method ?? 'GET').toUpperCase();
  const fullPath = url.pathname;
  const path = fullPath.slice(REST_PREFIX.length) || '/';
  try {
    // The body is read first: a request that reached the exchange is processed even if the client
    // gives up during the (injected) latency, as a real exchange would.
    const body = method === 'GET' ? undefined : await readJsonBody(req);
    if (ctx.faults.latencyMs > 0) await new Promise((r) => setTimeout(r, ctx.faults.latencyMs));
    const found = findRoute(method, path);
    if (found === undefined) throw notFound(`no endpoint ${method} ${fullPath}`);
    if (found === 'method')
      throw new HttpProblem(405, 'method_not_allowed', 'method not allowed', `${method} ${fullPath}`);

    const now = ctx.clock();
    let auth: AuthResult | undefined;
    if (found.route.auth || req.headers['kalshi-access-key'] !== undefined) {
      auth = ctx.keys.authenticate(req.headers, method, fullPath, now);
      if (!auth.ok) throw authFailure(auth.details);
    }
    const caller = auth?.ok ? auth.keyId : `anon:${req.socket.remoteAddress ?? ''}`;
    const items = found.route.items?.(body);
    const gate = ctx.gate(caller);
    if (ctx.faults.take('http429') || (gate && !gate.tryAcquire(method, fullPath, items))) {
      sendTooManyRequests(res);
      return;
    }

    const injected = ctx.faults.takeHttpError(method, fullPath);
    if (injected && !injected.afterProcessing) {
      throw new HttpProblem(
        injected.status,
        'internal_server_error',
        'injected fault',
        `injected ${injected.status}`,
      );
    }
    const reply = found.route.handler(ctx, {
      method,
      path,
      query: url.searchParams,
      params: found.params,
      body,
      accountId: auth?.ok ? auth.accountId : '',
      now,
    });
    if (injected) {
      throw new HttpProblem(
        injected.status,
        'internal_server_error',
        'injected fault',
        `injected ${injected.status} after processing`,
      );
    }
    sendJson(res, reply.status, reply.body);
  } catch (err) {
    if (err instanceof HttpProblem) {
      sendProblem(res, err);
      return;
    }
    const message = err instanceof Error ? err.message : String(err);
    sendProblem(res, new HttpProblem(500, 'internal_server_error', 'internal server error', message));
  }
}
