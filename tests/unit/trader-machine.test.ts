import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createActor, initialTransition, SimulatedClock } from 'xstate';
import {
  actorDoneEventType,
  actorErrorEventType,
  backoffDelay,
  DEFAULT_BACKOFF,
  RECONNECT_BACKOFF_EVENT_TYPE,
  TRADER_ACTOR_IDS,
  TRADER_STATES,
  type TraderEvent,
  type TraderStateName,
  traderMachine,
  tradingStateOf,
} from '../../machines/index.js';
import { checkTraderInvariants } from '../model/driver.js';
import { GatedTraderDriver } from '../model/gated-driver.js';
import { declaredTransitions, SAMPLE_CALIBRATION, SAMPLE_INTENT } from '../model/trader-model.js';

const BREAKER: TraderEvent = {
  type: 'BREAKER_TRIPPED',
  reason: 'DAILY_LOSS',
  detail: 'lost $120 of $100 allowed',
};
const LOST_BOOK: TraderEvent = { type: 'CONNECTION_LOST', source: 'orderbook', reason: 'socket closed' };
const LOST_TRADING: TraderEvent = { type: 'CONNECTION_LOST', source: 'trading', reason: 'heartbeat missed' };

async function connected(driver: GatedTraderDriver, tradingActive = true): Promise<void> {
  await driver.complete('orderbookConnect', undefined);
  await driver.complete('tradingClientConnect', { tradingActive });
}

/** A started driver with the trader in READY. */
async function ready(options: ConstructorParameters<typeof GatedTraderDriver>[0] = {}) {
  const driver = new GatedTraderDriver(options);
  await driver.start();
  await connected(driver);
  await driver.complete('calibrate', SAMPLE_CALIBRATION);
  expect(driver.observe().value).toBe('READY');
  return driver;
}

function value(driver: GatedTraderDriver): TraderStateName {
  const observed = driver.observe();
  checkTraderInvariants(observed);
  return observed.value;
}

describe('backoffDelay', () => {
  it('doubles from baseMs per attempt and stops at maxMs', () => {
    const delays = [1, 2, 3, 4, 5, 6, 7, 50, 5000].map((attempt) => backoffDelay(attempt, 1000, 30_000));
    expect(delays).toEqual([1000, 2000, 4000, 8000, 16_000, 30_000, 30_000, 30_000, 30_000]);
  });

  it('with equal jitter stays in [d/2, d) of the exponential step', () => {
    expect(backoffDelay(3, 1000, 30_000, 0)).toBe(2000);
    expect(backoffDelay(3, 1000, 30_000, 0.5)).toBe(3000);
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 100 }),
        fc.integer({ min: 1, max: 10_000 }),
        fc.integer({ min: 0, max: 100_000 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (attempt, baseMs, extra, jitter) => {
          const maxMs = baseMs + extra;
          const full = backoffDelay(attempt, baseMs, maxMs);
          const jittered = backoffDelay(attempt, baseMs, maxMs, jitter);
          expect(jittered).toBeGreaterThanOrEqual(Math.floor(full / 2));
          expect(jittered).toBeLessThanOrEqual(full);
          expect(backoffDelay(attempt + 1, baseMs, maxMs)).toBeGreaterThanOrEqual(full);
        },
      ),
    );
  });

  it('refuses nonsense with a message naming the argument', () => {
    expect(() => backoffDelay(0, 1000, 30_000)).toThrow(/attempt/);
    expect(() => backoffDelay(1.5, 1000, 30_000)).toThrow(/attempt/);
    expect(() => backoffDelay(1, 0, 30_000)).toThrow(/baseMs/);
    expect(() => backoffDelay(1, 1000, 500)).toThrow(/maxMs/);
    expect(() => backoffDelay(1, 1000, 30_000, 1)).toThrow(/jitter01/);
    expect(() => backoffDelay(1, 1000, 30_000, -0.1)).toThrow(/jitter01/);
  });
});

