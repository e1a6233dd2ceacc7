/**
 * A restart after a crash that lost the last fills of a run which itself began holding a position
 * (chaos, seed 12): the restarted trader reads those fills back and books their cash. Replayed from
 * flat, a sale of YES that was held looked like a purchase of NO, the ledger was off by $1 per
 * contract, and the balance-drift breaker halted the trader for nothing. Real traders in process
 * against the loopback simulator; the crash is made in the record (the run's last fill and what
 * followed it never written, the session left "running"), as a kill -9 leaves it.
 */
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { formatDollars } from '../../src/kalshi/units.js';
import { openDatabase } from '../../src/persistence/db.js';
import { simOrder } from '../sim-order.js';
import {
  buyFromSeller,
  inState,
  latestRunCorrections,
  placeThroughMachine,
  positionOf,
  simWithSeller,
  stateOf,
  testIntent,
  until,
} from '../trader-on-sim.js';

const env = simWithSeller({ seed: 9, markets: 3 });

const position = positionOf;

// What the kill -9 lost: the fill's row and its ledger entries, or only the ledger entries (fills and
// ledger rows are written by separate flushes, so the fills row can land without its cash; the
// restart then knew the fill and never booked its cash: balance_drift, chaos seed 22).
it.each([
  { lost: 'the fill and its ledger entries', keepFillRow: false },
  { lost: 'only its ledger entries', keepFillRow: true },
])(
  'books the fills a crash lost ($lost) at the cash they really moved, so no drift halts the restart',
  async ({ keepFillRow }) => {
    const ticker = env.sim.core.markets()[0]!.ticker;
    const account = env.traders.account();
    const accountId = env.sim.accountOf(account.creds.key_id)!;
    const flags = { dataDir: join(env.traders.dir, 'shared'), reconcileInterval: '3600' };

    // Run 1 buys 10 YES and stops cleanly.
    const first = await env.traders.start(ticker, flags, account);
    await inState(first.trader, 'READY');
    await buyFromSeller(env.sim, first.trader, ticker, 1_000);
    await until('10 YES', () => position(first.trader, ticker) === 1_000);
    await first.trader.shutdown({ cancelOrders: true });

    // Run 2 starts holding them (adopted) and sells 4 to a bid one tick under the best ask.
    const second = await env.traders.start(ticker, flags, account);
    await inState(second.trader, 'READY');
    expect(position(second.trader, ticker)).toBe(1_000);
    const bestNo = env.sim.core.book(ticker).no.at(-1)?.[0];
    const bid = (bestNo === undefined ? 9_900 : 10_000 - bestNo) - 100;
    const seller = simOrder({ accountId: 'seller', ticker, bookSide: 'bid', yesPrice: bid, count: 400 });
    expect(env.sim.core.place(seller).ok).toBe(true);
    await placeThroughMachine(
      second.trader,
      testIntent(ticker, { bookSide: 'ask', yesPrice: bid, count: 400, timeInForce: 'immediate_or_cancel' }),
    );
    const sale = second.trader.services!.orders.all().at(-1)!;
    expect(sale, JSON.stringify(sale)).toMatchObject({ status: 'executed' });
    await until('6 YES', () => position(second.trader, ticker) === 600);
    const summary = await second.trader.shutdown({ cancelOrders: true });
    expect(summary.fills).toBe(1);

    // …as a kill -9 would have left it: that fill and every ledger entry from it on never written,
    // the session still "running".
    const db = await openDatabase({ dataDir: flags.dataDir });
    try {
      const [session] = await db.query<{ id: string }>(
        'select id from trading_sessions order by started_at desc limit 1',
      );
      const fills = await db.query<{ fill_id: string }>('select fill_id from fills where session_id = $1', [
        session!.id,
      ]);
      expect(fills).toHaveLength(1);
      const [entry] = await db.query<{ id: number }>(
        `select min(id) as id from ledger where session_id = $1 and kind = 'fill' and ref = $2`,
        [session!.id, fills[0]!.fill_id],
      );
      await db.query('delete from ledger where session_id = $1 and id >= $2', [session!.id, entry!.id]);
      if (!keepFillRow) await db.query('delete from fills where session_id = $1', [session!.id]);
      await db.query(
        `update trading_sessions set status = 'running', ended_at = null, pid = $2, summary = null where id = $1`,
        [session!.id, process.pid],
      );
    } finally {
      await db.close();
    }

    // Run 3 reads the lost fill back: 4 YES sold from 10 held (+4 × bid), not 4 NO bought (−4 × (1 − bid)).
    const third = await env.traders.start(ticker, flags, account);
    try {
      await until('calibrated', () => ['READY', 'HALTED', 'ERROR'].includes(stateOf(third.trader)), 30_000);
      // A drift found by the calibration trips the breaker a moment after it ends.
      await new Promise((r) => setTimeout(r, 1_500));
      const status = (await third.trader.control.status()) as { halt: unknown; cash_dollars?: string };
      expect(status.halt).toBeNull();
      expect(stateOf(third.trader)).toBe('READY');
      expect(status.cash_dollars).toBe(formatDollars(env.sim.core.balance(accountId).cash));
      expect(position(third.trader, ticker)).toBe(600);
    } finally {
      await third.trader.shutdown({ cancelOrders: true });
    }
    // The ledger needed no correction (no reconciliation entry in the restarted run), and taking
    // back what the run before held is no position drift.
    expect(await latestRunCorrections(flags.dataDir)).toEqual({ reconciliations: [], positionDrifts: [] });
  },
  120_000,
);

