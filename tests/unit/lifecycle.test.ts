import { describe, expect, it } from 'vitest';
import type { CoreEvent, ExchangeCore, MarketDef, OrderIntent } from '../../src/exchange-sim/core-types.js';
import { createExchangeCore } from '../../src/exchange-sim/exchange.js';
import {
  createLifecycleDriver,
  type LifecycleDriverOptions,
  type LifecycleTimers,
} from '../../src/exchange-sim/lifecycle.js';
import { simOrder } from '../sim-order.js';

const T0 = Date.UTC(2025, 11, 1, 12, 0, 0);
const HOUR = 3_600_000;

function market(ticker: string, over: Partial<MarketDef> = {}): MarketDef {
  return {
    ticker,
    eventTicker: 'KXHIGHCHI-25DEC01',
    title: 'Highest temperature in Chicago on Dec 1, 2025?',
    yesSubTitle: '45° to 46°',
    noSubTitle: '45° to 46°',
    strikeType: 'between',
    floorStrike: 45,
    capStrike: 46,
    openMs: T0 + HOUR,
    closeMs: T0 + 3 * HOUR,
    expectedExpirationMs: T0 + 10 * HOUR,
    priceLevelStructure: 'linear_cent',
    fractionalTradingEnabled: false,
    status: 'initialized',
    ...over,
  };
}

function setup(markets: MarketDef[], hooks: Pick<LifecycleDriverOptions, 'determine' | 'relist'> = {}) {
  let t = T0;
  const clock = () => t;
  const core = createExchangeCore({ clock, idPrefix: 'lc' });
  core.addSeries({
    ticker: 'KXHIGHCHI',
    title: 'Highest temperature in Chicago',
    category: 'Climate and Weather',
    frequency: 'daily',
    feeType: 'quadratic',
    feeMultiplier: 10_000,
  });
  core.addEvent({
    eventTicker: 'KXHIGHCHI-25DEC01',
    seriesTicker: 'KXHIGHCHI',
    title: 'Highest temperature in Chicago on Dec 1, 2025?',
    subTitle: 'On Dec 1, 2025',
    mutuallyExclusive: true,
  });
  for (const m of markets) core.addMarket(m);
  const lifecycle: Array<{ ticker: string; eventType: string }> = [];
  core.onEvent((e: CoreEvent) => {
    if (e.type === 'lifecycle') lifecycle.push({ ticker: e.ticker, eventType: e.eventType });
  });
  const driver = createLifecycleDriver({ core, clock, ...hooks });
  return {
    core,
    driver,
    lifecycle,
    at(ms: number) {
      t = ms;
    },
  };
}

let orderSeq = 0;

function bid(core: ExchangeCore, ticker: string, accountId: string, over: Partial<OrderIntent> = {}) {
  return core.place(
    simOrder({
      accountId,
      ticker,
      clientOrderId: `${accountId}-${++orderSeq}`,
      yesPrice: 4_000,
      count: 500,
      ...over,
    }),
  );
}

