import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { contracts } from '../../src/domain/index.js';
import {
  ACTION_COUNT,
  ACTION_NAMES,
  type ActionSettings,
  type ActionView,
  actionIndex,
  actionMask,
  actionToIntent,
  checkActionSettings,
  chooseAction,
  DEFAULT_ACTION_SETTINGS,
  describeAction,
  HOLD,
  PolicyError,
  reservedCash,
} from '../../src/policy/index.js';

const settings: ActionSettings = {
  ...DEFAULT_ACTION_SETTINGS,
  contractSize: contracts(2),
  maxPosition: contracts(60),
};
const view = (over: Partial<ActionView> = {}): ActionView => ({
  ticker: 'KX-T',
  bestYesBid: 5600,
  yesAsk: 5800,
  position: 0,
  cash: 1_000_000_000,
  openOrders: [],
  ...over,
});
const a = (name: string) => ACTION_NAMES.indexOf(name);

describe('the action space', () => {
  it('has 21 actions: HOLD then 4 kinds × 5 buckets', () => {
    expect(ACTION_COUNT).toBe(21);
    expect(ACTION_NAMES.slice(0, 7)).toEqual([
      'hold',
      'buy_yes_x1',
      'buy_yes_x2',
      'buy_yes_x5',
      'buy_yes_x10',
      'buy_yes_x25',
      'sell_yes_x1',
    ]);
    expect(ACTION_NAMES[20]).toBe('sell_no_x25');
    expect(actionIndex('buy_no', 2)).toBe(13);
    expect(describeAction(13)).toEqual({ kind: 'buy_no', bucket: 2, multiplier: 5 });
    expect(() => describeAction(21)).toThrow(PolicyError);
    expect(() => describeAction(1.5)).toThrow(/POLICY|integer/);
  });

  it('refuses bad settings by field', () => {
    expect(() => checkActionSettings({ ...settings, contractSize: 0 })).toThrow(/contractSize/);
    expect(() => checkActionSettings({ ...settings, pricing: 'x' as never })).toThrow(/pricing/);
    expect(() => checkActionSettings(settings)).not.toThrow();
  });
});

describe('actionToIntent (take pricing)', () => {
  it('HOLD holds', () => {
    expect(actionToIntent(HOLD, view(), settings)).toEqual({ action: 'hold', reason: 'policy:hold' });
  });

  it('buy_yes_x5 bids IOC at the YES ask for 5 × contractSize', () => {
    expect(actionToIntent(a('buy_yes_x5'), view(), settings)).toEqual({
      action: 'trade',
      intent: {
        ticker: 'KX-T',
        bookSide: 'bid',
        yesPrice: 5800,
        count: contracts(10),
        timeInForce: 'immediate_or_cancel',
        strategy: 'policy',
        reason: 'policy:buy_yes_x5',
      },
    });
  });

  it('buy_no asks IOC at the best YES bid', () => {
    const d = actionToIntent(a('buy_no_x1'), view(), settings);
    expect(d.action === 'trade' && d.intent).toMatchObject({ bookSide: 'ask', yesPrice: 5600, count: 200 });
  });

  it('sell_yes is a reduce-only ask at the best YES bid, capped to what is held', () => {
    const d = actionToIntent(a('sell_yes_x2'), view({ position: 300 }), settings);
    expect(d.action === 'trade' && d.intent).toMatchObject({
      bookSide: 'ask',
      yesPrice: 5600,
      count: 300,
      reduceOnly: true,
    });
  });

  it('sell_no is a reduce-only bid at the YES ask', () => {
    const d = actionToIntent(a('sell_no_x1'), view({ position: -1000 }), settings);
    expect(d.action === 'trade' && d.intent).toMatchObject({
      bookSide: 'bid',
      yesPrice: 5800,
      count: 200,
      reduceOnly: true,
    });
  });

  it('join pricing rests post-only GTC at our own side', () => {
    const join = { ...settings, pricing: 'join' as const };
    const buy = actionToIntent(a('buy_yes_x1'), view(), join);
    const sell = actionToIntent(a('buy_no_x1'), view(), join);
    expect(buy.action === 'trade' && buy.intent).toMatchObject({
      bookSide: 'bid',
      yesPrice: 5600,
      timeInForce: 'good_till_canceled',
      postOnly: true,
    });
    expect(sell.action === 'trade' && sell.intent).toMatchObject({
      bookSide: 'ask',
      yesPrice: 5800,
      postOnly: true,
    });
  });
});

