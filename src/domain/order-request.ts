/**
 * An order as the OrderService sends it, in the trader's own units: what the intent asked for,
 * our client_order_id, and the order group it goes in. The Kalshi adapter
 * (src/kalshi/order-body.ts) turns it into the wire request and the exchange's answer back.
 */
import type { BookSide, TimeInForce } from './types.js';
import type { Count, Price } from './units.js';

/** Kalshi's self-trade prevention: cancel the resting (maker) order, or the taker at the cross. */
export type SelfTradePrevention = 'maker' | 'taker_at_cross';

export interface OrderRequest {
  readonly clientOrderId: string;
  readonly ticker: string;
  readonly bookSide: BookSide;
  /** Limit on the YES leg. */
  readonly yesPrice: Price;
  readonly count: Count;
  readonly timeInForce: TimeInForce;
  readonly postOnly: boolean;
  readonly reduceOnly: boolean;
  readonly selfTradePrevention: SelfTradePrevention;
  /** The trader's order group (the exchange-side kill switch), when one is known. */
  readonly orderGroupId?: string;
}

/** The exchange's answer to a create: its order id and what filled at once. */
export interface OrderPlacement {
  readonly orderId: string;
  readonly fillCount: Count;
  readonly remainingCount: Count;
}
