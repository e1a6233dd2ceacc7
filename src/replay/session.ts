/**
 * Replaying one recorded session with a strategy: the settings default to the session's own
 * (its strategy, throttle, actor settings and risk limits, from its recorded config), each
 * overridable; the strategy is prepared by the live factory (a bad model is refused the same way).
 */
import type { StrategyName } from '../config/index.js';
import { DEFAULTS, STRATEGIES } from '../config/index.js';
import { MICROS_PER_DOLLAR } from '../domain/index.js';
import { type PreparedStrategy, prepareStrategy, type StrategyConfig } from '../strategy/index.js';
import { type ReplayOutput, replay } from './run.js';
import type { RecordedSession, StreamedSession } from './source.js';
import { type SpeculationSettings, type SpeculationStats, SpeculativeInference } from './speculate.js';

export interface ReplaySettings {
  readonly strategy?: StrategyName;
  readonly model?: string;
  readonly throttleMs?: number;
  readonly marketMode?: 'hot' | 'config' | 'all';
  readonly contractSize?: number;
  /** Opening cash (default: the session's, else $1,000). */
  readonly cash?: number;
  readonly onProgress?: (done: number) => void;
  /** Keep every decision in the output (default true). */
  readonly keepDecisions?: boolean;
  /** Batch the model's inference (speculate.ts; default true). False: one call per evaluation. */
  readonly batch?: boolean;
  /** Batch sizes (speculate.ts's defaults otherwise). */
  readonly speculation?: Partial<SpeculationSettings>;
  /** A strategy prepared elsewhere (a baseline): used instead of preparing `strategy`. */
  readonly prepare?: (config: StrategyConfig) => PreparedStrategy;
}

export interface SessionReplay extends ReplayOutput {
  readonly strategy: StrategyName;
  readonly modelSha256?: string;
  /** How the model was asked (batches, predictions kept and dropped), for a loaded model. */
  readonly inference?: SpeculationStats;
}

type Recorded = {
  strategy?: string;
  tickThrottleMs?: number;
  actor?: { marketMode?: 'hot' | 'config' | 'all'; contractSize?: number; model?: string };
  marketSelection?: { kind?: string; tickers?: string[] };
  risk?: {
    maxContractsPerOrder?: number;
    maxPositionPerMarket?: number;
    maxOpenOrders?: number;
    maxExposureMicros?: number;
  };
};

export async function replaySession(
  session: RecordedSession | StreamedSession,
  s: ReplaySettings = {},
): Promise<SessionReplay> {
  const c = session.config as Recorded;
  const recordedStrategy = STRATEGIES.find((x) => x === c.strategy);
  const strategy = s.strategy ?? recordedStrategy ?? 'policy';
  const maxPositionPerMarket = c.risk?.maxPositionPerMarket ?? DEFAULTS.risk.maxPositionPerMarket;
  const model = s.model ?? c.actor?.model;
  const strategyConfig: StrategyConfig = {
    strategy,
    actor: {
      marketMode: s.marketMode ?? c.actor?.marketMode ?? 'hot',
      contractSize: s.contractSize ?? c.actor?.contractSize ?? 1,
      ...(model === undefined ? {} : { model }),
    },
    ...(c.marketSelection?.kind === 'tickers' && c.marketSelection.tickers
      ? { tickers: c.marketSelection.tickers }
      : {}),
    maxPositionPerMarket,
  };
  // The model's answers are batched (speculate.ts): the same decisions, far fewer model calls.
  let speculative: SpeculativeInference | undefined;
  const prepared = s.prepare
    ? s.prepare(strategyConfig)
    : await prepareStrategy(strategyConfig, {
        inference: (model) => {
          speculative = new SpeculativeInference(model, s.speculation);
          return speculative;
        },
      });
  try {
    const out = await replay({
      records: session.records,
      ...(speculative && s.batch !== false ? { speculative } : {}),
      ...(session.tradingWindows ? { tradingWindows: session.tradingWindows } : {}),
      strategy: prepared,
      strategyName: strategy,
      throttleMs: s.throttleMs ?? c.tickThrottleMs ?? DEFAULTS.tickThrottleMs,
      openingCash: s.cash ?? session.openingCash ?? 1_000 * MICROS_PER_DOLLAR,
      risk: {
        maxContractsPerOrder: c.risk?.maxContractsPerOrder ?? DEFAULTS.risk.maxContractsPerOrder,
        maxPositionPerMarket,
        maxOpenOrders: c.risk?.maxOpenOrders ?? DEFAULTS.risk.maxOpenOrders,
        maxExposureMicros: c.risk?.maxExposureMicros ?? Number.MAX_SAFE_INTEGER,
      },
      ...(s.onProgress ? { onProgress: s.onProgress } : {}),
      ...(s.keepDecisions === undefined ? {} : { keepDecisions: s.keepDecisions }),
    });
    return {
      ...out,
      strategy,
      ...(prepared.model ? { modelSha256: prepared.model.sha256 } : {}),
      ...(speculative ? { inference: { ...speculative.stats } } : {}),
    };
  } finally {
    await prepared.close();
  }
}
