/**
 * REST handlers for order groups (KALSHI.md §4; shapes from kalshi-typescript's OrderGroupsApi):
 *   GET    /portfolio/order_groups               → {order_groups: [{id, contracts_limit_fp,
 *                                                   is_auto_cancel_enabled, exchange_index}]}
 *   POST   /portfolio/order_groups/create        {contracts_limit | contracts_limit_fp, subaccount?}
 *                                                 → 201 {order_group_id, subaccount, exchange_index}
 *   GET    /portfolio/order_groups/{id}          → {is_auto_cancel_enabled, contracts_limit_fp,
 *                                                   orders: [order_id…], exchange_index}
 *   DELETE /portfolio/order_groups/{id}          → 200 {}
 *   PUT    /portfolio/order_groups/{id}/reset    → 200 {}
 *   PUT    /portfolio/order_groups/{id}/trigger  → 200 {}
 *   PUT    /portfolio/order_groups/{id}/limit    {contracts_limit | contracts_limit_fp} → 200 {}
 * `is_auto_cancel_enabled` is true while the group is triggered (as a community test against
 * Kalshi's demo observed: true after trigger, false after reset).
 */
import { formatCount } from '../kalshi/index.js';
import type { SimOrderGroup } from './core-types.js';
import { optionalIntParam } from './http-util.js';
import { parseContractsLimit, subaccountOf } from './order-requests.js';
import { EXCHANGE_INDEX } from './render.js';
import { created, ok, type Reply, type RestContext, type RestRequest, unwrap } from './rest-route.js';

function renderGroup(g: SimOrderGroup) {
  return {
    id: g.id,
    contracts_limit_fp: formatCount(g.limit),
    is_auto_cancel_enabled: g.triggered,
    exchange_index: EXCHANGE_INDEX,
  };
}

export function getOrderGroups(ctx: RestContext, req: RestRequest): Reply {
  const subaccount = optionalIntParam(req.query, 'subaccount');
  return ok({ order_groups: ctx.core.orderGroups(req.accountId, subaccount).map(renderGroup) });
}

export function createOrderGroup(ctx: RestContext, req: RestRequest): Reply {
  const limit = parseContractsLimit(req.body);
  const subaccount = subaccountOf(req.body);
  const g = unwrap(ctx.core.createOrderGroup(req.accountId, { limit, subaccount }));
  return created({ order_group_id: g.id, subaccount: g.subaccount, exchange_index: EXCHANGE_INDEX });
}

export function getOrderGroup(ctx: RestContext, req: RestRequest): Reply {
  const g = unwrap(ctx.core.orderGroup(req.accountId, req.params[0]!));
  return ok({
    is_auto_cancel_enabled: g.triggered,
    contracts_limit_fp: formatCount(g.limit),
    orders: g.orderIds,
    exchange_index: EXCHANGE_INDEX,
  });
}

export function deleteOrderGroup(ctx: RestContext, req: RestRequest): Reply {
  unwrap(ctx.core.deleteOrderGroup(req.accountId, req.params[0]!));
  return ok({});
}

export function resetOrderGroup(ctx: RestContext, req: RestRequest): Reply {
  unwrap(ctx.core.resetOrderGroup(req.accountId, req.params[0]!));
  return ok({});
}

export function triggerOrderGroup(ctx: RestContext, req: RestRequest): Reply {
  unwrap(ctx.core.triggerOrderGroup(req.accountId, req.params[0]!));
  return ok({});
}

export function updateOrderGroupLimit(ctx: RestContext, req: RestRequest): Reply {
  const limit = parseContractsLimit(req.body);
  unwrap(ctx.core.setOrderGroupLimit(req.accountId, req.params[0]!, limit));
  return ok({});
}
