/**
 * Deterministic replay of a recorded book stream through the trader's own decision path:
 *
 *   record → OrderBook → 'book.recorded' + 'book.updated' → StrategyRunner (the live runner, same
 *   trigger, same per-market throttle) → the strategy (built by the live factory) → the intent
 *   executor the machine's ACTING state runs (src/runtime/execute.ts) → RiskController →
 *   OrderService → ReplayVenue (fills against the recorded book; rules in venue.ts).
 *
 * The clock is virtual: it is the record's receivedMs. After each record the replay waits until
 * the strategy's evaluation and the intent it produced have been executed, so a run is a pure
 * function of (records, strategy, model, settings): no wall-clock time, no timers, no randomness
 * (client order ids count up). The machine itself is reduced to what it decides on this path: an
 * intent is taken when none is in flight and the recorded machine was READY or ACTING at that
 * moment (its transitions are in the record), and executed in ACTIVE mode.
 *
 * The digest is sha256 over the ordered decisions and order changes, one canonical JSON line each.
 *
 * Speed: the records come in pages (an array is one page; source.ts reads the database in keyset
 * pages) and are fed synchronously; the loop waits only while something is in flight (an
 * inference the model answers later, an intent being executed). With a SpeculativeInference
 * (speculate.ts) most evaluations find their scores in a batch asked earlier and conclude
 * synchronously, without changing a single decision.
 */
import { createHash } from 'node:crypto';
import { createBus } from '../bus.js';
import {
  COUNT_SCALE,
  type Decision,
  type Micros,
  type PositionView,
  type TrackedOrder,
} from '../domain/index.js';
import type { OrderBook } from '../orderbook/index.js';
import type { BookRecord } from '../policy/index.js';
import { createIntentExecutor } from '../runtime/execute.js';
import { MoneyWatch, OrderService, PositionTracker, RiskController } from '../services/index.js';
import { PolicyStrategy, type PreparedStrategy, StrategyRunner } from '../strategy/index.js';
import { applyRecord, isDelta } from './book-feed.js';
import { type EquityPoint, type ReplayResult, summarize } from './result.js';
import { createLookahead, type SpeculativeInference } from './speculate.js';
import { ReplayVenue } from './venue.js';

export interface ReplayOptions {
  /** The stream: all of it, or its pages in order. */
  readonly records: readonly BookRecord[] | AsyncIterable<readonly BookRecord[]>;
  /** The policy's model wrapped for batching (the strategy must infer through it). */
  readonly speculative?: SpeculativeInference;
  readonly strategy: PreparedStrategy;
  readonly strategyName: string;
  readonly throttleMs: number;
  readonly openingCash: Micros;
  readonly risk: {
    readonly maxContractsPerOrder: number;
    readonly maxPositionPerMarket: number;
    readonly maxOpenOrders: number;
    readonly maxExposureMicros: number;
  };
  /** When the recorded machine took intents (see RecordedSession); default: always. */
  readonly tradingWindows?: ReadonlyArray<readonly [number, number]>;
  /** Keep every decision for the output (default true); the digest covers them either way. */
  readonly keepDecisions?: boolean;
  /** Called every `progressEvery` records with the count done. */
  readonly onProgress?: (done: number) => void;
  readonly progressEvery?: number;
}

export interface ReplayOutput {
  readonly digest: string;
  /** Every decision in order (empty with keepDecisions false: count them with `decided`). */
  readonly decisions: readonly Decision[];
  /** Decisions taken, and those of them that carry a model's answer (an inference). */
  readonly decided: number;
  readonly inferred: number;
  readonly orders: readonly TrackedOrder[];
  readonly result: ReplayResult;
  readonly deltas: number;
  readonly records: number;
}

async function* pagesOf(
  records: readonly BookRecord[] | AsyncIterable<readonly BookRecord[]>,
): AsyncIterable<readonly BookRecord[]> {
  if (Symbol.asyncIterator in records) yield* records;
  else yield records;
}

/** Canonical JSON of a decision for the digest (evidence included: features, scores, mask). */
function decisionLine(d: Decision): string {
  return JSON.stringify({
    d: [d.at, d.ticker, d.strategy, d.action, d.reason, d.clientOrderId ?? null],
    i: d.intent ?? null,
    v: d.verdict ?? null,
    f: d.features ?? null,
    m: d.model ?? null,
  });
}

function orderLine(o: TrackedOrder): string {
  return JSON.stringify({
    o: [o.clientOrderId, o.orderId ?? null, o.status, o.fillCount, o.fillNotional, o.fees],
    i: o.intent,
  });
}

