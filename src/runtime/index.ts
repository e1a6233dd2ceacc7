/**
 * The composition root: builds the clients, the bus, the services and the integrations, provides
 * them to the trader machine as its named actors, guards and delays, and wires the bus to the
 * machine. Nothing here decides what the trader does next — the machine does; this file only
 * connects the parts.
 *
 * Bus → machine:  connection.lost → CONNECTION_LOST · risk.breakerTripped → BREAKER_TRIPPED ·
 *                 exchange.statusChecked (trading_active flips) → EXCHANGE_PAUSED / EXCHANGE_RESUMED
 * Machine → bus:  every change of state → machine.transitioned (and one `"event":"state"` log line)
 */
import { createActor, fromPromise, type InspectionEvent, type Subscription } from 'xstate';
import {
  backoffDelay,
  type ExecuteIntentInput,
  TRADER_STATES,
  type TraderActorId,
  type TraderEvent,
  type TraderStateName,
  traderMachine,
} from '../../machines/index.js';
import { createBus } from '../bus.js';
import type { TraderConfig } from '../config/index.js';
import { COUNT_SCALE } from '../domain/index.js';
import {
  calibrate,
  MarketSchedule,
  OrderbookIntegration,
  selectMarkets,
  TradingIntegration,
} from '../integrations/index.js';
import {
  formatCount,
  formatDollars,
  KalshiRestClient,
  KalshiWsClient,
  RateLimiter,
} from '../kalshi/index.js';
import { createRepositories, lockDataDir, migrate, openDatabase, Recorder } from '../persistence/index.js';
import {
  type MoneyView,
  MoneyWatch,
  OrderService,
  PositionTracker,
  RiskController,
  StatusLogger,
} from '../services/index.js';
import { createStrategy, StrategyRunner } from '../strategy/index.js';
import { dumpUnwritten } from './dump.js';
import { resolveEndpoints } from './endpoints.js';
import { exchangeKey } from './exchange-key.js';
import { createIntentExecutor } from './execute.js';
import { openRecord } from './record.js';
import { classifyStageError, type StageErrorContext } from './stage-errors.js';
import type { RunningTrader, StartTraderDeps, TraderSummary } from './types.js';

export type { RunningTrader, StartTrader, StartTraderDeps, TraderSummary } from './types.js';

/** How often unknown orders are looked up, the book watchdog runs, and maker orders are checked. */
const HOUSEKEEPING_MS = 2_000;
const BOOK_STALE_AFTER_MS = 30_000;
const SNAPSHOT_TIMEOUT_MS = 15_000;
/**
 * States where a settlement is read in at once (they take OPERATOR_SYNC and come back to
 * themselves); elsewhere the trader is on its way to a calibration anyway.
 */
const SYNCABLE: ReadonlySet<string> = new Set(['READY', 'HALTED', 'PAUSED']);
/** With --series / --markets N: how often to look for newly listed markets besides on each close. */
const REDISCOVER_MS = 5 * 60_000;

function selectionOf(config: TraderConfig) {
  const s = config.marketSelection;
  if (s.kind === 'tickers') return { kind: 'tickers' as const, tickers: s.tickers };
  if (s.kind === 'series') return { kind: 'series' as const, series: s.series };
  return { kind: 'top' as const, count: s.count };
}

/** The money breakers' figures and limits as the status shows them. */
function moneyStatus(view: MoneyView, config: TraderConfig) {
  return {
    daily_net_dollars: formatDollars(view.net),
    max_daily_loss_dollars: config.risk.maxDailyLossDollars,
    ...(view.equity !== undefined ? { equity_dollars: formatDollars(view.equity) } : {}),
    ...(view.peakEquity !== undefined ? { peak_equity_dollars: formatDollars(view.peakEquity) } : {}),
    ...(view.drawdownBps !== undefined ? { drawdown_pct: (view.drawdownBps / 100).toFixed(2) } : {}),
    max_drawdown_pct: config.risk.maxDrawdownPct,
  };
}

