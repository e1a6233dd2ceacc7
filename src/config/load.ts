/**
 * loadConfig: command-line flags + environment → a validated TraderConfig.
 *
 * Precedence: a flag beats its environment variable, which beats the default. Every problem names
 * the flag or variable it came from and the bad value; all problems are collected and thrown
 * together as one ConfigError. Nothing defaults to production, and production refuses to load
 * without KALSHI_PRODUCTION_CONFIRMED=true. The only I/O is reading private-key files, through the
 * injectable `readFile`; key material never appears in a message.
 *
 * Environment variables (flags in parentheses):
 *   KALSHI_API_URL (--api-url), KALSHI_WS_URL (--ws-url)             trading endpoints
 *   KALSHI_API_KEY_ID (--key-id), KALSHI_PRIVATE_KEY_PATH (--private-key)
 *   KALSHI_MARKET_DATA_API_URL / _WS_URL, KALSHI_MARKET_DATA_API_KEY_ID / _PRIVATE_KEY_PATH (hybrid)
 *   KALSHI_PRODUCTION_CONFIRMED=true                                  required for --env production
 *   KALSHI_RATE_LIMIT_TIER (--rate-limit-tier)
 *   RL_ACTOR_TICK_THROTTLE_MS (--tick-throttle-ms), RL_ACTOR_TARGET_MARKET_MODE (--actor-market-mode),
 *   RL_ACTOR_CONTRACT_SIZE (--contract-size), RL_ACTOR_MODEL (--model)
 *   TRADERV3_DATA_DIR (--data-dir), TRADERV3_LOG_LEVEL (--log-level)
 *   TRADERV3_HEALTH_CHECK_MS, TRADERV3_STATUS_INTERVAL_MS
 *   TRADERV3_MAX_CONTRACTS_PER_ORDER, TRADERV3_MAX_POSITION_PER_MARKET, TRADERV3_MAX_OPEN_ORDERS,
 *   TRADERV3_MAX_EXPOSURE_DOLLARS, TRADERV3_BREAKER_ERRORS, TRADERV3_MAX_DAILY_LOSS_DOLLARS,
 *   TRADERV3_MAX_DRAWDOWN_PCT (each also a --kebab-case flag)
 */
import { readFileSync, statSync } from 'node:fs';
import { createSigner, formatDollars, KalshiError, parseDollars } from '../kalshi/index.js';
import { loadEdgeRuntime } from './edge.js';
import { ConfigError, type ConfigErrorCode, type ConfigProblem } from './errors.js';
import {
  ACTOR_MARKET_MODES,
  type Credentials,
  LOG_LEVELS,
  type LogLevel,
  type MarketSelection,
  RATE_LIMIT_CHOICES,
  RATE_LIMIT_FROM_EXCHANGE,
  type RateLimitChoice,
  STRATEGIES,
  type StrategyName,
  TRADER_ENVS,
  type TraderConfig,
  TraderConfigSchema,
  type TraderEnv,
} from './schema.js';

/** Kalshi's endpoints (KALSHI.md §1). */
export const KALSHI_URLS = {
  paper: {
    restUrl: 'https://external-api.demo.kalshi.co/trade-api/v2',
    wsUrl: 'wss://external-api-ws.demo.kalshi.co/trade-api/ws/v2',
  },
  production: {
    restUrl: 'https://external-api.kalshi.com/trade-api/v2',
    wsUrl: 'wss://external-api-ws.kalshi.com/trade-api/ws/v2',
  },
} as const;

/** Simulator markets for --strategy edge: a ladder, CPI, BTC, then 13 more ladders (7 cities, 2 days). */
const EDGE_SIM_MARKETS = 6 + 5 + 5 + 6 * 13;

export const DEFAULTS = {
  markets: 3,
  dataDir: '.traderv3',
  logLevel: 'info' as LogLevel,
  tickThrottleMs: 250,
  actorMarketMode: 'hot' as 'hot' | 'config' | 'all',
  contractSize: 1,
  healthCheckMs: 30_000,
  presignMaxAgeMs: 1_000,
  statusIntervalMs: 30_000,
  rateLimitTier: RATE_LIMIT_FROM_EXCHANGE as RateLimitChoice,
  risk: {
    maxContractsPerOrder: 25,
    maxPositionPerMarket: 100,
    maxOpenOrders: 20,
    maxExposureDollars: '250',
    breakerErrors: 5,
    maxDailyLossDollars: '50',
    maxDrawdownPct: 30,
  },
  sim: { seed: 1, markets: 8, rate: 20, balanceDollars: '1000' },
  maxTakerSlippageTicks: 3,
  reconcileIntervalSec: 30,
  bookCheckIntervalSec: 30,
  calibrationPageSize: 1000,
  calibrationOverlapSec: 900,
  maxBalanceDriftDollars: '1',
  foreignOrders: 'adopt' as 'adopt' | 'halt',
  // Portfolio limits (seed 002 §4.2, §5; seed 000's position counts).
  portfolio: {
    maxTotalExposurePct: 80,
    maxSinglePositionPct: 25,
    maxCityExposurePct: 40,
    maxRegionExposurePct: 50,
    minReserveDollars: '1',
    maxPositionsPerCity: 4,
    maxTotalPositions: 20,
  },
} as const;

