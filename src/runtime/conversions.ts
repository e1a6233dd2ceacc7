/**
 * Maker → taker (`--maker-to-taker-ms`, or the order's own `intent.makerTimeoutMs` — the edge
 * strategy's volume-weighted timeout): a post-only order of ours that has rested this long is
 * converted — as an intent like any other, through the machine (only in READY), the
 * RiskController and the decision record, never by a service on its own. The intent `replaces`
 * the maker order: the executor cancels it first and sends at most its unfilled remainder as an
 * IOC order at the opposite best, bounded: no more than `maxSlippageTicks` cents worse than the
 * maker's price (a thinner book fills less, never at a worse price).
 */
import type { OrderIntent, TrackedOrder } from '../domain/index.js';
import { CENT, MAX_LIMIT_PRICE, MIN_LIMIT_PRICE, type Price } from '../domain/index.js';

export interface ConversionQuote {
  readonly bestYesBid?: Price;
  readonly yesAsk?: Price;
}

export interface ConversionOptions {
  /** --maker-to-taker-ms; an order's own intent.makerTimeoutMs takes precedence. */
  readonly afterMs: number | undefined;
  readonly maxSlippageTicks: number;
  readonly quote: (ticker: string) => ConversionQuote | undefined;
}

/** When the order started resting (its first 'resting' history entry). */
export function restingSince(order: TrackedOrder): number | undefined {
  return order.history.find((h) => h.status === 'resting')?.at;
}

/** The conversion intent for one maker order, or why there is none now. */
export function conversionFor(
  maker: TrackedOrder,
  now: number,
  opts: ConversionOptions,
): { intent: OrderIntent } | { skip: string } {
  if (maker.status !== 'resting' || maker.intent.postOnly !== true) return { skip: 'not_a_resting_maker' };
  const afterMs = maker.intent.makerTimeoutMs ?? opts.afterMs;
  if (afterMs === undefined) return { skip: 'no_timeout' };
  const since = restingSince(maker);
  if (since === undefined || now - since < afterMs) return { skip: 'not_due' };
  const remaining = maker.intent.count - maker.fillCount;
  if (remaining <= 0) return { skip: 'nothing_left' };
  const quote = opts.quote(maker.intent.ticker);
  const slip = opts.maxSlippageTicks * CENT;
  let price: Price | undefined;
  if (maker.intent.bookSide === 'bid') {
    const ask = quote?.yesAsk;
    price = ask === undefined ? undefined : Math.min(ask, maker.intent.yesPrice + slip, MAX_LIMIT_PRICE);
  } else {
    const bid = quote?.bestYesBid;
    price = bid === undefined ? undefined : Math.max(bid, maker.intent.yesPrice - slip, MIN_LIMIT_PRICE);
  }
  if (price === undefined) return { skip: 'no_opposite_quote' };
  const { postOnly: _p, makerTimeoutMs: _t, ...rest } = maker.intent;
  return {
    intent: {
      ...rest,
      count: remaining,
      yesPrice: price,
      timeInForce: 'immediate_or_cancel',
      strategy: 'maker_to_taker',
      reason: `convert:${maker.clientOrderId}`,
      replaces: maker.clientOrderId,
    },
  };
}
