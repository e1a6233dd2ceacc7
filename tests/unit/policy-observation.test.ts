import { describe, expect, it } from 'vitest';
import { OrderBook } from '../../src/orderbook/index.js';
import {
  activityScore,
  type BookInput,
  bookInputFromBook,
  bookInputFromLevels,
  buildObservation,
  EMPTY_HISTORY,
  FEATURE_INDEX,
  type History,
  momentum,
  observe,
  type PortfolioInput,
  pushHistory,
  reservedCash,
} from '../../src/policy/index.js';

const L = Math.log;
const ln10001 = L(10_001);

// YES bids 0.56×10, 0.55×20, 0.54×5; NO bids 0.42×15, 0.41×30 (Count = 1/100 contract).
const book: BookInput = bookInputFromLevels(
  [
    [5400, 500],
    [5600, 1000],
    [5500, 2000],
  ],
  [
    [4100, 3000],
    [4200, 1500],
  ],
);
const before: History = {
  entries: [
    { tMs: 1_000, mid: 5400, depth: 6000 },
    { tMs: 3_000, mid: 5600, depth: 7000 },
  ],
};
// 20 YES bought at $0.50; $90 cash; equity = 90 + 20 × 0.57.
const portfolio: PortfolioInput = {
  position: 2000,
  cash: 90_000_000,
  costBasis: 10_000_000,
  equity: 101_400_000,
};
const orders = [
  { bookSide: 'bid' as const, yesPrice: 5500, remaining: 300 },
  { bookSide: 'ask' as const, yesPrice: 5900, remaining: 500, reduceOnly: true },
];

function features(): Record<string, number> {
  const history = pushHistory(before, book, 3_500);
  const obs = buildObservation({ book, history, portfolio, orders });
  return Object.fromEntries(Object.entries(FEATURE_INDEX).map(([name, i]) => [name, obs[i]!]));
}

describe('buildObservation, feature by feature against a hand computation', () => {
  const f = features();
  const expected: Record<string, number> = {
    yes_bid: 0.56,
    yes_ask: 0.58,
    // `before` has no anchor: it starts at this update's mid, so every deviation is 0.
    mid_dev_ema_fast: 0,
    mid_dev_ema_mid: 0,
    yes_mid: 0.57,
    mid_dev_ema_slow: 0,
    spread: 0.02,
    microprice: (0.56 * 15 + 0.58 * 10) / 25,
    has_yes_bids: 1,
    has_no_bids: 1,
    yes_depth_l1: L(11) / ln10001,
    yes_depth_l2: L(21) / ln10001,
    yes_depth_l3: L(6) / ln10001,
    yes_depth_l4: 0,
    yes_depth_l5: 0,
    no_depth_l1: L(16) / ln10001,
    no_depth_l2: L(31) / ln10001,
    no_depth_l3: 0,
    no_depth_l4: 0,
    no_depth_l5: 0,
    imbalance_l1: (10 - 15) / 25,
    imbalance_l3: (35 - 45) / 80,
    imbalance_l5: (35 - 45) / 80,
    imbalance_total: (35 - 45) / 80,
    yes_depth_total: L(36) / ln10001,
    no_depth_total: L(46) / ln10001,
    yes_level_count: 0.03,
    no_level_count: 0.02,
    yes_span: 0.02,
    no_span: 0.01,
    mid_dev_z: 0,
    time_gap_log: L(1.5) / L(3601),
    activity_score: L(81) / 1000,
    momentum: Math.tanh((0.01 - 0.02) / 0.02),
    mid_change_1: 0.1,
    mid_change_window: 0.3,
    mid_volatility: 0.05,
    update_rate: 2 / 2.5 / 10,
    depth_change: (8000 - 7000) / 15000,
    position: 0.2,
    holds_yes: 1,
    holds_no: 0,
    cash_ratio: 90 / 101.4,
    reserved_ratio: 1.65 / 101.4,
    position_value_ratio: 11.4 / 101.4,
    unrealized_pnl: 0.14,
    avg_entry_price: 0.5,
    open_orders: 0.2,
    open_bid_size: 0.03,
    open_ask_size: 0.05,
    bid_distance: 0.01,
    ask_distance: 0.01,
  };
  it('covers all 52 features', () => {
    expect(Object.keys(expected).sort()).toEqual(Object.keys(f).sort());
  });
  for (const [name, value] of Object.entries(expected)) {
    it(`${name} = ${value.toPrecision(6)}`, () => {
      expect(f[name]).toBeCloseTo(value, 6);
    });
  }
});

