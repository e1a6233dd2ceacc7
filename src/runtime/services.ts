/**
 * The run's services, built once and wired to one bus: the market schedule (trading windows), the
 * order-book and trading-client integrations (the machine's connect stages), the PositionTracker,
 * the OrderService (write-ahead through the Recorder), the Recorder, the money watch and the
 * RiskController. Construction only: who calls what, and when, is the machine's and index.ts's.
 */
import type { Logger } from 'pino';
import type { EventBus } from '../bus.js';
import type { PortfolioLimitsConfig, TraderConfig } from '../config/index.js';
import { COUNT_SCALE, type Micros } from '../domain/index.js';
import { loadCities } from '../forecast/index.js';
import { MarketSchedule, OrderbookIntegration, TradingIntegration } from '../integrations/index.js';
import { formatDollars } from '../kalshi/index.js';
import { Recorder } from '../persistence/index.js';
import {
  type CityOfSeries,
  MoneyWatch,
  OrderService,
  PositionTracker,
  RiskController,
  type RiskPortfolioLimits,
  utcDay,
} from '../services/index.js';
import type { Clients } from './clients.js';
import type { OpenRecord } from './record.js';

const BOOK_STALE_AFTER_MS = 30_000;
const SNAPSHOT_TIMEOUT_MS = 15_000;

/** What the exchange last said about itself and our cash (health checks, calibration). */
export class ExchangeReports {
  tradingActive = true;
  lastBalance: Micros | undefined;

  constructor(bus: EventBus) {
    bus.on('exchange.statusChecked', (s) => {
      this.tradingActive = s.tradingActive;
    });
    bus.on('exchange.balanceReported', (b) => {
      this.lastBalance = b.cash;
    });
  }
}

export interface Services {
  readonly schedule: MarketSchedule;
  readonly orderbook: OrderbookIntegration;
  readonly trading: TradingIntegration;
  readonly positions: PositionTracker;
  readonly orders: OrderService;
  readonly recorder: Recorder;
  readonly money: MoneyWatch;
  readonly risk: RiskController;
  readonly exchange: ExchangeReports;
}

export interface ServicesDeps {
  readonly config: TraderConfig;
  readonly bus: EventBus;
  readonly clock: () => number;
  readonly clients: Clients;
  readonly record: OpenRecord;
  readonly logger: Logger;
  /** The markets watched now (the price archive covers them). */
  readonly watched: () => readonly string[];
  /** The trader's order group (OrderGroupKeeper): every order created goes in it. */
  readonly orderGroupId?: () => string | undefined;
}

