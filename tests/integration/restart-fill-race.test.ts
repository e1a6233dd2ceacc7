/**
 * A fill that lands while a restarted trader calibrates (chaos finding 12, seed 24: a kill -9 in a
 * burst of fills; the restarted trader's resting orders kept filling while it read the account).
 *
 * The run before holds NO and leaves a YES bid resting. The restart calibrates slowly (the
 * exchange answers every request 300 ms late) and, mid-calibration, a seller hits that bid: buying
 * YES while holding NO nets $1 a pair back into the account. Booked from the wrong position (flat,
 * before the calibration has said where the run starts) the ledger missed that $1 a pair, the
 * exchange's cash was whole dollars above it, and the balance-drift breaker halted the trader.
 * Checked against the simulator's own cash and position.
 */
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { formatDollars } from '../../src/kalshi/units.js';
import { simOrder } from '../sim-order.js';
import {
  inState,
  latestRunCorrections,
  placeThroughMachine,
  positionOf,
  simWithSeller,
  stateOf,
  testIntent,
  until,
} from '../trader-on-sim.js';

const env = simWithSeller({ seed: 31, markets: 2 });

const position = positionOf;

it.each([
  { when: 'while it reads the positions', step: 'positions' },
  { when: 'after it has read the positions', step: 'fills' },
])(
  'books a fill that lands $when in a restart calibration from where the run really stood',
  async ({ step }) => {
    const ticker = env.sim.core.markets()[0]!.ticker;
    const account = env.traders.account();
    const accountId = env.sim.accountOf(account.creds.key_id)!;
    const flags = { dataDir: join(env.traders.dir, `race-${step}`), reconcileInterval: '3600' };

    // Two prices inside the spread: run 1 sells 10 YES (holds 10 NO) to a buyer at the lower, then
    // leaves a YES bid at the higher resting, the market's best bid (a sale there meets it first).
    const book = env.sim.core.book(ticker);
    const bestYes = book.yes.at(-1)?.[0] ?? 0;
    const bestAsk = 10_000 - (book.no.at(-1)?.[0] ?? 0);
    const [sold, bid] = [bestYes + 100, bestYes + 200];
    expect(bid, JSON.stringify(book)).toBeLessThan(bestAsk);
    const first = await env.traders.start(ticker, flags, account);
    await inState(first.trader, 'READY');
    const buyer = simOrder({ accountId: 'seller', ticker, bookSide: 'bid', yesPrice: sold, count: 1_000 });
    expect(env.sim.core.place(buyer).ok).toBe(true);
    await placeThroughMachine(
      first.trader,
      testIntent(ticker, {
        bookSide: 'ask',
        yesPrice: sold,
        count: 1_000,
        timeInForce: 'immediate_or_cancel',
      }),
    );
    await until('10 NO', () => position(first.trader, ticker) === -1_000);
    await placeThroughMachine(
      first.trader,
      testIntent(ticker, { bookSide: 'bid', yesPrice: bid, count: 400 }),
    );
    expect(first.trader.services!.orders.all().at(-1)).toMatchObject({ status: 'resting' });
    await first.trader.shutdown({ cancelOrders: false });

    // Run 2 calibrates slowly; a seller hits the resting bid in the middle of it.
    env.sim.faults.latencyMs = 300;
    const second = await env.traders.start(ticker, flags, account);
    try {
      await until('calibrating', () => stateOf(second.trader) === 'CALIBRATING', 30_000);
      // 'positions': the sale lands while the positions read is in flight (it reflects the fill);
      // 'fills': it lands after that read (the fills read lists it, the positions do not).
      await new Promise((r) => setTimeout(r, step === 'positions' ? 100 : 450));
      const sale = simOrder({ accountId: 'seller', ticker, bookSide: 'ask', yesPrice: bid, count: 400 });
      expect(env.sim.core.place(sale).ok).toBe(true);
      await until('calibrated', () => ['READY', 'HALTED', 'ERROR'].includes(stateOf(second.trader)), 30_000);
      env.sim.faults.latencyMs = 0;
      // A drift found by the calibration trips the breaker a moment after it ends.
      await new Promise((r) => setTimeout(r, 1_500));
      const status = (await second.trader.control.status()) as { halt: unknown; cash_dollars?: string };
      expect(status.halt).toBeNull();
      expect(stateOf(second.trader)).toBe('READY');
      expect(position(second.trader, ticker)).toBe(-600);
      expect(status.cash_dollars).toBe(formatDollars(env.sim.core.balance(accountId).cash));
    } finally {
      env.sim.faults.latencyMs = 0;
      await second.trader.shutdown({ cancelOrders: true });
    }
    // The ledger needed no correction (no reconciliation entry in the restarted run), and taking
    // back what the run before held is no position drift.
    expect(await latestRunCorrections(flags.dataDir)).toEqual({ reconciliations: [], positionDrifts: [] });
  },
  120_000,
);