/** The strategy when --strategy is not given: the hardcoded demo strategy on sim, none elsewhere. */
export function defaultStrategy(env: TraderEnv): StrategyName {
  return env === 'sim' ? 'hardcoded' : 'none';
}

type FlagValue = string | number | boolean | undefined;

/** Flags as commander hands them over (camelCase of the long option). Values may be raw strings. */
export interface ConfigFlags {
  env?: FlagValue;
  tickers?: FlagValue;
  series?: FlagValue;
  markets?: FlagValue;
  strategy?: FlagValue;
  cleanup?: boolean;
  keepOrders?: boolean;
  duration?: FlagValue;
  inspect?: boolean;
  logLevel?: FlagValue;
  dataDir?: FlagValue;
  apiUrl?: FlagValue;
  wsUrl?: FlagValue;
  keyId?: FlagValue;
  privateKey?: FlagValue;
  /** --env sim: the simulator's credentials file ({key_id, private_key_pem, rest_url, ws_url}). */
  credentials?: FlagValue;
  hybrid?: boolean;
  marketDataApiUrl?: FlagValue;
  marketDataWsUrl?: FlagValue;
  marketDataKeyId?: FlagValue;
  marketDataPrivateKey?: FlagValue;
  rateLimitTier?: FlagValue;
  tickThrottleMs?: FlagValue;
  model?: FlagValue;
  actorMarketMode?: FlagValue;
  contractSize?: FlagValue;
  makerToTakerMs?: FlagValue;
  maxTakerSlippageTicks?: FlagValue;
  orderGroupLimit?: FlagValue;
  reconcileInterval?: FlagValue;
  bookCheckInterval?: FlagValue;
  calibrationPageSize?: FlagValue;
  calibrationOverlap?: FlagValue;
  maxBalanceDriftDollars?: FlagValue;
  foreignOrders?: FlagValue;
  maxContractsPerOrder?: FlagValue;
  maxPositionPerMarket?: FlagValue;
  maxOpenOrders?: FlagValue;
  maxExposureDollars?: FlagValue;
  breakerErrors?: FlagValue;
  maxDailyLossDollars?: FlagValue;
  maxDrawdownPct?: FlagValue;
  /** Portfolio limits; commander gives portfolioLimits false for --no-portfolio-limits. */
  portfolioLimits?: boolean;
  maxTotalExposurePct?: FlagValue;
  maxSinglePositionPct?: FlagValue;
  maxCityExposurePct?: FlagValue;
  maxRegionExposurePct?: FlagValue;
  minReserveDollars?: FlagValue;
  maxPositionsPerCity?: FlagValue;
  maxTotalPositions?: FlagValue;
  seed?: FlagValue;
  simMarkets?: FlagValue;
  simRate?: FlagValue;
  simBalance?: FlagValue;
  /** --strategy edge (config/edge.ts). */
  edgeConfig?: FlagValue;
  forecastSource?: FlagValue;
  forecastFile?: FlagValue;
  nwsUrl?: FlagValue;
  nwsContact?: FlagValue;
  edgeModel?: FlagValue;
  edgeCycleMs?: FlagValue;
  cities?: FlagValue;
  dryRun?: boolean;
}

export type ConfigEnv = Readonly<Record<string, string | undefined>>;

export interface LoadConfigOptions {
  /** Reads a private-key file as UTF-8 (default fs.readFileSync). */
  readFile?: (path: string) => string;
}

/** A raw input and where it came from, e.g. { label: '--markets', raw: 'x' }. */
export interface Input {
  label: string;
  raw: string;
}

function show(raw: string): string {
  return JSON.stringify(raw.length > 80 ? `${raw.slice(0, 80)}…` : raw);
}

function isUnset(v: FlagValue): v is undefined {
  return v === undefined || v === false || (typeof v === 'string' && v.trim() === '');
}

const TICKER = /^[A-Z0-9][A-Z0-9._-]{0,99}$/;

/** Host → which Kalshi it is, for the "does this URL match --env" safety check. */
function kalshiHostKind(url: string): 'production' | 'paper' | undefined {
  let host: string;
  try {
    host = new URL(url).hostname.toLowerCase();
  } catch {
    return undefined;
  }
  if (host === 'kalshi.com' || host.endsWith('.kalshi.com')) return 'production';
  if (host === 'kalshi.co' || host.endsWith('.kalshi.co')) return 'paper';
  return undefined;
}

export class Collector {
  readonly problems: ConfigProblem[] = [];

  constructor(
    private readonly flags: ConfigFlags,
    private readonly env: ConfigEnv,
  ) {}

  problem(code: ConfigErrorCode, source: string, message: string): void {
    this.problems.push({ code, source, message });
  }

  /** The flag if given, else the environment variable, else undefined. */
  input(flag: keyof ConfigFlags | undefined, envName?: string): Input | undefined {
    if (flag !== undefined) {
      const v = this.flags[flag];
      if (!isUnset(v)) return { label: `--${kebab(flag)}`, raw: String(v).trim() };
    }
    if (envName !== undefined) {
      const v = this.env[envName];
      if (v !== undefined && v.trim() !== '') return { label: envName, raw: v.trim() };
    }
    return undefined;
  }

