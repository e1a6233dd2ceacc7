/**
 * Calibration that refuses, and says why — live traders against the simulator over loopback:
 *  - a position the exchange reports that no fill explains (drift_position) keeps the trader out of
 *    READY: calibration retries, then fails naming the market and the amounts (ERROR);
 *  - a cash difference between the ledger and the exchange (drift_balance) above
 *    --max-balance-drift-dollars is booked but flagged: breaker 'balance_drift', HALTED; below it,
 *    a reconciliation entry and READY;
 *  - orders on the account that are not ours are adopted and flagged, count against exposure, and
 *    with --foreign-orders halt trip the breaker ('foreign_orders');
 *  - the run's first calibration tells its progress (start's bar); later ones do not.
 */
import { expect, it } from 'vitest';
import { notional } from '../../src/domain/index.js';
import type { CalibrationProgress } from '../../src/integrations/index.js';
import { balanceFromRest } from '../../src/kalshi/normalize.js';
import { collect, type KalshiRestClient } from '../../src/kalshi/rest.js';
import { formatCount, formatDollars, formatPrice } from '../../src/kalshi/units.js';
import type { RunningTrader } from '../../src/runtime/index.js';
import {
  buyFromSeller,
  inState,
  passivePrice,
  simWithSeller,
  stateOf,
  testIntent,
  until,
} from '../trader-on-sim.js';

const env = simWithSeller({ seed: 8, markets: 4 });

/** Asks for a calibration and waits until it has ended (the machine left CALIBRATING). */
async function sync(t: RunningTrader): Promise<string> {
  let ended: string | undefined;
  const off = (e: { from: string; to: string }) => {
    if (e.from === 'CALIBRATING') ended = e.to;
  };
  t.services!.bus.on('machine.transitioned', off);
  try {
    await t.control.sync();
    await until('the calibration to end', () => ended !== undefined, 20_000);
    return ended!;
  } finally {
    t.services!.bus.off('machine.transitioned', off);
  }
}

async function exchangeCash(rest: KalshiRestClient): Promise<string> {
  return formatDollars(balanceFromRest(await rest.getBalance()).cash);
}

it('refuses READY when a position differs from what the fills imply, naming the market and amounts', async () => {
  const ticker = env.sim.core.markets()[0]!.ticker;
  const { trader, creds } = await env.traders.start(ticker);
  try {
    await inState(trader, 'READY');
    await buyFromSeller(env.sim, trader, ticker, 500);
    await until('the fill', () => trader.services!.positions.get(ticker)?.position === 500);

    env.sim.applyFault({ action: 'drift_position', ticker, delta: 3, key_id: creds.key_id });
    expect(await sync(trader)).toBe('ERROR');
    const { lastError } = trader.actor!.getSnapshot().context;
    expect(lastError).toContain(`${ticker}: ours 5.00 ≠ exchange 8.00 (3.00 unexplained)`);
    expect(lastError).toMatch(/after 3 calibration attempts/);
    // Our position stays what the fills say.
    expect(trader.services!.positions.get(ticker)?.position).toBe(500);

    // Once the exchange agrees again, the next calibration (after the backoff) reaches READY.
    env.sim.applyFault({ action: 'clear' });
    await inState(trader, 'READY', 30_000);
  } finally {
    env.sim.applyFault({ action: 'clear' });
    await trader.shutdown({ cancelOrders: true });
  }
}, 90_000);

it('flags a cash difference above --max-balance-drift-dollars: booked, breaker balance_drift, HALTED', async () => {
  const ticker = env.sim.core.markets()[1]!.ticker;
  const { trader, rest, creds } = await env.traders.start(ticker, { maxBalanceDriftDollars: '1' });
  try {
    await inState(trader, 'READY');
    const found: number[] = [];
    trader.services!.bus.on('balance.driftDetected', (d) => found.push(d.difference));
    env.sim.applyFault({ action: 'drift_balance', delta_dollars: '12.50', key_id: creds.key_id });
    expect(await sync(trader)).toBe('HALTED');
    expect(found).toEqual([12_500_000]);
    const breaker = trader.services!.risk.breaker();
    expect(breaker).toMatchObject({ open: true, reason: 'balance_drift' });
    expect(breaker.detail).toMatch(/by \+\$12\.5/);
    // Booked: the ledger now follows the exchange.
    const status = (await trader.control.status()) as { cash_dollars: string; halt: unknown };
    expect(status.cash_dollars).toBe(await exchangeCash(rest));

    // An operator looks and resumes: the ledger agrees now, so the trader trades again.
    await trader.control.resume();
    await inState(trader, 'READY');
    expect(found).toHaveLength(1);
  } finally {
    env.sim.applyFault({ action: 'clear' });
    await trader.shutdown({ cancelOrders: true });
  }
}, 90_000);

