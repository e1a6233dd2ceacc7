/** Strategies and the runner that feeds them: public surface. */

export {
  type BuiltStrategy,
  DEFAULT_MODEL_FILE,
  latencyStatus,
  type PreparedStrategy,
  preparePolicy,
  prepareStrategy,
  type StrategyConfig,
  type StrategyPorts,
} from './factory.js';
export {
  createStrategy,
  HARDCODED_ACTIONS,
  HARDCODED_SIZES,
  HardcodedStrategy,
  NoStrategy,
} from './hardcoded.js';
export {
  type ActorAction,
  type PolicyInference,
  type PolicyPorts,
  type PolicySettings,
  PolicyStrategy,
} from './policy.js';
export { projectActorEvents } from './policy-events.js';
export { StrategyRunner, type StrategyRunnerDeps, type StrategyRunnerStats } from './runner.js';
export type { MarketView, Strategy, StrategyResult } from './types.js';
