/**
 * `--strategy edge` settings: the seed 000 config file (`--edge-config FILE`, JSON merged over the
 * defaults, validated by src/edge's schema — every problem names its field), the forecast source,
 * the classifier model, the evaluation cycle and dry run.
 *
 *   --edge-config FILE        seed 000 keys (aggressiveness, max_bet_per_trade_usd, enabled_cities, …);
 *                             on --env sim enabled_cities defaults to the seven cities the
 *                             simulator lists (SIMULATOR_CITY_IDS), elsewhere to seed 000's ["chicago"]
 *   --forecast-source S       sim (the simulator's NWS-shaped service; default on --env sim without
 *                             an external simulator) | nws (api.weather.gov; default otherwise) | file
 *   --forecast-file FILE      with --forecast-source file
 *   --nws-url URL             NWS base URL (default https://api.weather.gov)
 *   --nws-contact TEXT        the contact NWS asks for in the User-Agent (env TRADERV3_NWS_CONTACT;
 *                             required for nws)
 *   --edge-model FILE|none    the classifier (default models/edge.onnx when it exists)
 *   --edge-cycle-ms MS        how often the ladders are evaluated (default 15000)
 *   --cities FILE             extra cities (added to / replacing config/cities.json's)
 *   --dry-run                 evaluate and record everything, send nothing. Default: the config
 *                             file's dry_run if it sets one, else off on sim, on elsewhere (seed 000's
 *                             default is dry_run true: real money starts in dry run).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { EdgeConfigError, parseEdgeConfig } from '../edge/index.js';
import { loadCities, SIMULATOR_CITY_IDS } from '../forecast/index.js';
import type { Collector } from './load.js';
import type { TraderEnv } from './schema.js';

export const DEFAULT_EDGE_MODEL = fileURLToPath(new URL('../../models/edge.onnx', import.meta.url));
export const EDGE_CYCLE_MS = 15_000;
export const FORECAST_SOURCES = ['sim', 'nws', 'file'] as const;

export const EdgeRuntimeSchema = z.object({
  /** The seed 000 keys as given (validated; the runtime resolves them with resolveEdgeConfig). */
  settings: z.record(z.string(), z.unknown()),
  dryRun: z.boolean(),
  forecast: z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('sim') }),
    z.object({ kind: z.literal('nws'), baseUrl: z.string(), contact: z.string().min(1) }),
    z.object({ kind: z.literal('file'), file: z.string().min(1) }),
  ]),
  /** The classifier model file; unset: none (then require_classifier decides). */
  model: z.string().optional(),
  cycleMs: z.number().int().positive(),
  citiesFile: z.string().optional(),
});
export type EdgeRuntime = z.infer<typeof EdgeRuntimeSchema>;

export interface EdgeLoad {
  readonly runtime: EdgeRuntime;
  /** Every enabled city's series: the market selection when none was given. */
  readonly defaultSeries: readonly string[];
  /**
   * The portfolio limits the edge config file sets, as config.portfolio's fields: the RiskController
   * checks them for every order (a flag still wins), so the strategy does not check them twice.
   */
  readonly portfolio: EdgePortfolioDefaults;
}

export interface EdgePortfolioDefaults {
  maxTotalExposurePct?: number;
  maxSinglePositionPct?: number;
  maxCityExposurePct?: number;
  maxRegionExposurePct?: number;
  minReserveDollars?: string;
  maxPositionsPerCity?: number;
  maxTotalPositions?: number;
}

/** Seed 000/002 key → config.portfolio field (percent fields must be whole numbers there). */
const PORTFOLIO_KEYS = [
  ['max_total_exposure_pct', 'maxTotalExposurePct'],
  ['max_single_position_pct', 'maxSinglePositionPct'],
  ['max_city_exposure_pct', 'maxCityExposurePct'],
  ['max_correlated_exposure_pct', 'maxRegionExposurePct'],
  ['max_positions_per_city', 'maxPositionsPerCity'],
  ['max_total_positions', 'maxTotalPositions'],
] as const;

function portfolioFromSettings(
  c: Collector,
  settings: Readonly<Record<string, unknown>>,
  label: string,
): EdgePortfolioDefaults {
  const out: EdgePortfolioDefaults = {};
  for (const [key, field] of PORTFOLIO_KEYS) {
    const v = settings[key];
    if (typeof v !== 'number') continue;
    if (Number.isInteger(v)) out[field] = v;
    else
      c.problem(
        'CONFIG_BAD_VALUE',
        `${label}: ${key}`,
        `edge config ${key}: expected a whole number, got ${v}`,
      );
  }
  const reserve = settings.min_balance_reserve_usd;
  if (typeof reserve === 'number') out.minReserveDollars = reserve.toFixed(6);
  return out;
}

