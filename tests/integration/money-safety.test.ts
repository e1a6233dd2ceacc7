/**
 * Issue 8 on the real simulator, counted on the exchange's own order list (never the trader's logs):
 * - §1 one road: a maker→taker conversion is sent in READY (the control), and nothing at all
 *   reaches the exchange from a HALTED, a PAUSED or an ERROR trader with maker→taker on.
 * - §2 a halt cancels our resting orders and triggers the order group (the exchange-side kill
 *   switch); `halt --keep-orders` leaves them; resume resets the group.
 * - §3 a silently corrupted book makes its market REDUCING until the REST cross-check agrees.
 * - §5 fill frames the exchange never sent are noticed by the periodic reconciliation, without a
 *   sync: the position converges to the exchange's.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { tradingStateOf } from '../../machines/index.js';
import { loadConfig } from '../../src/config/index.js';
import { CENT, MICROS_PER_DOLLAR, type OrderIntent } from '../../src/domain/index.js';
import { type Simulator, startSimulator } from '../../src/exchange-sim/index.js';
import { type RunningTrader, startTrader } from '../../src/runtime/index.js';
import { untilWithin } from '../until.js';

const until = untilWithin(30_000);

// Each case starts a trader on a shared 2-core CI machine: generous bounds, no speed claims.
vi.setConfig({ testTimeout: 120_000, hookTimeout: 60_000 });

let sim: Simulator;
let dir: string;
const running: RunningTrader[] = [];
beforeAll(async () => {
  sim = await startSimulator({ seed: 31, markets: 3, ratePerSec: 15, rateLimit: false });
  dir = mkdtempSync(join(tmpdir(), 'tv3-money-'));
});
afterEach(async () => {
  sim.applyFault({ action: 'clear' });
  sim.applyFault({ action: 'resume_exchange' });
  for (const t of running.splice(0)) await t.shutdown({ cancelOrders: true }).catch(() => undefined);
});
afterAll(async () => {
  await sim?.close();
  rmSync(dir, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let runs = 0;
/** A trader with no strategy on its own account, following one market of the simulator. */
async function trader(
  flags: Record<string, string> = {},
  env: Record<string, string> = {},
): Promise<{ t: RunningTrader; account: string; ticker: string }> {
  runs += 1;
  const creds = sim.createAccount({ balance: 1_000 * MICROS_PER_DOLLAR });
  const ticker = sim.core.markets()[0]!.ticker;
  const keyFile = join(dir, `key-${runs}.pem`);
  writeFileSync(keyFile, creds.private_key_pem, { mode: 0o600 });
  const config = loadConfig(
    {
      env: 'sim',
      apiUrl: creds.rest_url,
      wsUrl: creds.ws_url,
      keyId: creds.key_id,
      privateKey: keyFile,
      dataDir: join(dir, `data-${runs}`),
      strategy: 'none',
      tickers: ticker,
      rateLimitTier: 'prime',
      ...flags,
    },
    { TRADERV3_HEALTH_CHECK_MS: '600000', ...env },
  );
  const t = await startTrader(config, { logger: pino({ level: 'silent' }) });
  running.push(t);
  await until('READY', () => t.actor!.getSnapshot().value === 'READY', 60_000);
  return { t, account: sim.accountOf(creds.key_id)!, ticker };
}

/**
 * A post-only bid at $0.01, far under the ask: it rests and the market's traders leave it alone.
 * With --max-taker-slippage-ticks 99 a conversion may still cross at the ask.
 */
function farMaker(ticker: string): OrderIntent {
  return {
    ticker,
    bookSide: 'bid',
    yesPrice: CENT,
    count: 100,
    timeInForce: 'good_till_canceled',
    postOnly: true,
    strategy: 'test',
    reason: 'a maker order to convert',
  };
}

/** Place one resting maker order through the machine; its exchange order id. */
async function restingMaker(t: RunningTrader, account: string, ticker: string): Promise<string> {
  const before = sim.core.orders(account).length;
  t.actor!.send({ type: 'INTENT', intent: farMaker(ticker) });
  await until('the maker order rests on the exchange', () =>
    sim.core.orders(account).some((o) => o.status === 'resting'),
  );
  expect(sim.core.orders(account)).toHaveLength(before + 1);
  return sim.core.orders(account).find((o) => o.status === 'resting')!.orderId;
}

/**
 * The exchange's order list holds the maker alone, not canceled: nothing was sent after it, a
 * cancel included. (The simulator's own flow may fill a resting bid meanwhile: executed is not
 * something the trader sent.)
 */
function onlyTheMaker(account: string, maker: string): void {
  const orders = sim.core.orders(account);
  expect(orders.map((o) => o.orderId)).toEqual([maker]);
  expect(['resting', 'executed']).toContain(orders[0]!.status);
}

/** Long enough that a halt sent when the maker rests lands first; short enough to wait out. */
const MAKER_TO_TAKER = { makerToTakerMs: '1500', maxTakerSlippageTicks: '99' };
/** Past the conversion delay and at least one housekeeping pass (every 2 s). */
const WAIT_OUT_MS = 6_000;

