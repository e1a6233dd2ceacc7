/**
 * ORDER GROUPS (the rules are stated in exchange.ts's header): a per-account cap on the contracts
 * its orders may match over a rolling 15 s window, with an exchange-side kill switch.
 *
 * Transition table of a group (every edge emits an `order_group` event first, then any cancels):
 *   (none)     → armed      create               limit ≥ 0.01 contract
 *   armed      → triggered  the window reaches the limit, trigger, or a limit at or below
 *                           the window: every resting order of the group is canceled
 *   triggered  → triggered  trigger (cancels again: nothing should be left), limit (stays)
 *   armed|triggered → armed reset: the window is emptied
 *   armed      → armed      limit above the window
 *   any        → (gone)     delete: its resting orders are canceled, the group is removed
 */
import type { Count } from '../domain/index.js';
import { cancelResting } from './core-resting.js';
import { type AccountState, type CoreState, fail, type OrderGroupState, ok, snapshot } from './core-state.js';
import type { CoreResult, OrderGroupEventType, SimOrder, SimOrderGroup } from './core-types.js';
import type { GroupCap, MakerCaps } from './matching.js';

/** The rolling window over which a group's matched contracts count. */
export const ORDER_GROUP_WINDOW_MS = 15_000;

/** Contracts matched within the window ending now (a match at t counts while now − t < 15 s). */
function matchedInWindow(g: OrderGroupState, now: number): Count {
  let drop = 0;
  while (drop < g.matches.length && (g.matches[drop] as { ms: number }).ms <= now - ORDER_GROUP_WINDOW_MS)
    drop++;
  if (drop > 0) g.matches.splice(0, drop);
  let sum = 0;
  for (const m of g.matches) sum += m.count;
  return sum;
}

function view(g: OrderGroupState, now: number): SimOrderGroup {
  return {
    id: g.id,
    accountId: g.accountId,
    subaccount: g.subaccount,
    limit: g.limit,
    triggered: g.triggered,
    matchedInWindow: matchedInWindow(g, now),
    orderIds: [...g.orderIds],
    createdMs: g.createdMs,
  };
}

function announce(s: CoreState, g: OrderGroupState, eventType: OrderGroupEventType, now: number): void {
  s.emit({ type: 'order_group', eventType, group: view(g, now), ts: now });
}

function ownGroup(s: CoreState, accountId: string, groupId: string): CoreResult<OrderGroupState> {
  const g = s.orderGroups.get(groupId);
  if (!g || g.accountId !== accountId) return fail(404, 'not_found', `order group ${groupId} not found`);
  return ok(g);
}

function checkLimit<T>(limit: Count): CoreResult<T> | undefined {
  if (!Number.isSafeInteger(limit) || limit < 1) {
    return fail(400, 'invalid_parameters', `contracts limit ${limit} must be at least 0.01 contract`);
  }
  return undefined;
}

/** Cancels every resting order of the group. */
function cancelGroupOrders(s: CoreState, g: OrderGroupState, reason: string, now: number): SimOrder[] {
  const acct = s.accounts.get(g.accountId) as AccountState;
  const canceled: SimOrder[] = [];
  for (const order of [...acct.resting.values()]) {
    if (order.orderGroupId !== g.id) continue;
    cancelResting(s, order, reason, now);
    canceled.push(snapshot(order));
  }
  return canceled;
}

function fire(s: CoreState, g: OrderGroupState, now: number): SimOrder[] {
  g.triggered = true;
  announce(s, g, 'triggered', now);
  return cancelGroupOrders(s, g, 'order_group_triggered', now);
}

// ---- the operations ------------------------------------------------------------------------

export function createOrderGroup(
  s: CoreState,
  accountId: string,
  req: { limit: Count; subaccount?: number },
): CoreResult<SimOrderGroup> {
  if (!s.accounts.has(accountId)) return fail(404, 'not_found', `account ${accountId} not found`);
  const bad = checkLimit<SimOrderGroup>(req.limit);
  if (bad) return bad;
  const now = s.clock();
  const g: OrderGroupState = {
    id: s.ids.group(),
    accountId,
    subaccount: req.subaccount ?? 0,
    limit: req.limit,
    triggered: false,
    matches: [],
    orderIds: [],
    createdMs: now,
  };
  s.orderGroups.set(g.id, g);
  announce(s, g, 'created', now);
  return ok(view(g, now));
}

