/** The embedded Kalshi-compatible exchange simulator: public surface. */
export type * from './core-types.js';
export { createExchangeCore } from './exchange.js';
export type { FaultCommand, FaultSnapshot } from './faults.js';
export type { LifecycleDriver, LifecycleStats, LifecycleTickResult } from './lifecycle.js';
export { DEFAULT_MICROSTRUCTURE, type FlowState, type MicrostructureParams } from './microstructure.js';
export type { SeedResult } from './seed-account.js';
export {
  type RateLimitTier,
  type SimCredentials,
  type Simulator,
  type SimulatorOptions,
  startSimulator,
} from './simulator.js';
export {
  bracketFairs,
  createWeatherWorld,
  DEFAULT_WEATHER,
  WEATHER_CITIES,
  type WeatherCity,
  type WeatherDay,
  type WeatherForecast,
  type WeatherParams,
  type WeatherWorld,
} from './weather.js';
export {
  createHeadlessWeatherSim,
  type HeadlessOptions,
  type HeadlessWeatherSim,
} from './weather-scenario.js';
export { forecastDocument, NWS_PREFIX } from './weather-service.js';
