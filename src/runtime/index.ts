/**
 * The composition root, read top to bottom: open the run (lock, database, exchange, session), build
 * the clients and the services, provide the machine its actors, bridge the bus and the machine,
 * start the strategy and the periodic tasks, and expose the control surface. Nothing here decides
 * what the trader does next — the machine does (machines/trader.ts); the modules beside this file
 * hold the parts:
 *
 *   run.ts          what a run holds before its machine starts (fails fast on misconfiguration)
 *   clients.ts      REST and WebSocket clients        services.ts   the services, one bus
 *   actors.ts       the machine's invoked actors        bridge.ts     bus ↔ machine
 *   execute.ts      one intent's execution (ACTING)     conversions.ts maker → taker intents
 *   market-watch.ts which markets are watched           order-group.ts the exchange-side kill switch
 *   logs.ts         log lines from bus events           status.ts     status and the server's view
 *   timers.ts       the clock and timers port           record.ts     crash recovery's inputs
 *   watchers.ts     book audit, pause watch, reconciliation over the exchange
 *   control.ts      the operator's commands (halt, reduce, resume, sync, cancel-all), through the machine
 *   finish.ts       how a run ends: closing in order, completing the record (or saving its rows)
 */
import { createActor } from 'xstate';
import { TRADER_STATES } from '../../machines/index.js';
import { createBus } from '../bus.js';
import type { TraderConfig } from '../config/index.js';
import { COUNT_SCALE, type DecisionEvidence, type OrderIntent, pnlFields } from '../domain/index.js';
import { formatDollars } from '../kalshi/index.js';
import { OPERATOR_HALT, OPERATOR_HALT_KEEP_ORDERS } from '../persistence/index.js';
import { recordView } from '../report/index.js';
import { createEdgeStrategy, prepareStrategy, StrategyRunner } from '../strategy/index.js';
import { provideMachine } from './actors.js';
import { LastEventTracker, MachineBridge } from './bridge.js';
import { createClients } from './clients.js';
import { operatorControl } from './control.js';
import { conversionFor } from './conversions.js';
import { createIntentExecutor, liveModeOf } from './execute.js';
import { runEnding } from './finish.js';
import { projectLogs } from './logs.js';
import { MarketWatch } from './market-watch.js';
import { OrderGroupKeeper } from './order-group.js';
import { openRun } from './run.js';
import { createServices } from './services.js';
import { controlStatus, periodicStatus, traderView } from './status.js';
import { strategyPorts } from './strategy-ports.js';
import { realTimers, singleFlight, type Timers } from './timers.js';
import type { RunningTrader, StartTraderDeps, TraderSummary } from './types.js';
import { startBookAudit, startPauseWatch, startReconciliation } from './watchers.js';

export type { RunningTrader, StartTrader, StartTraderDeps, TraderSummary } from './types.js';

/** How often unknown orders are looked up, the book watchdog runs, and conversions are due. */
const HOUSEKEEPING_MS = 2_000;
/** A probe for "would the machine take an intent now" (acceptance does not depend on the intent). */
const PROBE_INTENT: OrderIntent = {
  ticker: 'probe',
  bookSide: 'bid',
  yesPrice: 1,
  count: 1,
  timeInForce: 'immediate_or_cancel',
  strategy: 'probe',
  reason: 'probe',
};

