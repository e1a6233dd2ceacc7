/**
 * How each scheduled fault is done to the running pair (simulator in this process, trader as a
 * child process), and undone. The simulator's own fault injector does the wire faults; the
 * operator faults go through the trader's control API; kill -9 and the race of a partial fill
 * against a cancel are done here.
 */
import { randomUUID } from 'node:crypto';
import { COUNT_SCALE } from '../domain/index.js';
import type { Simulator } from '../exchange-sim/index.js';
import type { ScheduledFault } from './schedule.js';
import { control } from './trader.js';

export interface FaultContext {
  readonly sim: Simulator;
  readonly accountId: string;
  /** A second account that takes the other side in the cancel race. */
  readonly racerAccountId: string;
  readonly dataDir: string;
  /** The markets the trader trades now (from its status). */
  tradedTickers(): Promise<string[]>;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Injects a one-shot or held fault (not kill -9 or the operator halt, which the runner does as it
 * must track the trader's process and the halt's window). Returns what was done, in words.
 */
export async function inject(fault: ScheduledFault, ctx: FaultContext): Promise<string> {
  const { sim } = ctx;
  const count = (lo: number, hi: number) => lo + Math.floor(fault.pick * (hi - lo + 1));
  switch (fault.kind) {
    case 'ws_drop':
      return `dropped ${sim.applyFault({ action: 'drop_ws_connections' }).dropped ?? 0} sockets`;
    case 'ws_refuse_upgrades': {
      const n = count(1, 3);
      sim.applyFault({ action: 'reject_ws_upgrades', count: n, status: 503 });
      sim.applyFault({ action: 'drop_ws_connections' });
      return `dropped sockets, refused the next ${n} upgrades`;
    }
    case 'seq_skip':
      sim.applyFault({ action: 'skip_seq', count: 1 });
      return 'skipped one seq';
    case 'duplicate_deltas': {
      const n = count(1, 4);
      sim.applyFault({ action: 'duplicate_deltas', count: n });
      return `${n} deltas sent twice`;
    }
    case 'reorder_deltas': {
      const n = count(1, 3);
      sim.applyFault({ action: 'reorder_deltas', count: n });
      return `${n} delta pairs swapped`;
    }
    case 'drop_fill_frames': {
      const n = count(1, 5);
      sim.applyFault({ action: 'drop_fill_messages', count: n });
      return `the next ${n} fill frames lost`;
    }
    case 'withhold_private': {
      const n = count(1, 2);
      sim.applyFault({ action: 'withhold_private', count: n });
      return `private messages of the next ${n} orders withheld`;
    }
    case 'http_429_burst': {
      const n = count(3, 10);
      sim.applyFault({ action: 'http_429', count: n });
      return `${n} requests answered 429`;
    }
    case 'order_5xx_after_processing':
      sim.applyFault({
        action: 'http_error',
        endpoint: 'POST /portfolio/events/orders',
        status: count(0, 1) === 0 ? 500 : 503,
        count: 1,
        after_processing: true,
      });
      return 'next order create processed, then answered 5xx';
    case 'calibration_503': {
      const n = count(1, 3);
      sim.applyFault({ action: 'http_error', endpoint: 'GET /portfolio/positions', status: 503, count: n });
      await control(ctx.dataDir, 'sync', undefined, 30_000);
      return `operator sync with ${n} × 503 on positions`;
    }
    case 'latency_spike': {
      const ms = count(200, 900);
      sim.applyFault({ action: 'latency', ms });
      await sleep(fault.holdMs);
      sim.applyFault({ action: 'latency', ms: 0 });
      return `${ms} ms latency for ${fault.holdMs} ms`;
    }
    case 'exchange_pause':
      sim.applyFault({ action: 'pause_exchange' });
      await sleep(fault.holdMs);
      sim.applyFault({ action: 'resume_exchange' });
      return `exchange paused ${fault.holdMs} ms`;
    case 'cancel_race':
      return cancelRace(fault, ctx);
    case 'market_settles': {
      const tickers = await ctx.tradedTickers();
      const ticker = tickers[Math.floor(fault.pick * tickers.length)];
      if (!ticker) return 'no traded market to settle';
      const result = fault.pick < 0.5 ? 'yes' : 'no';
      const r = sim.core.settle(ticker, result);
      return r.ok ? `${ticker} settled ${result}` : `${ticker} not settled: ${r.error.message}`;
    }
    case 'corrupt_book': {
      const tickers = await ctx.tradedTickers();
      const ticker = tickers[Math.floor(fault.pick * tickers.length)];
      const n = count(1, 3);
      sim.applyFault({ action: 'corrupt_book', count: n, ...(ticker ? { ticker } : {}) });
      return `${n} deltas of ${ticker ?? 'any market'} corrupted`;
    }
    case 'operator_halt':
    case 'kill9':
      throw new Error(`${fault.kind} is the runner's`);
  }
}

/**
 * A partial fill racing a cancel: the operator's cancel-all goes to the trader while another
 * account takes part of one of our resting orders a few milliseconds later.
 */
async function cancelRace(fault: ScheduledFault, ctx: FaultContext): Promise<string> {
  const resting = ctx.sim.core.orders(ctx.accountId, { status: 'resting' });
  const target = resting[Math.floor(fault.pick * resting.length)];
  const cancel = control(ctx.dataDir, 'cancel-all', undefined, 30_000);
  if (!target) {
    await cancel;
    return 'cancel-all (no resting order to race)';
  }
  await sleep(Math.floor(fault.pick * 20));
  const take = Math.max(COUNT_SCALE, Math.floor(target.remainingCount / 2 / COUNT_SCALE) * COUNT_SCALE);
  const taker = ctx.sim.core.place({
    accountId: ctx.racerAccountId,
    ticker: target.ticker,
    clientOrderId: randomUUID(),
    action: target.bookSide === 'bid' ? 'sell' : 'buy',
    side: 'yes',
    bookSide: target.bookSide === 'bid' ? 'ask' : 'bid',
    yesPrice: target.yesPrice,
    count: Math.min(take, target.remainingCount),
    timeInForce: 'immediate_or_cancel',
    postOnly: false,
    reduceOnly: false,
    selfTradePrevention: 'taker_at_cross',
    cancelOnPause: false,
    subaccount: 0,
  });
  await cancel;
  const filled = taker.ok ? taker.value.fills.filter((f) => f.orderId === target.orderId).length : 0;
  return `cancel-all raced a taker on ${target.ticker} (${filled} fill${filled === 1 ? '' : 's'} of ours)`;
}