describe('the lifecycle driver', () => {
  it('leaves a market initialized before its open time', () => {
    const w = setup([market('M-A')]);
    w.at(T0 + HOUR - 1);
    expect(w.driver.tick().transitions).toEqual([]);
    expect(w.core.market('M-A')?.status).toBe('initialized');
  });

  it('activates a market at its open time and closes it at its close time, through the core', () => {
    const w = setup([market('M-A')]);
    w.at(T0 + HOUR);
    expect(w.driver.tick().transitions).toEqual([{ ticker: 'M-A', from: 'initialized', to: 'active' }]);
    expect(w.core.market('M-A')?.status).toBe('active');

    w.at(T0 + 2 * HOUR);
    expect(w.driver.tick().transitions).toEqual([]);

    w.at(T0 + 3 * HOUR);
    expect(w.driver.tick().transitions).toEqual([{ ticker: 'M-A', from: 'active', to: 'closed' }]);
    expect(w.core.market('M-A')?.status).toBe('closed');
    expect(w.lifecycle.map((e) => e.eventType)).toEqual(['activated', 'close_date_updated']);
  });

  it('uses the time it is given rather than the clock when one is passed', () => {
    const w = setup([market('M-A')]);
    expect(w.driver.tick(T0 + HOUR).transitions).toHaveLength(1);
    expect(w.core.market('M-A')?.status).toBe('active');
  });

  it('opens and closes in one tick a market whose whole window has passed, and is idempotent', () => {
    const w = setup([market('M-A'), market('M-B', { openMs: T0 + 5 * HOUR, closeMs: T0 + 6 * HOUR })]);
    w.at(T0 + 4 * HOUR);
    expect(w.driver.tick().transitions).toEqual([
      { ticker: 'M-A', from: 'initialized', to: 'active' },
      { ticker: 'M-A', from: 'active', to: 'closed' },
    ]);
    expect(w.driver.tick().transitions).toEqual([]);
    expect(w.core.market('M-B')?.status).toBe('initialized');
  });

  it('closes a paused market at its close time', () => {
    const w = setup([market('M-A', { status: 'active', openMs: T0 })]);
    expect(w.core.setMarketStatus('M-A', 'inactive').ok).toBe(true);
    w.at(T0 + 3 * HOUR);
    const r = w.driver.tick();
    expect(r.transitions).toEqual([{ ticker: 'M-A', from: 'inactive', to: 'closed' }]);
    expect(r.errors).toEqual([]);
  });

  it('closing cancels resting orders (the core does it)', () => {
    const w = setup([market('M-A', { status: 'active', openMs: T0 })]);
    w.core.openAccount('alice', 1_000_000_000);
    const placed = bid(w.core, 'M-A', 'alice');
    expect(placed.ok).toBe(true);
    w.at(T0 + 3 * HOUR);
    w.driver.tick();
    expect(w.core.book('M-A')).toEqual({ yes: [], no: [] });
    expect(w.core.orders('alice', { status: 'resting' })).toHaveLength(0);
  });

  it('passes determination and settlement through to the core', () => {
    const w = setup([market('M-A', { status: 'active', openMs: T0 })]);
    w.core.openAccount('alice', 1_000_000_000);
    w.core.openAccount('bob', 1_000_000_000);
    expect(bid(w.core, 'M-A', 'alice').ok).toBe(true);
    const cross = bid(w.core, 'M-A', 'bob', {
      action: 'buy',
      side: 'no',
      bookSide: 'ask',
      timeInForce: 'immediate_or_cancel',
    });
    expect(cross.ok && cross.value.fills.length).toBe(1);
    w.at(T0 + 3 * HOUR);
    w.driver.tick();
    const settled = w.driver.determineAndSettle('M-A', 'yes');
    expect(settled.ok).toBe(true);
    if (settled.ok) expect(settled.value.map((s) => s.result)).toEqual(['yes', 'yes']);
    expect(w.core.market('M-A')?.status).toBe('finalized');
    const again = w.driver.determineAndSettle('M-A', 'yes');
    expect(again.ok).toBe(false);
  });

  it('expires good-till-time orders through core.expire', () => {
    const w = setup([market('M-A', { status: 'active', openMs: T0 })]);
    w.core.openAccount('alice', 1_000_000_000);
    expect(bid(w.core, 'M-A', 'alice', { expirationMs: T0 + 60_000 }).ok).toBe(true);
    w.at(T0 + 59_999);
    expect(w.driver.expire()).toHaveLength(0);
    w.at(T0 + 60_000);
    const expired = w.driver.expire();
    expect(expired).toHaveLength(1);
    expect(expired[0]?.status).toBe('canceled');
    expect(w.core.book('M-A').yes).toEqual([]);
  });

  it('start() ticks and expires on a timer until stop()', () => {
    const w = setup([market('M-A')]);
    let handler: (() => void) | undefined;
    const timers: LifecycleTimers = {
      setInterval(h: () => void) {
        handler = h;
        return 1;
      },
      clearInterval() {
        handler = undefined;
      },
    };
    w.driver.start(timers, 500);
    w.at(T0 + HOUR);
    handler?.();
    expect(w.core.market('M-A')?.status).toBe('active');
    w.driver.stop();
    expect(handler).toBeUndefined();
  });
});

