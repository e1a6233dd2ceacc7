/**
 * A calibration after the run's first reads fills from when the last one began, less
 * `--calibration-overlap`, not the whole run again — and still finds a fill the socket never told
 * it about. A real trader in process against the loopback simulator; the lost fill is an order
 * placed on the same account by someone else (through REST) whose private messages the exchange
 * withholds, so only a REST read can find it.
 */
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { expect, it } from 'vitest';
import { createOrderBody } from '../../src/kalshi/order-body.js';
import { formatDollars } from '../../src/kalshi/units.js';
import { openDatabase } from '../../src/persistence/db.js';
import type { RunningTrader } from '../../src/runtime/index.js';
import { simOrder } from '../sim-order.js';
import {
  buyFromSeller,
  exchangePosition,
  inState,
  positionOf,
  simWithSeller,
  stateOf,
  until,
} from '../trader-on-sim.js';

const env = simWithSeller({ seed: 31, markets: 2 });

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function capture() {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const l of chunk.toString('utf8').split('\n')) if (l) lines.push(JSON.parse(l));
      cb();
    },
  });
  return {
    logger: pino({ level: 'info' }, stream),
    calibrated: () => lines.filter((l) => l.event === 'calibrated'),
  };
}

async function sync(t: RunningTrader, calibrations: () => unknown[]): Promise<void> {
  const before = calibrations().length;
  t.actor!.send({ type: 'OPERATOR_SYNC' });
  await until('a calibration', () => calibrations().length > before && stateOf(t) === 'READY', 30_000);
}

it('reads fills from the last calibration on, and finds one the socket never reported', async () => {
  const ticker = env.sim.core.markets()[0]!.ticker;
  const account = env.traders.account();
  const accountId = env.sim.accountOf(account.creds.key_id)!;
  const logs = capture();
  const dataDir = join(env.traders.dir, 'window');
  const { trader: t, rest } = await env.traders.start(
    ticker,
    { dataDir, reconcileInterval: '3600', calibrationOverlap: '1' },
    account,
    { logger: logs.logger },
  );
  try {
    await inState(t, 'READY');
    // Two fills the socket reports, then a calibration that reads both (its window opens before
    // the run's first calibration began).
    await buyFromSeller(env.sim, t, ticker, 200);
    await buyFromSeller(env.sim, t, ticker, 300);
    await until('5 YES', () => positionOf(t, ticker) === 500);
    await sleep(2_500);
    await sync(t, logs.calibrated);
    expect(logs.calibrated().at(-1)).toMatchObject({ fills: 2 });
    await sleep(2_500);

    // Someone else on the account buys 4 YES through REST; the exchange withholds the order's
    // private messages (user_order, fill, position), as a disconnect at that moment would lose them.
    const ask = env.sim.core.place(
      simOrder({ accountId: 'seller', ticker, bookSide: 'ask', yesPrice: 9_900, count: 400 }),
    );
    expect(ask.ok).toBe(true);
    env.sim.applyFault({ action: 'withhold_private', count: 1 });
    const placed = await rest.createOrderV2(
      createOrderBody({
        clientOrderId: 'not-the-trader-1',
        ticker,
        bookSide: 'bid',
        yesPrice: 9_900,
        count: 400,
        timeInForce: 'immediate_or_cancel',
        postOnly: false,
        reduceOnly: false,
        selfTradePrevention: 'taker_at_cross',
      }),
    );
    expect(placed.outcome).toBe('accepted');
    expect(await exchangePosition(rest, ticker)).toBe(900);
    await sleep(300);
    expect(positionOf(t, ticker)).toBe(500); // nothing told the trader

    // The next calibration reads from the last one's start (less 1 s): the lost fill, not the two
    // before it, and its position and cash come out as the exchange's.
    await sync(t, logs.calibrated);
    const last = logs.calibrated().at(-1)!;
    expect(last).toMatchObject({ fills: 1, balanceDifference: 0, drifts: 0, attempts: 1 });
    expect(Date.parse(String(last.fills_since))).toBeGreaterThan(Date.now() - 10_000);
    expect(positionOf(t, ticker)).toBe(900);
    const status = (await t.control.status()) as { cash_dollars?: string };
    expect(status.cash_dollars).toBe(formatDollars(env.sim.core.balance(accountId).cash));
  } finally {
    await t.shutdown({ cancelOrders: true });
  }
  // Every fill of the account recorded once: the trader's two and the one it was never told about.
  const db = await openDatabase({ dataDir });
  try {
    const rows = await db.query<{ fill_id: string }>('select fill_id from fills');
    expect(rows).toHaveLength(3);
    expect(new Set(rows.map((r) => r.fill_id)).size).toBe(3);
  } finally {
    await db.close();
  }
}, 90_000);