  int(input: Input | undefined, min: number, max: number, fallback: number): number {
    if (!input) return fallback;
    if (!/^-?\d+$/.test(input.raw)) {
      this.problem(
        'CONFIG_BAD_VALUE',
        input.label,
        `${input.label}: expected an integer, got ${show(input.raw)}`,
      );
      return fallback;
    }
    const n = Number(input.raw);
    if (!Number.isSafeInteger(n) || n < min || n > max) {
      this.problem(
        'CONFIG_BAD_VALUE',
        input.label,
        `${input.label}: expected an integer from ${min} to ${max}, got ${show(input.raw)}`,
      );
      return fallback;
    }
    return n;
  }

  num(input: Input | undefined, min: number, max: number, fallback: number, exclusiveMin = false): number {
    if (!input) return fallback;
    const n = Number(input.raw);
    const low = exclusiveMin ? n <= min : n < min;
    if (!/^[0-9.eE+-]+$/.test(input.raw) || !Number.isFinite(n) || low || n > max) {
      const range = exclusiveMin ? `greater than ${min} and at most ${max}` : `from ${min} to ${max}`;
      this.problem(
        'CONFIG_BAD_VALUE',
        input.label,
        `${input.label}: expected a number ${range}, got ${show(input.raw)}`,
      );
      return fallback;
    }
    return n;
  }

  oneOf<T extends string>(input: Input | undefined, allowed: readonly T[], fallback: T): T {
    if (!input) return fallback;
    if ((allowed as readonly string[]).includes(input.raw)) return input.raw as T;
    this.problem(
      'CONFIG_BAD_VALUE',
      input.label,
      `${input.label}: expected one of ${allowed.join(', ')}, got ${show(input.raw)}`,
    );
    return fallback;
  }

  /** Money in dollars, > 0, returned as integer micro-dollars. */
  dollars(input: Input | undefined, fallback: string, allowZero: boolean): number {
    const raw = input?.raw ?? fallback;
    try {
      const micros = parseDollars(raw, input?.label ?? 'default');
      if (micros < 0 || (!allowZero && micros === 0)) throw new Error('out of range');
      return micros;
    } catch {
      const label = input?.label ?? 'default';
      this.problem(
        'CONFIG_BAD_VALUE',
        label,
        `${label}: expected an amount in dollars ${allowZero ? 'of 0 or more' : 'greater than 0'} with at most 6 decimals, got ${show(raw)}`,
      );
      return parseDollars(fallback);
    }
  }

  url(input: Input | undefined, kind: 'http' | 'ws'): string | undefined {
    if (!input) return undefined;
    const protocols = kind === 'http' ? ['http:', 'https:'] : ['ws:', 'wss:'];
    let parsed: URL | undefined;
    try {
      parsed = new URL(input.raw);
    } catch {
      parsed = undefined;
    }
    if (!parsed || !protocols.includes(parsed.protocol)) {
      this.problem(
        'CONFIG_BAD_VALUE',
        input.label,
        `${input.label}: expected a ${kind === 'http' ? 'http(s)://' : 'ws(s)://'} URL, got ${show(input.raw)}`,
      );
      return undefined;
    }
    if (parsed.username || parsed.password || parsed.search || parsed.hash) {
      this.problem(
        'CONFIG_BAD_VALUE',
        input.label,
        `${input.label}: the URL must not carry credentials, a query or a fragment, got ${show(`${parsed.protocol}//${parsed.host}${parsed.pathname}`)}…`,
      );
      return undefined;
    }
    return input.raw.replace(/\/+$/, '');
  }
}