export function createServices(deps: ServicesDeps): Services {
  const { config, bus, clock, clients, record, logger } = deps;
  const schedule = new MarketSchedule({ bus, clock });
  const orderbook = new OrderbookIntegration({
    ws: clients.bookWs,
    bus,
    clock,
    staleAfterMs: BOOK_STALE_AFTER_MS,
    snapshotTimeoutMs: SNAPSHOT_TIMEOUT_MS,
  });
  const trading = new TradingIntegration({
    rest: clients.rest,
    syncLimits: () => clients.limits.sync(),
    ws: clients.tradingWs,
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
  // Fills are held until the first calibration says where each market started (a restart).
  const positions = new PositionTracker({ bus, clock, mark: mid, anchored: false });
  const orders = new OrderService({
    rest: clients.rest,
    bus,
    clock,
    // Write-ahead: the order and its client_order_id are committed before the request is sent.
    beforeSend: (order) => recorder.writeAhead(order),
    ...(deps.orderGroupId ? { orderGroupId: deps.orderGroupId } : {}),
  });
  orders.restore(record.restoreOrders, record.knownFillIds);
  const recorder = new Recorder({
    repos: record.repos,
    bus,
    sessionId: record.sessionId,
    clock,
    topOfBook: () =>
      deps.watched().flatMap((ticker) => {
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
    knownSettlementRefs: record.knownSettlementRefs,
    knownFillLedgerRefs: record.knownFillLedgerRefs,
    ...(record.openingBalance !== undefined ? { openingBalance: record.openingBalance } : {}),
    onError: (what, error) =>
      logger.error({ event: 'db_write_failed', what, error: error.message }, 'database write failed'),
  });
  const exchange = new ExchangeReports(bus);
  const money = createMoneyWatch({ bus, clock, record, logger, positions, recorder, exchange });
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
      ...(config.portfolio === undefined ? {} : { portfolio: portfolioLimits(config.portfolio) }),
    },
    cityOf: citiesBySeries(),
    pnl: () => money.observe(),
    // Cash: the ledger's running balance (moved by every fill at once), else the exchange's last
    // report; the RiskController subtracts what our resting orders reserve.
    balance: () => recorder.runningBalance ?? exchange.lastBalance,
    positions: () => positions.positions(),
    // What counts against the limits: created, submitting, unknown, resting, canceling.
    orders: () => orders.live(),
    bookStatus: (ticker) => orderbook.book(ticker)?.status,
    marketPhase: (ticker) => schedule.phase(ticker),
    tradingActive: () => exchange.tradingActive,
  });
  return { schedule, orderbook, trading, positions, orders, recorder, money, risk, exchange };
}

interface MoneyDeps {
  readonly bus: EventBus;
  readonly clock: () => number;
  readonly record: OpenRecord;
  readonly logger: Logger;
  readonly positions: PositionTracker;
  readonly recorder: Recorder;
  readonly exchange: ExchangeReports;
}

/**
 * The money breakers' figures (MoneyWatch): equity = the ledger's cash + positions at their mark;
 * the day open and the peak continue from the record and are written back as they move; a balance
 * difference calibration books is a deposit or withdrawal, not P&L.
 */
function createMoneyWatch(deps: MoneyDeps): MoneyWatch {
  const { bus, clock, record, logger, positions, recorder, exchange } = deps;
  const today = utcDay(clock());
  const { dayOpen, peak } = record.money;
  const money = new MoneyWatch({
    clock,
    equity: () => {
      const cash = recorder.runningBalance ?? exchange.lastBalance;
      if (cash === undefined) return undefined;
      return positions.positions().reduce((sum, p) => sum + p.costBasis + (p.unrealizedPnl ?? 0), cash);
    },
    restored: {
      ...(dayOpen !== undefined && dayOpen.day === today
        ? { dayOpen: { day: dayOpen.day, equity: dayOpen.equity } }
        : {}),
      ...(peak !== undefined ? { peak: peak.equity } : {}),
    },
    onMark: (mark) => {
      record.repos.money
        .mark(record.sessionId, { ...mark, at: new Date(mark.at) })
        .then(() =>
          logger.info(
            { event: 'money_mark', kind: mark.kind, equity_dollars: formatDollars(mark.equity) },
            mark.kind === 'day_open' ? 'the UTC day opens at this equity' : 'new peak equity',
          ),
        )
        .catch((err: Error) =>
          logger.error(
            { event: 'money_mark_failed', kind: mark.kind, error: err.message },
            'could not record a money mark',
          ),
        );
    },
  });
  if (dayOpen !== undefined || peak !== undefined) {
    logger.info(
      {
        event: 'money_restored',
        ...(dayOpen !== undefined && dayOpen.day === today
          ? { day_open_dollars: formatDollars(dayOpen.equity) }
          : {}),
        ...(peak !== undefined ? { peak_equity_dollars: formatDollars(peak.equity) } : {}),
      },
      'money breakers continue from the record',
    );
  }
  // Calibration's balance: what the ledger cannot explain is a deposit or withdrawal. Registered
  // before the Recorder starts, so the running balance read here is the one before it books it.
  bus.on('exchange.balanceReported', (b) => {
    const before = recorder.runningBalance;
    if (!b.reconcile || before === undefined || b.cash === before) return;
    money.flow(b.cash - before);
    logger.info(
      {
        event: 'money_flow',
        amount_dollars: formatDollars(Math.abs(b.cash - before)),
        sign: Math.sign(b.cash - before),
      },
      'a balance change that fills, fees and settlements do not explain: not counted as P&L',
    );
  });
  return money;
}

/** The RiskController's portfolio limits from the configuration (percent → basis points). */
function portfolioLimits(p: PortfolioLimitsConfig): RiskPortfolioLimits {
  return {
    maxTotalBps: p.maxTotalExposurePct * 100,
    maxPositionBps: p.maxSinglePositionPct * 100,
    maxCityBps: p.maxCityExposurePct * 100,
    maxRegionBps: p.maxRegionExposurePct * 100,
    minReserve: p.minReserveMicros,
    maxPositionsPerCity: p.maxPositionsPerCity,
    maxTotalPositions: p.maxTotalPositions,
  };
}

/** The city table (config/cities.json) by series ticker, for the portfolio limits' city and region. */
function citiesBySeries(): CityOfSeries {
  const table = loadCities();
  const bySeries = new Map(
    table.cities.map((c) => [c.series, { id: c.id, ...(c.region ? { region: c.region } : {}) }]),
  );
  return (series) => bySeries.get(series);
}
