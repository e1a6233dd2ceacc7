/**
 * The edge trader's configuration (seed 000's TradingConfig and config/edge_trader.json), validated
 * with zod; every problem names its field. Keys are seed 000's (snake_case, dollars as numbers) so a
 * seed-style JSON file loads unchanged; `resolveEdgeConfig` turns them into our units and derives
 * the dial's settings.
 *
 * Defaults: the seed's conservative deployment file where it sets a value (aggressiveness 0.3,
 * max_bet_per_trade_usd 20, max_daily_loss_usd 200, enabled_cities ["chicago"], dry_run), the
 * TradingConfig dataclass elsewhere; bankroll_usd has none (the account's available cash is used).
 */
import { z } from 'zod';
import { MICROS_PER_DOLLAR, type Micros } from '../domain/index.js';
import { type DialSettings, dial } from './dial.js';
import { EdgeError } from './errors.js';
import type { FeeSchedule } from './fees.js';
import type { ForecastModelParams } from './forecast-implied.js';
import type { MakerTimeoutParams } from './maker-timeout.js';
import type { PortfolioLimits } from './portfolio-limits.js';

const dollars = z.number().positive().max(1e9);
const pct = z.number().gt(0).max(100);

export const EdgeConfigSchema = z
  .object({
    /** The dial, 0 = conservative … 1 = aggressive (dial.ts). */
    aggressiveness: z.number().min(0).max(1).default(0.3),
    /** Largest cost of one order, dollars. */
    max_bet_per_trade_usd: dollars.default(20),
    /** For the RiskController's daily-loss breaker (and the evaluation's own gate when dayPnl is given). */
    max_daily_loss_usd: dollars.default(200),
    max_positions_per_city: z.number().int().positive().default(4),
    max_total_positions: z.number().int().positive().default(20),
    /** |forecast − market| at which a signal fires, °F. */
    edge_threshold_degf: z.number().min(0).max(50).default(1.5),
    /** City ids (config/cities.json). */
    enabled_cities: z
      .array(z.string().regex(/^[a-z][a-z0-9_]*$/, 'expected a city id like "chicago"'))
      .default(['chicago']),
    /** Kelly bankroll, dollars; default the available cash. */
    bankroll_usd: dollars.optional(),
    /** Seed 000's dry_run: evaluate and log, place nothing (the runtime honours it). */
    dry_run: z.boolean().default(true),

    maker_timeout_base_seconds: z.number().positive().max(86_400).default(120),
    volume_timeout_multiplier: z.number().min(1).max(10).default(1.5),
    volume_lookback_minutes: z.number().positive().max(1_440).default(30),
    /** Volume over the lookback at which the timeout is its base, contracts. */
    volume_reference_contracts: z.number().positive().default(50),

    /** Without a classifier probability, refuse to trade (true) or skip the filter (false: sim/dry runs). */
    require_classifier: z.boolean().default(true),
    /** Resolved classifier trades before full Kelly sizing; fewer stake at most 1% (seed 002). */
    min_track_record: z.number().int().min(0).default(20),
    /** Smallest taker edge after fees for the recommended leg, cents per contract. */
    min_bracket_edge_cents: z.number().min(0).max(100).default(1),

    /** Market-implied: widest trusted spread (cents) and largest |Σ mids − 1| (dollars). */
    max_spread_cents: z.number().positive().max(100).default(20),
    mass_tolerance: z.number().min(0).max(1).default(0.15),

    /** Forecast distribution (forecast-implied.ts). */
    sigma_base_degf: z.number().min(0).max(20).default(1.5),
    sigma_per_day_degf: z.number().min(0).max(20).default(1.0),
    sigma_min_degf: z.number().positive().max(20).default(0.5),
    sigma_max_degf: z.number().positive().max(50).default(12),

    /** Portfolio limits (seed 002 §4.2), percent of capital. */
    max_total_exposure_pct: pct.default(80),
    max_single_position_pct: pct.default(25),
    max_city_exposure_pct: pct.default(40),
    max_correlated_exposure_pct: pct.default(50),
    min_balance_reserve_usd: z.number().min(0).max(1e9).default(1),

    /** The series' fee schedule (weather: quadratic, 1×). */
    fee_type: z.enum(['quadratic', 'quadratic_with_maker_fees', 'flat']).default('quadratic'),
    fee_multiplier: z.number().min(0).max(10).default(1),
  })
  .strict()
  .refine((c) => c.sigma_min_degf <= c.sigma_max_degf, {
    message: 'must not exceed sigma_max_degf',
    path: ['sigma_min_degf'],
  });