/** The entries of `o` whose value is not undefined (so optional fields are absent, not undefined). */
function defined<T extends Record<string, unknown>>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function kebab(flag: string): string {
  return flag.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

function errorCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

const FS_PROBLEMS: Record<string, string> = {
  ENOENT: 'the file does not exist',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EISDIR: 'it is a directory, not a file',
};

/**
 * Reads and checks one key pair. `who` names what needs it (e.g. "paper", "hybrid market data").
 * Returns undefined (after recording problems) when anything is missing or wrong.
 */
function loadCredentials(
  c: Collector,
  readFile: (path: string) => string,
  who: string,
  keyIdIn: Input | undefined,
  pathIn: Input | undefined,
  names: { keyFlag: string; keyEnv: string; pathFlag: string; pathEnv: string },
  required: boolean,
): Credentials | undefined {
  const needKey = `${names.keyEnv} (or ${names.keyFlag})`;
  const needPath = `${names.pathEnv} (or ${names.pathFlag})`;
  if (!keyIdIn && !pathIn) {
    if (required) {
      c.problem(
        'CONFIG_MISSING',
        `${names.keyEnv}, ${names.pathEnv}`,
        `${who} needs ${needKey} and ${needPath}`,
      );
    }
    return undefined;
  }
  if (!keyIdIn) {
    c.problem('CONFIG_MISSING', names.keyEnv, `${who} needs ${needKey}`);
    return undefined;
  }
  if (!pathIn) {
    c.problem('CONFIG_MISSING', names.pathEnv, `${who} needs ${needPath}`);
    return undefined;
  }
  const where = `${pathIn.label} ${show(pathIn.raw)}`;
  let pem: string;
  try {
    pem = readFile(pathIn.raw);
  } catch (err) {
    const code = errorCode(err);
    const why = (code && FS_PROBLEMS[code]) ?? `cannot be read${code ? ` (${code})` : ''}`;
    c.problem('CONFIG_BAD_KEY', pathIn.label, `${where}: ${why}`);
    return undefined;
  }
  try {
    createSigner({ keyId: keyIdIn.raw, privateKeyPem: pem });
  } catch (err) {
    // createSigner's messages name the key id and the problem, never the key material.
    const why = err instanceof KalshiError ? err.message : 'not a usable RSA private key';
    c.problem('CONFIG_BAD_KEY', pathIn.label, `${where}: ${why}`);
    return undefined;
  }
  return { keyId: keyIdIn.raw, privateKeyPem: pem, privateKeyPath: pathIn.raw };
}

interface SimCredentialsFile {
  credentials: Credentials;
  restUrl: string;
  wsUrl: string;
}

/** `traderv3 exchange-sim --credentials FILE`'s file: {key_id, private_key_pem, rest_url, ws_url}. */
function readSimCredentials(
  c: Collector,
  readFile: (path: string) => string,
  input: Input,
): SimCredentialsFile | undefined {
  const where = `--credentials ${show(input.raw)}`;
  let text: string;
  try {
    text = readFile(input.raw);
  } catch (err) {
    const code = errorCode(err);
    const why = (code && FS_PROBLEMS[code]) ?? `cannot be read${code ? ` (${code})` : ''}`;
    c.problem('CONFIG_BAD_KEY', '--credentials', `${where}: ${why}`);
    return undefined;
  }
  let parsed: Record<string, unknown>;
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('not an object');
    parsed = value as Record<string, unknown>;
  } catch {
    c.problem('CONFIG_BAD_VALUE', '--credentials', `${where}: not a JSON object`);
    return undefined;
  }
  const field = (name: string, expected?: { pattern: RegExp; what: string }): string | undefined => {
    const v = parsed[name];
    if (typeof v === 'string' && v !== '' && (expected === undefined || expected.pattern.test(v))) return v;
    const problem = v === undefined ? 'missing' : `not ${expected?.what ?? 'a non-empty string'}`;
    c.problem('CONFIG_BAD_VALUE', '--credentials', `${where}: field ${name} is ${problem}`);
    return undefined;
  };
  const keyId = field('key_id');
  const pem = field('private_key_pem');
  const restUrl = field('rest_url', { pattern: /^https?:\/\/\S+$/, what: 'an http(s) URL' });
  const wsUrl = field('ws_url', { pattern: /^wss?:\/\/\S+$/, what: 'a ws(s) URL' });
  if (keyId === undefined || pem === undefined || restUrl === undefined || wsUrl === undefined)
    return undefined;
  try {
    createSigner({ keyId, privateKeyPem: pem });
  } catch (err) {
    const why = err instanceof KalshiError ? err.message : 'not a usable RSA private key';
    c.problem('CONFIG_BAD_KEY', '--credentials', `${where}: private_key_pem: ${why}`);
    return undefined;
  }
  return {
    credentials: { keyId, privateKeyPem: pem, privateKeyPath: input.raw },
    restUrl: restUrl.replace(/\/+$/, ''),
    wsUrl: wsUrl.replace(/\/+$/, ''),
  };
}

/**
 * What is allowed but worth saying at start: a private key file that others may read (ssh refuses
 * such keys; we warn). `stat` is injectable for tests.
 */
export function configWarnings(
  config: Pick<TraderConfig, 'credentials' | 'marketDataCredentials'>,
  stat: (path: string) => { mode: number } = statSync,
): string[] {
  const out: string[] = [];
  for (const creds of [config.credentials, config.marketDataCredentials]) {
    const path = creds?.privateKeyPath;
    if (path === undefined) continue;
    let mode: number;
    try {
      mode = stat(path).mode;
    } catch {
      continue;
    }
    if ((mode & 0o077) !== 0) {
      out.push(
        `the private key file ${path} is readable by other users (mode ${(mode & 0o777).toString(8).padStart(4, '0')}); ` +
          `run chmod 600 ${path} (ssh would refuse such a key)`,
      );
    }
  }
  return out;
}

/** Most markets `--markets N` may ask for (Kalshi lists thousands; `--markets all` has no bound). */
export const MAX_MARKETS = 20_000;
/** Most markets the embedded simulator may list (`--sim-markets`). */
export const MAX_SIM_MARKETS = 20_000;