it('books what settled while it was stopped as the settlement it was, not as drift', async () => {
  const ticker = env.sim.core.markets()[1]!.ticker;
  const account = env.traders.account();
  const accountId = env.sim.accountOf(account.creds.key_id)!;
  const flags = { dataDir: join(env.traders.dir, 'overnight'), reconcileInterval: '3600' };

  const first = await env.traders.start(ticker, flags, account);
  await inState(first.trader, 'READY');
  await buyFromSeller(env.sim, first.trader, ticker, 500);
  await until('5 YES', () => position(first.trader, ticker) === 500);
  await first.trader.shutdown({ cancelOrders: true });

  // Overnight the market settles YES: the exchange pays $5 into the account.
  expect(env.sim.core.settle(ticker, 'yes').ok).toBe(true);
  // …a while before the next start (the exchange filters by whole seconds).
  await new Promise((r) => setTimeout(r, 2_000));

  // (It watches another market: the settled one cannot be traded any more.)
  const next = await env.traders.start(env.sim.core.markets()[2]!.ticker, flags, account);
  try {
    await until('calibrated', () => ['READY', 'HALTED', 'ERROR'].includes(stateOf(next.trader)), 30_000);
    await new Promise((r) => setTimeout(r, 1_500));
    const status = (await next.trader.control.status()) as { halt: unknown; cash_dollars?: string };
    expect(stateOf(next.trader)).toBe('READY');
    expect(status.halt).toBeNull();
    expect(status.cash_dollars).toBe(formatDollars(env.sim.core.balance(accountId).cash));
  } finally {
    await next.trader.shutdown({ cancelOrders: true });
  }
  const db = await openDatabase({ dataDir: flags.dataDir });
  try {
    const rows = await db.query<{ kind: string; amount: number }>(
      `select l.kind, l.amount from ledger l join trading_sessions s on s.id = l.session_id
       where s.started_at = (select max(started_at) from trading_sessions) order by l.id`,
    );
    expect(rows.map((r) => [r.kind, Number(r.amount)])).toEqual([['settlement', 5_000_000]]);
  } finally {
    await db.close();
  }
}, 120_000);

it('takes back what the run before held without calling it a position drift', async () => {
  const ticker = env.sim.core.markets()[2]!.ticker;
  const account = env.traders.account();
  const flags = { dataDir: join(env.traders.dir, 'held'), reconcileInterval: '3600' };
  const first = await env.traders.start(ticker, flags, account);
  await inState(first.trader, 'READY');
  await buyFromSeller(env.sim, first.trader, ticker, 500);
  await until('5 YES', () => position(first.trader, ticker) === 500);
  // The next run reads fills from the second this one stopped in (the exchange filters by whole
  // seconds): a second later, it has none to replay and takes the position as it stands.
  await new Promise((r) => setTimeout(r, 1_100));
  await first.trader.shutdown({ cancelOrders: true });

  const next = await env.traders.start(ticker, flags, account);
  try {
    await inState(next.trader, 'READY', 30_000);
    expect(position(next.trader, ticker)).toBe(500);
  } finally {
    await next.trader.shutdown({ cancelOrders: true });
  }
  expect(await latestRunCorrections(flags.dataDir)).toEqual({ reconciliations: [], positionDrifts: [] });
}, 120_000);
