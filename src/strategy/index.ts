/** Strategies and the runner that feeds them: public surface. */
export {
  createStrategy,
  HARDCODED_ACTIONS,
  HARDCODED_SIZES,
  HardcodedStrategy,
  NoStrategy,
} from './hardcoded.js';
export { StrategyRunner, type StrategyRunnerDeps, type StrategyRunnerStats } from './runner.js';
export type { MarketView, Strategy, StrategyResult } from './types.js';