describe('edge cases', () => {
  const empty = bookInputFromLevels([], []);
  const flat: PortfolioInput = { position: 0, cash: 0, costBasis: 0, equity: 0 };

  it('an empty book with no history: prices at their no-quote values, mid 0.5, spread 1', () => {
    const obs = buildObservation({
      book: empty,
      history: pushHistory(EMPTY_HISTORY, empty, 0),
      portfolio: flat,
      orders: [],
    });
    const at = (n: string) => obs[FEATURE_INDEX[n]!];
    expect([at('yes_bid'), at('yes_ask'), at('yes_mid'), at('spread'), at('microprice')]).toEqual([
      0, 1, 0.5, 1, 0.5,
    ]);
    expect([
      at('time_gap_log'),
      at('mid_dev_ema_mid'),
      at('momentum'),
      at('update_rate'),
      at('bid_distance'),
      at('ask_distance'),
    ]).toEqual([0, 0, 0, 0, 1, 1]);
  });

  it('a one-sided book keeps the last two-sided mid as its mark', () => {
    const oneSided = bookInputFromLevels([[6000, 100]], []);
    const history = pushHistory(pushHistory(EMPTY_HISTORY, book, 0), oneSided, 1000);
    const obs = buildObservation({ book: oneSided, history, portfolio: flat, orders: [] });
    expect(obs[FEATURE_INDEX.yes_mid!]).toBeCloseTo(0.57, 6);
    expect(obs[FEATURE_INDEX.spread!]).toBe(1);
    expect(obs[FEATURE_INDEX.yes_ask!]).toBe(1);
    expect(obs[FEATURE_INDEX.yes_bid!]).toBeCloseTo(0.6, 6);
  });

  it('a NO position is marked on the NO leg', () => {
    const short: PortfolioInput = { position: -1000, cash: 0, costBasis: 4_000_000, equity: 4_300_000 };
    const history = pushHistory(EMPTY_HISTORY, book, 0);
    const obs = buildObservation({ book, history, portfolio: short, orders: [] });
    expect(obs[FEATURE_INDEX.position!]).toBeCloseTo(-0.1, 6);
    expect(obs[FEATURE_INDEX.holds_no!]).toBe(1);
    // 10 NO at 1 − 0.57 = 0.43 → $4.30 against $4.00 paid
    expect(obs[FEATURE_INDEX.unrealized_pnl!]).toBeCloseTo(0.3 / 4, 6);
    expect(obs[FEATURE_INDEX.avg_entry_price!]).toBeCloseTo(0.4, 6);
  });

  it('out-of-order times give a zero gap', () => {
    const h = pushHistory(pushHistory(EMPTY_HISTORY, book, 5000), book, 4000);
    const obs = buildObservation({ book, history: h, portfolio: flat, orders: [] });
    expect(obs[FEATURE_INDEX.time_gap_log!]).toBe(0);
  });
});

describe('history', () => {
  it('keeps the last 10 updates and leaves the old value unchanged', () => {
    let h = EMPTY_HISTORY;
    const seen: History[] = [];
    for (let t = 0; t < 15; t++) {
      h = pushHistory(h, book, t * 100);
      seen.push(h);
    }
    expect(h.entries).toHaveLength(10);
    expect(h.entries[0]!.tMs).toBe(500);
    expect(seen[2]!.entries).toHaveLength(3);
    expect(EMPTY_HISTORY.entries).toHaveLength(0);
  });

  it('observe() pushes then builds', () => {
    const { history, obs } = observe(before, book, 3_500, portfolio, orders);
    expect(history.entries).toHaveLength(3);
    expect(obs[FEATURE_INDEX.time_gap_log!]).toBeCloseTo(L(1.5) / L(3601), 6);
  });
});

describe('seed 003 formulas and helpers', () => {
  it('momentum is 0 until three mids and when the first change is 0', () => {
    expect(momentum([0.5, 0.6])).toBe(0);
    expect(momentum([0.5, 0.5, 0.6])).toBe(0);
    expect(momentum([0.5, 0.52, 0.56])).toBeCloseTo(Math.tanh(1), 12);
  });

  it('activity_score = min(1, n ln(1 + V)/1000)', () => {
    expect(activityScore(1, 0)).toBe(0);
    expect(activityScore(3, 100)).toBeCloseTo((3 * Math.log(101)) / 1000, 12);
    expect(activityScore(1000, 1e9)).toBe(1);
  });

  it('reservedCash counts open non-reduce-only orders at their leg price', () => {
    expect(
      reservedCash([
        { bookSide: 'bid', yesPrice: 5500, remaining: 300 },
        { bookSide: 'ask', yesPrice: 5500, remaining: 200 },
        { bookSide: 'ask', yesPrice: 5900, remaining: 500, reduceOnly: true },
      ]),
    ).toBe(300 * 5500 + 200 * 4500);
  });

  it('bookInputFromBook reads an OrderBook like bookInputFromLevels reads its levels', () => {
    const ob = new OrderBook('T');
    const yes = [
      { price: 5400, count: 500 },
      { price: 5600, count: 1000 },
      { price: 5500, count: 2000 },
    ];
    const no = [{ price: 4200, count: 1500 }];
    ob.applySnapshot(yes, no);
    const fromBook = bookInputFromBook(ob);
    expect(fromBook).toEqual(
      bookInputFromLevels(
        yes.map((l) => [l.price, l.count] as const),
        no.map((l) => [l.price, l.count] as const),
      ),
    );
  });
});
