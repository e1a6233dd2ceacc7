/**
 * The order path of a live trader against the simulator over loopback, checked on the exchange's
 * own records: every order it creates carries its order group id; fill frames the exchange drops
 * are noticed from the filled counts (create answer, user_order) and read back by REST at once, so
 * positions agree with the exchange's within seconds — with no sync, calibration or periodic
 * reconciliation (its interval is an hour here). A round trip as a taker (fees on both legs) ends
 * in the run's summary line with the P&L that `status` shows.
 */
import { expect, it } from 'vitest';
import { MICROS_PER_DOLLAR } from '../../src/domain/index.js';
import { formatDollars } from '../../src/kalshi/index.js';
import { collect } from '../../src/kalshi/rest.js';
import { simOrder } from '../sim-order.js';
import {
  buyFromSeller,
  exchangePosition,
  inState,
  passivePrice,
  placeThroughMachine,
  simWithSeller,
  testIntent,
  until,
} from '../trader-on-sim.js';

const env = simWithSeller({ seed: 5, markets: 4 });

it('puts every order it creates in its order group, as the exchange lists them', async () => {
  const ticker = env.sim.core.markets()[0]!.ticker;
  const { trader, rest } = await env.traders.start(ticker, { reconcileInterval: '3600' });
  try {
    await inState(trader, 'READY');
    // READY: order-create headers are signed ahead (the simulator verifies every signature)
    const signing = async () =>
      ((await trader.control.status()) as { order_signing: Record<string, unknown> }).order_signing;
    await until('a pre-signed order header', async () => (await signing()).ready === 1);
    await placeThroughMachine(trader, testIntent(ticker, { yesPrice: passivePrice(env.sim, ticker, 6) }));
    await placeThroughMachine(
      trader,
      testIntent(ticker, { yesPrice: passivePrice(env.sim, ticker, 5), postOnly: true }),
    );
    expect(trader.services!.orders.open().map((o) => o.status)).toEqual(['resting', 'resting']);
    expect(await signing()).toMatchObject({ presign: 'active', max_age_ms: 1_000 });
    expect((await signing()).presigned).toBeGreaterThanOrEqual(1); // READY and ACTING both pre-sign
    const status = (await trader.control.status()) as { order_group: { id: string | null } };
    const group = status.order_group.id;
    expect(group).toEqual(expect.any(String));
    const listed = await collect(rest.allOrders({ ticker }));
    expect(listed).toHaveLength(2);
    for (const o of listed) expect(o.order_group_id).toBe(group);
  } finally {
    await trader.shutdown({ cancelOrders: true });
  }
}, 60_000);

it('notices fill frames the exchange dropped from the filled counts and converges in seconds', async () => {
  const ticker = env.sim.core.markets()[1]!.ticker;
  const { trader, rest } = await env.traders.start(ticker, { reconcileInterval: '3600' });
  try {
    await inState(trader, 'READY');
    env.sim.applyFault({ action: 'drop_fill_messages', count: 100 });

    // A taker order: the create answer says 5 filled; no fill frame comes.
    await buyFromSeller(env.sim, trader, ticker, 500);
    // A resting order of ours filled later by someone else: only user_order says so.
    const bid = passivePrice(env.sim, ticker);
    await placeThroughMachine(trader, testIntent(ticker, { yesPrice: bid, count: 300 }));
    expect(trader.services!.orders.open().map((o) => o.status)).toEqual(['resting']);
    // The seller sweeps every bid down to ours (ours included).
    const sweep = env.sim.core
      .book(ticker)
      .yes.filter(([p]) => p >= bid)
      .reduce((sum, [, size]) => sum + size, 0);
    expect(
      env.sim.core.place(
        simOrder({ accountId: 'seller', ticker, bookSide: 'ask', yesPrice: bid, count: sweep }),
      ).ok,
    ).toBe(true);

    const exchange = await exchangePosition(rest, ticker);
    expect(exchange).toBe(800);
    await until(
      'the position to agree with the exchange',
      () => trader.services!.positions.get(ticker)?.position === exchange,
      5_000,
    );
    expect(env.sim.faults.snapshot().dropFillMessages).toBeLessThan(100);
    expect(trader.services!.orders.stats().fillGapFetches).toBeGreaterThanOrEqual(2);
  } finally {
    env.sim.applyFault({ action: 'clear' });
    await trader.shutdown({ cancelOrders: true });
  }
}, 60_000);

it('reports P&L as status does: realized before fees, the fees, and net after them (domain/pnl.ts)', async () => {
  const ticker = env.sim.core.markets()[2]!.ticker;
  const { trader } = await env.traders.start(ticker, { reconcileInterval: '3600' });
  let status: Record<string, unknown>;
  try {
    await inState(trader, 'READY');
    await buyFromSeller(env.sim, trader, ticker, 500);
    // Below every ask: it rests until we sell into it.
    env.sim.core.place(simOrder({ accountId: 'seller', ticker, bookSide: 'bid', yesPrice: 100, count: 500 }));
    await placeThroughMachine(
      trader,
      testIntent(ticker, {
        bookSide: 'ask',
        yesPrice: 100,
        count: 500,
        timeInForce: 'immediate_or_cancel',
      }),
    );
    expect(trader.services!.positions.get(ticker)?.position).toBe(0);
    status = (await trader.control.status()) as Record<string, unknown>;
  } finally {
    await trader.shutdown({ cancelOrders: true });
  }
  const summary = await trader.done;
  const totals = trader.services!.positions.totals();
  expect(totals.fees).toBeGreaterThan(0);
  expect(totals.realized).not.toBe(0);
  expect(summary.realized_pnl_dollars).toBe(formatDollars(totals.realized));
  expect(summary.fees_dollars).toBe(formatDollars(totals.fees));
  expect(summary.net_pnl_dollars).toBe(formatDollars(totals.realized - totals.fees));
  expect(summary.unrealized_pnl_dollars).toBe('0.0000');
  // status: the same figures, in its own money format ("$1.20").
  const dollars = (s: unknown) => Number(String(s).replace('$', ''));
  expect(dollars(status.realized_pnl_dollars)).toBeCloseTo(totals.realized / MICROS_PER_DOLLAR, 2);
  expect(dollars(status.fees_dollars)).toBeCloseTo(totals.fees / MICROS_PER_DOLLAR, 2);
  expect(dollars(status.net_pnl_dollars)).toBeCloseTo((totals.realized - totals.fees) / MICROS_PER_DOLLAR, 2);
}, 60_000);