it('books a cash difference below the limit as a reconciliation entry and stays READY', async () => {
  const ticker = env.sim.core.markets()[2]!.ticker;
  const { trader, rest, creds } = await env.traders.start(ticker, { maxBalanceDriftDollars: '1' });
  try {
    await inState(trader, 'READY');
    env.sim.applyFault({ action: 'drift_balance', delta_dollars: '-0.40', key_id: creds.key_id });
    expect(await sync(trader)).toBe('READY');
    expect(trader.services!.risk.breaker().open).toBe(false);
    const status = (await trader.control.status()) as { cash_dollars: string };
    expect(status.cash_dollars).toBe(await exchangeCash(rest));
  } finally {
    env.sim.applyFault({ action: 'clear' });
    await trader.shutdown({ cancelOrders: true });
  }
}, 90_000);

it("tells the run's first calibration's progress to start (its bar), and not the later ones", async () => {
  const ticker = env.sim.core.markets()[1]!.ticker;
  const seen: CalibrationProgress[] = [];
  const { trader } = await env.traders.start(ticker, {}, env.traders.account(), {
    onCalibrationProgress: (p) => seen.push(p),
  });
  try {
    await inState(trader, 'READY');
    const steps = [...new Set(seen.map((p) => p.step))];
    expect(steps).toEqual(['positions', 'orders', 'fills', 'settlements', 'balance', 'check', 'done']);
    expect(seen.at(-1)).toMatchObject({ step: 'done', stepsDone: 6, steps: 6 });
    const told = seen.length;
    expect(await sync(trader)).toBe('READY');
    expect(seen).toHaveLength(told);
  } finally {
    await trader.shutdown({ cancelOrders: true });
  }
}, 90_000);

it('adopts orders that are not ours, flags them, and counts them against exposure', async () => {
  const ticker = env.sim.core.markets()[3]!.ticker;
  const account = env.traders.account();
  const foreignPrice = passivePrice(env.sim, ticker, 6);
  const byHand = await account.rest.createOrderV2({
    ticker,
    client_order_id: 'by-hand-1',
    side: 'bid',
    count: formatCount(2_000),
    price: formatPrice(foreignPrice),
    time_in_force: 'good_till_canceled',
    self_trade_prevention_type: 'maker',
  });
  expect(byHand.outcome).toBe('accepted');
  // Our order alone fits the exposure limit; with the foreign order's cash it does not.
  const ourPrice = passivePrice(env.sim, ticker, 5);
  const limit = notional(2_000, foreignPrice) + notional(500, ourPrice) / 2;
  const { trader } = await env.traders.start(
    ticker,
    { maxExposureDollars: formatDollars(limit), maxBalanceDriftDollars: '1' },
    account,
  );
  try {
    await inState(trader, 'READY');
    const status = (await trader.control.status()) as {
      open_orders: Array<{ client_order_id: string; foreign?: boolean }>;
      foreign_orders: number;
    };
    expect(status.open_orders).toEqual([
      expect.objectContaining({ client_order_id: 'by-hand-1', foreign: true }),
    ]);
    expect(status.foreign_orders).toBe(1);

    const before = trader.services!.orders.all().length;
    trader.actor!.send({ type: 'INTENT', intent: testIntent(ticker, { yesPrice: ourPrice, count: 500 }) });
    await until(
      'the decision',
      () => trader.services!.orders.all().length > before && stateOf(trader) === 'READY',
    );
    expect(trader.services!.orders.all().at(-1)).toMatchObject({
      status: 'denied',
      reason: expect.stringContaining('RISK_MAX_EXPOSURE'),
    });
    expect(trader.services!.risk.breaker().open).toBe(false);
  } finally {
    await trader.shutdown({ cancelOrders: true });
  }
}, 90_000);

it('with --foreign-orders halt, an order that is not ours trips the breaker and the halt cancels it', async () => {
  const ticker = env.sim.core.markets()[3]!.ticker;
  const account = env.traders.account();
  const byHand = await account.rest.createOrderV2({
    ticker,
    client_order_id: 'by-hand-2',
    side: 'bid',
    count: formatCount(100),
    price: formatPrice(passivePrice(env.sim, ticker, 6)),
    time_in_force: 'good_till_canceled',
    self_trade_prevention_type: 'maker',
  });
  expect(byHand.outcome).toBe('accepted');
  const { trader } = await env.traders.start(ticker, { foreignOrders: 'halt' }, account);
  try {
    await inState(trader, 'HALTED');
    const breaker = trader.services!.risk.breaker();
    expect(breaker).toMatchObject({ open: true, reason: 'foreign_orders' });
    expect(breaker.detail).toContain('by-hand-2');
    await until(
      'the halt to cancel it at the exchange',
      async () => (await collect(account.rest.allOrders({ status: 'resting' }))).length === 0,
    );
  } finally {
    await trader.shutdown({ cancelOrders: true });
  }
}, 90_000);
