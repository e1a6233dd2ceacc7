/**
 * The strategy a run trades with, built in two steps so a bad model stops the start before anything
 * is opened:
 *   prepareStrategy(config)  loads and checks what the strategy needs (the policy's ONNX model:
 *                            refused with a PolicyError naming expected and found shapes /
 *                            feature_version);
 *   prepared.build(ports)    the Strategy on the trader's services, its trigger, and its status.
 * The live runtime and the replay both build their strategy here.
 */
import { fileURLToPath } from 'node:url';
import type { EventBus } from '../bus.js';
import type { StrategyName } from '../config/index.js';
import { COUNT_SCALE, type Micros, type PositionView, type TrackedOrder } from '../domain/index.js';
import { DEFAULT_ACTION_SETTINGS } from '../policy/actions.js';
import type { OpenOrderInput } from '../policy/observation.js';
// Types only: onnxruntime-node (a native addon) is loaded when a policy is prepared, not at import.
import type { LatencySummary, PolicyModel } from '../policy/onnx/model.js';
import { createStrategy } from './hardcoded.js';
import { type PolicyInference, type PolicyPorts, PolicyStrategy } from './policy.js';
import { projectActorEvents } from './policy-events.js';
import type { Strategy } from './types.js';

/** The shipped default policy. */
export const DEFAULT_MODEL_FILE = fileURLToPath(new URL('../../models/policy.onnx', import.meta.url));

export interface StrategyConfig {
  readonly strategy: StrategyName;
  readonly actor: {
    readonly model?: string;
    readonly marketMode: 'hot' | 'config' | 'all';
    readonly contractSize: number;
  };
  /** The config mode's markets (the --tickers). */
  readonly tickers?: readonly string[];
  /** Whole contracts. */
  readonly maxPositionPerMarket: number;
}

/** The trader's services as the strategy reads them. */
export interface StrategyPorts {
  readonly bus: EventBus;
  readonly clock: () => number;
  book: PolicyPorts['book'];
  position(ticker: string): PositionView | undefined;
  positions(): readonly PositionView[];
  openOrders(): readonly TrackedOrder[];
  cash(): Micros | undefined;
  /**
   * Cash plus positions marked to market, when the caller can tell it without listing every
   * position (the replay); default: cash() plus Σ cost basis + unrealized over positions().
   */
  equity?(): Micros;
  /** Watched markets that are open (hot-mode candidates). */
  candidates(): readonly string[];
  totals(): { realized: number; unrealized: number; fees: number; net: number };
}

export interface BuiltStrategy {
  readonly strategy: Strategy;
  readonly trigger: 'updated' | 'recorded';
  /** What status shows of the strategy (the policy: model, inference latency). */
  status(): Record<string, unknown>;
  /** Stops the strategy's bus projections. */
  stop(): void;
}

export interface PreparedStrategy {
  readonly model?: PolicyModel;
  build(ports: StrategyPorts): BuiltStrategy;
  /** Frees the model. */
  close(): Promise<void>;
}

const openOrderInput = (o: TrackedOrder): OpenOrderInput => ({
  bookSide: o.intent.bookSide,
  yesPrice: o.intent.yesPrice,
  remaining: Math.max(0, o.intent.count - o.fillCount),
  ...(o.intent.reduceOnly ? { reduceOnly: true } : {}),
});

export function latencyStatus(l: LatencySummary) {
  return { inferences: l.count, p50_us: l.p50Us, p99_us: l.p99Us, max_us: l.maxUs };
}

export interface PrepareOptions {
  /** What the policy infers with, given its loaded model (default: the model itself). */
  readonly inference?: (model: PolicyModel) => PolicyInference;
}

export async function prepareStrategy(
  config: StrategyConfig,
  options: PrepareOptions = {},
): Promise<PreparedStrategy> {
  if (config.strategy !== 'policy') {
    return {
      build: () => ({
        strategy: createStrategy(config.strategy as 'hardcoded' | 'none'),
        trigger: 'updated',
        status: () => ({}),
        stop: () => undefined,
      }),
      close: async () => undefined,
    };
  }
  const file = config.actor.model ?? DEFAULT_MODEL_FILE;
  const { loadPolicyModel } = await import('../policy/onnx/model.js');
  const model = await loadPolicyModel(file);
  return {
    ...preparePolicy(options.inference?.(model) ?? model, config, {
      status: () => ({
        model: { file, sha256: model.sha256, feature_version: model.metadata.feature_version },
        inference: {
          // native-sync (onnxruntime's binding, no event-loop turn) or public-async, and why not native
          path: model.inferencePath,
          ...(model.inferencePathNote === undefined ? {} : { path_note: model.inferencePathNote }),
          ...latencyStatus(model.latency()),
        },
      }),
    }),
    model,
    close: () => model.release(),
  };
}

/**
 * The policy actor over any inference (a loaded PolicyModel, or a baseline such as the random
 * policy of the evaluation); `extra.status` adds to its status.
 */
export function preparePolicy(
  inference: PolicyInference,
  config: StrategyConfig,
  extra: { status?: () => Record<string, unknown> } = {},
): PreparedStrategy {
  return {
    build(ports) {
      const policyPorts: PolicyPorts = {
        book: ports.book,
        position: (ticker) => {
          const p = ports.position(ticker);
          return { position: p?.position ?? 0, costBasis: p?.costBasis ?? 0 };
        },
        openOrders: (ticker) =>
          ports
            .openOrders()
            .filter((o) => o.intent.ticker === ticker)
            .map(openOrderInput),
        cash: ports.cash,
        equity: () => {
          if (ports.equity) return ports.equity();
          let marked = 0;
          for (const p of ports.positions()) marked += p.costBasis + (p.unrealizedPnl ?? 0);
          return (ports.cash() ?? 0) + marked;
        },
        candidates: ports.candidates,
      };
      const strategy = new PolicyStrategy(
        inference,
        policyPorts,
        {
          marketMode: config.actor.marketMode,
          tickers: config.tickers ?? [],
          actions: {
            ...DEFAULT_ACTION_SETTINGS,
            contractSize: config.actor.contractSize * COUNT_SCALE,
            maxPosition: config.maxPositionPerMarket * COUNT_SCALE,
          },
        },
        (a) => ports.bus.emit('actor.action', a),
      );
      const stop = projectActorEvents(ports.bus, strategy.name, ports.clock, ports.totals);
      return {
        strategy,
        trigger: 'recorded',
        status: () => ({
          market_mode: config.actor.marketMode,
          contract_size: config.actor.contractSize,
          ...extra.status?.(),
        }),
        stop,
      };
    },
    close: async () => undefined,
  };
}
