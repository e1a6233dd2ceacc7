/**
 * The intent executor asks the RiskController in the machine's mode *at the moment of the check*:
 * a halt that lands while an intent waits (here: its conversion's cancel is on the wire) stops the
 * order, and so does a market turning doubtful.
 */
import { describe, expect, it } from 'vitest';
import type { TradingState } from '../../machines/index.js';
import { createBus } from '../../src/bus.js';
import type { Decision, OrderIntent, RiskVerdict, TrackedOrder } from '../../src/domain/index.js';
import { contracts } from '../../src/domain/index.js';
import { createIntentExecutor, liveModeOf, stricterMode } from '../../src/runtime/execute.js';

const T = 'KXEXEC-26MAR14';

function intent(over: Partial<OrderIntent> = {}): OrderIntent {
  return {
    ticker: T,
    bookSide: 'bid',
    yesPrice: 5000,
    count: contracts(2),
    timeInForce: 'immediate_or_cancel',
    strategy: 'test',
    reason: 'test',
    ...over,
  };
}

function order(status: TrackedOrder['status'], over: Partial<TrackedOrder> = {}): TrackedOrder {
  return {
    clientOrderId: 'maker-1',
    intent: intent({ timeInForce: 'good_till_canceled', postOnly: true }),
    status,
    fillCount: 0,
    fillNotional: 0,
    fees: 0,
    createdMs: 0,
    updatedMs: 0,
    history: [],
    ...over,
  };
}

function harness(mode: () => TradingState) {
  const bus = createBus();
  const decisions: Decision[] = [];
  bus.on('strategy.decided', (d) => decisions.push(d));
  const modesSeen: TradingState[] = [];
  const submitted: OrderIntent[] = [];
  let halted = false;
  const execute = createIntentExecutor({
    bus,
    clock: () => 1,
    risk: {
      check: (_i, m): RiskVerdict => {
        modesSeen.push(m);
        return m === 'HALTED' ? { ok: false, code: 'RISK_HALTED', detail: 'halted' } : { ok: true };
      },
    },
    currentMode: () => (halted ? 'HALTED' : mode()),
    orders: {
      backoffRemaining: () => 0,
      get: () => order('resting'),
      // The halt lands while the maker's cancel is on the wire.
      cancel: async () => {
        halted = true;
        return order('canceled');
      },
      deny: (i, reason) => ({ ...order('denied'), clientOrderId: 'denied-1', intent: i, reason }),
      submit: async (i) => {
        submitted.push(i);
        return { ...order('resting'), clientOrderId: 'sent-1', intent: i };
      },
    },
  });
  return { execute, decisions, modesSeen, submitted };
}

describe('the intent executor', () => {
  it('sends nothing when a halt lands while a conversion cancels its maker order', async () => {
    const h = harness(() => 'ACTIVE');
    await h.execute(intent({ replaces: 'maker-1' }), undefined, 'ACTIVE');
    expect(h.submitted).toEqual([]);
    expect(h.modesSeen).toEqual(['HALTED']);
    expect(h.decisions.at(-1)).toMatchObject({ action: 'trade', reason: 'RISK_HALTED' });
  });

  it('checks in REDUCING when the market turned doubtful after ACTING began', async () => {
    const h = harness(() => 'REDUCING');
    await h.execute(intent(), undefined, 'ACTIVE');
    expect(h.modesSeen).toEqual(['REDUCING']);
  });

  it('never loosens the mode the machine gave', () => {
    expect(stricterMode('REDUCING', 'ACTIVE')).toBe('REDUCING');
    expect(stricterMode('ACTIVE', 'HALTED')).toBe('HALTED');
    expect(stricterMode('ACTIVE', undefined)).toBe('ACTIVE');
  });

  it('reads the live mode from the machine context', () => {
    const base = { halt: null, reduceOnly: null, doubtful: {} };
    expect(liveModeOf(base, T)).toBe('ACTIVE');
    expect(liveModeOf({ ...base, doubtful: { [T]: ['book_stale'] } }, T)).toBe('REDUCING');
    expect(liveModeOf({ ...base, doubtful: { other: ['book_stale'] } }, T)).toBe('ACTIVE');
    expect(liveModeOf({ ...base, reduceOnly: 'operator' }, T)).toBe('REDUCING');
    expect(
      liveModeOf({ ...base, halt: { reason: 'operator halt', detail: '', source: 'operator' } }, T),
    ).toBe('HALTED');
  });
});
