/**
 * The seed's hardcoded selector: cycles through buy YES, sell YES, buy NO, sell NO with sizes
 * 5, 10, 25 contracts, so a simulator session trades out of the box.
 *
 * In Kalshi's V2 order entry every order is a bid or an ask on the YES leg (buy NO ≡ sell YES). To
 * exercise both takers and makers, the "buy" actions take liquidity (IOC at the opposite best) and
 * the "sell" actions join the best price as post-only makers (GTC), which leaves resting orders for
 * cancellation to deal with:
 *   buy_yes  → bid IOC at the YES ask          (takes NO bids)
 *   sell_yes → ask GTC post-only at the YES ask (joins the best ask)
 *   buy_no   → ask IOC at the best YES bid     (takes YES bids)
 *   sell_no  → bid GTC post-only at the best YES bid (joins the best bid)
 */
import type { OrderIntent } from '../domain/index.js';
import { contracts } from '../domain/index.js';
import type { MarketView, Strategy, StrategyResult } from './types.js';

export const HARDCODED_ACTIONS = ['buy_yes', 'sell_yes', 'buy_no', 'sell_no'] as const;
export const HARDCODED_SIZES = [5, 10, 25] as const;

export class HardcodedStrategy implements Strategy {
  readonly name = 'hardcoded';
  private step = 0;

  evaluate(view: MarketView): StrategyResult {
    const { bestYesBid, yesAsk } = view;
    if (bestYesBid === undefined || yesAsk === undefined) {
      return { action: 'hold', reason: 'one_sided_book' };
    }
    const action = HARDCODED_ACTIONS[this.step % HARDCODED_ACTIONS.length]!;
    const size = HARDCODED_SIZES[Math.floor(this.step / HARDCODED_ACTIONS.length) % HARDCODED_SIZES.length]!;
    this.step += 1;
    const base = {
      ticker: view.ticker,
      count: contracts(size),
      strategy: this.name,
      reason: `hardcoded:${action}`,
    };
    const features = { best_yes_bid: bestYesBid, yes_ask: yesAsk, position: view.position, size };
    let intent: OrderIntent;
    switch (action) {
      case 'buy_yes':
        intent = { ...base, bookSide: 'bid', yesPrice: yesAsk, timeInForce: 'immediate_or_cancel' };
        break;
      case 'sell_yes':
        intent = {
          ...base,
          bookSide: 'ask',
          yesPrice: yesAsk,
          timeInForce: 'good_till_canceled',
          postOnly: true,
        };
        break;
      case 'buy_no':
        intent = { ...base, bookSide: 'ask', yesPrice: bestYesBid, timeInForce: 'immediate_or_cancel' };
        break;
      case 'sell_no':
        intent = {
          ...base,
          bookSide: 'bid',
          yesPrice: bestYesBid,
          timeInForce: 'good_till_canceled',
          postOnly: true,
        };
        break;
    }
    return { action: 'trade', intent, features };
  }
}

/** Observe only: never trades. */
export class NoStrategy implements Strategy {
  readonly name = 'none';
  evaluate(): StrategyResult {
    return { action: 'hold', reason: 'observe_only' };
  }
}

export function createStrategy(name: 'hardcoded' | 'none'): Strategy {
  return name === 'hardcoded' ? new HardcodedStrategy() : new NoStrategy();
}
