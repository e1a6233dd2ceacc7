/**
 * The policy actor in the runtime's terms: it is triggered only by book updates the record
 * accepted (a shed update never triggers), per market and throttled; its decisions carry the
 * model's hash, the feature_version, the 52 features, the 21 scores and the mask; it trades only
 * its target markets; and its events reach the bus.
 */
import { describe, expect, it } from 'vitest';
import { createBus } from '../../src/bus.js';
import { contracts, type Decision, MICROS_PER_DOLLAR, type OrderIntent } from '../../src/domain/index.js';
import { OrderBook } from '../../src/orderbook/index.js';
import { Recorder } from '../../src/persistence/recorder.js';
import type { Repositories } from '../../src/persistence/repositories.js';
import { ACTION_COUNT, actionIndex, FEATURE_COUNT, FEATURE_VERSION } from '../../src/policy/index.js';
import {
  type ActorAction,
  type PolicyInference,
  type PolicyPorts,
  PolicyStrategy,
  projectActorEvents,
  StrategyRunner,
} from '../../src/strategy/index.js';
import type { MarketView } from '../../src/strategy/types.js';

const view = (ticker: string, now = 0): MarketView => ({
  ticker,
  now,
  bestYesBid: 4000,
  yesAsk: 4200,
  yesBidSize: 1000,
  yesAskSize: 1000,
  position: 0,
  openOrders: 0,
  bookStatus: 'live',
});

/** A model that always scores `best` highest, then HOLD. */
function fixedModel(best: number): PolicyInference & { calls: number } {
  const m = {
    sha256: 'ab'.repeat(32),
    calls: 0,
    async infer(obs: Float32Array) {
      expect(obs).toHaveLength(FEATURE_COUNT);
      m.calls += 1;
      const scores = new Float32Array(ACTION_COUNT).fill(-1);
      scores[0] = 0;
      scores[best] = 1;
      return { scores, latencyUs: 12 };
    },
  };
  return m;
}

function book(ticker: string): OrderBook {
  const b = new OrderBook(ticker);
  b.applySnapshot(
    [
      { price: 4000, count: contracts(10) },
      { price: 3900, count: contracts(5) },
    ],
    [{ price: 5800, count: contracts(10) }],
  );
  return b;
}

function ports(books: Map<string, OrderBook>, over: Partial<PolicyPorts> = {}): PolicyPorts {
  return {
    book: (t) => books.get(t),
    position: () => ({ position: 0, costBasis: 0 }),
    openOrders: () => [],
    cash: () => 100 * MICROS_PER_DOLLAR,
    equity: () => 100 * MICROS_PER_DOLLAR,
    candidates: () => [...books.keys()],
    ...over,
  };
}

function runner(strategy: PolicyStrategy, trigger: 'updated' | 'recorded' = 'recorded') {
  const bus = createBus();
  const decisions: Decision[] = [];
  const acted: Array<{ intent: OrderIntent; evidence: unknown }> = [];
  bus.on('strategy.decided', (d) => decisions.push(d));
  const r = new StrategyRunner({
    bus,
    clock: () => 0,
    strategy,
    trigger,
    throttleMs: 250,
    view: (t) => view(t),
    canAct: () => ({ ok: true }),
    act: (intent, evidence) => acted.push({ intent, evidence }),
  });
  r.start();
  return { bus, runner: r, decisions, acted };
}

describe('the actor trigger', () => {
  it('acts only on updates the record accepted, at their receivedMs, throttled per market', async () => {
    const books = new Map([
      ['A', book('A')],
      ['B', book('B')],
    ]);
    const model = fixedModel(HOLD_ACTION);
    const t = runner(new PolicyStrategy(model, ports(books), settings('all')));
    // An update the record did not accept (shed): no decision.
    t.bus.emit('book.updated', { ticker: 'A', receivedMs: 5 });
    await t.runner.idle();
    expect(model.calls).toBe(0);
    // Accepted: one decision, at the record's time.
    t.bus.emit('book.recorded', { ticker: 'A', receivedMs: 1000 });
    t.bus.emit('book.updated', { ticker: 'A', receivedMs: 5 });
    await t.runner.idle();
    expect(t.decisions.map((d) => [d.ticker, d.at])).toEqual([['A', 1000]]);
    // Within 250 ms of A's last: throttled; B has its own throttle.
    t.bus.emit('book.recorded', { ticker: 'A', receivedMs: 1100 });
    t.bus.emit('book.updated', { ticker: 'A', receivedMs: 5 });
    t.bus.emit('book.recorded', { ticker: 'B', receivedMs: 1100 });
    t.bus.emit('book.updated', { ticker: 'B', receivedMs: 5 });
    await t.runner.idle();
    expect(t.decisions.map((d) => [d.ticker, d.at])).toEqual([
      ['A', 1000],
      ['B', 1100],
    ]);
    expect(t.runner.stats.throttled).toBe(1);
  });

  it('the recorder says book.recorded only for rows its queue kept', async () => {
    const bus = createBus();
    const never = () => new Promise<never>(() => undefined);
    const many = async (rows: readonly unknown[]) => rows.length;
    const repos = {
      transitions: { insertMany: many },
      decisions: { insertMany: many },
      bulk: { insertDeltaRecords: never, insertSnapshots: never, insertMarketPrices: many },
    } as unknown as Repositories;
    const recorder = new Recorder({
      repos,
      bus,
      sessionId: 's',
      clock: () => 0,
      topOfBook: () => [],
    });
    recorder.start();
    let recorded = 0;
    bus.on('book.recorded', () => {
      recorded += 1;
    });
    const delta = (seq: number, applied = true) =>
      bus.emit('book.deltaReceived', {
        ticker: 'A',
        sid: 1,
        seq,
        side: 'yes',
        price: 4000,
        delta: 100,
        receivedMs: seq,
        applied,
      });
    delta(1, false);
    expect(recorded).toBe(0); // the book dropped it: nothing to act on
    const max = recorder.queue.maxRows;
    for (let i = 2; i <= max + 10; i++) delta(i);
    // The queue holds max rows (the first one included); the rest were shed and never announced.
    expect(recorded).toBe(max - 1);
    expect(recorder.shedRows).toBe(10);
  });
});