function loadMarketSelection(c: Collector): MarketSelection {
  const tickersIn = c.input('tickers');
  const seriesIn = c.input('series');
  const marketsIn = c.input('markets');
  const given = [tickersIn, seriesIn, marketsIn].filter((x): x is Input => x !== undefined);
  if (given.length > 1) {
    c.problem(
      'CONFIG_CONFLICT',
      given.map((g) => g.label).join(', '),
      `--tickers, --series and --markets exclude each other; got ${given.map((g) => g.label).join(' and ')}`,
    );
  }
  if (tickersIn) {
    const tickers = tickersIn.raw
      .split(',')
      .map((t) => t.trim().toUpperCase())
      .filter((t) => t !== '');
    const bad = tickers.filter((t) => !TICKER.test(t));
    const dupes = tickers.filter((t, i) => tickers.indexOf(t) !== i);
    if (tickers.length === 0) {
      c.problem(
        'CONFIG_BAD_VALUE',
        '--tickers',
        `--tickers: expected a comma-separated list of market tickers, got ${show(tickersIn.raw)}`,
      );
    } else if (bad.length > 0) {
      c.problem(
        'CONFIG_BAD_VALUE',
        '--tickers',
        `--tickers: not a market ticker (letters, digits, ".", "-", "_"): ${bad.map(show).join(', ')}`,
      );
    } else if (dupes.length > 0) {
      c.problem(
        'CONFIG_BAD_VALUE',
        '--tickers',
        `--tickers: listed twice: ${[...new Set(dupes)].map(show).join(', ')}`,
      );
    }
    return { kind: 'tickers', tickers: tickers.length > 0 ? tickers : ['INVALID'] };
  }
  if (seriesIn) {
    const series = [
      ...new Set(
        seriesIn.raw
          .split(',')
          .map((t) => t.trim().toUpperCase())
          .filter((t) => t !== ''),
      ),
    ];
    const bad = series.filter((t) => !TICKER.test(t));
    if (series.length === 0 || bad.length > 0) {
      c.problem(
        'CONFIG_BAD_VALUE',
        '--series',
        `--series: not a series ticker (or a comma-separated list of them), got ${show(seriesIn.raw)}`,
      );
    }
    return { kind: 'series', series: series.length > 0 ? series : ['INVALID'] };
  }
  // `--markets all` watches every open market (a collector); a number takes the N most active.
  if (marketsIn !== undefined && marketsIn.raw.trim().toLowerCase() === 'all')
    return { kind: 'markets', count: 'all' };
  return { kind: 'markets', count: c.int(marketsIn, 1, MAX_MARKETS, DEFAULTS.markets) };
}

function loadActor(c: Collector, selection: MarketSelection): TraderConfig['actor'] {
  const marketMode = c.oneOf(
    c.input('actorMarketMode', 'RL_ACTOR_TARGET_MARKET_MODE'),
    ACTOR_MARKET_MODES,
    DEFAULTS.actorMarketMode,
  );
  if (marketMode === 'config' && selection.kind !== 'tickers') {
    c.problem(
      'CONFIG_CONFLICT',
      '--actor-market-mode',
      '--actor-market-mode config trades the markets listed with --tickers; give --tickers',
    );
  }
  const model = c.input('model', 'RL_ACTOR_MODEL')?.raw;
  return {
    marketMode,
    contractSize: c.int(c.input('contractSize', 'RL_ACTOR_CONTRACT_SIZE'), 1, 100_000, DEFAULTS.contractSize),
    ...(model === undefined ? {} : { model }),
  };
}

