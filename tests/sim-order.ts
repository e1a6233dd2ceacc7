/**
 * A complete order request for the simulator's core (`core.place`) from the few fields a test
 * cares about: a good-till-canceled limit order, YES side, no post-only / reduce-only, maker
 * self-trade prevention. `action` follows `bookSide` (bid → buy, ask → sell) unless given.
 */
import type { OrderIntent } from '../src/exchange-sim/core-types.js';

let next = 0;

export function simOrder(
  over: Partial<OrderIntent> & Pick<OrderIntent, 'accountId' | 'ticker'>,
): OrderIntent {
  const bookSide = over.bookSide ?? 'bid';
  next += 1;
  return {
    clientOrderId: `test-${next}`,
    action: bookSide === 'bid' ? 'buy' : 'sell',
    side: 'yes',
    bookSide,
    yesPrice: 5_000,
    count: 1_000,
    timeInForce: 'good_till_canceled',
    postOnly: false,
    reduceOnly: false,
    selfTradePrevention: 'maker',
    cancelOnPause: false,
    subaccount: 0,
    ...over,
  };
}