export function orderGroups(s: CoreState, accountId: string, subaccount?: number): SimOrderGroup[] {
  const now = s.clock();
  const out: SimOrderGroup[] = [];
  for (const g of s.orderGroups.values()) {
    if (g.accountId !== accountId || (subaccount !== undefined && g.subaccount !== subaccount)) continue;
    out.push(view(g, now));
  }
  return out;
}

export function orderGroup(s: CoreState, accountId: string, groupId: string): CoreResult<SimOrderGroup> {
  const g = ownGroup(s, accountId, groupId);
  return g.ok ? ok(view(g.value, s.clock())) : g;
}

export function deleteOrderGroup(s: CoreState, accountId: string, groupId: string): CoreResult<SimOrder[]> {
  const g = ownGroup(s, accountId, groupId);
  if (!g.ok) return g;
  const now = s.clock();
  s.orderGroups.delete(groupId);
  announce(s, g.value, 'deleted', now);
  return ok(cancelGroupOrders(s, g.value, 'order_group_deleted', now));
}

export function resetOrderGroup(s: CoreState, accountId: string, groupId: string): CoreResult<SimOrderGroup> {
  const g = ownGroup(s, accountId, groupId);
  if (!g.ok) return g;
  const now = s.clock();
  g.value.matches.length = 0;
  g.value.triggered = false;
  announce(s, g.value, 'reset', now);
  return ok(view(g.value, now));
}

export function triggerOrderGroup(s: CoreState, accountId: string, groupId: string): CoreResult<SimOrder[]> {
  const g = ownGroup(s, accountId, groupId);
  if (!g.ok) return g;
  return ok(fire(s, g.value, s.clock()));
}

export function setOrderGroupLimit(
  s: CoreState,
  accountId: string,
  groupId: string,
  limit: Count,
): CoreResult<SimOrderGroup> {
  const g = ownGroup(s, accountId, groupId);
  if (!g.ok) return g;
  const bad = checkLimit<SimOrderGroup>(limit);
  if (bad) return bad;
  const now = s.clock();
  g.value.limit = limit;
  announce(s, g.value, 'limit_updated', now);
  if (!g.value.triggered && matchedInWindow(g.value, now) >= limit) fire(s, g.value, now);
  return ok(view(g.value, now));
}

// ---- hooks for order entry and fills -------------------------------------------------------

/** Refuses an order for a group that does not exist (404) or is triggered (400). */
export function admitToGroup<T>(
  s: CoreState,
  accountId: string,
  groupId: string | undefined,
): CoreResult<T> | undefined {
  if (groupId === undefined) return undefined;
  const g = ownGroup(s, accountId, groupId);
  if (!g.ok) return g;
  if (g.value.triggered) {
    return fail(
      400,
      'order_group_triggered',
      `order group ${groupId} has been triggered; it accepts no orders until it is reset`,
    );
  }
  return undefined;
}

export function joinGroup(s: CoreState, order: SimOrder): void {
  if (order.orderGroupId !== undefined) s.orderGroups.get(order.orderGroupId)?.orderIds.push(order.orderId);
}

function capOf(s: CoreState, groupId: string | undefined, now: number): GroupCap | undefined {
  const g = groupId === undefined ? undefined : s.orderGroups.get(groupId);
  if (!g) return undefined;
  return { group: g.id, allowance: Math.max(g.limit - matchedInWindow(g, now), 0) };
}

/** The taker's cap, for IncomingOrder.group. */
export function takerCap(s: CoreState, order: SimOrder, now: number): GroupCap | undefined {
  return capOf(s, order.orderGroupId, now);
}

/** The resting orders' caps, for planOrder. */
export function makerCaps(s: CoreState, now: number): MakerCaps {
  return (orderId) => capOf(s, s.orders.get(orderId)?.orderGroupId, now);
}

/** Counts a match of an order in the window of its group; returns the group's id if it has one. */
export function recordGroupMatch(
  s: CoreState,
  order: SimOrder,
  count: Count,
  now: number,
): string | undefined {
  const g = order.orderGroupId === undefined ? undefined : s.orderGroups.get(order.orderGroupId);
  if (!g) return undefined;
  g.matches.push({ ms: now, count });
  return g.id;
}

/** Triggers each of the given groups whose window has reached its limit. */
export function enforceGroupLimits(s: CoreState, groupIds: Iterable<string>, now: number): void {
  for (const id of groupIds) {
    const g = s.orderGroups.get(id);
    if (g && !g.triggered && matchedInWindow(g, now) >= g.limit) fire(s, g, now);
  }
}
