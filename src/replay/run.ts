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
 */
import { createHash } from 'node:crypto';
import { createBus } from '../bus.js';
import { COUNT_SCALE, type Decision, type Micros, type TrackedOrder } from '../domain/index.js';
import { type Level, OrderBook } from '../orderbook/index.js';
import type { BookRecord } from '../policy/index.js';
import { createIntentExecutor } from '../runtime/execute.js';
import { MoneyWatch, OrderService, PositionTracker, RiskController } from '../services/index.js';
import { type PreparedStrategy, StrategyRunner } from '../strategy/index.js';
import { type EquityPoint, type ReplayResult, summarize } from './result.js';
import { ReplayVenue } from './venue.js';

export interface ReplayOptions {
  readonly records: readonly BookRecord[];
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
  /** Called every `progressEvery` records with the count done. */
  readonly onProgress?: (done: number) => void;
  readonly progressEvery?: number;
}

export interface ReplayOutput {
  readonly digest: string;
  readonly decisions: readonly Decision[];
  readonly orders: readonly TrackedOrder[];
  readonly result: ReplayResult;
  readonly deltas: number;
  readonly records: number;
}

const isDelta = (r: BookRecord): r is Extract<BookRecord, { side: 'yes' | 'no' }> => 'side' in r;
const levels = (pairs: ReadonlyArray<readonly [number, number]>): Level[] =>
  pairs.filter(([, c]) => c > 0).map(([price, count]) => ({ price, count }));

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
  let now = opts.records[0]?.receivedMs ?? 0;
  const clock = () => now;
  const bus = createBus();
  const books = new Map<string, OrderBook>();
  const book = (ticker: string) => books.get(ticker);
  const positions = new PositionTracker({
    bus,
    clock,
    mark: (t) => {
      const b = books.get(t);
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
    orders: () => orders.all(),
    bookStatus: (t) => books.get(t)?.status,
    marketPhase: () => 'open',
    tradingActive: () => true,
  });
  /** cash = opening + realized − fees − what the open positions cost. */
  const cash = (): Micros => {
    let c = opts.openingCash;
    for (const p of positions.positions()) c += p.realizedPnl - p.feesPaid - p.costBasis;
    return c;
  };
  const built = opts.strategy.build({
    bus,
    clock,
    book,
    position: (t) => positions.get(t),
    positions: () => positions.positions(),
    openOrders: () => orders.open(),
    cash,
    candidates: () => [...books.entries()].filter(([, b]) => b.status === 'live').map(([t]) => t),
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
  const changes: TrackedOrder[] = [];
  bus.on('strategy.decided', (d) => {
    decisions.push(d);
    digest.update(decisionLine(d));
    digest.update('\n');
  });
  bus.on('order.changed', (o) => {
    changes.push(o);
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
        position: positions.get(ticker)?.position ?? 0,
        openOrders: orders.open().filter((o) => o.intent.ticker === ticker).length,
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
      acting = execute(intent, evidence).finally(() => {
        acting = undefined;
      });
    },
  });
  runner.start();

  let deltas = 0;
  const every = opts.progressEvery ?? 10_000;
  let done = 0;
  for (const r of opts.records) {
    if (r.receivedMs > now) now = r.receivedMs;
    let b = books.get(r.ticker);
    if (isDelta(r)) {
      deltas += 1;
      if (b?.status !== 'live') continue;
      bus.emit('book.recorded', { ticker: r.ticker, receivedMs: r.receivedMs });
      if (b.applyDelta(r.side, r.price, r.delta) === 'negative') continue;
    } else {
      if (!b) {
        b = new OrderBook(r.ticker);
        books.set(r.ticker, b);
      }
      bus.emit('book.recorded', { ticker: r.ticker, receivedMs: r.receivedMs });
      b.applySnapshot(levels(r.yes), levels(r.no));
    }
    bus.emit('book.updated', { ticker: r.ticker, receivedMs: r.receivedMs });
    venue.onBook(r.ticker);
    if (runner.pending > 0) await runner.idle();
    while (acting !== undefined) await acting;
    done += 1;
    if (opts.onProgress && done % every === 0) opts.onProgress(done);
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
    orders: [...new Map(changes.map((o) => [o.clientOrderId, o])).values()],
    result,
    deltas,
    records: opts.records.length,
  };
}