describe('one road to the exchange (maker → taker)', () => {
  it('in READY, a maker order that rested past --maker-to-taker-ms is converted (the control)', async () => {
    const { t, account, ticker } = await trader(MAKER_TO_TAKER);
    const maker = await restingMaker(t, account, ticker);
    await until('a taker order replaces the maker', () => sim.core.orders(account).length >= 2, 15_000);
    const orders = sim.core.orders(account);
    expect(orders.find((o) => o.orderId === maker)!.status).toBe('canceled');
    const taker = orders.find((o) => o.orderId !== maker)!;
    expect(taker.timeInForce).toBe('immediate_or_cancel');
    // Bounded: never worse than the maker price plus --max-taker-slippage-ticks.
    expect(taker.yesPrice).toBeLessThanOrEqual(CENT + 99 * CENT);
  });

  it('a HALTED trader (halt --keep-orders) sends nothing: the maker rests, no order is added', async () => {
    const { t, account, ticker } = await trader(MAKER_TO_TAKER);
    const maker = await restingMaker(t, account, ticker);
    await t.control.halt('test: keep orders', { keepOrders: true });
    expect(tradingStateOf(t.actor!.getSnapshot().context)).toBe('HALTED');
    await sleep(WAIT_OUT_MS);
    onlyTheMaker(account, maker);
  });

  it('a PAUSED trader sends nothing, cancels included', async () => {
    const { t, account, ticker } = await trader(MAKER_TO_TAKER, { TRADERV3_HEALTH_CHECK_MS: '1000' });
    const maker = await restingMaker(t, account, ticker);
    sim.applyFault({ action: 'pause_exchange' });
    await until('PAUSED', () => t.actor!.getSnapshot().value === 'PAUSED', 15_000);
    await sleep(WAIT_OUT_MS);
    onlyTheMaker(account, maker);
  });

  it('an ERROR trader sends nothing', async () => {
    const { t, account, ticker } = await trader(MAKER_TO_TAKER);
    const maker = await restingMaker(t, account, ticker);
    sim.applyFault({ action: 'reject_ws_upgrades', count: 1_000, status: 503 });
    sim.applyFault({ action: 'drop_ws_connections' });
    await until('ERROR', () => t.actor!.getSnapshot().value === 'ERROR', 15_000);
    await sleep(WAIT_OUT_MS);
    onlyTheMaker(account, maker);
  });
});

describe('halts stop everything, on the exchange side too', () => {
  it('a halt cancels our resting orders and triggers the order group; resume resets it', async () => {
    const { t, account, ticker } = await trader();
    const [group] = sim.core.orderGroups(account);
    expect(group, 'the trader created an order group at start').toBeDefined();
    await restingMaker(t, account, ticker);
    await t.control.halt('test: stop everything');
    await until('HALTED, halt actions done', () => t.actor!.getSnapshot().context.haltActionsDone);
    expect(sim.core.orders(account).filter((o) => o.status === 'resting')).toEqual([]);
    expect(sim.core.orderGroup(account, group!.id)).toMatchObject({ ok: true, value: { triggered: true } });
    await t.control.resume();
    await until('READY', () => t.actor!.getSnapshot().value === 'READY');
    await until(
      'the group is reset',
      () => {
        const g = sim.core.orderGroup(account, group!.id);
        return g.ok && !g.value.triggered;
      },
      10_000,
    );
  });

  it('halt --keep-orders leaves them working and the group untriggered', async () => {
    const { t, account, ticker } = await trader();
    const maker = await restingMaker(t, account, ticker);
    await t.control.halt('test: keep', { keepOrders: true });
    await until('halt actions done', () => t.actor!.getSnapshot().context.haltActionsDone);
    expect(sim.core.order(account, maker)!.status).toBe('resting');
    const [group] = sim.core.orderGroups(account);
    expect(group!.triggered).toBe(false);
  });
});

describe('a doubtful book degrades to reduce-only', () => {
  it('a silently corrupted book puts its market in REDUCING until the REST cross-check agrees', async () => {
    const { t, account, ticker } = await trader({ bookCheckInterval: '1' });
    // Only the books we trade are cross-checked: have an order in this one.
    await restingMaker(t, account, ticker);
    const doubts: string[][] = [];
    const sub = t.actor!.subscribe((s) => {
      const d = s.context.doubtful[ticker];
      if (d !== undefined && d.length > 0) doubts.push([...d]);
    });
    try {
      sim.applyFault({ action: 'corrupt_book', ticker, count: 3 });
      await until(
        'the market is doubted for its book',
        () => doubts.some((d) => d.includes('book_mismatch')),
        20_000,
      );
      await until(
        'the doubt clears after the resync',
        () => (t.actor!.getSnapshot().context.doubtful[ticker]?.length ?? 0) === 0,
        20_000,
      );
    } finally {
      sub.unsubscribe();
    }
  });
});

describe('continuous reconciliation', () => {
  it('fills whose frames were dropped are found within seconds, without a sync', async () => {
    const { t, account, ticker } = await trader({ reconcileInterval: '1' });
    sim.applyFault({ action: 'drop_fill_messages', count: 1_000 });
    let synced = 0;
    const sub = t.actor!.subscribe((s) => {
      if (s.value === 'CALIBRATING') synced += 1;
    });
    try {
      t.actor!.send({
        type: 'INTENT',
        intent: {
          ticker,
          bookSide: 'bid',
          yesPrice: 99 * CENT, // an IOC takes the best asks up to this price
          count: 100,
          timeInForce: 'immediate_or_cancel',
          strategy: 'test',
          reason: 'a taker buy whose fill frame is dropped',
        },
      });
      await until('the exchange holds our contract', () =>
        sim.core.positions(account).some((p) => p.ticker === ticker && p.position !== 0),
      );
      const exchange = sim.core.positions(account).find((p) => p.ticker === ticker)!.position;
      await until(
        'the trader holds what the exchange holds',
        () => t.services!.positions.get(ticker)?.position === exchange,
        10_000,
      );
      expect(synced, 'no calibration was needed').toBe(0);
    } finally {
      sub.unsubscribe();
    }
  });
});
