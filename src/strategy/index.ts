/** Strategies and the runner that feeds them: public surface. */

export { EdgeRunner, type EdgeRunnerDeps, type EdgeRunnerStats } from './edge.js';
export { EdgeModelError, loadEdgeClassifier, writeEdgeModel } from './edge-classifier.js';
export { type DecidedLadder, decideLadder, type EdgeClassifier, edgeEvidence } from './edge-decide.js';
export { createEdgeStrategy, type EdgeRuntimeParts, type EdgeStrategyHandle } from './edge-runtime.js';
export {
  runEdgeScenario,
  SCENARIO_CITIES,
  type ScenarioResult,
  type ScenarioSample,
  type ScenarioVariant,
} from './edge-scenario.js';
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
  type PolicyQuestion,
  type PolicyScores,
  type PolicySettings,
  PolicyStrategy,
} from './policy.js';
export { projectActorEvents } from './policy-events.js';
export { StrategyRunner, type StrategyRunnerDeps, type StrategyRunnerStats } from './runner.js';
export type { MarketView, Strategy, StrategyResult } from './types.js';
