/** The embedded Kalshi-compatible exchange simulator: public surface. */
export type * from './core-types.js';
export { createExchangeCore } from './exchange.js';
export type { FaultCommand, FaultSnapshot } from './faults.js';
export type { LifecycleDriver, LifecycleStats, LifecycleTickResult } from './lifecycle.js';
export {
  type RateLimitTier,
  type SimCredentials,
  type Simulator,
  type SimulatorOptions,
  startSimulator,
} from './simulator.js';