const HOLD_ACTION = 0;
function settings(marketMode: 'hot' | 'config' | 'all', tickers: string[] = []) {
  return {
    marketMode,
    tickers,
    actions: {
      contractSize: contracts(1),
      maxPosition: contracts(100),
      pricing: 'take' as const,
      strategy: 'policy',
    },
    hot: { halfLifeMs: 60_000, switchRatio: 1.5, minDwellMs: 30_000 },
  };
}

describe('the policy strategy', () => {
  it('decides with the evidence the record keeps, and trades the action the model picks', async () => {
    const books = new Map([['A', book('A')]]);
    const buy = actionIndex('buy_yes', 1);
    const actions: ActorAction[] = [];
    const s = new PolicyStrategy(fixedModel(buy), ports(books), settings('all'), (a) => actions.push(a));
    s.onBookUpdate('A', 1000);
    const r = await s.evaluate(view('A', 1000));
    expect(r.action).toBe('trade');
    if (r.action !== 'trade') return;
    expect(r.intent).toMatchObject({ ticker: 'A', bookSide: 'bid', yesPrice: 4200, count: contracts(2) });
    expect(Object.keys(r.features ?? {})).toHaveLength(FEATURE_COUNT);
    expect(r.model?.hash).toBe('ab'.repeat(32));
    expect(r.model?.featureVersion).toBe(FEATURE_VERSION);
    expect(r.model?.output).toHaveLength(ACTION_COUNT);
    // Flat: HOLD and the buys are allowed, the sells are not (nothing to sell).
    expect(r.model?.mask).toBe(`1${'11111'}${'00000'}${'11111'}${'00000'}`);
    expect(actions).toEqual([expect.objectContaining({ ticker: 'A', action: buy, name: 'buy_yes_x2' })]);
  });

  it('never trades a masked action: the mask wins over the model', async () => {
    const books = new Map([['A', book('A')]]);
    const s = new PolicyStrategy(fixedModel(actionIndex('sell_yes', 0)), ports(books), settings('all'));
    s.onBookUpdate('A', 1000);
    expect(await s.evaluate(view('A', 1000))).toMatchObject({ action: 'hold', reason: 'policy:hold' });
  });

  it('holds markets that are not its target without inference', async () => {
    const books = new Map([
      ['A', book('A')],
      ['B', book('B')],
    ]);
    const model = fixedModel(actionIndex('buy_yes', 0));
    const config = new PolicyStrategy(model, ports(books), settings('config', ['B']));
    config.onBookUpdate('A', 1);
    expect(await config.evaluate(view('A', 1))).toEqual({ action: 'hold', reason: 'actor:not_target' });
    expect(model.calls).toBe(0);
    // hot: B is busier (its depth changes), so B is the target and A is not.
    const hot = new PolicyStrategy(model, ports(books), settings('hot'));
    hot.onBookUpdate('A', 1);
    hot.onBookUpdate('B', 1);
    books.get('B')!.applyDelta('yes', 4000, contracts(50));
    hot.onBookUpdate('B', 2);
    expect(await hot.evaluate(view('A', 3))).toEqual({ action: 'hold', reason: 'actor:not_target' });
    expect((await hot.evaluate(view('B', 3))).action).toBe('trade');
  });
});

describe('the actor events', () => {
  it("re-publishes the actor's orders, fills and positions, and its P&L", () => {
    const bus = createBus();
    const seen: string[] = [];
    for (const e of ['actor.order', 'actor.fill', 'actor.position', 'actor.pnl'] as const)
      bus.on(e, () => seen.push(e));
    const stop = projectActorEvents(
      bus,
      'policy',
      () => 0,
      () => ({
        realized: 0,
        unrealized: 0,
        fees: 0,
        net: 0,
      }),
    );
    const intent = {
      ticker: 'A',
      bookSide: 'bid' as const,
      yesPrice: 4200,
      count: contracts(1),
      timeInForce: 'immediate_or_cancel' as const,
      reason: 'x',
    };
    const order = (strategy: string, id: string) => ({
      clientOrderId: id,
      orderId: `o-${id}`,
      intent: { ...intent, strategy },
      status: 'executed' as const,
      fillCount: contracts(1),
      createdMs: 0,
      updatedMs: 0,
    });
    bus.emit('order.changed', order('hardcoded', 'h') as never);
    bus.emit('order.changed', order('policy', 'p') as never);
    const fill = { fillId: 'f', ticker: 'A', bookSide: 'bid' as const, yesPrice: 4200, count: 1, fee: 0 };
    bus.emit('exchange.fillReported', { ...fill, orderId: 'o-h', isTaker: true, createdMs: 0 });
    bus.emit('exchange.fillReported', { ...fill, orderId: 'o-p', isTaker: true, createdMs: 0 });
    bus.emit('position.changed', { ticker: 'A', position: 1, costBasis: 0, realizedPnl: 0, feesPaid: 0 });
    stop();
    bus.emit('order.changed', order('policy', 'q') as never);
    expect(seen).toEqual(['actor.order', 'actor.fill', 'actor.pnl', 'actor.position', 'actor.pnl']);
  });
});
