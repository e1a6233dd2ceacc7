/**
 * The order path of a live trader against the simulator over loopback, checked on the exchange's
 * own records: every order it creates carries its order group id; fill frames the exchange drops
 * are noticed from the filled counts (create answer, user_order) and read back by REST at once, so
 * positions agree with the exchange's within seconds — with no sync, calibration or periodic
 * reconciliation (its interval is an hour here).
 */
import { expect, it } from 'vitest';
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
    await placeThroughMachine(trader, testIntent(ticker, { yesPrice: passivePrice(env.sim, ticker, 6) }));
    await placeThroughMachine(
      trader,
      testIntent(ticker, { yesPrice: passivePrice(env.sim, ticker, 5), postOnly: true }),
    );
    expect(trader.services!.orders.open().map((o) => o.status)).toEqual(['resting', 'resting']);
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
