import { describe, expect, it } from 'vitest';
import { contracts } from '../../src/domain/index.js';
import type { CoreEvent } from '../../src/exchange-sim/core-types.js';
import { createExchangeCore } from '../../src/exchange-sim/exchange.js';
import { simOrder } from '../sim-order.js';

const TICKER = 'KXBLK-26JAN01-T50';

function setup(cash = 100_000_000) {
  const core = createExchangeCore({ clock: () => 1_000_000 });
  core.addSeries({
    ticker: 'KXBLK',
    title: 'B',
    category: 'T',
    frequency: 'daily',
    feeType: 'quadratic',
    feeMultiplier: 10_000,
  });
  core.addEvent({
    eventTicker: 'KXBLK-26JAN01',
    seriesTicker: 'KXBLK',
    title: 'B',
    subTitle: '',
    mutuallyExclusive: false,
  });
  core.addMarket({
    ticker: TICKER,
    eventTicker: 'KXBLK-26JAN01',
    title: 'B',
    yesSubTitle: '',
    noSubTitle: '',
    strikeType: 'greater',
    openMs: 0,
    closeMs: 10_000_000,
    expectedExpirationMs: 11_000_000,
    priceLevelStructure: 'linear_cent',
    fractionalTradingEnabled: false,
    status: 'active',
  });
  for (const id of ['a', 'b']) core.openAccount(id, cash);
  const events: CoreEvent[] = [];
  core.onEvent((e) => events.push(e));
  return { core, events };
}

describe('a block trade', () => {
  it('moves positions and cash off the book, fee-free, with an executed order and a fill per side', () => {
    const { core, events } = setup();
    core.place(simOrder({ accountId: 'b', ticker: TICKER, bookSide: 'bid', yesPrice: 4_000, count: 100 }));
    const bookBefore = core.book(TICKER);
    events.length = 0;
    const r = core.blockTrade({
      ticker: TICKER,
      buyerId: 'a',
      sellerId: 'b',
      yesPrice: 6_000,
      count: contracts(3),
    });
    expect(r.ok).toBe(true);
    expect(core.book(TICKER)).toEqual(bookBefore);
    expect(core.positions('a')[0]?.position).toBe(contracts(3));
    expect(core.positions('b')[0]?.position).toBe(-contracts(3));
    // $0.60 × 3 and $0.40 × 3; no fee; $1 × 3 of open interest.
    expect(core.balance('a').cash).toBe(100_000_000 - 1_800_000);
    expect(core.balance('b').cash).toBe(100_000_000 - 1_200_000);
    expect(core.market(TICKER)).toMatchObject({ openInterest: contracts(3), lastPrice: 0 });
    expect(core.trades()[0]).toMatchObject({ blockTrade: true, yesPrice: 6_000 });
    expect(core.orders('a')[0]).toMatchObject({ status: 'executed', fillCount: contracts(3), takerFees: 0 });
    expect(core.fills('b')[0]).toMatchObject({ isTaker: false, fee: 0, postPosition: -contracts(3) });
    const types = events.map((e) => e.type);
    expect(types).not.toContain('trade');
    expect(types).not.toContain('book_delta');
    expect(types.filter((t) => t === 'fill')).toHaveLength(2);
  });

  it('is refused when a side cannot pay, and between an account and itself', () => {
    const { core } = setup(1_000_000);
    const poor = core.blockTrade({
      ticker: TICKER,
      buyerId: 'a',
      sellerId: 'b',
      yesPrice: 6_000,
      count: contracts(2),
    });
    expect(poor.ok || poor.error).toMatchObject({ code: 'available_balance_too_low' });
    const self = core.blockTrade({
      ticker: TICKER,
      buyerId: 'a',
      sellerId: 'a',
      yesPrice: 6_000,
      count: contracts(1),
    });
    expect(self.ok).toBe(false);
    expect(core.positions('a')).toEqual([]);
  });
});
