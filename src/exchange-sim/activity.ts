/**
 * Seeded synthetic participants, so the simulator's books move and trades print.
 *
 * Three kinds of participant, each with its own account (opened here with plenty of cash), all
 * trading through the public ExchangeCore API only (place / cancel), always with self-trade
 * prevention 'maker' so a participant crossing its own resting order cancels it instead of failing:
 *  - market makers quote a bid and an ask on every market, 1, 2, 3… ticks either side of a centre
 *    (microstructure.ts): a belief that random-walks slowly and reverts to the universe's fair
 *    value, plus the transient impact of recent taker flow, staying inside (0.02, 0.98); a requote
 *    cancels a quote whose price is stale or that has been filled away;
 *  - takers cross the spread with small immediate-or-cancel orders, so trades print; they come in
 *    one-sided bursts now and then, pushing the quotes away from value, which then revert — the
 *    learnable edge described in microstructure.ts;
 *  - noise traders rest (and sometimes cross with) small good-till-canceled orders near fair and
 *    cancel old ones, keeping at most a few live each.
 *
 * Determinism: step() performs exactly one participant action chosen by the seeded RNG and reads
 * only the RNG and the core, so the same seed and the same sequence of step() calls on equal cores
 * give the same orders and trades. Wall-clock time enters only through start(), which decides how
 * many step() calls to make (ratePerSec on average; 0 = none).
 *
 * Which markets: the tickers given at creation, plus (followListings, the default) every market the
 * core lists later — the participants watch the core's lifecycle `created` events, as a Kalshi
 * client watches market_lifecycle_v2, and anchor the new market at fairValues.get(ticker) as the
 * map stands at that moment (the simulator passes the listings' live map, which holds a successor's
 * fair value before it is announced). A market that has closed (`closed`, `determined`, `finalized`)
 * is forgotten for good, with the makers' quote records on it; its resting orders were already
 * canceled by the core when it closed. Watching `created` is bookkeeping only (no order is placed
 * from inside a core event), so determinism is unchanged: the new market joins the candidates of
 * the next step().
 *
 * Errors the core answers with are counted in stats.errors (the latest kept in lastError), never
 * thrown. Markets that are not active, and the whole exchange while trading is paused, are skipped.
 */

import {
  COUNT_SCALE,
  type Count,
  MICROS_PER_DOLLAR,
  type Micros,
  PRICE_SCALE,
  type Price,
} from '../domain/index.js';
import type {
  Action,
  BookSide,
  ExchangeCore,
  OrderIntent,
  OutcomeSide,
  SimError,
  TimeInForce,
} from './core-types.js';
import {
  centre,
  checkParams,
  clamp,
  DEFAULT_MICROSTRUCTURE,
  type FlowState,
  flowState,
  impact,
  type MicrostructureParams,
  takerSide,
  walk,
} from './microstructure.js';
import type { Rng } from './rng.js';
import { createRng } from './rng.js';

export interface ActivityStats {
  /** step() calls. */
  actions: number;
  /** Orders the core accepted. */
  placed: number;
  /** Cancels the core accepted. */
  canceled: number;
  /** Immediate-or-cancel orders that executed at least one fill. */
  takes: number;
  /** Errors the core answered with. */
  errors: number;
}

