/**
 * Configuration: flags + environment → a validated TraderConfig, its errors, and what of it is
 * safe to show.
 */
export { CONFIG_ERROR_CODES, ConfigError, type ConfigErrorCode, type ConfigProblem } from './errors.js';
export {
  type ConfigEnv,
  type ConfigFlags,
  configWarnings,
  DEFAULTS,
  defaultStrategy,
  KALSHI_URLS,
  type LoadConfigOptions,
  loadConfig,
} from './load.js';
export {
  REDACTED,
  type RedactedTraderConfig,
  redactedConfig,
  redactSecrets,
  SECRET_KEYS,
  scrubSecretLine,
  scrubSecretText,
} from './redact.js';
export {
  ACTOR_MARKET_MODES,
  type ActorMarketMode,
  type Credentials,
  LOG_LEVELS,
  type LogLevel,
  type MarketSelection,
  type PortfolioLimitsConfig,
  RATE_LIMIT_CHOICES,
  RATE_LIMIT_FROM_EXCHANGE,
  RATE_LIMIT_TIER_NAMES,
  type RateLimitChoice,
  type RiskLimits,
  type SimOptions,
  STRATEGIES,
  type StrategyName,
  TRADER_ENVS,
  type TraderConfig,
  TraderConfigSchema,
  type TraderEnv,
} from './schema.js';
