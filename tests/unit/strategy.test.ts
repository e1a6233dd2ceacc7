import { describe, expect, it } from 'vitest';
import { createBus } from '../../src/bus.js';
import type { Decision, OrderIntent } from '../../src/domain/index.js';
import { HardcodedStrategy, StrategyRunner } from '../../src/strategy/index.js';
import type { MarketView } from '../../src/strategy/types.js';

const view = (over: Partial<MarketView> = {}): MarketView => ({
  ticker: 'KXTEST-1',
  now: 0,
  bestYesBid: 4000,
  yesAsk: 4200,
  yesBidSize: 1000,
  yesAskSize: 1000,
  position: 0,
  openOrders: 0,
  bookStatus: 'live',
  ...over,
});

describe('the hardcoded strategy', () => {
  it('cycles buy YES, sell YES, buy NO, sell NO, then moves to the next size', () => {
    const s = new HardcodedStrategy();
    const intents = Array.from({ length: 8 }, () => {
      const r = s.evaluate(view());
      if (r.action !== 'trade') throw new Error('expected a trade');
      return r.intent;
    });
    expect(intents.map((i) => i.reason)).toEqual([
      'hardcoded:buy_yes',
      'hardcoded:sell_yes',
      'hardcoded:buy_no',
      'hardcoded:sell_no',
      'hardcoded:buy_yes',
      'hardcoded:sell_yes',
      'hardcoded:buy_no',
      'hardcoded:sell_no',
    ]);
    expect(intents.map((i) => i.count)).toEqual([500, 500, 500, 500, 1000, 1000, 1000, 1000]);
    expect(intents[0]).toMatchObject({ bookSide: 'bid', yesPrice: 4200, timeInForce: 'immediate_or_cancel' });
    expect(intents[1]).toMatchObject({ bookSide: 'ask', yesPrice: 4200, postOnly: true });
    expect(intents[2]).toMatchObject({ bookSide: 'ask', yesPrice: 4000, timeInForce: 'immediate_or_cancel' });
    expect(intents[3]).toMatchObject({ bookSide: 'bid', yesPrice: 4000, postOnly: true });
  });

  it('holds on a one-sided book', () => {
    expect(new HardcodedStrategy().evaluate(view({ yesAsk: undefined }))).toEqual({
      action: 'hold',
      reason: 'one_sided_book',
    });
  });
});

describe('the strategy runner', () => {
  function setup(
    opts: { ready?: boolean; status?: MarketView['bookStatus']; phase?: MarketView['marketPhase'] } = {},
  ) {
    const bus = createBus();
    let now = 0;
    const decisions: Decision[] = [];
    const acted: OrderIntent[] = [];
    bus.on('strategy.decided', (d) => decisions.push(d));
    const runner = new StrategyRunner({
      bus,
      clock: () => now,
      strategy: new HardcodedStrategy(),
      throttleMs: 250,
      view: (ticker) => view({ ticker, bookStatus: opts.status ?? 'live', marketPhase: opts.phase }),
      canAct: () => (opts.ready === false ? { ok: false, reason: 'ACTING' } : { ok: true }),
      act: (intent) => acted.push(intent),
    });
    runner.start();
    return { bus, runner, decisions, acted, advance: (ms: number) => (now += ms) };
  }

  it('evaluates at most once per throttle interval', () => {
    const t = setup();
    t.bus.emit('book.updated', { ticker: 'A', receivedMs: 0 });
    t.bus.emit('book.updated', { ticker: 'A', receivedMs: 0 });
    t.advance(249);
    t.bus.emit('book.updated', { ticker: 'A', receivedMs: 0 });
    t.advance(1);
    t.bus.emit('book.updated', { ticker: 'A', receivedMs: 0 });
    expect(t.acted).toHaveLength(2);
    expect(t.runner.stats.throttled).toBe(2);
  });

  it('records a hold with the reason when the machine cannot act', () => {
    const t = setup({ ready: false });
    t.bus.emit('book.updated', { ticker: 'A', receivedMs: 0 });
    expect(t.acted).toHaveLength(0);
    expect(t.decisions).toEqual([expect.objectContaining({ action: 'hold', reason: 'not_ready:ACTING' })]);
    expect(t.decisions[0]?.intent).toBeDefined();
  });

  it('never evaluates a book that is not live', () => {
    const t = setup({ status: 'resyncing' });
    t.bus.emit('book.updated', { ticker: 'A', receivedMs: 0 });
    expect(t.acted).toHaveLength(0);
    expect(t.decisions[0]).toMatchObject({ action: 'hold', reason: 'book_resyncing' });
  });

  it('never evaluates a market that is not open, and trades one that is', () => {
    const closed = setup({ phase: 'closed' });
    closed.bus.emit('book.updated', { ticker: 'A', receivedMs: 0 });
    expect(closed.acted).toHaveLength(0);
    expect(closed.decisions[0]).toMatchObject({ action: 'hold', reason: 'market_closed' });
    const open = setup({ phase: 'open' });
    open.bus.emit('book.updated', { ticker: 'A', receivedMs: 0 });
    expect(open.acted).toHaveLength(1);
  });

  it('stops listening when stopped', () => {
    const t = setup();
    t.runner.stop();
    t.bus.emit('book.updated', { ticker: 'A', receivedMs: 0 });
    expect(t.runner.stats.evaluations).toBe(0);
  });
});
