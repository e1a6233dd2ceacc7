import { describe, expect, it } from 'vitest';
import { contracts, type Micros } from '../../src/domain/index.js';
import type {
  CoreEvent,
  CoreResult,
  ExchangeCore,
  OrderIntent,
  SimFill,
  SimOrder,
} from '../../src/exchange-sim/core-types.js';
import { createExchangeCore } from '../../src/exchange-sim/exchange.js';
import { simOrder } from '../sim-order.js';

const TICKER = 'KXGRP-26JAN01-T50';
const T0 = 1_000_000;

interface Fixture {
  core: ExchangeCore;
  events: CoreEvent[];
  setNow(ms: number): void;
}

function setup(): Fixture {
  let now = T0;
  const core = createExchangeCore({ clock: () => now });
  core.addSeries({
    ticker: 'KXGRP',
    title: 'Groups',
    category: 'Testing',
    frequency: 'daily',
    feeType: 'quadratic',
    feeMultiplier: 10_000,
  });
  core.addEvent({
    eventTicker: 'KXGRP-26JAN01',
    seriesTicker: 'KXGRP',
    title: 'Groups',
    subTitle: '',
    mutuallyExclusive: false,
  });
  core.addMarket({
    ticker: TICKER,
    eventTicker: 'KXGRP-26JAN01',
    title: 'Test market',
    yesSubTitle: 'Above 50',
    noSubTitle: 'Not above 50',
    strikeType: 'greater',
    floorStrike: 50,
    openMs: 0,
    closeMs: 100_000_000,
    expectedExpirationMs: 110_000_000,
    priceLevelStructure: 'linear_cent',
    fractionalTradingEnabled: false,
    status: 'active',
  });
  const cash: Micros = 1_000_000_000;
  for (const id of ['alice', 'bob']) core.openAccount(id, cash);
  const events: CoreEvent[] = [];
  core.onEvent((e) => events.push(e));
  return { core, events, setNow: (ms) => (now = ms) };
}

function unwrap<T>(r: CoreResult<T>): T {
  if (!r.ok) throw new Error(`expected ok, got ${JSON.stringify(r.error)}`);
  return r.value;
}

/** Alice buys YES (bid) or sells YES (ask) at a price in cents for whole contracts. */
function order(
  accountId: string,
  bookSide: 'bid' | 'ask',
  cents: number,
  n: number,
  over: Partial<OrderIntent> = {},
) {
  return simOrder({
    accountId,
    ticker: TICKER,
    bookSide,
    yesPrice: cents * 100,
    count: contracts(n),
    ...over,
  });
}

function place(core: ExchangeCore, i: OrderIntent): { order: SimOrder; fills: SimFill[] } {
  return unwrap(core.place(i));
}

function groupEvents(events: CoreEvent[]) {
  return events.flatMap((e) => (e.type === 'order_group' ? [e.eventType] : []));
}

function newGroup(core: ExchangeCore, n: number, accountId = 'alice'): string {
  return unwrap(core.createOrderGroup(accountId, { limit: contracts(n) })).id;
}

