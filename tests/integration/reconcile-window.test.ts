/**
 * Reconciliation reads fills back only from the run's own window (chaos, seed 13): a run adopts
 * the exchange's positions at its start, so the fills of earlier runs are already in them. The
 * reconciler's 15-minute look-back used to read those earlier fills back and apply them again on
 * top; the position was off by them for good and the market stayed reduce-only. Real traders in
 * process against the loopback simulator; a reported position that drifts and comes back makes
 * the reconciler read fills back.
 */
import { join } from 'node:path';
import { expect, it } from 'vitest';
import type { RunningTrader } from '../../src/runtime/index.js';
import {
  buyFromSeller,
  exchangePosition,
  inState,
  positionOf,
  simWithSeller,
  until,
} from '../trader-on-sim.js';

const env = simWithSeller({ seed: 11, markets: 3 });

const position = positionOf;
const reducing = async (t: RunningTrader) =>
  ((await t.control.status()) as { reducing_markets: Array<{ ticker: string; reasons: string[] }> })
    .reducing_markets;

it('never reads back the fills of an earlier run (they are in the positions it adopted)', async () => {
  const ticker = env.sim.core.markets()[0]!.ticker;
  const account = env.traders.account();
  const flags = { dataDir: join(env.traders.dir, 'shared'), reconcileInterval: '1' };

  // An earlier run buys 5 YES.
  const first = await env.traders.start(ticker, flags, account);
  await inState(first.trader, 'READY');
  await buyFromSeller(env.sim, first.trader, ticker, 500);
  await until('5 YES', () => position(first.trader, ticker) === 500);
  await first.trader.shutdown({ cancelOrders: true });
  // This run's fill window (whole seconds, as the exchange filters) must start after that fill.
  await new Promise((r) => setTimeout(r, 2_000));

  // This run adopts them; then the exchange reports 3 more for a while (no fill explains them):
  // the reconciler reads fills back, finds none that do, and doubts the market.
  const { trader, creds, rest } = await env.traders.start(ticker, flags, account);
  try {
    await inState(trader, 'READY');
    expect(position(trader, ticker)).toBe(500);
    env.sim.applyFault({ action: 'drift_position', ticker, delta: 3, key_id: creds.key_id });
    await until('the market is doubted', async () =>
      (await reducing(trader)).some((m) => m.ticker === ticker),
    );
    // The report comes back to the truth: so does the trader, which had applied nothing twice.
    env.sim.applyFault({ action: 'clear' });
    await until('no market is doubted', async () => (await reducing(trader)).length === 0, 20_000);
    expect(position(trader, ticker)).toBe(await exchangePosition(rest, ticker));
    expect(position(trader, ticker)).toBe(500);
  } finally {
    await trader.shutdown({ cancelOrders: true });
  }
}, 120_000);