describe('the trader machine definition', () => {
  it('has exactly the TRADER_STATES, each with a description', () => {
    expect(Object.keys(traderMachine.root.states).sort()).toEqual([...TRADER_STATES].sort());
    for (const state of TRADER_STATES) {
      expect(traderMachine.root.states[state]?.description, state).toMatch(/\w/);
    }
  });

  it('names its internal events as the exported constants say', () => {
    const declared = new Set(declaredTransitions().map((t) => t.eventType));
    expect(declared).toContain(RECONNECT_BACKOFF_EVENT_TYPE);
    for (const actorId of TRADER_ACTOR_IDS) {
      expect(declared).toContain(actorDoneEventType(actorId));
      expect(declared).toContain(actorErrorEventType(actorId));
    }
  });

  it('starts from input: default backoff, or the one given', () => {
    const [defaults] = initialTransition(traderMachine, {});
    expect(defaults.context.backoff).toEqual(DEFAULT_BACKOFF);
    expect(defaults.value).toBe('ORDERBOOK_CONNECT');
    const [custom] = initialTransition(traderMachine, { backoff: { baseMs: 250 } });
    expect(custom.context.backoff).toEqual({ baseMs: 250, maxMs: 30_000 });
  });

  it('refuses a backoff whose maxMs is below baseMs: the actor errors at once, naming maxMs', () => {
    const [snapshot] = initialTransition(traderMachine, { backoff: { baseMs: 5000, maxMs: 1000 } });
    expect(snapshot.status).toBe('error');
    expect(String(snapshot.error)).toMatch(/maxMs must be a number ≥ baseMs/);
  });

  it('agrees with the transition table in planning/statechart.md', () => {
    const doc = readFileSync(new URL('../../planning/statechart.md', import.meta.url), 'utf8');
    const section = doc.split('## Transition table')[1]?.split('\n## ')[0] ?? '';
    const eventType = (cell: string): string =>
      cell
        .replace(/^done\((\w+)\)$/, 'xstate.done.actor.$1')
        .replace(/^error\((\w+)\)$/, 'xstate.error.actor.$1')
        .replace(/^after\(reconnectBackoff\)$/, RECONNECT_BACKOFF_EVENT_TYPE);
    const documented = new Set<string>();
    for (const line of section.split('\n')) {
      const cells = line.split('|').map((cell) => cell.trim());
      const [, from, events, guard, to] = cells;
      if (!from || !events || !guard || !to || from === 'from' || from.startsWith('---')) continue;
      for (const f of from.split(',').map((s) => s.trim())) {
        for (const e of events.split(',').map((s) => eventType(s.trim()))) {
          const g = guard === '—' || guard === 'else' ? '' : guard;
          documented.add(`${f} | ${e} | ${g} | ${to === '(stay)' ? f : to}`);
        }
      }
    }
    const declared = new Set(
      declaredTransitions().map((t) => `${t.from} | ${t.eventType} | ${t.guard ?? ''} | ${t.to}`),
    );
    expect(
      [...declared].filter((row) => !documented.has(row)),
      'in the machine, not in the table',
    ).toEqual([]);
    expect(
      [...documented].filter((row) => !declared.has(row)),
      'in the table, not in the machine',
    ).toEqual([]);
  });

  it('default actors reject, saying the runtime must provide them', async () => {
    const clock = new SimulatedClock();
    const actor = createActor(traderMachine, { clock, input: {} }).start();
    await new Promise((resolve) => setImmediate(resolve));
    const snapshot = actor.getSnapshot();
    expect(snapshot.value).toBe('ERROR');
    expect(snapshot.context.failedStage).toBe('ORDERBOOK_CONNECT');
    expect(snapshot.context.lastError).toContain('the runtime must provide the "orderbookConnect" actor');
    actor.stop();
  });
});