describe('actionMask', () => {
  const reasons = (v: ActionView, s = settings) => {
    const m = actionMask(v, s);
    return Object.fromEntries(ACTION_NAMES.map((n, i) => [n, m.reasons[i] ?? 'ok']));
  };

  it('flat, two-sided book, plenty of cash: all buys allowed, no sells', () => {
    const r = reasons(view());
    expect(r.buy_yes_x25).toBe('ok');
    expect(r.buy_no_x1).toBe('ok');
    expect(r.sell_yes_x1).toBe('nothing_to_sell');
    expect(r.sell_no_x1).toBe('nothing_to_sell');
    expect(actionMask(view(), settings).bits).toBe(0b1 | (0b11111 << 1) | (0b11111 << 11));
  });

  it('an empty side masks the actions priced from it', () => {
    const r = reasons(view({ yesAsk: undefined, position: 500 }));
    expect(r.buy_yes_x1).toBe('no_price');
    expect(r.buy_no_x1).toBe('opposite_held');
    expect(r.sell_yes_x1).toBe('ok');
  });

  it('holding YES masks buy_no and the sell buckets past what is held', () => {
    // 6 contracts held, contractSize 2: x1 = 2, x2 = 4, x5 = 10 (capped to 6), x10 redundant
    const r = reasons(view({ position: 600 }));
    expect(r.buy_no_x1).toBe('opposite_held');
    expect([r.sell_yes_x1, r.sell_yes_x2, r.sell_yes_x5, r.sell_yes_x10]).toEqual([
      'ok',
      'ok',
      'ok',
      'redundant_size',
    ]);
    const d = actionToIntent(a('sell_yes_x5'), view({ position: 600 }), settings);
    expect(d.action === 'trade' && d.intent.count).toBe(600);
  });

  it('resting asks already sell what we hold', () => {
    const v = view({
      position: 600,
      openOrders: [{ bookSide: 'ask', yesPrice: 5900, remaining: 600, reduceOnly: true }],
    });
    expect(reasons(v).sell_yes_x1).toBe('nothing_to_sell');
  });

  it('max position counts the position and our resting buys', () => {
    // max 60 contracts; hold 40 YES + 10 resting → 10 more at most: x1 (2) and x2 (4) ok, x5 (10) ok, x10 (20) not
    const v = view({ position: 4000, openOrders: [{ bookSide: 'bid', yesPrice: 5500, remaining: 1000 }] });
    const r = reasons(v);
    expect([r.buy_yes_x5, r.buy_yes_x10]).toEqual(['ok', 'max_position']);
  });

  it('cash reserved by open orders is not spent twice', () => {
    // 10 contracts at 0.58 = $5.80; cash $6 but $1 reserved by a resting bid → insufficient
    const resting = [{ bookSide: 'bid' as const, yesPrice: 5000, remaining: 200 }];
    expect(reservedCash(resting)).toBe(1_000_000);
    expect(reasons(view({ cash: 6_000_000 })).buy_yes_x5).toBe('ok');
    expect(reasons(view({ cash: 6_000_000, openOrders: resting })).buy_yes_x5).toBe('insufficient_cash');
    // buy NO pays the NO price: 10 × (1 − 0.56) = $4.40
    expect(reasons(view({ cash: 6_000_000, openOrders: resting })).buy_no_x5).toBe('ok');
  });

  it('a masked action holds with the mask reason', () => {
    expect(actionToIntent(a('sell_yes_x1'), view(), settings)).toEqual({
      action: 'hold',
      reason: 'masked:sell_yes_x1:nothing_to_sell',
    });
  });

  it('chooseAction takes the best allowed score, HOLD on ties and garbage', () => {
    const m = actionMask(view(), settings);
    const scores = new Float32Array(21);
    scores[a('sell_yes_x1')] = 9; // masked
    scores[a('buy_no_x2')] = 3;
    scores[a('buy_yes_x1')] = 2;
    expect(chooseAction(scores, m)).toBe(a('buy_no_x2'));
    expect(chooseAction(new Float32Array(21), m)).toBe(HOLD);
    expect(chooseAction(new Float32Array(21).fill(Number.NaN), m)).toBe(HOLD);
  });
});