export async function replay(opts: ReplayOptions): Promise<ReplayOutput> {
  const pages = pagesOf(opts.records)[Symbol.asyncIterator]();
  const first = await pages.next();
  // The clock starts at the first record (the services below may read it as they are built).
  let now = first.done ? 0 : (first.value[0]?.receivedMs ?? 0);
  const clock = () => now;
  const bus = createBus();
  const books = new Map<string, OrderBook>();
  const book = (ticker: string) => books.get(ticker);
  /**
   * The books the strategy's ports and the marks read: the replay's, except while a lookahead
   * (speculate.ts) runs on its scratch copies — synchronously, so nothing else sees the swap.
   */
  let viewed: ReadonlyMap<string, OrderBook> = books;
  const positions = new PositionTracker({
    bus,
    clock,
    mark: (t) => {
      const b = viewed.get(t);
      return b?.status === 'live' ? b.mid() : undefined;
    },
  });
  const venue = new ReplayVenue({ bus, clock, book, position: (t) => positions.get(t)?.position ?? 0 });
  let ids = 0;
  const orders = new OrderService({ rest: venue, bus, clock, newClientOrderId: () => `rp-${++ids}` });
  // Money breakers are the live run's business; a replay measures the strategy (no equity known).
  const money = new MoneyWatch({ clock, equity: () => undefined });
  const risk = new RiskController({
    bus,
    clock,
    limits: {
      maxContractsPerOrder: opts.risk.maxContractsPerOrder * COUNT_SCALE,
      maxPositionPerMarket: opts.risk.maxPositionPerMarket * COUNT_SCALE,
      maxOpenOrders: opts.risk.maxOpenOrders,
      maxExposure: opts.risk.maxExposureMicros,
      // Breakers on money and errors are the live run's business; a replay measures the strategy.
      maxConsecutiveOrderErrors: 1_000_000,
    },
    pnl: () => money.observe(),
    positions: () => positions.positions(),
    orders: () => orders.live(),
    bookStatus: (t) => books.get(t)?.status,
    marketPhase: () => 'open',
    tradingActive: () => true,
  });
  /**
   * Our open orders and the cash change only when an order or a position does: both are kept
   * between such moments (every evaluation asks for them) and dropped on any order or fill news and
   * around every wait of the loop (an intent executed, an inference answered).
   */
  let openOrders: TrackedOrder[] | undefined;
  let cashNow: Micros | undefined;
  const changed = () => {
    openOrders = undefined;
    cashNow = undefined;
  };
  for (const e of [
    'order.changed',
    'exchange.fillReported',
    'exchange.orderReported',
    'position.changed',
  ] as const)
    bus.on(e, changed);
  const open = () => {
    openOrders ??= orders.open();
    return openOrders;
  };
  /**
   * The markets where we hold contracts or a cost basis: equity adds up only those (a flat
   * position's cost basis and value are 0), not the views of every market ever traded.
   */
  const held = new Set<string>();
  bus.on('position.changed', (p) => {
    if (p.position !== 0 || p.costBasis !== 0) held.add(p.ticker);
    else held.delete(p.ticker);
  });
  /**
   * A market's position view (PositionTracker.get) changes only with its position (an event) or
   * its mark (its book): kept between, on the replay's books (and, apart, on a lookahead's).
   */
  const views = new Map<string, PositionView | undefined>();
  /** The same over a lookahead's scratch books: dropped when one starts, and per changed book. */
  const scratchViews = new Map<string, PositionView | undefined>();
  bus.on('position.changed', (p) => views.delete(p.ticker));
  const positionOf = (t: string): PositionView | undefined => {
    const kept = viewed === books ? views : scratchViews;
    if (kept.has(t)) return kept.get(t);
    const v = positions.get(t);
    kept.set(t, v);
    return v;
  };
  const equityNow = (): Micros => {
    let marked = 0;
    for (const t of held) {
      const p = positionOf(t);
      if (p) marked += p.costBasis + (p.unrealizedPnl ?? 0);
    }
    return cash() + marked;
  };
  /** cash = opening + realized − fees − what the open positions cost. */
  const cash = (): Micros => {
    if (cashNow !== undefined) return cashNow;
    let c = opts.openingCash;
    for (const p of positions.positions()) c += p.realizedPnl - p.feesPaid - p.costBasis;
    cashNow = c;
    return c;
  };
  const built = opts.strategy.build({
    bus,
    clock,
    book: (t) => viewed.get(t),
    position: positionOf,
    positions: () => positions.positions(),
    openOrders: open,
    cash,
    equity: equityNow,
    candidates: () => [...viewed.entries()].filter(([, b]) => b.status === 'live').map(([t]) => t),
    totals: () => positions.totals(),
  });
  const execute = createIntentExecutor({
    bus,
    clock,
    orders,
    sleep: async (ms) => {
      now += ms;
    },
    risk: { check: (intent) => risk.check(intent) },
  });

  const digest = createHash('sha256');
  const decisions: Decision[] = [];
  const keep = opts.keepDecisions ?? true;
  let decided = 0;
  let inferred = 0;
  /** Each order as it was last changed, in the order they first changed. */
  const lastChange = new Map<string, TrackedOrder>();
  bus.on('strategy.decided', (d) => {
    decided += 1;
    if (d.model !== undefined) inferred += 1;
    if (keep) decisions.push(d);
    digest.update(decisionLine(d));
    digest.update('\n');
  });
  bus.on('order.changed', (o) => {
    lastChange.set(o.clientOrderId, o);
    digest.update(orderLine(o));
    digest.update('\n');
  });
  const equity: EquityPoint[] = [];
  /** Realized P&L net of the event's fees, per position change that realized something. */
  const closes: number[] = [];
  const last = new Map<string, { realized: number; fees: number }>();
  bus.on('position.changed', (p) => {
    const before = last.get(p.ticker) ?? { realized: 0, fees: 0 };
    last.set(p.ticker, { realized: p.realizedPnl, fees: p.feesPaid });
    if (p.realizedPnl !== before.realized)
      closes.push(p.realizedPnl - before.realized - (p.feesPaid - before.fees));
  });
  const mark = () => equity.push({ at: now, equity: opts.openingCash + positions.totals().net });
  bus.on('exchange.fillReported', mark);

  let acting: Promise<void> | undefined;
  const runner = new StrategyRunner({
    bus,
    clock,
    strategy: built.strategy,
    trigger: built.trigger,
    throttleMs: opts.throttleMs,
    view: (ticker) => {
      const b = books.get(ticker);
      if (!b) return undefined;
      const noBid = b.bestNoBid();
      const bid = b.bestYesBid();
      return {
        ticker,
        now,
        bestYesBid: bid,
        yesAsk: b.yesAsk(),
        yesBidSize: bid === undefined ? 0 : b.sizeAt('yes', bid),
        yesAskSize: noBid === undefined ? 0 : b.sizeAt('no', noBid),
        position: positionOf(ticker)?.position ?? 0,
        openOrders: open().filter((o) => o.intent.ticker === ticker).length,
        bookStatus: b.status,
      };
    },
    canAct: () => {
      if (acting !== undefined) return { ok: false, reason: 'ACTING' };
      // Outside the recorded machine's READY/ACTING windows (connecting, calibrating, halted…).
      const w = opts.tradingWindows;
      if (w && !w.some(([from, to]) => now >= from && now < to)) return { ok: false, reason: 'not_trading' };
      return { ok: true };
    },
    act: (intent, evidence) => {
      changed();
      acting = execute(intent, evidence).finally(() => {
        acting = undefined;
        changed();
      });
    },
  });
  runner.start();

  /** The page being fed, and the index of the record after the current one. */
  let page: readonly BookRecord[] = [];
  let next = 0;
  if (opts.speculative && built.strategy instanceof PolicyStrategy) {
    opts.speculative.attach(
      createLookahead({
        strategy: built.strategy,
        lastEvaluatedAt: (t) => runner.lastEvaluatedAt(t),
        throttleMs: opts.throttleMs,
        books,
        withBooks: (scratch, fn) => {
          scratchViews.clear();
          viewed = scratch;
          try {
            return fn();
          } finally {
            viewed = books;
          }
        },
        changed: (t) => scratchViews.delete(t),
        upcoming: () => ({ records: page, from: next }),
      }),
    );
  }

  let deltas = 0;
  const every = opts.progressEvery ?? 10_000;
  let done = 0;
  for (let got = first; !got.done; got = await pages.next()) {
    const p = got.value;
    page = p;
    for (let i = 0; i < p.length; i++) {
      const r = p[i]!;
      next = i + 1;
      done += 1;
      if (opts.onProgress && done % every === 0) opts.onProgress(done);
      if (r.receivedMs > now) now = r.receivedMs;
      if (isDelta(r)) deltas += 1;
      // An update the book took (book-feed.ts) is recorded and triggers, as the live recorder's.
      if (!applyRecord(books, r)) continue;
      views.delete(r.ticker);
      bus.emit('book.recorded', { ticker: r.ticker, receivedMs: r.receivedMs });
      bus.emit('book.updated', { ticker: r.ticker, receivedMs: r.receivedMs });
      venue.onBook(r.ticker);
      if (runner.pending > 0) {
        await runner.idle();
        changed();
        views.clear();
      }
      while (acting !== undefined) {
        await acting;
        changed();
        views.clear();
      }
    }
  }
  runner.stop();
  built.stop();
  await orders.cancelAll().catch(() => undefined);
  mark();
  const result = summarize({
    totals: positions.totals(),
    equity,
    openingCash: opts.openingCash,
    fills: venue.stats.fills,
    closes,
  });
  opts.onProgress?.(done);
  risk.dispose();
  return {
    digest: digest.digest('hex'),
    decisions,
    decided,
    inferred,
    orders: [...lastChange.values()],
    result,
    deltas,
    records: done,
  };
}