export function loadEdgeRuntime(
  c: Collector,
  readFile: (path: string) => string,
  traderEnv: TraderEnv,
  embeddedSim: boolean,
): EdgeLoad | undefined {
  const fileIn = c.input('edgeConfig');
  let settings: Record<string, unknown> = {};
  if (fileIn) {
    try {
      const parsed: unknown = JSON.parse(readFile(fileIn.raw));
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
        c.problem('CONFIG_BAD_VALUE', fileIn.label, `${fileIn.label} ${fileIn.raw}: expected a JSON object`);
      } else settings = parsed as Record<string, unknown>;
    } catch (e) {
      c.problem('CONFIG_BAD_VALUE', fileIn.label, `${fileIn.label} ${fileIn.raw}: ${(e as Error).message}`);
    }
  }
  // On the simulator (embedded or `traderv3 exchange-sim --weather`) the trader trades every city
  // it lists, unless told.
  if (traderEnv === 'sim' && !('enabled_cities' in settings))
    settings = { ...settings, enabled_cities: [...SIMULATOR_CITY_IDS] };
  let cfg: ReturnType<typeof parseEdgeConfig>;
  try {
    cfg = parseEdgeConfig(settings);
  } catch (e) {
    if (!(e instanceof EdgeConfigError)) throw e;
    for (const p of e.problems) {
      c.problem(
        'CONFIG_BAD_VALUE',
        `${fileIn?.raw ?? 'edge config'}: ${p.field}`,
        `edge config ${p.field}: ${p.message}`,
      );
    }
    return undefined;
  }
  const citiesIn = c.input('cities');
  let defaultSeries: readonly string[] = ['KXHIGHCHI'];
  try {
    const table = loadCities(citiesIn ? { extraFile: citiesIn.raw } : {});
    const series = cfg.enabled_cities.map((id) => table.byId(id).series);
    if (series.length > 0) defaultSeries = series;
  } catch (e) {
    c.problem(
      'CONFIG_BAD_VALUE',
      citiesIn?.label ?? 'enabled_cities',
      `edge cities: ${(e as Error).message}`,
    );
  }

  const sourceIn = c.input('forecastSource', 'TRADERV3_FORECAST_SOURCE');
  const kind = c.oneOf(sourceIn, FORECAST_SOURCES, embeddedSim ? 'sim' : 'nws');
  let forecast: EdgeRuntime['forecast'] = { kind: 'sim' };
  if (kind === 'sim' && !embeddedSim) {
    c.problem(
      'CONFIG_CONFLICT',
      sourceIn?.label ?? '--forecast-source',
      '--forecast-source sim needs the embedded simulator (--env sim without --api-url)',
    );
  } else if (kind === 'file') {
    const f = c.input('forecastFile');
    if (!f)
      c.problem('CONFIG_MISSING', '--forecast-file', '--forecast-source file needs --forecast-file FILE');
    forecast = { kind: 'file', file: f?.raw ?? '' };
  } else if (kind === 'nws') {
    const contact = c.input('nwsContact', 'TRADERV3_NWS_CONTACT');
    if (!contact) {
      c.problem(
        'CONFIG_MISSING',
        '--nws-contact',
        'the NWS API asks for a contact in the User-Agent: --nws-contact EMAIL_OR_URL (or TRADERV3_NWS_CONTACT)',
      );
    }
    forecast = {
      kind: 'nws',
      baseUrl: c.input('nwsUrl')?.raw ?? 'https://api.weather.gov',
      contact: contact?.raw ?? '-',
    };
  }

  const modelIn = c.input('edgeModel', 'TRADERV3_EDGE_MODEL');
  let model: string | undefined;
  if (modelIn && modelIn.raw !== 'none') {
    if (!existsSync(modelIn.raw))
      c.problem('CONFIG_BAD_VALUE', modelIn.label, `${modelIn.label}: no file ${modelIn.raw}`);
    model = modelIn.raw;
  } else if (!modelIn && existsSync(DEFAULT_EDGE_MODEL)) model = DEFAULT_EDGE_MODEL;

  const dryFlag = c.input('dryRun');
  const dryRun = dryFlag !== undefined ? true : 'dry_run' in settings ? cfg.dry_run : traderEnv !== 'sim';
  return {
    runtime: {
      settings,
      dryRun,
      forecast,
      ...(model ? { model } : {}),
      cycleMs: c.int(c.input('edgeCycleMs'), 1_000, 3_600_000, EDGE_CYCLE_MS),
      ...(citiesIn ? { citiesFile: citiesIn.raw } : {}),
    },
    defaultSeries,
    portfolio: portfolioFromSettings(c, settings, fileIn?.raw ?? 'edge config'),
  };
}