export function loadConfig(
  flags: ConfigFlags,
  env: ConfigEnv,
  options: LoadConfigOptions = {},
): TraderConfig {
  const readFile = options.readFile ?? ((path: string) => readFileSync(path, 'utf8'));
  const c = new Collector(flags, env);

  // Environment: required, never defaulted (above all never to production).
  const envIn = c.input('env');
  if (!envIn) {
    throw new ConfigError([
      {
        code: 'CONFIG_MISSING',
        source: '--env',
        message: '--env is required: sim, paper or production (nothing defaults to production)',
      },
    ]);
  }
  if (!(TRADER_ENVS as readonly string[]).includes(envIn.raw)) {
    throw new ConfigError([
      {
        code: 'CONFIG_BAD_VALUE',
        source: '--env',
        message: `--env: expected one of ${TRADER_ENVS.join(', ')}, got ${show(envIn.raw)}`,
      },
    ]);
  }
  const traderEnv = envIn.raw as TraderEnv;

  if (traderEnv === 'production') {
    const confirmed = env.KALSHI_PRODUCTION_CONFIRMED;
    if (confirmed !== 'true') {
      c.problem(
        'CONFIG_PRODUCTION_NOT_CONFIRMED',
        'KALSHI_PRODUCTION_CONFIRMED',
        `--env production trades real money and refuses to start unless KALSHI_PRODUCTION_CONFIRMED=true is set (it is ${confirmed === undefined ? 'unset' : show(confirmed)})`,
      );
    }
  }

  // Endpoints.
  // On sim, only flags count for URLs and credentials: KALSHI_* variables describe a real Kalshi
  // connection, and a shell that has them set for paper must still be able to run the simulator.
  const kalshiEnv = (name: string): string | undefined => (traderEnv === 'sim' ? undefined : name);
  const apiUrlIn = c.input('apiUrl', kalshiEnv('KALSHI_API_URL'));
  const wsUrlIn = c.input('wsUrl', kalshiEnv('KALSHI_WS_URL'));
  const apiOverride = c.url(apiUrlIn, 'http');
  const wsOverride = c.url(wsUrlIn, 'ws');
  let restUrl: string | undefined;
  let wsUrl: string | undefined;
  const simCredsIn = c.input('credentials');
  let simFile: SimCredentialsFile | undefined;
  if (simCredsIn && traderEnv !== 'sim') {
    c.problem(
      'CONFIG_CONFLICT',
      '--credentials',
      `--credentials is a simulator's credentials file and only applies to --env sim; for --env ${traderEnv} use --key-id and --private-key`,
    );
  } else if (simCredsIn) {
    simFile = readSimCredentials(c, readFile, simCredsIn);
  }
  if (traderEnv === 'sim' && simFile) {
    // The file names the simulator; --api-url / --ws-url may still override its URLs.
    restUrl = apiOverride ?? simFile.restUrl;
    wsUrl = wsOverride ?? simFile.wsUrl;
  } else if (traderEnv === 'sim') {
    if ((apiUrlIn === undefined) !== (wsUrlIn === undefined)) {
      c.problem(
        'CONFIG_MISSING',
        apiUrlIn ? '--ws-url' : '--api-url',
        `--env sim with an external simulator needs both --api-url and --ws-url; got only ${(apiUrlIn ?? wsUrlIn)?.label}`,
      );
    }
    restUrl = apiOverride;
    wsUrl = wsOverride;
  } else {
    restUrl = apiOverride ?? KALSHI_URLS[traderEnv].restUrl;
    wsUrl = wsOverride ?? KALSHI_URLS[traderEnv].wsUrl;
  }
  for (const [input, value] of [
    [apiUrlIn, apiOverride],
    [wsUrlIn, wsOverride],
  ] as const) {
    if (!input || !value) continue;
    const kind = kalshiHostKind(value);
    if (kind === undefined) continue;
    if (traderEnv === 'sim') {
      c.problem(
        'CONFIG_CONFLICT',
        input.label,
        `${input.label}=${value} is Kalshi's ${kind === 'production' ? 'production' : 'demo'} exchange, but --env is sim; use --env ${kind}`,
      );
    } else if (kind !== traderEnv) {
      c.problem(
        'CONFIG_CONFLICT',
        input.label,
        kind === 'production'
          ? `${input.label}=${value} is Kalshi production (real money), but --env is ${traderEnv}; use --env production with KALSHI_PRODUCTION_CONFIRMED=true`
          : `${input.label}=${value} is Kalshi's demo exchange, but --env is production; use --env paper`,
      );
    }
  }

  // Hybrid: production market data, paper trading.
  const hybrid = flags.hybrid === true;
  let marketDataRestUrl = restUrl;
  let marketDataWsUrl = wsUrl;
  let marketDataCredentials: Credentials | undefined;
  const mdApiIn = c.input('marketDataApiUrl', 'KALSHI_MARKET_DATA_API_URL');
  const mdWsIn = c.input('marketDataWsUrl', 'KALSHI_MARKET_DATA_WS_URL');
  if (hybrid) {
    if (traderEnv !== 'paper') {
      c.problem(
        'CONFIG_CONFLICT',
        '--hybrid',
        `--hybrid means production market data with paper trading, so it needs --env paper (got --env ${traderEnv})`,
      );
    }
    marketDataRestUrl = c.url(mdApiIn, 'http') ?? KALSHI_URLS.production.restUrl;
    marketDataWsUrl = c.url(mdWsIn, 'ws') ?? KALSHI_URLS.production.wsUrl;
    // Kalshi's WebSocket needs a signed upgrade even for public channels, and demo keys are not
    // valid on production: hybrid needs a production key (read scope is enough).
    marketDataCredentials = loadCredentials(
      c,
      readFile,
      'hybrid (production market data)',
      c.input('marketDataKeyId', 'KALSHI_MARKET_DATA_API_KEY_ID'),
      c.input('marketDataPrivateKey', 'KALSHI_MARKET_DATA_PRIVATE_KEY_PATH'),
      {
        keyFlag: '--market-data-key-id',
        keyEnv: 'KALSHI_MARKET_DATA_API_KEY_ID',
        pathFlag: '--market-data-private-key',
        pathEnv: 'KALSHI_MARKET_DATA_PRIVATE_KEY_PATH',
      },
      true,
    );
  } else {
    const stray = mdApiIn ?? mdWsIn;
    if (stray?.label.startsWith('--')) {
      c.problem('CONFIG_CONFLICT', stray.label, `${stray.label} only applies with --hybrid`);
    }
  }

  // Trading credentials.
  const keyGiven = c.input('keyId') ?? c.input('privateKey');
  if (simFile && keyGiven) {
    c.problem(
      'CONFIG_CONFLICT',
      keyGiven.label,
      `${keyGiven.label} and --credentials both give the key; use one of them`,
    );
  }
  const credentials =
    simFile?.credentials ??
    loadCredentials(
      c,
      readFile,
      traderEnv,
      c.input('keyId', kalshiEnv('KALSHI_API_KEY_ID')),
      c.input('privateKey', kalshiEnv('KALSHI_PRIVATE_KEY_PATH')),
      {
        keyFlag: '--key-id',
        keyEnv: 'KALSHI_API_KEY_ID',
        pathFlag: '--private-key',
        pathEnv: 'KALSHI_PRIVATE_KEY_PATH',
      },
      traderEnv !== 'sim',
    );

  if (traderEnv === 'sim' && restUrl !== undefined && credentials === undefined && !keyGiven) {
    c.problem(
      'CONFIG_MISSING',
      '--credentials',
      `--env sim with an external simulator (${restUrl}) needs its API key: --credentials FILE (the file \`traderv3 exchange-sim --credentials FILE\` writes) or --key-id and --private-key`,
    );
  }

  const selected = loadMarketSelection(c);
  const strategy = c.oneOf(c.input('strategy'), STRATEGIES, defaultStrategy(traderEnv));
  const edge =
    strategy === 'edge'
      ? loadEdgeRuntime(c, readFile, traderEnv, traderEnv === 'sim' && restUrl === undefined)
      : undefined;
  // The edge strategy trades its enabled cities' ladders unless told which markets.
  const selectionGiven = ['tickers', 'series', 'markets'].some((f) => c.input(f as keyof ConfigFlags));
  const marketSelection: MarketSelection =
    edge && !selectionGiven ? { kind: 'series', series: [...edge.defaultSeries] } : selected;
  const databaseIn = c.input(undefined, 'DATABASE_URL');
  let databaseUrl: string | undefined;
  if (databaseIn) {
    if (/^postgres(ql)?:\/\/\S+$/.test(databaseIn.raw)) databaseUrl = databaseIn.raw;
    else c.problem('CONFIG_BAD_VALUE', 'DATABASE_URL', 'DATABASE_URL: expected a postgres:// URL');
  }
  const makerIn = c.input('makerToTakerMs', 'TRADERV3_MAKER_TO_TAKER_MS');
  const makerToTakerMs = makerIn ? c.int(makerIn, 100, 3_600_000, 0) : undefined;
  const groupIn = c.input('orderGroupLimit', 'TRADERV3_ORDER_GROUP_LIMIT');
  const orderGroupLimit = groupIn ? c.int(groupIn, 1, 10_000_000, 1) : undefined;
  const maxBalanceDriftMicros = c.dollars(
    c.input('maxBalanceDriftDollars', 'TRADERV3_MAX_BALANCE_DRIFT_DOLLARS'),
    DEFAULTS.maxBalanceDriftDollars,
    true,
  );
  const durationIn = c.input('duration');
  const durationSec = durationIn ? c.num(durationIn, 0, 30 * 24 * 3600, 1, true) : undefined;

  const maxExposureMicros = c.dollars(
    c.input('maxExposureDollars', 'TRADERV3_MAX_EXPOSURE_DOLLARS'),
    DEFAULTS.risk.maxExposureDollars,
    false,
  );
  const maxDailyLossMicros = c.dollars(
    c.input('maxDailyLossDollars', 'TRADERV3_MAX_DAILY_LOSS_DOLLARS'),
    DEFAULTS.risk.maxDailyLossDollars,
    false,
  );
  // Portfolio limits (RiskController, every strategy): on unless --no-portfolio-limits.
  const pct = (flag: keyof ConfigFlags, env: string, dflt: number) => c.int(c.input(flag, env), 1, 100, dflt);
  // The edge config file's limits (seed 000/002 keys) replace the defaults; flags still win.
  const P = { ...DEFAULTS.portfolio, ...edge?.portfolio };
  const minReserveMicros = c.dollars(
    c.input('minReserveDollars', 'TRADERV3_MIN_RESERVE_DOLLARS'),
    P.minReserveDollars,
    true,
  );
  const portfolio =
    flags.portfolioLimits === false
      ? undefined
      : {
          maxTotalExposurePct: pct(
            'maxTotalExposurePct',
            'TRADERV3_MAX_TOTAL_EXPOSURE_PCT',
            P.maxTotalExposurePct,
          ),
          maxSinglePositionPct: pct(
            'maxSinglePositionPct',
            'TRADERV3_MAX_SINGLE_POSITION_PCT',
            P.maxSinglePositionPct,
          ),
          maxCityExposurePct: pct(
            'maxCityExposurePct',
            'TRADERV3_MAX_CITY_EXPOSURE_PCT',
            P.maxCityExposurePct,
          ),
          maxRegionExposurePct: pct(
            'maxRegionExposurePct',
            'TRADERV3_MAX_REGION_EXPOSURE_PCT',
            P.maxRegionExposurePct,
          ),
          minReserveDollars: formatDollars(minReserveMicros),
          minReserveMicros,
          maxPositionsPerCity: c.int(
            c.input('maxPositionsPerCity', 'TRADERV3_MAX_POSITIONS_PER_CITY'),
            1,
            100_000,
            P.maxPositionsPerCity,
          ),
          maxTotalPositions: c.int(
            c.input('maxTotalPositions', 'TRADERV3_MAX_TOTAL_POSITIONS'),
            1,
            100_000,
            P.maxTotalPositions,
          ),
        };
  const sim = {
    seed: c.int(c.input('seed'), 0, 2 ** 31 - 1, DEFAULTS.sim.seed),
    // The edge strategy's simulator lists today's and tomorrow's ladder of every city.
    markets: c.int(c.input('simMarkets'), 1, MAX_SIM_MARKETS, edge ? EDGE_SIM_MARKETS : DEFAULTS.sim.markets),
    rate: c.num(c.input('simRate'), 0, 10_000, DEFAULTS.sim.rate),
    balanceMicros: c.dollars(c.input('simBalance'), DEFAULTS.sim.balanceDollars, true),
  };
  if (
    traderEnv === 'sim' &&
    restUrl === undefined &&
    marketSelection.kind === 'markets' &&
    marketSelection.count !== 'all' &&
    marketSelection.count > sim.markets
  ) {
    c.problem(
      'CONFIG_CONFLICT',
      '--markets',
      `--markets ${marketSelection.count} is more than the simulator lists (--sim-markets ${sim.markets})`,
    );
  }

  const config: TraderConfig = {
    env: traderEnv,
    ...defined({ restUrl, wsUrl, marketDataRestUrl, marketDataWsUrl, credentials, marketDataCredentials }),
    hybrid,
    marketSelection,
    strategy,
    ...(edge ? { edge: edge.runtime } : {}),
    cleanup: flags.cleanup === true,
    keepOrders: flags.keepOrders === true,
    ...(durationSec === undefined ? {} : { durationSec }),
    ...(makerToTakerMs === undefined ? {} : { makerToTakerMs }),
    ...(orderGroupLimit === undefined ? {} : { orderGroupLimit }),
    maxTakerSlippageTicks: c.int(
      c.input('maxTakerSlippageTicks', 'TRADERV3_MAX_TAKER_SLIPPAGE_TICKS'),
      0,
      99,
      DEFAULTS.maxTakerSlippageTicks,
    ),
    reconcileIntervalMs:
      c.int(
        c.input('reconcileInterval', 'TRADERV3_RECONCILE_INTERVAL'),
        1,
        86_400,
        DEFAULTS.reconcileIntervalSec,
      ) * 1000,
    bookCheckIntervalMs:
      c.int(
        c.input('bookCheckInterval', 'TRADERV3_BOOK_CHECK_INTERVAL'),
        1,
        86_400,
        DEFAULTS.bookCheckIntervalSec,
      ) * 1000,
    calibrationPageSize: c.int(
      c.input('calibrationPageSize', 'TRADERV3_CALIBRATION_PAGE_SIZE'),
      1,
      1000,
      DEFAULTS.calibrationPageSize,
    ),
    calibrationOverlapMs:
      c.int(
        c.input('calibrationOverlap', 'TRADERV3_CALIBRATION_OVERLAP'),
        1,
        86_400,
        DEFAULTS.calibrationOverlapSec,
      ) * 1000,
    maxBalanceDriftMicros,
    foreignOrders: c.oneOf(
      c.input('foreignOrders', 'TRADERV3_FOREIGN_ORDERS'),
      ['adopt', 'halt'] as const,
      DEFAULTS.foreignOrders,
    ),
    inspect: flags.inspect === true,
    logLevel: c.oneOf(c.input('logLevel', 'TRADERV3_LOG_LEVEL'), LOG_LEVELS, DEFAULTS.logLevel),
    dataDir: c.input('dataDir', 'TRADERV3_DATA_DIR')?.raw ?? DEFAULTS.dataDir,
    ...(databaseUrl ? { databaseUrl } : {}),
    tickThrottleMs: c.int(
      c.input('tickThrottleMs', 'RL_ACTOR_TICK_THROTTLE_MS'),
      0,
      60_000,
      DEFAULTS.tickThrottleMs,
    ),
    actor: loadActor(c, marketSelection),
    presignMaxAgeMs: c.int(
      c.input(undefined, 'TRADERV3_PRESIGN_MAX_AGE_MS'),
      0,
      5_000,
      DEFAULTS.presignMaxAgeMs,
    ),
    healthCheckMs: c.int(
      c.input(undefined, 'TRADERV3_HEALTH_CHECK_MS'),
      1_000,
      600_000,
      DEFAULTS.healthCheckMs,
    ),
    statusIntervalMs: c.int(
      c.input(undefined, 'TRADERV3_STATUS_INTERVAL_MS'),
      1_000,
      3_600_000,
      DEFAULTS.statusIntervalMs,
    ),
    rateLimitTier: c.oneOf(
      c.input('rateLimitTier', 'KALSHI_RATE_LIMIT_TIER'),
      RATE_LIMIT_CHOICES,
      DEFAULTS.rateLimitTier,
    ),
    risk: {
      maxContractsPerOrder: c.int(
        c.input('maxContractsPerOrder', 'TRADERV3_MAX_CONTRACTS_PER_ORDER'),
        1,
        100_000,
        DEFAULTS.risk.maxContractsPerOrder,
      ),
      maxPositionPerMarket: c.int(
        c.input('maxPositionPerMarket', 'TRADERV3_MAX_POSITION_PER_MARKET'),
        1,
        1_000_000,
        DEFAULTS.risk.maxPositionPerMarket,
      ),
      maxOpenOrders: c.int(
        c.input('maxOpenOrders', 'TRADERV3_MAX_OPEN_ORDERS'),
        1,
        10_000,
        DEFAULTS.risk.maxOpenOrders,
      ),
      maxExposureDollars: formatDollars(maxExposureMicros),
      maxExposureMicros,
      breakerErrors: c.int(
        c.input('breakerErrors', 'TRADERV3_BREAKER_ERRORS'),
        1,
        1_000,
        DEFAULTS.risk.breakerErrors,
      ),
      maxDailyLossDollars: formatDollars(maxDailyLossMicros),
      maxDailyLossMicros,
      maxDrawdownPct: c.int(
        c.input('maxDrawdownPct', 'TRADERV3_MAX_DRAWDOWN_PCT'),
        1,
        100,
        DEFAULTS.risk.maxDrawdownPct,
      ),
    },
    ...(portfolio === undefined ? {} : { portfolio }),
    sim,
  };

  if (c.problems.length > 0) throw new ConfigError(c.problems);

  const checked = TraderConfigSchema.safeParse(config);
  if (!checked.success) {
    // Every input was checked above, so this is a bug; name the paths, never the values.
    const paths = checked.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`loadConfig built an invalid TraderConfig (bug): ${paths}`);
  }
  return checked.data;
}