describe('an order group caps the contracts its orders match', () => {
  it('never lets resting orders of the group match past the limit, then cancels the rest of the group', () => {
    const { core, events } = setup();
    const g = newGroup(core, 5);
    const low = place(core, order('alice', 'bid', 40, 3, { orderGroupId: g })).order;
    const high = place(core, order('alice', 'bid', 41, 4, { orderGroupId: g })).order;
    const outside = place(core, order('alice', 'bid', 39, 2)).order;

    const taker = place(core, order('bob', 'ask', 30, 10));

    expect(taker.fills.map((f) => f.count)).toEqual([contracts(4), contracts(1), contracts(2)]);
    expect(core.positions('alice')[0]?.position).toBe(contracts(7));
    expect(core.order('alice', high.orderId)).toMatchObject({ status: 'executed', fillCount: contracts(4) });
    expect(core.order('alice', low.orderId)).toMatchObject({
      status: 'canceled',
      fillCount: contracts(1),
      remainingCount: 0,
      lastUpdateReason: 'order_group_triggered',
    });
    // The order outside the group matched as usual.
    expect(core.order('alice', outside.orderId)).toMatchObject({ status: 'executed' });
    expect(unwrap(core.orderGroup('alice', g))).toMatchObject({
      triggered: true,
      matchedInWindow: contracts(5),
      orderIds: [low.orderId, high.orderId],
    });
    expect(groupEvents(events)).toEqual(['created', 'triggered']);
  });

  it('cuts a taker in the group at its allowance and cancels its remainder', () => {
    const { core } = setup();
    place(core, order('bob', 'ask', 50, 10));
    const g = newGroup(core, 3);
    const { order: taker, fills } = place(core, order('alice', 'bid', 50, 10, { orderGroupId: g }));
    expect(fills.reduce((s, f) => s + f.count, 0)).toBe(contracts(3));
    expect(taker).toMatchObject({
      status: 'canceled',
      fillCount: contracts(3),
      lastUpdateReason: 'order_group',
    });
    expect(core.book(TICKER).no).toEqual([[5_000, contracts(7)]]);
    expect(unwrap(core.orderGroup('alice', g)).triggered).toBe(true);
  });

  it('kills a fill-or-kill in the group whose count is more than the group may still match', () => {
    const { core } = setup();
    place(core, order('bob', 'ask', 50, 10));
    const g = newGroup(core, 3);
    const fok = place(core, order('alice', 'bid', 50, 5, { orderGroupId: g, timeInForce: 'fill_or_kill' }));
    expect(fok.fills).toEqual([]);
    expect(fok.order.status).toBe('canceled');
    expect(unwrap(core.orderGroup('alice', g))).toMatchObject({ triggered: false, matchedInWindow: 0 });
  });

  it('counts matches over a rolling 15 s window: a match at t counts while now − t < 15 s', () => {
    const { core, setNow } = setup();
    const g = newGroup(core, 5);
    place(core, order('bob', 'ask', 50, 100));
    place(core, order('alice', 'bid', 50, 3, { orderGroupId: g }));
    setNow(T0 + 10_000);
    place(core, order('alice', 'bid', 50, 1, { orderGroupId: g }));
    setNow(T0 + 14_999);
    expect(unwrap(core.orderGroup('alice', g))).toMatchObject({
      matchedInWindow: contracts(4),
      triggered: false,
    });
    setNow(T0 + 15_000);
    expect(unwrap(core.orderGroup('alice', g)).matchedInWindow).toBe(contracts(1));
    // Room for 4 more now: exactly reaching the limit triggers the group.
    const last = place(core, order('alice', 'bid', 50, 4, { orderGroupId: g }));
    expect(last.order).toMatchObject({ status: 'executed', fillCount: contracts(4) });
    expect(unwrap(core.orderGroup('alice', g))).toMatchObject({
      matchedInWindow: contracts(5),
      triggered: true,
    });
  });
});

