/**
 * The RiskController in the machine's trading modes (NautilusTrader's TradingState): HALTED lets no
 * order through, REDUCING only an order that reduces |position| in its market without flipping
 * it — and a doubtful book blocks new exposure, never an exit.
 */
import { describe, expect, it } from 'vitest';
import type { OrderIntent, RiskVerdict } from '../../src/domain/index.js';
import { contracts } from '../../src/domain/index.js';
import {
  DEFAULT_RISK_LIMITS,
  evaluateRisk,
  type RiskMode,
  type RiskState,
} from '../../src/services/risk-controller.js';

const T = 'KXMODE-26MAR14';

function intent(over: Partial<OrderIntent> = {}): OrderIntent {
  return {
    ticker: T,
    bookSide: 'bid',
    yesPrice: 5000,
    count: contracts(5),
    timeInForce: 'good_till_canceled',
    strategy: 'test',
    reason: 'test',
    ...over,
  };
}

function state(position: number, over: Partial<RiskState> = {}): RiskState {
  return {
    breaker: { open: false },
    tradingActive: true,
    bookStatus: 'live',
    positions: position === 0 ? [] : [{ ticker: T, position: contracts(position), costBasis: 0 }],
    openOrders: [],
    ...over,
  };
}

const code = (v: RiskVerdict) => (v.ok ? 'ok' : v.code);
const verdict = (i: OrderIntent, s: RiskState, mode: RiskMode) =>
  code(evaluateRisk(i, s, DEFAULT_RISK_LIMITS, mode));

describe('HALTED', () => {
  it.each([
    ['an opening buy', intent(), 0],
    ['a sell that closes a long', intent({ bookSide: 'ask' }), 10],
    ['a buy that closes a short', intent(), -10],
  ])('refuses %s with RISK_HALTED', (_what, i, position) => {
    expect(verdict(i, state(position), 'HALTED')).toBe('RISK_HALTED');
  });
});

describe('REDUCING', () => {
  it('passes a sell of part of a long, and of all of it', () => {
    expect(verdict(intent({ bookSide: 'ask', count: contracts(4) }), state(10), 'REDUCING')).toBe('ok');
    expect(verdict(intent({ bookSide: 'ask', count: contracts(10) }), state(10), 'REDUCING')).toBe('ok');
  });

  it('passes a buy that reduces a short (NO) position', () => {
    expect(verdict(intent({ count: contracts(3) }), state(-10), 'REDUCING')).toBe('ok');
  });

  it.each([
    ['an opening buy with nothing held', intent(), 0],
    ['a buy that adds to a long', intent(), 10],
    ['a sell that adds to a short', intent({ bookSide: 'ask' }), -10],
    ['a sell that would flip a long of 3 to a short of 2', intent({ bookSide: 'ask' }), 3],
  ])('refuses %s with RISK_REDUCE_ONLY', (_what, i, position) => {
    expect(verdict(i, state(position), 'REDUCING')).toBe('RISK_REDUCE_ONLY');
  });

  it('counts our resting orders on the same side: together they must not flip the position', () => {
    const resting = { ticker: T, bookSide: 'ask' as const, yesPrice: 5000, remaining: contracts(8) };
    const s = state(10, { openOrders: [resting] });
    expect(verdict(intent({ bookSide: 'ask', count: contracts(2) }), s, 'REDUCING')).toBe('ok');
    expect(verdict(intent({ bookSide: 'ask', count: contracts(3) }), s, 'REDUCING')).toBe('RISK_REDUCE_ONLY');
  });

  it('ACTIVE lets the same opening buy through', () => {
    expect(verdict(intent(), state(0), 'ACTIVE')).toBe('ok');
  });
});

describe('a doubtful book', () => {
  it.each(['stale', 'resyncing'] as const)('lets an exit through a %s book, not new exposure', (status) => {
    const s = (p: number) => state(p, { bookStatus: status });
    expect(verdict(intent({ bookSide: 'ask' }), s(10), 'REDUCING')).toBe('ok');
    expect(verdict(intent(), s(0), 'REDUCING')).toBe('RISK_REDUCE_ONLY');
    expect(verdict(intent(), s(0), 'ACTIVE')).toBe('RISK_BOOK_NOT_LIVE');
  });
});