/** The timer functions start() uses; method syntax so Node's own setInterval/clearInterval fit. */
export interface ActivityTimers {
  setInterval(handler: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
}

export interface Activity {
  /** Places initial resting liquidity on both ladders of every active market, around fair value. */
  seedBooks(): void;
  /** Performs exactly one participant action. */
  step(): void;
  /** Runs step() about ratePerSec times per second of clock time until stop(); no-op when rate is 0. */
  start(timers?: ActivityTimers): void;
  stop(): void;
  readonly stats: Readonly<ActivityStats>;
  /** The latest error the core answered with, for diagnostics. */
  readonly lastError: SimError | undefined;
  /** The makers' current quote centre of a market (belief + impact); undefined once it has closed. */
  fairValue(ticker: string): Price | undefined;
  /** A market's microstructure state (true value, belief, impact, burst), for diagnostics. */
  flow(ticker: string): Readonly<FlowState> | undefined;
  /** The markets the participants currently follow (not yet seen closed), in the order added. */
  tickers(): string[];
  /**
   * News: the market's true value is now `fair` (the weather world's makers' view, weather.ts);
   * the makers' belief jumps to it, the flow's impact is kept. No-op for a market not followed.
   */
  reanchor(ticker: string, fair: Price): void;
}

export interface ActivityOptions {
  core: ExchangeCore;
  seed: number;
  tickers: string[];
  /**
   * Anchors the fair-value walk, read when a market is added (at creation, or when a followed
   * listing is announced); a ticker missing here is anchored at $0.50.
   */
  fairValues: ReadonlyMap<string, Price>;
  /** Also trade every market the core lists after creation (lifecycle `created`); default true. */
  followListings?: boolean;
  /** Average step() calls per second under start(); 0 = no background activity. */
  ratePerSec: number;
  clock: () => number;
  /** Prefix of the participants' account ids (default 'sim-'). */
  accountsPrefix?: string;
  /** Cash each participant account opens with (default $10,000,000). */
  cashPerParticipant?: Micros;
  makers?: number;
  takers?: number;
  noiseTraders?: number;
  /** The flow bursts and price impact (microstructure.ts); defaults DEFAULT_MICROSTRUCTURE. */
  microstructure?: Partial<MicrostructureParams>;
}

const DEFAULT_FAIR: Price = 5_000;
const DEFAULT_CASH: Micros = 10_000_000 * MICROS_PER_DOLLAR;
/** Noise traders cancel their oldest order beyond this many live ones. */
const NOISE_MAX_LIVE = 8;
/** start() polls the clock this often and never runs more than one second's worth of steps at once. */
const DRIVER_INTERVAL_MS = 50;

interface MarketState {
  ticker: string;
  flow: FlowState;
}

interface Quote {
  orderId: string;
  yesPrice: Price;
}

interface Maker {
  accountId: string;
  /** Distance of this maker's quotes from fair, in ticks. */
  widthTicks: number;
  bids: Map<string, Quote>;
  asks: Map<string, Quote>;
}

interface NoiseTrader {
  accountId: string;
  live: Array<{ ticker: string; orderId: string }>;
}

interface PlaceArgs {
  accountId: string;
  ticker: string;
  action: Action;
  side: OutcomeSide;
  bookSide: BookSide;
  yesPrice: Price;
  count: Count;
  timeInForce: TimeInForce;
}

/** The two (action, side) phrasings of each book side (KALSHI.md §8). */
function phrasing(rng: Rng, bookSide: BookSide): { action: Action; side: OutcomeSide } {
  const plain = rng.chance(0.5);
  if (bookSide === 'bid') return plain ? { action: 'buy', side: 'yes' } : { action: 'sell', side: 'no' };
  return plain ? { action: 'buy', side: 'no' } : { action: 'sell', side: 'yes' };
}

export function createActivity(opts: ActivityOptions): Activity {
  const { core, clock } = opts;
  if (!Number.isFinite(opts.ratePerSec) || opts.ratePerSec < 0) {
    throw new RangeError(`createActivity: ratePerSec must be ≥ 0, got ${opts.ratePerSec}`);
  }
  const rng = createRng(opts.seed);
  const params = checkParams({ ...DEFAULT_MICROSTRUCTURE, ...opts.microstructure });
  const prefix = opts.accountsPrefix ?? 'sim-';
  const cash = opts.cashPerParticipant ?? DEFAULT_CASH;

  let markets: MarketState[] = [];
  const byTicker = new Map<string, MarketState>();
  const follow = (ticker: string): void => {
    if (byTicker.has(ticker)) return;
    const state = { ticker, flow: flowState(opts.fairValues.get(ticker) ?? DEFAULT_FAIR) };
    markets.push(state);
    byTicker.set(ticker, state);
  };
  for (const ticker of opts.tickers) follow(ticker);
  if (opts.followListings ?? true) {
    core.onEvent((event) => {
      if (event.type === 'lifecycle' && event.eventType === 'created') follow(event.ticker);
    });
  }

  const openAccount = (accountId: string): string => {
    if (!core.hasAccount(accountId)) core.openAccount(accountId, cash);
    return accountId;
  };
  const makers: Maker[] = Array.from({ length: opts.makers ?? 3 }, (_, i) => ({
    accountId: openAccount(`${prefix}mm-${i}`),
    widthTicks: i + 1,
    bids: new Map(),
    asks: new Map(),
  }));
  const takers: string[] = Array.from({ length: opts.takers ?? 2 }, (_, i) =>
    openAccount(`${prefix}taker-${i}`),
  );
  const noise: NoiseTrader[] = Array.from({ length: opts.noiseTraders ?? 3 }, (_, i) => ({
    accountId: openAccount(`${prefix}noise-${i}`),
    live: [],
  }));

  const stats: ActivityStats = { actions: 0, placed: 0, canceled: 0, takes: 0, errors: 0 };
  let lastError: SimError | undefined;
  let orderSeq = 0;
  let timer: { handle: unknown; timers: ActivityTimers } | undefined;

  // ---- core access -------------------------------------------------------------------------

  const fail = (error: SimError): void => {
    stats.errors += 1;
    lastError = error;
  };

  const tickOf = (ticker: string): Price =>
    core.market(ticker)?.priceLevelStructure === 'deci_cent' ? 10 : 100;

  /** Forgets a market for good: it has closed (or the core does not know it). */
  const forget = (m: MarketState): void => {
    byTicker.delete(m.ticker);
    for (const mk of makers) {
      mk.bids.delete(m.ticker);
      mk.asks.delete(m.ticker);
    }
  };

  /** The active markets, forgetting those that have closed since the last look. */
  const tradableMarkets = (): MarketState[] => {
    const live: MarketState[] = [];
    let closed = false;
    for (const m of markets) {
      const status = core.market(m.ticker)?.status;
      if (status === 'active') live.push(m);
      else if (status !== 'initialized' && status !== 'inactive') {
        forget(m);
        closed = true;
      }
    }
    if (closed) markets = markets.filter((m) => byTicker.has(m.ticker));
    return core.tradingActive ? live : [];
  };

  /** Places an order; returns the order id and what filled, or undefined on error. */
  const place = (
    args: PlaceArgs,
  ): { orderId: string; resting: boolean; filled: boolean; filledCount: Count } | undefined => {
    orderSeq += 1;
    const intent: OrderIntent = {
      ...args,
      clientOrderId: `${prefix}${orderSeq}`,
      postOnly: false,
      reduceOnly: false,
      selfTradePrevention: 'maker',
      cancelOnPause: false,
      subaccount: 0,
    };
    const result = core.place(intent);
    if (!result.ok) {
      fail(result.error);
      return undefined;
    }
    stats.placed += 1;
    const { order, fills } = result.value;
    return {
      orderId: order.orderId,
      resting: order.status === 'resting',
      filled: fills.length > 0,
      filledCount: order.fillCount,
    };
  };

  const isResting = (accountId: string, orderId: string): boolean =>
    core.order(accountId, orderId)?.status === 'resting';

  const cancelIfResting = (accountId: string, orderId: string): void => {
    if (!isResting(accountId, orderId)) return;
    const result = core.cancel(accountId, orderId);
    if (result.ok) stats.canceled += 1;
    else fail(result.error);
  };

  // ---- participants -------------------------------------------------------------------------

  const sizeInContracts = (min: number, max: number): Count => rng.int(min, max) * COUNT_SCALE;

  /** Brings one side of one maker's quotes on one market to its target price. */
  const requoteSide = (mk: Maker, ticker: string, bookSide: BookSide, target: Price): void => {
    const quotes = bookSide === 'bid' ? mk.bids : mk.asks;
    const current = quotes.get(ticker);
    if (current && current.yesPrice === target && isResting(mk.accountId, current.orderId)) return;
    if (current) {
      cancelIfResting(mk.accountId, current.orderId);
      quotes.delete(ticker);
    }
    const placed = place({
      accountId: mk.accountId,
      ticker,
      ...(bookSide === 'bid' ? { action: 'buy', side: 'yes' } : { action: 'buy', side: 'no' }),
      bookSide,
      yesPrice: target,
      count: sizeInContracts(5, 25),
      timeInForce: 'good_till_canceled',
    });
    if (placed?.resting) quotes.set(ticker, { orderId: placed.orderId, yesPrice: target });
  };

  const requote = (mk: Maker, m: MarketState): void => {
    const tick = tickOf(m.ticker);
    const offset = mk.widthTicks * tick;
    const fair = centre(m.flow);
    const bid = clamp(Math.floor((fair - offset) / tick) * tick, tick, PRICE_SCALE - 2 * tick);
    const ask = clamp(Math.ceil((fair + offset) / tick) * tick, bid + tick, PRICE_SCALE - tick);
    requoteSide(mk, m.ticker, 'bid', bid);
    requoteSide(mk, m.ticker, 'ask', ask);
  };

  const makerAction = (m: MarketState): void => {
    walk(m.flow, rng, params);
    requote(rng.pick(makers), m);
  };

  const takerAction = (m: MarketState): void => {
    const book = core.book(m.ticker);
    const tick = tickOf(m.ticker);
    const bestYes = book.yes.at(-1)?.[0];
    const bestNo = book.no.at(-1)?.[0];
    // The flow's side (a burst's, or a coin's; microstructure.ts); fall back to the side that has
    // liquidity.
    let buy = takerSide(m.flow, rng, params) === 'buy';
    if (buy && bestNo === undefined) buy = false;
    if (!buy && bestYes === undefined) buy = true;
    const accountId = rng.pick(takers);
    const count = sizeInContracts(1, 5);
    const through = rng.int(0, 1) * tick;
    let bookSide: BookSide;
    let yesPrice: Price;
    if (buy) {
      if (bestNo === undefined) return;
      bookSide = 'bid';
      yesPrice = Math.min(PRICE_SCALE - bestNo + through, PRICE_SCALE - tick);
    } else {
      if (bestYes === undefined) return;
      bookSide = 'ask';
      yesPrice = Math.max(bestYes - through, tick);
    }
    const placed = place({
      accountId,
      ticker: m.ticker,
      ...phrasing(rng, bookSide),
      bookSide,
      yesPrice,
      count,
      timeInForce: 'immediate_or_cancel',
    });
    if (placed?.filled) {
      stats.takes += 1;
      impact(m.flow, buy ? placed.filledCount : -placed.filledCount, params);
    }
  };

  const noisePlace = (m: MarketState): void => {
    const trader = rng.pick(noise);
    const tick = tickOf(m.ticker);
    const bookSide: BookSide = rng.chance(0.5) ? 'bid' : 'ask';
    // Mostly passive (behind fair on its own side), sometimes a little through it.
    const away = rng.intNormal(2 * tick, 3 * tick);
    const fair = centre(m.flow);
    const raw = bookSide === 'bid' ? fair - away : fair + away;
    const yesPrice = clamp(Math.round(raw / tick) * tick, tick, PRICE_SCALE - tick);
    const placed = place({
      accountId: trader.accountId,
      ticker: m.ticker,
      ...phrasing(rng, bookSide),
      bookSide,
      yesPrice,
      count: sizeInContracts(1, 10),
      timeInForce: 'good_till_canceled',
    });
    if (placed?.resting) trader.live.push({ ticker: m.ticker, orderId: placed.orderId });
    trader.live = trader.live.filter((o) => isResting(trader.accountId, o.orderId));
    while (trader.live.length > NOISE_MAX_LIVE) {
      const oldest = trader.live.shift();
      if (oldest) cancelIfResting(trader.accountId, oldest.orderId);
    }
  };

  const noiseCancel = (): void => {
    const trader = rng.pick(noise);
    trader.live = trader.live.filter((o) => isResting(trader.accountId, o.orderId));
    if (trader.live.length === 0) return;
    const [victim] = trader.live.splice(rng.int(0, trader.live.length - 1), 1);
    if (victim) cancelIfResting(trader.accountId, victim.orderId);
  };

  // ---- public surface -----------------------------------------------------------------------

  const step = (): void => {
    stats.actions += 1;
    const live = tradableMarkets();
    const roll = rng.int(0, 99);
    if (live.length === 0) return;
    const m = rng.pick(live);
    if (roll < 45) makerAction(m);
    else if (roll < 65) takerAction(m);
    else if (roll < 90) noisePlace(m);
    else noiseCancel();
  };

  const seedBooks = (): void => {
    for (const m of tradableMarkets()) {
      for (const mk of makers) requote(mk, m);
    }
  };

  const start = (timers: ActivityTimers = globalThis): void => {
    if (timer || opts.ratePerSec === 0) return;
    const startMs = clock();
    const maxBurst = Math.max(1, Math.ceil(opts.ratePerSec));
    let done = 0;
    const handle = timers.setInterval(() => {
      const due = Math.floor(((clock() - startMs) * opts.ratePerSec) / 1000);
      // After a stall, run at most one second's worth and drop the rest of the backlog.
      const todo = Math.min(due - done, maxBurst);
      for (let i = 0; i < todo; i++) step();
      done = Math.max(done, due);
    }, DRIVER_INTERVAL_MS);
    timer = { handle, timers };
  };

  const stop = (): void => {
    if (!timer) return;
    timer.timers.clearInterval(timer.handle);
    timer = undefined;
  };

  return {
    seedBooks,
    step,
    start,
    stop,
    stats,
    get lastError() {
      return lastError;
    },
    fairValue: (ticker) => {
      const m = byTicker.get(ticker);
      return m ? centre(m.flow) : undefined;
    },
    flow: (ticker) => {
      const m = byTicker.get(ticker);
      return m ? { ...m.flow } : undefined;
    },
    tickers: () => markets.map((m) => m.ticker),
    reanchor: (ticker, fair) => {
      const m = byTicker.get(ticker);
      if (m)
        m.flow = {
          ...flowState(fair),
          shock: m.flow.shock,
          burstSide: m.flow.burstSide,
          burstLeft: m.flow.burstLeft,
        };
    },
  };
}
