/**
 * The shape of a validated trader configuration. `loadConfig` (load.ts) builds one from flags and
 * the environment, naming each bad input; this schema is the final invariant check and the type.
 *
 * Units: contract limits are whole contracts; money is integer micro-dollars (`Micros`) with the
 * dollar string kept beside it for people; durations are milliseconds unless the name says `Sec`.
 */
import { z } from 'zod';
import { RATE_LIMIT_TIERS, type RateLimitTier } from '../kalshi/index.js';
import { EdgeRuntimeSchema } from './edge.js';

export const TRADER_ENVS = ['sim', 'paper', 'production'] as const;
export type TraderEnv = (typeof TRADER_ENVS)[number];

export const STRATEGIES = ['hardcoded', 'none', 'policy', 'edge'] as const;
export type StrategyName = (typeof STRATEGIES)[number];
export const ACTOR_MARKET_MODES = ['hot', 'config', 'all'] as const;
export type ActorMarketMode = (typeof ACTOR_MARKET_MODES)[number];

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const RATE_LIMIT_TIER_NAMES = Object.keys(RATE_LIMIT_TIERS) as RateLimitTier[];
/**
 * `--rate-limit-tier exchange` (the default): the limits the exchange reports for the account
 * (GET /account/limits), basic until it answers or when it cannot say.
 */
export const RATE_LIMIT_FROM_EXCHANGE = 'exchange';
export const RATE_LIMIT_CHOICES = [RATE_LIMIT_FROM_EXCHANGE, ...RATE_LIMIT_TIER_NAMES] as const;
export type RateLimitChoice = typeof RATE_LIMIT_FROM_EXCHANGE | RateLimitTier;

const httpUrl = z.string().regex(/^https?:\/\/[^/\s]+/, 'expected an http(s) URL');
const wsUrl = z.string().regex(/^wss?:\/\/[^/\s]+/, 'expected a ws(s) URL');
const positiveInt = z.number().int().positive();

export const CredentialsSchema = z.object({
  keyId: z.string().min(1),
  /** The PEM itself. Never log it: use redactedConfig(). */
  privateKeyPem: z.string().min(1),
  /** Where the PEM was read from (for messages and logs). */
  privateKeyPath: z.string().optional(),
});
export type Credentials = z.infer<typeof CredentialsSchema>;

export const MarketSelectionSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('tickers'), tickers: z.array(z.string().min(1)).min(1) }),
  /** Every open market of these series (one or more, e.g. the daily-high ladders of several cities). */
  z.object({ kind: z.literal('series'), series: z.array(z.string().min(1)).min(1) }),
  /** count 'all': every open market. */
  z.object({ kind: z.literal('markets'), count: z.union([positiveInt, z.literal('all')]) }),
]);
export type MarketSelection = z.infer<typeof MarketSelectionSchema>;

export const RiskLimitsSchema = z.object({
  /** Largest single order, whole contracts. */
  maxContractsPerOrder: positiveInt,
  /** Largest absolute position in one market, whole contracts. */
  maxPositionPerMarket: positiveInt,
  /** Most resting orders at once, across markets. */
  maxOpenOrders: positiveInt,
  /** Largest total cost at risk, as a dollar string ("500.0000")... */
  maxExposureDollars: z.string().regex(/^\d+\.\d{4,6}$/),
  /** ...and the same amount in integer micro-dollars. */
  maxExposureMicros: z.number().int().positive(),
  /** Consecutive order errors that open the circuit breaker. */
  breakerErrors: positiveInt,
  /** The day's net P&L below minus this trips the daily-loss breaker (dollar string)... */
  maxDailyLossDollars: z.string().regex(/^\d+\.\d{4,6}$/),
  /** ...and the same amount in integer micro-dollars. */
  maxDailyLossMicros: z.number().int().positive(),
  /** Equity this many percent below its peak trips the drawdown breaker (1–100). */
  maxDrawdownPct: z.number().int().min(1).max(100),
});
export type RiskLimits = z.infer<typeof RiskLimitsSchema>;

/** Portfolio limits (seed 002 §4.2, §5) for every strategy; percentages of capital (cash + positions at cost). */
export const PortfolioLimitsSchema = z.object({
  maxTotalExposurePct: z.number().int().min(1).max(100),
  maxSinglePositionPct: z.number().int().min(1).max(100),
  maxCityExposurePct: z.number().int().min(1).max(100),
  /** A correlation region (the city table's) on one target date. */
  maxRegionExposurePct: z.number().int().min(1).max(100),
  /** Cash that must stay uncommitted after an order (dollar string, and micro-dollars). */
  minReserveDollars: z.string().regex(/^\d+\.\d{4,6}$/),
  minReserveMicros: z.number().int().min(0),
  maxPositionsPerCity: positiveInt,
  maxTotalPositions: positiveInt,
});
export type PortfolioLimitsConfig = z.infer<typeof PortfolioLimitsSchema>;