export async function startTrader(config: TraderConfig, deps: StartTraderDeps): Promise<RunningTrader> {
  const { logger } = deps;
  const timers: Timers = deps.timers ?? realTimers;
  const clock = timers.now;
  // The strategy's model is loaded (and a bad one refused) before anything is opened.
  const prepared = await prepareStrategy({
    ...config,
    // The edge trader runs a ladder loop of its own (below); the per-book runner holds.
    strategy: config.strategy === 'edge' ? 'none' : config.strategy,
    ...(config.marketSelection.kind === 'tickers' ? { tickers: config.marketSelection.tickers } : {}),
    maxPositionPerMarket: config.risk.maxPositionPerMarket,
  }).catch(async (err: unknown) => {
    await deps.database?.then((d) => d.close()).catch(() => undefined);
    throw err;
  });
  const { lock, database, endpoints, record } = await openRun(
    config,
    logger,
    clock(),
    deps.lock,
    deps.database,
  ).catch(async (err: unknown) => {
    await prepared.close();
    throw err;
  });
  const bus = createBus();
  const clients = createClients(config, endpoints, logger);
  projectLogs(bus, logger);

  // ---------- services ----------
  let watch: MarketWatch | undefined;
  const services = createServices({
    config,
    bus,
    clock,
    clients,
    record,
    logger,
    watched: () => watch?.watched() ?? [],
    orderGroupId: () => group.id(),
  });
  const { schedule, orderbook, positions, orders, recorder, money, risk } = services;
  if (record.restoreOrders.length > 0) {
    logger.info(
      { event: 'restored', orders: record.restoreOrders.length },
      'orders of an earlier run taken back',
    );
  }
  recorder.start();
  /** We hold the market or have an order in it: it stays watched until it settles. */
  const involvedIn = (ticker: string) =>
    (positions.get(ticker)?.position ?? 0) !== 0 || orders.open().some((o) => o.intent.ticker === ticker);
  watch = new MarketWatch({
    config,
    bus,
    rest: clients.marketRest,
    schedule,
    orderbook,
    timers,
    logger,
    involvedIn,
  });
  const group = new OrderGroupKeeper({
    rest: clients.rest,
    facts: record.repos.exchangeState,
    exchange: record.exchange,
    sessionId: record.sessionId,
    contractsLimit:
      (config.orderGroupLimit ?? config.risk.maxContractsPerOrder * config.risk.maxOpenOrders) * COUNT_SCALE,
    bus,
    clock,
  });

  // ---------- the machine ----------
  const execute = createIntentExecutor({
    bus,
    clock,
    orders,
    sleep: timers.sleep,
    // The trading mode reaches the RiskController with the intent, tightened by the machine's now.
    risk,
    currentMode: (ticker) => liveModeOf(actor.getSnapshot().context, ticker),
  });
  let stopActivity = async (): Promise<void> => undefined;
  const machine = provideMachine({
    config,
    logger,
    bus,
    clock,
    endpoints,
    clients,
    record,
    services,
    watch,
    group,
    execute,
    stopActivity: () => stopActivity(),
    ...(deps.hooks?.beforeStage ? { beforeStage: deps.hooks.beforeStage } : {}),
    ...(deps.onCalibrationProgress ? { onFirstCalibrationProgress: deps.onCalibrationProgress } : {}),
  });
  const events = new LastEventTracker(deps.inspect?.next?.bind(deps.inspect));
  const actor = createActor(machine, {
    input: {
      backoff: deps.backoff ?? { baseMs: 1000, maxMs: 30_000 },
      ...(deps.startupAttempts === undefined ? {} : { startupAttempts: deps.startupAttempts }),
    },
    inspect: events.inspect,
    ...(deps.clock ? { clock: deps.clock } : {}),
  });
  events.root = actor;
  const bridge = new MachineBridge(
    { bus, logger, clock, risk, involvedIn, foreignOrders: config.foreignOrders },
    actor,
    events,
  );
  bridge.start();

  /** Sends an intent if the machine takes one now; otherwise records why it was held. */
  const machineTakesIntents = () => actor.getSnapshot().can({ type: 'INTENT', intent: PROBE_INTENT });
  // Order-create headers are signed ahead only while orders are being decided and sent (READY ⇄
  // ACTING; not while connecting, calibrating, in ERROR or shutting down): no CPU spent idle.
  bus.on('machine.transitioned', (e) => clients.presigner?.setActive(e.to === 'READY' || e.to === 'ACTING'));
  const submit = (intent: OrderIntent, evidence?: DecisionEvidence) => {
    if (machineTakesIntents()) {
      bridge.send({ type: 'INTENT', intent, ...(evidence === undefined ? {} : { evidence }) });
      return;
    }
    const state = String(actor.getSnapshot().value);
    bus.emit('strategy.decided', {
      ...evidence,
      at: clock(),
      ticker: intent.ticker,
      strategy: intent.strategy,
      action: 'hold',
      reason: `not_ready:${state}`,
      intent,
    });
  };

  // ---------- the strategy ----------
  const built = prepared.build(strategyPorts({ bus, clock, services, watched: () => watch }));
  const runner = new StrategyRunner({
    bus,
    clock,
    strategy: built.strategy,
    trigger: built.trigger,
    throttleMs: config.tickThrottleMs,
    view: (ticker) => {
      const book = orderbook.book(ticker);
      if (!book) return undefined;
      const yesAsk = book.yesAsk();
      return {
        ticker,
        now: clock(),
        bestYesBid: book.bestYesBid(),
        yesAsk,
        yesBidSize: book.sizeAt('yes', book.bestYesBid() ?? 0),
        yesAskSize: book.bestNoBid() === undefined ? 0 : book.sizeAt('no', book.bestNoBid()!),
        position: positions.get(ticker)?.position ?? 0,
        openOrders: orders.open().filter((o) => o.intent.ticker === ticker).length,
        bookStatus: book.status,
        marketPhase: schedule.phase(ticker),
      };
    },
    canAct: () => {
      if (!machineTakesIntents()) return { ok: false, reason: String(actor.getSnapshot().value) };
      // After a 429 the order path backs off; intents wait instead of adding to the throttling.
      return orders.backoffRemaining() > 0 ? { ok: false, reason: 'rate_limited' } : { ok: true };
    },
    act: (intent, evidence) => submit(intent, evidence),
  });

  // --strategy edge: a ladder loop of its own in place of the per-book runner.
  const edge =
    config.strategy === 'edge'
      ? await createEdgeStrategy({
          config,
          bus,
          clock,
          every: timers.every,
          log: logger,
          rest: clients.marketRest,
          ...(endpoints.sim ? { simForecastUrl: endpoints.sim.forecastUrl } : {}),
          book: (ticker) => orderbook.book(ticker),
          positions: () => positions.positions(),
          openOrders: () => orders.open(),
          balance: () => recorder.runningBalance ?? services.exchange.lastBalance,
          watched: () => watch?.watched() ?? [],
          canAct: () =>
            machineTakesIntents() ? { ok: true } : { ok: false, reason: String(actor.getSnapshot().value) },
          submit: (intent, evidence) => submit(intent, evidence),
          repo: record.repos.edge,
          sessionId: record.sessionId,
        })
      : undefined;

  // ---------- periodic tasks ----------
  const statusLogger = periodicStatus({ bus, clock, logger, config, actor, services });
  /** Maker orders a conversion intent was sent for (not again until the order ends). */
  const converting = new Set<string>();
  const convert = () => {
    const now = clock();
    for (const maker of orders.open()) {
      if (converting.has(maker.clientOrderId)) continue;
      const c = conversionFor(maker, now, {
        afterMs: config.makerToTakerMs,
        maxSlippageTicks: config.maxTakerSlippageTicks,
        quote: (ticker) => {
          const b = orderbook.book(ticker);
          return b === undefined ? undefined : { bestYesBid: b.bestYesBid(), yesAsk: b.yesAsk() };
        },
      });
      if (!('intent' in c) || !machineTakesIntents()) continue;
      converting.add(maker.clientOrderId);
      submit(c.intent);
    }
    for (const id of converting)
      if (!orders.open().some((o) => o.clientOrderId === id)) converting.delete(id);
  };
  let lastLoopMs: number | undefined;
  const housekeeping = singleFlight(async () => {
    orderbook.watchdog();
    schedule.sweep();
    // The money breakers are checked before every order and here, so a loss shows as a halt at once.
    risk.checkMoney(money.observe());
    convert();
    await watch?.unwatchFinished();
    if (orders.open().some((o) => o.status === 'unknown' || o.status === 'canceling')) {
      await orders
        .resolveUnknowns()
        .catch((err: Error) =>
          logger.warn({ event: 'resolve_unknowns_failed', error: err.message }, 'lookup failed'),
        );
    }
    lastLoopMs = clock();
  });
  const housekeepingTimer = timers.every(HOUSEKEEPING_MS, () => void housekeeping());

  // The watchers over the exchange (watchers.ts): the books' REST cross-check, the exchange's
  // pause, and continuous reconciliation while READY.
  const { auditor, timer: auditTimer } = startBookAudit({
    bus,
    timers,
    logger,
    rest: clients.marketRest,
    orderbook,
    intervalMs: config.bookCheckIntervalMs,
    involvedIn,
    watched: () => watch?.watched() ?? [],
  });
  const pauseWatch = startPauseWatch({ bus, timers, logger, trading: services.trading, orders });
  const { reconciler, timer: reconcileTimer } = startReconciliation({
    bus,
    timers,
    logger,
    rest: clients.rest,
    orders,
    positions,
    fillsSinceMs: record.fillsSinceMs,
    intervalMs: config.reconcileIntervalMs,
    isReady: () => actor.getSnapshot().value === 'READY',
  });

  stopActivity = async () => {
    runner.stop();
    built.stop();
    await edge?.stop();
    housekeepingTimer.cancel();
    pauseWatch.cancel();
    auditTimer.cancel();
    reconcileTimer.cancel();
    statusLogger.stop();
    await watch?.stop();
    await housekeeping();
  };

  // ---------- run ----------
  if (edge) edge.start();
  else runner.start();
  statusLogger.start();
  watch.start();
  actor.start();
  if (record.openBreaker) {
    // Still halted from an earlier run: only an operator's resume lifts it (DESIGN §6 rule 4).
    const { reason, detail, at } = record.openBreaker;
    if (reason === OPERATOR_HALT || reason === OPERATOR_HALT_KEEP_ORDERS) {
      bridge.send({
        type: 'OPERATOR_HALT',
        reason: `${detail} (halted ${at.toISOString()} in an earlier run, not resumed since)`,
        ...(reason === OPERATOR_HALT_KEEP_ORDERS ? { keepOrders: true } : {}),
      });
    } else {
      risk.trip(reason, `${detail} (tripped ${at.toISOString()} in an earlier run, not reset since)`);
    }
  }

  const summary = (): TraderSummary => {
    return {
      states: [...bridge.visited],
      orders_placed: orders.placedCount(),
      fills: orders.stats().fills,
      positions: Object.fromEntries(positions.positions().map((p) => [p.ticker, p.position / COUNT_SCALE])),
      // Realized before fees, fees, net = realized + unrealized − fees (domain/pnl.ts), as in status.
      ...pnlFields(positions.totals(), formatDollars),
    };
  };

  // ---------- stopping (finish.ts) ----------
  const { finish, finalSummary } = runEnding({
    dataDir: config.dataDir,
    logger,
    actor,
    bridge,
    clients,
    stopActivity: () => stopActivity(),
    services,
    group,
    runner,
    prepared,
    record,
    database,
    sim: endpoints.sim,
    lock,
    summary,
  });
  // A machine that stops on an error rejects `done` (after everything is closed).
  const done = new Promise<TraderSummary>((resolve, reject) => {
    const sub = actor.subscribe({
      complete: () => {
        sub.unsubscribe();
        finish().then(() => resolve(finalSummary()), reject);
      },
      error: (err) => {
        sub.unsubscribe();
        void finish().finally(() => reject(err));
      },
    });
  });
  done.catch(() => undefined);

  // ---------- the operator's surface ----------
  const statusDeps = {
    auditor,
    reconciler,
    config,
    bus,
    clock,
    actor,
    services,
    group,
    watch,
    runner,
    strategyStatus: built.status,
    ...(clients.presigner ? { orderSigning: () => clients.presigner!.status() } : {}),
    statusLogger,
    limiter: clients.limiter,
    limits: clients.limits,
    record,
    database,
    lastLoopMs: () => lastLoopMs,
  };
  const control = operatorControl({
    bus,
    clock,
    actor,
    bridge,
    orders,
    risk,
    database,
    status: controlStatus(statusDeps),
  });

  return {
    control,
    view: traderView(statusDeps, control),
    actor,
    services: { bus, orders, positions, risk },
    record: recordView(database, record.sessionId),
    startup: { crashedSessions: record.crashedSessions.length, ordersRestored: record.restoreOrders.length },
    done,
    async shutdown(opts: { cancelOrders: boolean }): Promise<TraderSummary> {
      if (actor.getSnapshot().status === 'active')
        bridge.send({ type: 'SHUTDOWN', cancelOrders: opts.cancelOrders });
      return done;
    },
  };
}

export { TRADER_STATES };
