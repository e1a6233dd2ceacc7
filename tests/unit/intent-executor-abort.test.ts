/**
 * The executor of one intent (ACTING). Chaos found orders reaching the exchange 9–300 ms after a
 * halt had been answered: the machine had stopped the actor, but its promise went on and sent. An
 * aborted intent now sends nothing, whatever step it was at.
 */
import { describe, expect, it } from 'vitest';
import { createBus } from '../../src/bus.js';
import type { Decision, OrderIntent, TrackedOrder } from '../../src/domain/index.js';
import { createIntentExecutor } from '../../src/runtime/execute.js';

const INTENT: OrderIntent = {
  ticker: 'KX-A',
  bookSide: 'bid',
  yesPrice: 4_000,
  count: 100,
  timeInForce: 'good_till_canceled',
  strategy: 'test',
  reason: 'why not',
};

function setup(backoffMs = 0) {
  const bus = createBus();
  const decisions: Decision[] = [];
  bus.on('strategy.decided', (d) => decisions.push(d));
  const submitted: OrderIntent[] = [];
  let backoff = backoffMs;
  const orders = {
    deny: (intent: OrderIntent) => ({ clientOrderId: 'd-1', intent }) as unknown as TrackedOrder,
    submit: async (intent: OrderIntent) => {
      submitted.push(intent);
      return { clientOrderId: 'c-1', intent } as unknown as TrackedOrder;
    },
    backoffRemaining: () => backoff,
    get: () => undefined,
    cancel: async () => {
      throw new Error('no cancels here');
    },
  };
  const controller = new AbortController();
  const execute = createIntentExecutor({
    bus,
    clock: () => 1,
    risk: { check: () => ({ ok: true }) },
    orders,
    sleep: async () => {
      // The halt lands while the intent waits out a 429 backoff.
      controller.abort();
      backoff = 0;
    },
  });
  return { execute, submitted, decisions, controller };
}

describe('createIntentExecutor', () => {
  it('sends the order when nothing stops it', async () => {
    const { execute, submitted, controller } = setup();
    await execute(INTENT, undefined, 'ACTIVE', controller.signal);
    expect(submitted).toEqual([INTENT]);
  });

  it('sends nothing once the machine has stopped the intent (already aborted)', async () => {
    const { execute, submitted, decisions, controller } = setup();
    controller.abort();
    await execute(INTENT, undefined, 'ACTIVE', controller.signal);
    expect(submitted).toEqual([]);
    expect(decisions.map((d) => [d.action, d.reason])).toEqual([['hold', 'abandoned:machine_left_acting']]);
  });

  it('sends nothing when the stop comes while it waits out a backoff', async () => {
    const { execute, submitted, decisions, controller } = setup(500);
    await execute(INTENT, undefined, 'ACTIVE', controller.signal);
    expect(submitted).toEqual([]);
    expect(decisions.at(-1)?.reason).toBe('abandoned:machine_left_acting');
  });
});