export type EdgeConfigInput = z.input<typeof EdgeConfigSchema>;
export type EdgeConfig = z.output<typeof EdgeConfigSchema>;

/** A configuration error: every problem, each naming its field. */
export class EdgeConfigError extends EdgeError {
  readonly problems: ReadonlyArray<{ field: string; message: string }>;

  constructor(problems: ReadonlyArray<{ field: string; message: string }>) {
    const first = problems[0] ?? { field: '(config)', message: 'invalid' };
    super(
      'EDGE_CONFIG_BAD_VALUE',
      first.field,
      problems.length === 1
        ? first.message
        : `${first.message} (and ${problems.length - 1} more: ${problems
            .slice(1)
            .map((p) => `${p.field}: ${p.message}`)
            .join('; ')})`,
    );
    this.name = 'EdgeConfigError';
    this.problems = problems;
  }
}

export function parseEdgeConfig(input: unknown = {}): EdgeConfig {
  const r = EdgeConfigSchema.safeParse(input);
  if (r.success) return r.data;
  throw new EdgeConfigError(
    r.error.issues.map((i) => ({
      field:
        i.path.length > 0
          ? i.path.map(String).join('.')
          : (i as { keys?: string[] }).keys?.join(', ') || '(config)',
      message: i.message,
    })),
  );
}

/** The configuration in our units, with the dial's derived settings. */
export interface ResolvedEdgeConfig {
  readonly config: EdgeConfig;
  readonly dial: DialSettings;
  readonly maxBet: Micros;
  readonly maxDailyLoss: Micros;
  readonly bankroll?: Micros;
  readonly edgeThresholdDegF: number;
  readonly enabledCities: ReadonlySet<string>;
  readonly makerTimeout: MakerTimeoutParams;
  readonly forecastModel: ForecastModelParams;
  readonly portfolioLimits: PortfolioLimits;
  readonly feeSchedule: FeeSchedule;
}

const micros = (usd: number): Micros => Math.round(usd * MICROS_PER_DOLLAR);
const bps = (percent: number) => Math.round(percent * 100);

export function resolveEdgeConfig(input: unknown = {}): ResolvedEdgeConfig {
  const c = parseEdgeConfig(input);
  return {
    config: c,
    dial: dial(c.aggressiveness),
    maxBet: micros(c.max_bet_per_trade_usd),
    maxDailyLoss: micros(c.max_daily_loss_usd),
    ...(c.bankroll_usd !== undefined ? { bankroll: micros(c.bankroll_usd) } : {}),
    edgeThresholdDegF: c.edge_threshold_degf,
    enabledCities: new Set(c.enabled_cities),
    makerTimeout: {
      baseMs: Math.round(c.maker_timeout_base_seconds * 1_000),
      volumeMultiplier: c.volume_timeout_multiplier,
      lookbackMs: Math.round(c.volume_lookback_minutes * 60_000),
      referenceVolume: Math.max(1, Math.round(c.volume_reference_contracts * 100)),
    },
    forecastModel: {
      sigmaBaseF: c.sigma_base_degf,
      sigmaPerDayF: c.sigma_per_day_degf,
      sigmaMinF: c.sigma_min_degf,
      sigmaMaxF: c.sigma_max_degf,
    },
    portfolioLimits: {
      maxTotalBps: bps(c.max_total_exposure_pct),
      maxPositionBps: bps(c.max_single_position_pct),
      maxCityBps: bps(c.max_city_exposure_pct),
      maxRegionBps: bps(c.max_correlated_exposure_pct),
      minReserve: micros(c.min_balance_reserve_usd),
      maxPositionsPerCity: c.max_positions_per_city,
      maxTotalPositions: c.max_total_positions,
    },
    feeSchedule: { feeType: c.fee_type, feeMultiplier: Math.round(c.fee_multiplier * 10_000) },
  };
}