describe('actions, property-based', () => {
  const arbView: fc.Arbitrary<ActionView> = fc.record({
    ticker: fc.constant('KX-T'),
    bestYesBid: fc.option(fc.integer({ min: 1, max: 9999 }), { nil: undefined }),
    yesAsk: fc.option(fc.integer({ min: 1, max: 9999 }), { nil: undefined }),
    position: fc.integer({ min: -10_000, max: 10_000 }),
    cash: fc.integer({ min: 0, max: 100_000_000 }),
    openOrders: fc.array(
      fc.record({
        bookSide: fc.constantFrom('bid' as const, 'ask' as const),
        yesPrice: fc.integer({ min: 1, max: 9999 }),
        remaining: fc.integer({ min: 0, max: 5000 }),
        reduceOnly: fc.boolean(),
      }),
      { maxLength: 4 },
    ),
  });
  const arbSettings: fc.Arbitrary<ActionSettings> = fc.record({
    contractSize: fc.integer({ min: 1, max: 2000 }),
    maxPosition: fc.integer({ min: 0, max: 20_000 }),
    pricing: fc.constantFrom('take' as const, 'join' as const),
    strategy: fc.constant('policy'),
  });

  it('the mask and actionToIntent agree; allowed intents respect position, cash and limits', () => {
    fc.assert(
      fc.property(arbView, arbSettings, fc.integer({ min: 0, max: 20 }), (v, s, action) => {
        const mask = actionMask(v, s);
        expect(mask.allowed[HOLD]).toBe(true);
        const d = actionToIntent(action, v, s);
        expect(d.action === 'trade' || action === HOLD).toBe(mask.allowed[action]);
        if (d.action !== 'trade') return;
        const info = describeAction(action);
        if (info.kind === 'hold') throw new Error('HOLD traded');
        const i = d.intent;
        expect(i.count).toBeGreaterThan(0);
        expect(i.count).toBeLessThanOrEqual(s.contractSize * info.multiplier);
        expect(i.yesPrice).toBeGreaterThanOrEqual(1);
        expect(i.yesPrice).toBeLessThanOrEqual(9999);
        const restingAsk = v.openOrders
          .filter((o) => o.bookSide === 'ask')
          .reduce((t, o) => t + o.remaining, 0);
        const restingBid = v.openOrders
          .filter((o) => o.bookSide === 'bid')
          .reduce((t, o) => t + o.remaining, 0);
        if (info.kind === 'sell_yes') {
          expect(i.reduceOnly).toBe(true);
          expect(i.count).toBeLessThanOrEqual(v.position - restingAsk); // never opens NO
        } else if (info.kind === 'sell_no') {
          expect(i.reduceOnly).toBe(true);
          expect(i.count).toBeLessThanOrEqual(-v.position - restingBid);
        } else {
          expect(i.reduceOnly).toBeUndefined();
          const cost = info.kind === 'buy_yes' ? i.count * i.yesPrice : i.count * (10_000 - i.yesPrice);
          expect(cost).toBeLessThanOrEqual(v.cash - reservedCash(v.openOrders));
          const resting = info.kind === 'buy_yes' ? restingBid : restingAsk;
          expect(Math.abs(v.position) + resting + i.count).toBeLessThanOrEqual(s.maxPosition);
          expect(info.kind === 'buy_yes' ? v.position >= 0 : v.position <= 0).toBe(true);
        }
      }),
      { numRuns: 3000 },
    );
  });
});