/**
 * Everything a run holds before the machine starts, taken in an order that fails fast on ordinary
 * misconfiguration before anything is started: the data folder's lock, the database (and its
 * migrations), the exchange (an embedded simulator starts here) and its identity, then the session.
 */
async function openRun(config: TraderConfig, deps: StartTraderDeps, sessionStart: number) {
  const { logger } = deps;
  const undo: Array<() => unknown> = [];
  try {
    const lock = deps.lock ?? lockDataDir(config.dataDir);
    undo.push(() => lock.release());
    const database = await openDatabase(
      config.databaseUrl ? { url: config.databaseUrl } : { dataDir: config.dataDir },
    );
    undo.push(() => database.close());
    await migrate(database);
    const endpoints = await resolveEndpoints(config, logger);
    undo.push(() => endpoints.sim?.close());
    const exchange = await exchangeKey(config, endpoints.sim?.instanceId);
    const record = await openRecord(
      config,
      database,
      createRepositories(database),
      exchange,
      sessionStart,
      logger,
    );
    return { lock, database, endpoints, record };
  } catch (err) {
    for (const step of undo.reverse()) await Promise.resolve(step()).catch(() => undefined);
    throw err;
  }
}

export async function startTrader(config: TraderConfig, deps: StartTraderDeps): Promise<RunningTrader> {
  const { logger } = deps;
  const clock = Date.now;
  const sessionStart = clock();
  const { lock, database, endpoints, record } = await openRun(config, deps, sessionStart);
  const bus = createBus();

  const limiter = new RateLimiter({ tier: config.rateLimitTier });
  const rest = new KalshiRestClient({
    baseUrl: endpoints.restUrl,
    signer: endpoints.signer,
    rateLimiter: limiter,
  });
  const marketRest =
    endpoints.marketDataRestUrl === endpoints.restUrl
      ? rest
      : new KalshiRestClient({ baseUrl: endpoints.marketDataRestUrl, signer: endpoints.marketDataSigner });
  const bookWs = new KalshiWsClient({ url: endpoints.marketDataWsUrl, signer: endpoints.marketDataSigner });
  const tradingWs = new KalshiWsClient({ url: endpoints.wsUrl, signer: endpoints.signer });
  for (const [name, ws] of [
    ['orderbook', bookWs],
    ['trading', tradingWs],
  ] as const) {
    ws.on('protocolError', (e) =>
      logger.warn(
        { event: 'ws_protocol_error', socket: name, description: e.description },
        'bad WebSocket message',
      ),
    );
    ws.on('serverError', (e) =>
      logger.warn(
        { event: 'ws_server_error', socket: name, code: e.wsCode, message: e.message },
        'WebSocket server error',
      ),
    );
  }

  // ---------- services ----------
  // Each watched market's trading window: no order goes to a paused, closed or settled market.
  const schedule = new MarketSchedule({ bus, clock });
  const orderbook = new OrderbookIntegration({
    ws: bookWs,
    bus,
    clock,
    staleAfterMs: BOOK_STALE_AFTER_MS,
    snapshotTimeoutMs: SNAPSHOT_TIMEOUT_MS,
  });
  const trading = new TradingIntegration({
    rest,
    ws: tradingWs,
    bus,
    clock,
    healthCheckMs: config.healthCheckMs,
    onBadMessage: (type, error) =>
      logger.warn(
        { event: 'bad_private_message', type, error: error.message },
        'private message not applied',
      ),
  });
  const mid = (ticker: string) => {
    const b = orderbook.book(ticker);
    return b?.status === 'live' ? b.mid() : undefined;
  };
  const positions = new PositionTracker({ bus, clock, mark: mid });
  const orders = new OrderService({
    rest,
    bus,
    clock,
    // Write-ahead: the order and its client_order_id are committed before the request is sent.
    beforeSend: (order) => recorder.writeAhead(order),
    ...(config.makerToTakerMs !== undefined
      ? {
          makerToTaker: {
            afterMs: config.makerToTakerMs,
            quote: (ticker: string) => {
              const b = orderbook.book(ticker);
              if (b?.status !== 'live') return undefined;
              return { bestYesBid: b.bestYesBid(), yesAsk: b.yesAsk() };
            },
          },
        }
      : {}),
  });
  orders.restore(record.restoreOrders, record.knownFillIds);
  if (record.restoreOrders.length > 0) {
    logger.info(
      { event: 'restored', orders: record.restoreOrders.length },
      'orders of an earlier run taken back',
    );
  }
  const recorder = new Recorder({
    repos: record.repos,
    bus,
    sessionId: record.sessionId,
    clock,
    position: (ticker) => positions.get(ticker),
    topOfBook: () =>
      (tickers ?? []).flatMap((ticker) => {
        const b = orderbook.book(ticker);
        if (b?.status !== 'live') return [];
        const bid = b.bestYesBid();
        const noBid = b.bestNoBid();
        return [
          {
            ticker,
            yesBid: bid ?? null,
            yesAsk: b.yesAsk() ?? null,
            yesBidSize: bid === undefined ? 0 : b.sizeAt('yes', bid),
            yesAskSize: noBid === undefined ? 0 : b.sizeAt('no', noBid),
          },
        ];
      }),
    knownFillIds: record.knownFillIds,
    ...(record.openingBalance !== undefined ? { openingBalance: record.openingBalance } : {}),
    onError: (what, error) =>
      logger.error({ event: 'db_write_failed', what, error: error.message }, 'database write failed'),
  });
  recorder.start();
  let lastBalance: number | undefined;
  let tradingActive = true;
  bus.on('exchange.balanceReported', (b) => {
    lastBalance = b.cash;
  });
  // The money breakers' figures: the day's net P&L and the drawdown of equity from its peak.
  const money = new MoneyWatch(clock);
  const risk = new RiskController({
    bus,
    clock,
    limits: {
      maxContractsPerOrder: config.risk.maxContractsPerOrder * COUNT_SCALE,
      maxPositionPerMarket: config.risk.maxPositionPerMarket * COUNT_SCALE,
      maxOpenOrders: config.risk.maxOpenOrders,
      maxExposure: config.risk.maxExposureMicros,
      maxConsecutiveOrderErrors: config.risk.breakerErrors,
      maxDailyLoss: config.risk.maxDailyLossMicros,
      maxDrawdownBps: config.risk.maxDrawdownPct * 100,
    },
    pnl: () => money.observe(positions.totals().net),
    positions: () => positions.positions(),
    orders: () => orders.all(),
    bookStatus: (ticker) => orderbook.book(ticker)?.status,
    marketPhase: (ticker) => schedule.phase(ticker),
    tradingActive: () => tradingActive,
  });

  let tickers: string[] | undefined;
  const strategy = createStrategy(config.strategy);

  // ---------- the machine, with its actors provided ----------
  const execute = createIntentExecutor({ bus, clock, risk, orders });
  const gate = async (stage: TraderActorId) => {
    await deps.hooks?.beforeStage?.(stage);
  };
  // A stage's failure, worded for a person and marked permanent when waiting cannot heal it.
  const tradingStage: StageErrorContext = {
    keyId: config.credentials?.keyId,
    restUrl: endpoints.restUrl,
    wsUrl: endpoints.wsUrl,
  };
  const marketDataStage: StageErrorContext = {
    keyId: config.marketDataCredentials?.keyId ?? config.credentials?.keyId,
    restUrl: endpoints.marketDataRestUrl,
    wsUrl: endpoints.marketDataWsUrl,
  };
  const stage =
    <T>(run: () => Promise<T>, ctx: StageErrorContext) =>
    async (): Promise<T> => {
      try {
        return await run();
      } catch (err) {
        throw classifyStageError(err, ctx);
      }
    };
  const machine = traderMachine.provide({
    actors: {
      orderbookConnect: fromPromise(
        stage(async () => {
          await gate('orderbookConnect');
          if (tickers === undefined) {
            const selected = await selectMarkets(marketRest, selectionOf(config));
            for (const market of selected) schedule.learn(market);
            tickers = selected.map((m) => m.ticker);
          }
          await orderbook.connect(tickers);
        }, marketDataStage),
      ),
      tradingClientConnect: fromPromise(
        stage(async () => {
          await gate('tradingClientConnect');
          return trading.connect();
        }, tradingStage),
      ),
      calibrate: fromPromise(
        stage(async () => {
          await gate('calibrate');
          const summary = await calibrate({
            rest,
            orders,
            positions,
            bus,
            clock,
            cleanup: config.cleanup && !calibratedOnce,
            fillsSinceMs: record.fillsSinceMs,
          });
          calibratedOnce = true;
          // Opening equity for the drawdown breaker: cash + open positions at cost, once per run.
          if (!money.opened && lastBalance !== undefined) {
            money.open(lastBalance + positions.positions().reduce((sum, p) => sum + p.costBasis, 0));
          }
          logger.info({ event: 'calibrated', ...summary }, 'calibrated against the exchange');
          const { positions: p, restingOrders, fills, canceled, durationMs } = summary;
          return { positions: p, restingOrders, fills, canceled, durationMs };
        }, tradingStage),
      ),
      executeIntent: fromPromise(async ({ input }: { input: ExecuteIntentInput }) => {
        await gate('executeIntent');
        await execute(input.intent, input.evidence);
      }),
      shutdown: fromPromise(async ({ input }: { input: { cancelOrders: boolean } }) => {
        await gate('shutdown');
        runner.stop();
        stopHousekeeping();
        // A create may still be on the wire if SHUTDOWN interrupted ACTING: let it settle first,
        // so cancel-all sees it and the record gets its answer.
        await orders.idle();
        // Neither rejects; their log lines must come before the summary.
        await rediscovering;
        await unwatching;
        if (input.cancelOrders) {
          const r = await orders.cancelAll();
          logger.info({ event: 'cancel_all', ...r }, 'resting orders canceled at shutdown');
        }
        await orders.resolveUnknowns().catch(() => undefined);
      }),
    },
    delays: {
      // Equal jitter: uniformly in [d/2, d) of the exponential step, so traders restarting together spread out.
      reconnectBackoff: ({ context }) =>
        backoffDelay(
          Math.max(1, context.attempt),
          context.backoff.baseMs,
          context.backoff.maxMs,
          Math.random(),
        ),
    },
    guards: {
      bookIsLive: ({ event }) =>
        event.type === 'INTENT' && orderbook.book(event.intent.ticker)?.status === 'live',
    },
  });
  let calibratedOnce = false;

  // The event behind each transition, from xstate's inspection stream (a snapshot does not carry
  // it); inspection events are passed on to --inspect's relay as they are.
  let lastEvent = 'xstate.init';
  let root: unknown;
  const inspect = (ev: InspectionEvent) => {
    if (ev.type === '@xstate.event' && ev.actorRef === root) lastEvent = ev.event.type;
    deps.inspect?.next?.(ev);
  };
  const actor = createActor(machine, {
    input: {
      backoff: deps.backoff ?? { baseMs: 1000, maxMs: 30_000 },
      ...(deps.startupAttempts === undefined ? {} : { startupAttempts: deps.startupAttempts }),
    },
    inspect,
    ...(deps.clock ? { clock: deps.clock } : {}),
  });
  root = actor;

  // STARTUP is transient (it leaves at once through `always`), so no settled snapshot shows it;
  // it is recorded here as the state the machine starts in.
  const visited: TraderStateName[] = ['STARTUP'];
  let current: string | undefined = 'STARTUP';
  logger.info({ event: 'state', from: '', to: 'STARTUP' }, '∅ → STARTUP');
  const stateSub: Subscription = actor.subscribe({
    next: (snapshot) => {
      const to = String(snapshot.value);
      if (to === current) return;
      const from = current ?? '';
      current = to;
      if (!visited.includes(to as TraderStateName)) visited.push(to as TraderStateName);
      const at = clock();
      bus.emit('machine.transitioned', { from, to, event: lastEvent, at });
      const { lastError, fatal, attempt } = snapshot.context;
      // Trouble is said at warn: a failed stage, a lost connection, a run that gives up.
      const trouble = to === 'ERROR' || fatal !== null;
      logger[trouble ? 'warn' : 'info'](
        {
          event: 'state',
          from,
          to,
          cause: lastEvent,
          ...(to === 'ERROR' ? { error: lastError, attempt } : {}),
          ...(fatal !== null && to === 'SHUTTING_DOWN' ? { fatal: fatal.message } : {}),
        },
        `${from || '∅'} → ${to}${to === 'ERROR' && lastError ? ` (${lastError})` : ''}`,
      );
    },
    error: (err) =>
      logger.error({ event: 'machine_error', error: (err as Error).message }, 'machine stopped on an error'),
  });

  // ---------- bus → machine ----------
  // Once the machine has reached SHUTDOWN the integrations may still report until finish() has
  // closed them (a health check in flight, a socket closing); the machine is gone, so drop those.
  const toMachine = (event: TraderEvent) => {
    if (actor.getSnapshot().status === 'active') actor.send(event);
  };
  bus.on('connection.lost', (e) => {
    logger.warn({ event: 'connection_lost', source: e.source, reason: e.reason }, 'connection lost');
    toMachine({ type: 'CONNECTION_LOST', source: e.source, reason: e.reason });
  });
  bus.on('risk.breakerTripped', (e) => {
    logger.error(
      { event: 'breaker_tripped', reason: e.reason, detail: e.detail },
      'circuit breaker tripped: trading halted',
    );
    toMachine({ type: 'BREAKER_TRIPPED', reason: e.reason, detail: e.detail });
  });
  bus.on('exchange.statusChecked', (s) => {
    if (s.tradingActive === tradingActive) return;
    tradingActive = s.tradingActive;
    toMachine({ type: s.tradingActive ? 'EXCHANGE_RESUMED' : 'EXCHANGE_PAUSED' });
  });
  // A market we hold settled: the payout and the flattened position are read in by re-calibrating
  // (the same OPERATOR_SYNC an operator sends) from READY, HALTED or PAUSED — so a halted trader's
  // P&L and ledger are current too. Every other state is on its way to CALIBRATING, which reads it
  // anyway if it starts after the settlement.
  /** We hold the market or have an order in it: it must be watched until it settles. */
  const involvedIn = (ticker: string) =>
    (positions.get(ticker)?.position ?? 0) !== 0 || orders.open().some((o) => o.intent.ticker === ticker);
  let pendingSettlement: { ticker: string; at: number } | undefined;
  let calibrationStartedAt = Number.NEGATIVE_INFINITY;
  const syncForSettlement = () => {
    if (pendingSettlement === undefined || !SYNCABLE.has(String(actor.getSnapshot().value))) return;
    const { ticker, at } = pendingSettlement;
    pendingSettlement = undefined;
    if (at < calibrationStartedAt) return;
    logger.info({ event: 'settlement_sync', ticker }, `${ticker} settled: re-calibrating`);
    toMachine({ type: 'OPERATOR_SYNC' });
  };
  bus.on('market.phaseChanged', (e) => {
    // The first phase of each market (learnt at selection) is routine; every later move matters.
    logger[e.from === undefined ? 'debug' : 'info'](
      { event: 'market_phase', ticker: e.ticker, from: e.from, to: e.to, why: e.why },
      `${e.ticker} ${e.from ?? '∅'} → ${e.to}`,
    );
    if (e.to === 'settled' && involvedIn(e.ticker)) {
      pendingSettlement = { ticker: e.ticker, at: e.at };
      syncForSettlement();
    }
  });
  bus.on('machine.transitioned', (t) => {
    if (t.to === 'CALIBRATING') calibrationStartedAt = t.at;
    if (SYNCABLE.has(t.to)) syncForSettlement();
  });
  bus.on('strategy.decided', (d) => logger.debug({ event: 'decision', ...d }, 'decision'));
  bus.on('order.changed', (o) =>
    logger.info(
      {
        event: 'order',
        client_order_id: o.clientOrderId,
        order_id: o.orderId,
        status: o.status,
        ticker: o.intent.ticker,
        reason: o.reason,
      },
      `order ${o.clientOrderId} ${o.status}`,
    ),
  );
  bus.on('exchange.fillReported', (f) =>
    logger.info(
      {
        event: 'fill',
        fill_id: f.fillId,
        order_id: f.orderId,
        ticker: f.ticker,
        count: f.count,
        yes_price: f.yesPrice,
      },
      'fill',
    ),
  );
  // A record that cannot write orders, fills or the ledger halts trading until an operator resumes.
  bus.on('record.writeFailing', (e) => {
    logger.error(
      {
        event: 'record_write_failing',
        kind: e.kind,
        attempts: e.attempts,
        pending_rows: e.pendingRows,
        error: e.error,
      },
      `the record cannot write ${e.kind}: trading halted (rows kept and retried)`,
    );
    risk.trip(
      'record_write_failed',
      `${e.kind} could not be written (${e.error}); ${e.pendingRows} rows waiting`,
    );
  });
  bus.on('record.writeRecovered', (e) =>
    logger.warn(
      { event: 'record_write_recovered', kind: e.kind, failures: e.failures },
      `the record writes ${e.kind} again; the halt stays until an operator resumes`,
    ),
  );
  bus.on('position.driftDetected', (d) =>
    logger.warn({ event: 'position_drift', ...d }, 'position drift against the exchange'),
  );

  // ---------- the strategy ----------
  const runner = new StrategyRunner({
    bus,
    clock,
    strategy,
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
    canAct: () =>
      actor.getSnapshot().value === 'READY'
        ? { ok: true }
        : { ok: false, reason: String(actor.getSnapshot().value) },
    act: (intent, evidence) =>
      actor.send({ type: 'INTENT', intent, ...(evidence === undefined ? {} : { evidence }) }),
  });

  // ---------- status and housekeeping ----------
  /** A book whose market is not open says so in the status block ("live, market closed"). */
  const withMarketPhases = (health: ReturnType<typeof orderbook.health>) => ({
    ...health,
    books: health.books.map((b) => {
      const phase = schedule.phase(b.ticker);
      return phase === undefined || phase === 'open' ? b : { ...b, status: `${b.status}, market ${phase}` };
    }),
  });
  const statusLogger = new StatusLogger({
    bus,
    clock,
    intervalMs: config.statusIntervalMs,
    logger: { info: (obj, msg) => logger.info({ event: 'status', ...obj }, msg) },
    provide: () => {
      const totals = positions.totals();
      return {
        state: String(actor.getSnapshot().value),
        orderbook: withMarketPhases(orderbook.health()),
        trading: trading.health(),
        pnl: { realized: totals.realized, unrealized: totals.unrealized, fees: totals.fees, net: totals.net },
        positions: positions.positions(),
        openOrders: orders.open(),
        breaker: risk.breaker(),
        ...(lastBalance !== undefined ? { balance: lastBalance } : {}),
      };
    },
  });
  const housekeeping = setInterval(() => {
    orderbook.watchdog();
    schedule.sweep();
    // The money breakers are checked before every order and here, so a loss shows as a halt at once.
    risk.checkMoney(money.observe(positions.totals().net));
    unwatchFinished();
    orders.tick(clock());
    if (orders.open().some((o) => o.status === 'unknown' || o.status === 'canceling')) {
      void orders
        .resolveUnknowns()
        .catch((err: Error) =>
          logger.warn({ event: 'resolve_unknowns_failed', error: err.message }, 'lookup failed'),
        );
    }
  }, HOUSEKEEPING_MS);
  housekeeping.unref();
  // ---------- rediscovery ----------
  // With --series or --markets N the watched set follows the exchange: markets close and new ones
  // list (a daily ladder, an hourly event). When a watched market closes, when a market of the
  // series opens, and every REDISCOVER_MS, the selection runs again and new markets are added to
  // the live subscription. Closed markets stay watched (a held one still has to settle).
  const selection = selectionOf(config);
  let rediscovering: Promise<void> | undefined;
  const rediscover = (why: string) => {
    if (selection.kind === 'tickers' || tickers === undefined || rediscovering) return;
    const watched = tickers;
    rediscovering = (async () => {
      try {
        const fresh = (await selectMarkets(marketRest, selection)).filter((m) => !watched.includes(m.ticker));
        if (fresh.length === 0) return;
        for (const m of fresh) schedule.learn(m);
        const added = await orderbook.addMarkets(fresh.map((m) => m.ticker));
        watched.push(...added);
        logger.info({ event: 'markets_added', tickers: added, why }, `now also watching ${added.join(', ')}`);
      } catch (err) {
        logger.warn(
          { event: 'rediscovery_failed', why, error: (err as Error).message },
          'could not look for new markets (will try again)',
        );
      } finally {
        rediscovering = undefined;
      }
    })();
  };
  bus.on('market.phaseChanged', (e) => {
    if (e.to === 'closed' && e.from !== undefined) rediscover(`${e.ticker} closed`);
  });
  bus.on('market.lifecycle', (e) => {
    if (selection.kind !== 'series' || e.eventType !== 'activated') return;
    if (e.ticker.startsWith(`${selection.series}-`) && !tickers?.includes(e.ticker)) {
      rediscover(`${e.ticker} opened`);
    }
  });
  // A market that can no longer trade and that we neither hold nor have orders in is dropped from
  // the subscription (with rediscovery the watched set would otherwise only grow).
  let unwatching: Promise<void> | undefined;
  const unwatchFinished = () => {
    if (selection.kind === 'tickers' || tickers === undefined || unwatching) return;
    const watched = tickers;
    const done = watched.filter((t) => {
      const phase = schedule.phase(t);
      return (phase === 'closed' || phase === 'determined' || phase === 'settled') && !involvedIn(t);
    });
    if (done.length === 0) return;
    unwatching = orderbook
      .removeMarkets(done)
      .then((removed) => {
        for (const t of removed) {
          watched.splice(watched.indexOf(t), 1);
          schedule.forget(t);
        }
        if (removed.length > 0) {
          logger.info(
            { event: 'markets_removed', tickers: removed },
            `no longer watching ${removed.join(', ')}`,
          );
        }
      })
      .catch((err: Error) =>
        logger.warn({ event: 'unwatch_failed', error: err.message }, 'could not drop finished markets'),
      )
      .finally(() => {
        unwatching = undefined;
      });
  };
  const rediscovery = setInterval(() => rediscover('periodic'), REDISCOVER_MS);
  rediscovery.unref();

  const stopHousekeeping = () => {
    clearInterval(housekeeping);
    clearInterval(rediscovery);
    statusLogger.stop();
  };

  // ---------- run ----------
  runner.start();
  statusLogger.start();
  actor.start();
  if (record.openBreaker) {
    // Still halted from an earlier run: only an operator's resume lifts it (DESIGN §6 rule 4).
    const { reason, detail, at } = record.openBreaker;
    risk.trip(reason, `${detail} (tripped ${at.toISOString()} in an earlier run, not reset since)`);
  }

  const summary = (): TraderSummary => {
    const totals = positions.totals();
    const placed = orders.all().filter((o) => o.orderId !== undefined).length;
    const fills = orders.stats().fills;
    return {
      states: [...visited],
      orders_placed: placed,
      fills,
      positions: Object.fromEntries(positions.positions().map((p) => [p.ticker, p.position / COUNT_SCALE])),
      realized_pnl_dollars: formatDollars(totals.realized - totals.fees),
    };
  };

  /** What the record could not write at shutdown (rows dumped to a file), if anything. */
  let recordProblem: { error: string; file?: string } | undefined;
  let closing: Promise<void> | undefined;
  const finish = (): Promise<void> => {
    closing ??= (async () => {
      stateSub.unsubscribe();
      stopHousekeeping();
      await Promise.allSettled([orderbook.close(), trading.close()]);
      actor.stop();
      try {
        await recorder.close();
        await record.repos.sessions.end(record.sessionId, { status: 'ended', summary: summary() });
      } catch (err) {
        recordProblem = { error: (err as Error).message };
        const unwritten = recorder.unwritten();
        if (unwritten.length > 0)
          recordProblem.file = dumpUnwritten(config.dataDir, record.sessionId, unwritten);
        logger.error(
          {
            event: 'record_incomplete',
            error: recordProblem.error,
            unwritten: unwritten.map((u) => ({ kind: u.kind, rows: u.rows.length })),
            ...(recordProblem.file ? { file: recordProblem.file } : {}),
          },
          recordProblem.file
            ? `the record could not be completed; the unwritten rows are saved in ${recordProblem.file}`
            : 'the record could not be completed',
        );
      }
      await database.close().catch(() => undefined);
      await endpoints.sim?.close();
      lock.release();
    })();
    return closing;
  };

  const finalSummary = (): TraderSummary => {
    const fatal = actor.getSnapshot().context.fatal;
    return {
      ...summary(),
      ...(fatal === null
        ? {}
        : {
            failed: fatal.permanent
              ? fatal.message
              : `gave up after ${actor.getSnapshot().context.startupAttempts} failed attempts to connect; the last: ${fatal.message}`,
            failure: fatal.permanent ? ('permanent' as const) : ('unreachable' as const),
          }),
      ...(recordProblem === undefined
        ? {}
        : {
            record_complete: false as const,
            ...(recordProblem.file ? { unwritten_rows_file: recordProblem.file } : {}),
          }),
    };
  };
  const done = new Promise<TraderSummary>((resolve) => {
    const sub = actor.subscribe({
      complete: () => {
        sub.unsubscribe();
        void finish().then(() => resolve(finalSummary()));
      },
    });
  });

  const control = {
    status: async () => {
      const snap = actor.getSnapshot();
      const totals = positions.totals();
      return {
        state: snap.value,
        halt: snap.context.halt,
        exchange_paused: snap.context.exchangePaused,
        last_error: snap.context.lastError,
        last_calibration: snap.context.lastCalibration,
        markets: schedule.all().map((m) => ({
          ticker: m.ticker,
          phase: m.phase,
          ...(m.closeMs === undefined ? {} : { close_time: new Date(m.closeMs).toISOString() }),
        })),
        orderbook: orderbook.health(),
        trading: trading.health(),
        breaker: risk.breaker(),
        positions: positions.positions().map((p) => ({
          ticker: p.ticker,
          contracts: formatCount(p.position),
          cost_basis_dollars: formatDollars(p.costBasis),
          realized_pnl_dollars: formatDollars(p.realizedPnl),
          fees_dollars: formatDollars(p.feesPaid),
        })),
        open_orders: orders.open().map((o) => ({
          client_order_id: o.clientOrderId,
          order_id: o.orderId,
          status: o.status,
          ticker: o.intent.ticker,
        })),
        pnl: {
          realized_dollars: formatDollars(totals.realized),
          fees_dollars: formatDollars(totals.fees),
          net_dollars: formatDollars(totals.net),
        },
        money: moneyStatus(money.observe(totals.net), config),
        orders: orders.stats(),
        strategy: runner.stats,
        record: {
          session: record.sessionId,
          database: database.target,
          shed_rows: recorder.shedRows,
          queue: recorder.queue.stats(),
        },
        status_block: statusLogger.recent(1)[0]?.text,
      };
    },
    sync: async () => {
      actor.send({ type: 'OPERATOR_SYNC' });
      return { state: actor.getSnapshot().value };
    },
    halt: async (reason: string) => {
      actor.send({ type: 'OPERATOR_HALT', reason });
      return { state: actor.getSnapshot().value, halt: actor.getSnapshot().context.halt };
    },
    resume: async () => {
      if (risk.breaker().open) risk.resetBreaker('operator');
      actor.send({ type: 'OPERATOR_RESUME' });
      return { state: actor.getSnapshot().value };
    },
    cancelAll: async () => orders.cancelAll(),
  };

  return {
    control,
    actor,
    services: { bus, orders, positions, risk },
    done,
    async shutdown(opts: { cancelOrders: boolean }): Promise<TraderSummary> {
      if (actor.getSnapshot().status === 'active')
        actor.send({ type: 'SHUTDOWN', cancelOrders: opts.cancelOrders });
      return done;
    },
  };
}

export { TRADER_STATES };