export const SimOptionsSchema = z.object({
  /** Seed for the simulator's universe and synthetic participants. */
  seed: z.number().int().min(0),
  /** Markets the simulator lists. */
  markets: positiveInt,
  /** Background activity, actions per second (0 = quiet). */
  rate: z.number().min(0),
  /** Starting cash of the trader's simulator account, micro-dollars. */
  balanceMicros: z.number().int().min(0),
});
export type SimOptions = z.infer<typeof SimOptionsSchema>;

export const TraderConfigSchema = z.object({
  env: z.enum(TRADER_ENVS),
  /**
   * Trading REST/WS base URLs. Unset for `sim` unless overridden: the runtime fills them from the
   * embedded simulator it starts.
   */
  restUrl: httpUrl.optional(),
  wsUrl: wsUrl.optional(),
  /** Hybrid mode: market data from production, trading on paper (env must be `paper`). */
  hybrid: z.boolean(),
  /** Market-data URLs; equal to the trading URLs unless hybrid. */
  marketDataRestUrl: httpUrl.optional(),
  marketDataWsUrl: wsUrl.optional(),
  /** Trading credentials; required for paper and production. */
  credentials: CredentialsSchema.optional(),
  /** Production credentials for market data in hybrid mode (Kalshi's WS needs auth even for public channels). */
  marketDataCredentials: CredentialsSchema.optional(),
  marketSelection: MarketSelectionSchema,
  strategy: z.enum(STRATEGIES),
  /** --strategy edge: its settings (config/edge.ts). */
  edge: EdgeRuntimeSchema.optional(),
  /** Cancel resting orders at startup (calibration cleanup). */
  cleanup: z.boolean(),
  /** On shutdown, leave resting orders on the book instead of cancelling them. */
  keepOrders: z.boolean(),
  /** Stop gracefully after this many seconds. */
  durationSec: z.number().positive().optional(),
  inspect: z.boolean(),
  logLevel: z.enum(LOG_LEVELS),
  dataDir: z.string().min(1),
  /** Postgres (DATABASE_URL); without it the record goes to embedded PGlite under dataDir. Never logged unmasked. */
  databaseUrl: z.string().optional(),
  tickThrottleMs: z.number().int().min(0),
  /** The policy actor (--strategy policy): model file, which markets it trades, its size unit. */
  actor: z.object({
    /** The ONNX policy (default: the shipped models/policy.onnx). */
    model: z.string().min(1).optional(),
    /** hot: the most active watched market (hysteresis); config: the --tickers; all: every watched market. */
    marketMode: z.enum(ACTOR_MARKET_MODES),
    /** Whole contracts of the smallest size bucket (buckets are ×1, 2, 5, 10, 25). */
    contractSize: positiveInt,
  }),
  /** Maker→taker conversion: a post-only order resting this long is canceled and its rest taken (off when unset). */
  makerToTakerMs: z.number().int().positive().optional(),
  /** A conversion's taker price may be at most this many cents worse than the maker's price. */
  maxTakerSlippageTicks: z.number().int().min(0).max(99),
  /** The order group's contracts limit per rolling 15 s (whole contracts); default derived from the risk limits. */
  orderGroupLimit: positiveInt.optional(),
  /** While READY, positions, resting orders and recent fills are reconciled this often. */
  reconcileIntervalMs: positiveInt,
  /** Books we trade are compared with the exchange's REST book this often (and after every resync). */
  bookCheckIntervalMs: positiveInt,
  /** Items a page in calibration's full reads (1–1,000; the largest Kalshi documents by default). */
  calibrationPageSize: z.number().int().min(1).max(1000),
  /**
   * A calibration after the run's first reads fills and settlements from when the last one began,
   * less this (it must exceed the clocks' skew); the first reads the whole run.
   */
  calibrationOverlapMs: positiveInt,
  /** A ledger/exchange balance difference above this is flagged and halts trading instead of being booked. */
  maxBalanceDriftMicros: z.number().int().min(0),
  /** Orders on the account that are not ours: adopted and flagged, or a halt. */
  foreignOrders: z.enum(['adopt', 'halt']),
  /**
   * Order-create headers are signed ahead and used while at most this old (ms; 0 = sign every
   * order inline). Kalshi's tolerance for an old timestamp is unpublished: keep it short.
   */
  presignMaxAgeMs: z.number().int().min(0),
  healthCheckMs: positiveInt,
  statusIntervalMs: positiveInt,
  rateLimitTier: z.enum(RATE_LIMIT_CHOICES as unknown as [RateLimitChoice, ...RateLimitChoice[]]),
  risk: RiskLimitsSchema,
  /** Portfolio limits in the RiskController; absent with --no-portfolio-limits. */
  portfolio: PortfolioLimitsSchema.optional(),
  sim: SimOptionsSchema,
});
export type TraderConfig = z.infer<typeof TraderConfigSchema>;