describe('a triggered group', () => {
  it('refuses new orders naming it until it is reset, and takes orders again after', () => {
    const { core, events } = setup();
    const g = newGroup(core, 5);
    unwrap(core.triggerOrderGroup('alice', g));
    const refused = core.place(order('alice', 'bid', 40, 1, { orderGroupId: g }));
    expect(refused.ok).toBe(false);
    if (!refused.ok) expect(refused.error).toMatchObject({ status: 400, code: 'order_group_triggered' });
    // Orders outside the group are not affected.
    expect(core.place(order('alice', 'bid', 40, 1)).ok).toBe(true);
    unwrap(core.resetOrderGroup('alice', g));
    expect(unwrap(core.orderGroup('alice', g))).toMatchObject({ triggered: false, matchedInWindow: 0 });
    expect(place(core, order('alice', 'bid', 40, 1, { orderGroupId: g })).order.status).toBe('resting');
    expect(groupEvents(events)).toEqual(['created', 'triggered', 'reset']);
  });

  it('is what trigger makes at once: every resting order of the group, and only those, is canceled', () => {
    const { core, events } = setup();
    const g = newGroup(core, 100);
    const a = place(core, order('alice', 'bid', 40, 2, { orderGroupId: g })).order;
    const b = place(core, order('alice', 'ask', 60, 2, { orderGroupId: g })).order;
    const free = place(core, order('alice', 'bid', 39, 2)).order;
    events.length = 0;
    const canceled = unwrap(core.triggerOrderGroup('alice', g));
    expect(canceled.map((o) => o.orderId).sort()).toEqual([a.orderId, b.orderId].sort());
    expect(core.order('alice', free.orderId)?.status).toBe('resting');
    expect(core.book(TICKER)).toEqual({ yes: [[3_900, contracts(2)]], no: [] });
    // The group's event comes first, then the cancels.
    expect(events[0]).toMatchObject({ type: 'order_group', eventType: 'triggered' });
    expect(
      events.filter((e) => e.type === 'order').map((e) => (e as { order: SimOrder }).order.status),
    ).toEqual(['canceled', 'canceled']);
  });

  it('follows a new limit at or below what the window holds at once', () => {
    const { core, events } = setup();
    const g = newGroup(core, 10);
    place(core, order('bob', 'ask', 50, 4));
    place(core, order('alice', 'bid', 50, 4, { orderGroupId: g }));
    const resting = place(core, order('alice', 'bid', 40, 1, { orderGroupId: g })).order;
    unwrap(core.setOrderGroupLimit('alice', g, contracts(5)));
    expect(unwrap(core.orderGroup('alice', g))).toMatchObject({ triggered: false, limit: contracts(5) });
    unwrap(core.setOrderGroupLimit('alice', g, contracts(4)));
    expect(unwrap(core.orderGroup('alice', g)).triggered).toBe(true);
    expect(core.order('alice', resting.orderId)?.status).toBe('canceled');
    expect(groupEvents(events)).toEqual(['created', 'limit_updated', 'limit_updated', 'triggered']);
  });
});

describe('deleting a group', () => {
  it('cancels its resting orders and removes it; its orders keep the id', () => {
    const { core, events } = setup();
    const g = newGroup(core, 5);
    const a = place(core, order('alice', 'bid', 40, 2, { orderGroupId: g })).order;
    const canceled = unwrap(core.deleteOrderGroup('alice', g));
    expect(canceled.map((o) => o.orderId)).toEqual([a.orderId]);
    expect(core.order('alice', a.orderId)).toMatchObject({
      status: 'canceled',
      orderGroupId: g,
      lastUpdateReason: 'order_group_deleted',
    });
    expect(core.orderGroup('alice', g).ok).toBe(false);
    expect(core.orderGroups('alice')).toEqual([]);
    const again = core.place(order('alice', 'bid', 40, 1, { orderGroupId: g }));
    expect(again.ok || again.error).toMatchObject({ status: 404, code: 'not_found' });
    expect(groupEvents(events)).toEqual(['created', 'deleted']);
  });
});

describe('order groups belong to one account', () => {
  it('answers 404 to another account, and to an unknown id', () => {
    const { core } = setup();
    const g = newGroup(core, 5);
    expect(core.orderGroup('bob', g).ok).toBe(false);
    expect(core.triggerOrderGroup('bob', g).ok).toBe(false);
    const theirs = core.place(order('bob', 'bid', 40, 1, { orderGroupId: g }));
    expect(theirs.ok || theirs.error).toMatchObject({ status: 404 });
    const unknown = core.place(order('alice', 'bid', 40, 1, { orderGroupId: 'no-such-group' }));
    expect(unknown.ok || unknown.error).toMatchObject({ status: 404 });
    expect(core.orderGroups('bob')).toEqual([]);
    expect(core.orderGroups('alice').map((x) => x.id)).toEqual([g]);
  });

  it('refuses a limit below 0.01 contract', () => {
    const { core } = setup();
    const r = core.createOrderGroup('alice', { limit: 0 });
    expect(r.ok || r.error).toMatchObject({ status: 400, code: 'invalid_parameters' });
  });
});