describe('the trader', () => {
  it('connects, calibrates and becomes READY, keeping the calibration summary', async () => {
    const driver = await ready();
    expect(driver.observe().context.lastCalibration).toEqual(SAMPLE_CALIBRATION);
    expect(driver.observe().context.exchangePaused).toBe(false);
    await driver.stop();
  });

  it('in ACTING ignores further INTENTs and runs one executeIntent with the pending intent', async () => {
    const driver = await ready();
    await driver.send({ type: 'INTENT', intent: SAMPLE_INTENT });
    expect(value(driver)).toBe('ACTING');
    await driver.send({ type: 'INTENT', intent: { ...SAMPLE_INTENT, ticker: 'OTHER' } });
    expect(value(driver)).toBe('ACTING');
    expect(driver.observe().context.pendingIntent).toEqual(SAMPLE_INTENT);
    expect(driver.invocations('executeIntent')).toBe(1);
    expect(driver.lastInput('executeIntent')).toEqual({ intent: SAMPLE_INTENT, mode: 'ACTIVE' });
    await driver.complete('executeIntent', undefined);
    expect(value(driver)).toBe('READY');
    expect(driver.observe().context).toMatchObject({ intentsExecuted: 1, pendingIntent: null });
    await driver.stop();
  });

  it('returns to READY after an order error, recording it without counting the intent', async () => {
    const driver = await ready();
    await driver.send({ type: 'INTENT', intent: SAMPLE_INTENT });
    await driver.fail('executeIntent', new Error('exchange said no'));
    expect(value(driver)).toBe('READY');
    expect(driver.observe().context).toMatchObject({
      intentsExecuted: 0,
      pendingIntent: null,
      lastError: 'order failed: exchange said no',
    });
    await driver.stop();
  });

  it('runs an INTENT for a doubtful market in REDUCING mode, and in ACTIVE once the doubt is cleared', async () => {
    const driver = await ready();
    const ticker = SAMPLE_INTENT.ticker;
    await driver.send({ type: 'MARKET_DOUBTFUL', ticker, reason: 'book_stale' });
    await driver.send({ type: 'MARKET_DOUBTFUL', ticker, reason: 'book_mismatch' });
    await driver.send({ type: 'INTENT', intent: SAMPLE_INTENT });
    expect(driver.lastInput('executeIntent')).toMatchObject({ mode: 'REDUCING' });
    await driver.complete('executeIntent', undefined);
    await driver.send({ type: 'MARKET_CLEARED', ticker, reason: 'book_stale' });
    await driver.send({ type: 'INTENT', intent: SAMPLE_INTENT });
    expect(driver.lastInput('executeIntent')).toMatchObject({ mode: 'REDUCING' });
    await driver.complete('executeIntent', undefined);
    await driver.send({ type: 'MARKET_CLEARED', ticker, reason: 'book_mismatch' });
    expect(driver.observe().context.doubtful).toEqual({});
    await driver.send({ type: 'INTENT', intent: { ...SAMPLE_INTENT } });
    expect(driver.lastInput('executeIntent')).toMatchObject({ mode: 'ACTIVE' });
    await driver.stop();
  });

  it("an operator's reduce-only puts every market in REDUCING until resume, without leaving READY", async () => {
    const driver = await ready();
    await driver.send({ type: 'OPERATOR_REDUCE', reason: 'end of day' });
    expect(value(driver)).toBe('READY');
    expect(tradingStateOf(driver.observe().context)).toBe('REDUCING');
    await driver.send({ type: 'INTENT', intent: SAMPLE_INTENT });
    expect(driver.lastInput('executeIntent')).toMatchObject({ mode: 'REDUCING' });
    await driver.complete('executeIntent', undefined);
    await driver.send({ type: 'OPERATOR_RESUME' });
    expect(tradingStateOf(driver.observe().context)).toBe('ACTIVE');
    await driver.stop();
  });

  it('a halt invokes the halt actions with keepOrders as the operator asked', async () => {
    const driver = await ready();
    await driver.send({ type: 'OPERATOR_HALT', reason: 'news', keepOrders: true });
    expect(value(driver)).toBe('HALTED');
    expect(driver.lastInput('haltActions')).toEqual({ keepOrders: true });
    expect(tradingStateOf(driver.observe().context)).toBe('HALTED');
    await driver.stop();
  });

  it('a settlement calibrates at once from READY, and after ACTING when it came during an order', async () => {
    const driver = await ready();
    await driver.send({ type: 'MARKET_SETTLED', ticker: SAMPLE_INTENT.ticker });
    expect(value(driver)).toBe('CALIBRATING');
    await driver.complete('calibrate', SAMPLE_CALIBRATION);
    expect(value(driver)).toBe('READY');
    await driver.send({ type: 'INTENT', intent: SAMPLE_INTENT });
    await driver.send({ type: 'MARKET_SETTLED', ticker: SAMPLE_INTENT.ticker });
    expect(value(driver)).toBe('ACTING');
    await driver.complete('executeIntent', undefined);
    expect(value(driver)).toBe('CALIBRATING');
    expect(driver.observe().context.settlementPending).toBe(false);
    await driver.stop();
  });

  it('keeps a halt across a lost connection, the backoff, reconnects and calibration', async () => {
    const driver = await ready();
    await driver.send(BREAKER);
    expect(value(driver)).toBe('HALTED');
    const halt = driver.observe().context.halt;
    expect(halt).toEqual({ reason: 'DAILY_LOSS', detail: 'lost $120 of $100 allowed', source: 'breaker' });

    await driver.send(LOST_BOOK);
    expect(value(driver)).toBe('ERROR');
    await driver.send({ type: 'OPERATOR_RESUME' }); // ignored outside HALTED
    expect(driver.observe().context.halt).toEqual(halt);
    await driver.elapseBackoff();
    expect(value(driver)).toBe('ORDERBOOK_CONNECT');
    await connected(driver);
    await driver.send({ type: 'OPERATOR_RESUME' }); // ignored in CALIBRATING
    await driver.complete('calibrate', SAMPLE_CALIBRATION);
    expect(value(driver)).toBe('HALTED');
    expect(driver.observe().context.halt).toEqual(halt);

    await driver.send({ type: 'OPERATOR_SYNC' });
    await driver.complete('calibrate', SAMPLE_CALIBRATION);
    expect(value(driver)).toBe('HALTED');

    await driver.send({ type: 'OPERATOR_RESUME' });
    expect(value(driver)).toBe('CALIBRATING');
    expect(driver.observe().context.halt).toBeNull();
    await driver.complete('calibrate', SAMPLE_CALIBRATION);
    expect(value(driver)).toBe('READY');
    await driver.stop();
  });

  it('records a halt that arrives while reconnecting and lands in HALTED, not READY', async () => {
    const driver = new GatedTraderDriver();
    await driver.start();
    await driver.send({ type: 'OPERATOR_HALT' });
    expect(driver.observe().context.halt).toEqual({
      reason: 'operator halt',
      detail: 'halted by operator command',
      source: 'operator',
    });
    await connected(driver);
    await driver.complete('calibrate', SAMPLE_CALIBRATION);
    expect(value(driver)).toBe('HALTED');
    await driver.stop();
  });

  it.each([
    ['orderbookConnect', 'ORDERBOOK_CONNECT'],
    ['tradingClientConnect', 'TRADING_CLIENT_CONNECT'],
    ['calibrate', 'CALIBRATING'],
  ] as const)('retries the failed stage after ERROR when %s fails', async (actorId, stage) => {
    const driver = new GatedTraderDriver();
    await driver.start();
    if (actorId !== 'orderbookConnect') await driver.complete('orderbookConnect', undefined);
    if (actorId === 'calibrate') await driver.complete('tradingClientConnect', { tradingActive: true });
    await driver.fail(actorId, new Error('boom'));
    expect(value(driver)).toBe('ERROR');
    expect(driver.observe().context).toMatchObject({
      failedStage: stage,
      attempt: 1,
      lastError: `${stage} failed: boom`,
    });
    await driver.elapseBackoff();
    expect(value(driver)).toBe(stage);
    expect(driver.lastInput(actorId)).toEqual(
      actorId === 'calibrate' ? { attempt: 1, halted: false } : { attempt: 1 },
    );
    await driver.stop();
  });

  it.each([
    [LOST_BOOK, 'ORDERBOOK_CONNECT'],
    [LOST_TRADING, 'TRADING_CLIENT_CONNECT'],
  ] as const)('on a lost connection from READY reconnects from the lost side (%o)', async (event, stage) => {
    const driver = await ready();
    await driver.send(event);
    expect(value(driver)).toBe('ERROR');
    expect(driver.observe().context.failedStage).toBe(stage);
    await driver.elapseBackoff();
    expect(value(driver)).toBe(stage);
    await driver.stop();
  });

  it('backs off exponentially and resets attempt after a successful calibration', async () => {
    const driver = new GatedTraderDriver({ input: { backoff: { baseMs: 100, maxMs: 250 } } });
    await driver.start();
    const delays: number[] = [];
    for (let i = 0; i < 4; i++) {
      await driver.fail('orderbookConnect', new Error('refused'));
      const before = driver.clock.now();
      await driver.elapseBackoff(); // fails unless the timer fires exactly at backoffDelay(attempt)
      delays.push(driver.clock.now() - before);
    }
    expect(delays).toEqual([100, 200, 250, 250]);
    expect(driver.observe().context.attempt).toBe(4);
    await connected(driver);
    expect(driver.lastInput('calibrate')).toEqual({ attempt: 4, halted: false });
    await driver.complete('calibrate', SAMPLE_CALIBRATION);
    expect(value(driver)).toBe('READY');
    expect(driver.observe().context).toMatchObject({ attempt: 0, failedStage: null });
    await driver.send(LOST_TRADING);
    expect(driver.observe().context.attempt).toBe(1);
    await driver.stop();
  });

  it('waits in PAUSED while the exchange is paused and re-calibrates when it resumes', async () => {
    const driver = new GatedTraderDriver();
    await driver.start();
    await connected(driver, false);
    await driver.complete('calibrate', SAMPLE_CALIBRATION);
    expect(value(driver)).toBe('PAUSED');
    await driver.send({ type: 'INTENT', intent: SAMPLE_INTENT });
    expect(value(driver)).toBe('PAUSED');
    await driver.send({ type: 'EXCHANGE_RESUMED' });
    expect(value(driver)).toBe('CALIBRATING');
    await driver.complete('calibrate', SAMPLE_CALIBRATION);
    expect(value(driver)).toBe('READY');
    await driver.send({ type: 'EXCHANGE_PAUSED' });
    expect(value(driver)).toBe('PAUSED');
    await driver.stop();
  });

  it('lets the order in flight finish when the exchange pauses during ACTING, then waits in PAUSED', async () => {
    const driver = await ready();
    await driver.send({ type: 'INTENT', intent: SAMPLE_INTENT });
    await driver.send({ type: 'EXCHANGE_PAUSED' });
    expect(value(driver)).toBe('ACTING');
    await driver.complete('executeIntent', undefined);
    expect(value(driver)).toBe('PAUSED');
    await driver.stop();
  });

  describe('shuts down gracefully from every live state', () => {
    const reach: Record<string, (driver: GatedTraderDriver) => Promise<void>> = {
      ORDERBOOK_CONNECT: async () => {},
      TRADING_CLIENT_CONNECT: async (d) => d.complete('orderbookConnect', undefined),
      CALIBRATING: async (d) => connected(d),
      READY: async (d) => {
        await connected(d);
        await d.complete('calibrate', SAMPLE_CALIBRATION);
      },
      ACTING: async (d) => {
        await reach.READY?.(d);
        await d.send({ type: 'INTENT', intent: SAMPLE_INTENT });
      },
      HALTED: async (d) => {
        await reach.READY?.(d);
        await d.send(BREAKER);
      },
      PAUSED: async (d) => {
        await connected(d, false);
        await d.complete('calibrate', SAMPLE_CALIBRATION);
      },
      ERROR: async (d) => d.fail('orderbookConnect', new Error('refused')),
    };
    const live = TRADER_STATES.filter((s) => !['STARTUP', 'SHUTTING_DOWN', 'SHUTDOWN'].includes(s));

    it('covers every live state', () => {
      expect(Object.keys(reach).sort()).toEqual([...live].sort());
    });

    for (const state of live) {
      for (const cancelOrders of [true, false]) {
        it(`from ${state} (cancelOrders=${cancelOrders})`, async () => {
          const driver = new GatedTraderDriver();
          await driver.start();
          await reach[state]?.(driver);
          expect(value(driver)).toBe(state);
          await driver.send({ type: 'SHUTDOWN', cancelOrders });
          expect(value(driver)).toBe('SHUTTING_DOWN');
          expect(driver.lastInput('shutdown')).toEqual({ cancelOrders });
          // Already shutting down: these change nothing, and shutdown is not re-run.
          await driver.send({ type: 'SHUTDOWN', cancelOrders: !cancelOrders });
          await driver.send(BREAKER);
          await driver.send({ type: 'EXCHANGE_PAUSED' });
          expect(value(driver)).toBe('SHUTTING_DOWN');
          expect(driver.invocations('shutdown')).toBe(1);
          expect(driver.observe().context.halt).toEqual(state === 'HALTED' ? expect.anything() : null);
          if (cancelOrders) await driver.complete('shutdown', undefined);
          else await driver.fail('shutdown', new Error('flush timed out'));
          expect(value(driver)).toBe('SHUTDOWN');
          expect(driver.observe().status).toBe('done');
          await driver.stop();
        });
      }
    }
  });
});
