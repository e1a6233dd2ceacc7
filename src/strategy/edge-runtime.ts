/**
 * Builds the edge strategy's runner from the runtime's parts (`--strategy edge`): the forecast
 * source the config names, the city table, the ONNX classifier, and the ports onto the books,
 * positions, orders, balance and the machine. The runtime calls this once and starts/stops it in
 * place of the per-book StrategyRunner.
 */
import type { EventBus } from '../bus.js';
import type { TraderConfig } from '../config/index.js';
import {
  COUNT_SCALE,
  type DecisionEvidence,
  type Micros,
  type OrderIntent,
  type Price,
  type TrackedOrder,
} from '../domain/index.js';
import { resolveEdgeConfig } from '../edge/index.js';
import {
  type ForecastSource,
  JsonFileForecastSource,
  loadCities,
  NwsForecastSource,
  nwsUserAgent,
} from '../forecast/index.js';
import type { KalshiRestClient } from '../kalshi/index.js';
import type { EdgeRepo } from '../persistence/index.js';
import { EdgeRunner, edgeMarketOf, type EdgeRunner as Runner } from './edge.js';
import { loadEdgeClassifier } from './edge-classifier.js';
import type { EdgeClassifier } from './edge-decide.js';

export interface EdgeRuntimeParts {
  readonly config: TraderConfig;
  readonly bus: EventBus;
  readonly clock: () => number;
  readonly every: (ms: number, fn: () => void) => { cancel(): void };
  readonly log: { info(obj: object, msg: string): void; warn(obj: object, msg: string): void };
  readonly rest: KalshiRestClient;
  /** The embedded simulator's forecast service, when there is one. */
  readonly simForecastUrl?: string;
  readonly book: (
    ticker: string,
  ) => { bestYesBid(): Price | undefined; yesAsk(): Price | undefined; status: string } | undefined;
  readonly positions: () => readonly { ticker: string; position: number; costBasis: Micros }[];
  readonly openOrders: () => readonly TrackedOrder[];
  readonly balance: () => Micros | undefined;
  readonly watched: () => readonly string[];
  readonly canAct: () => { ok: true } | { ok: false; reason: string };
  readonly submit: (intent: OrderIntent, evidence: DecisionEvidence) => void;
  readonly repo?: EdgeRepo;
  readonly sessionId?: string;
}

export interface EdgeStrategyHandle {
  readonly runner: Runner;
  start(): void;
  stop(): Promise<void>;
}

function forecastSource(parts: EdgeRuntimeParts): ForecastSource {
  const f = parts.config.edge?.forecast ?? { kind: 'sim' as const };
  switch (f.kind) {
    case 'sim':
      if (!parts.simForecastUrl) throw new Error('--forecast-source sim needs the embedded simulator');
      return new NwsForecastSource({
        baseUrl: parts.simForecastUrl,
        userAgent: nwsUserAgent('embedded simulator'),
        now: parts.clock,
      });
    case 'nws':
      return new NwsForecastSource({
        baseUrl: f.baseUrl,
        userAgent: nwsUserAgent(f.contact),
        now: parts.clock,
      });
    case 'file':
      return new JsonFileForecastSource({ file: f.file, now: parts.clock });
  }
}

export async function createEdgeStrategy(parts: EdgeRuntimeParts): Promise<EdgeStrategyHandle> {
  const edge = parts.config.edge;
  if (!edge) throw new Error('--strategy edge without its settings');
  const cfg = resolveEdgeConfig(edge.settings);
  const classifier: (EdgeClassifier & { close(): Promise<void> }) | undefined = edge.model
    ? await loadEdgeClassifier(edge.model)
    : undefined;
  const runner = new EdgeRunner({
    bus: parts.bus,
    clock: parts.clock,
    every: parts.every,
    log: parts.log,
    cfg,
    dryRun: edge.dryRun,
    cycleMs: edge.cycleMs,
    maxCount: parts.config.risk.maxContractsPerOrder * COUNT_SCALE,
    cities: loadCities(edge.citiesFile ? { extraFile: edge.citiesFile } : {}),
    source: forecastSource(parts),
    ...(classifier ? { classifier } : {}),
    markets: async (event) =>
      (await parts.rest.getMarkets({ event_ticker: event, limit: 100 })).markets.map(edgeMarketOf),
    watched: parts.watched,
    quote: (ticker) => {
      const b = parts.book(ticker);
      if (!b) return undefined;
      const bid = b.bestYesBid();
      const ask = b.yesAsk();
      return {
        live: b.status === 'live',
        ...(bid !== undefined ? { bestYesBid: bid } : {}),
        ...(ask !== undefined ? { yesAsk: ask } : {}),
      };
    },
    holdings: () =>
      parts.positions().map((p) => ({ ticker: p.ticker, position: p.position, cost: p.costBasis })),
    openOrders: () =>
      parts.openOrders().map((o) => ({
        ticker: o.intent.ticker,
        bookSide: o.intent.bookSide,
        yesPrice: o.intent.yesPrice,
        remaining: Math.max(0, o.intent.count - o.fillCount),
      })),
    balance: parts.balance,
    canAct: parts.canAct,
    submit: parts.submit,
    ...(parts.repo ? { repo: parts.repo } : {}),
    ...(parts.sessionId ? { sessionId: parts.sessionId } : {}),
  });
  parts.log.info(
    {
      event: 'edge_strategy',
      dry_run: edge.dryRun,
      forecast: edge.forecast.kind,
      classifier: classifier?.hash ?? null,
      enabled_cities: cfg.config.enabled_cities,
      aggressiveness: cfg.config.aggressiveness,
    },
    `edge strategy: ${edge.dryRun ? 'DRY RUN, ' : ''}forecasts from ${edge.forecast.kind}, classifier ${classifier ? classifier.hash.slice(0, 12) : 'none'}`,
  );
  return {
    runner,
    start: () => runner.start(),
    stop: async () => {
      await runner.stop();
      await classifier?.close();
    },
  };
}