describe('the lifecycle driver with determine and relist hooks', () => {
  it('asks for a result only at the expected expiration time and settles with it', () => {
    const asked: string[] = [];
    const w = setup([market('M-A'), market('M-B')], {
      determine: (ticker) => {
        asked.push(ticker);
        return ticker === 'M-A' ? 'yes' : undefined;
      },
    });
    w.at(T0 + 3 * HOUR);
    expect(w.driver.tick().settled).toEqual([]);
    w.at(T0 + 10 * HOUR - 1);
    w.driver.tick();
    expect(asked).toEqual([]);
    expect(w.core.market('M-A')?.status).toBe('closed');

    w.at(T0 + 10 * HOUR);
    const r = w.driver.tick();
    expect(r.settled).toEqual([{ ticker: 'M-A', result: 'yes' }]);
    expect(asked).toEqual(['M-A', 'M-B']);
    expect(w.core.market('M-A')).toMatchObject({
      status: 'finalized',
      result: 'yes',
      settlementValue: 10_000,
    });
    // No answer, no settlement: M-B stays closed and is asked again next tick.
    expect(w.core.market('M-B')?.status).toBe('closed');
    w.driver.tick();
    expect(asked).toEqual(['M-A', 'M-B', 'M-B']);
    expect(w.lifecycle.filter((e) => e.ticker === 'M-A').map((e) => e.eventType)).toEqual([
      'activated',
      'close_date_updated',
      'determined',
      'settled',
    ]);
    expect(w.driver.stats.settled).toBe(1);
  });

  it('settles a market closed early no sooner than its expected expiration time', () => {
    const w = setup([market('M-A', { status: 'active', openMs: T0 })], { determine: () => 'no' });
    expect(w.core.setMarketStatus('M-A', 'closed').ok).toBe(true);
    w.at(T0 + 9 * HOUR);
    expect(w.driver.tick().settled).toEqual([]);
    w.at(T0 + 10 * HOUR);
    expect(w.driver.tick().settled).toEqual([{ ticker: 'M-A', result: 'no' }]);
  });

  it('relists an event once, when its last market stops trading, and opens what it lists in the same tick', () => {
    const calls: Array<{ eventTicker: string; nowMs: number }> = [];
    let w: ReturnType<typeof setup> | undefined;
    const relist = (eventTicker: string, nowMs: number) => {
      calls.push({ eventTicker, nowMs });
      w?.core.addMarket(
        market('M-NEXT', { eventTicker: 'KXHIGHCHI-25DEC02', openMs: nowMs, closeMs: nowMs + 24 * HOUR }),
      );
      return ['M-NEXT'];
    };
    w = setup([market('M-A'), market('M-B', { closeMs: T0 + 4 * HOUR })], { relist });
    w.at(T0 + 3 * HOUR);
    expect(w.driver.tick().listed).toEqual([]); // M-B still trades
    expect(calls).toEqual([]);

    w.at(T0 + 4 * HOUR);
    const r = w.driver.tick();
    expect(calls).toEqual([{ eventTicker: 'KXHIGHCHI-25DEC01', nowMs: T0 + 4 * HOUR }]);
    expect(r.listed).toEqual(['M-NEXT']);
    expect(r.transitions).toContainEqual({ ticker: 'M-NEXT', from: 'initialized', to: 'active' });
    expect(w.core.market('M-NEXT')?.status).toBe('active');
    expect(w.lifecycle.filter((e) => e.ticker === 'M-NEXT').map((e) => e.eventType)).toEqual([
      'created',
      'activated',
    ]);
    w.at(T0 + 5 * HOUR);
    w.driver.tick();
    expect(calls).toHaveLength(1);
    expect(w.driver.stats).toMatchObject({ relistedEvents: 1, listed: 1 });
  });
});
