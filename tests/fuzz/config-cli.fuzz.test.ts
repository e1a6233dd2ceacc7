/**
 * Fuzz: the configuration (flags, environment variables, the simulator's credentials file) and
 * the CLI's argument parsers. Any input either loads or fails with a coded ConfigError /
 * commander InvalidArgumentError whose message names the flag, variable or file field.
 */
import { InvalidArgumentError } from 'commander';
import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { integerIn, numberIn, oneOf } from '../../src/cli/options.js';
import { ConfigError, type ConfigFlags, loadConfig } from '../../src/config/index.js';
import { wrongValue } from './mutate.js';
import { FUZZ_TIMEOUT_MS, fuzzParams } from './runs.js';

const FLAG_NAMES = [
  'tickers',
  'series',
  'markets',
  'strategy',
  'duration',
  'logLevel',
  'apiUrl',
  'wsUrl',
  'rateLimitTier',
  'tickThrottleMs',
  'makerToTakerMs',
  'maxTakerSlippageTicks',
  'orderGroupLimit',
  'reconcileInterval',
  'bookCheckInterval',
  'maxBalanceDriftDollars',
  'foreignOrders',
  'maxContractsPerOrder',
  'maxPositionPerMarket',
  'maxOpenOrders',
  'maxExposureDollars',
  'breakerErrors',
  'maxDailyLossDollars',
  'maxDrawdownPct',
  'seed',
  'simMarkets',
  'simRate',
  'simBalance',
] as const;

const flagText = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.stringMatching(/^-?\d{1,25}(\.\d{0,8})?$/),
  fc.constantFrom('', ' ', '0', '-1', '1e3', 'NaN', 'Infinity', 'all', 'none', '0x10', '9'.repeat(40)),
);

const flagsArb = fc.dictionary(fc.constantFrom(...FLAG_NAMES), flagText, { maxKeys: 5 });

const envArb = fc.dictionary(
  fc.constantFrom(
    'KALSHI_API_URL',
    'KALSHI_RATE_LIMIT_TIER',
    'RL_ACTOR_TICK_THROTTLE_MS',
    'TRADERV3_MAKER_TO_TAKER_MS',
    'TRADERV3_LOG_LEVEL',
    'DATABASE_URL',
  ),
  flagText,
  { maxKeys: 3 },
);

function expectConfigError(err: unknown): void {
  expect(err, String(err)).toBeInstanceOf(ConfigError);
  const e = err as ConfigError;
  expect(e.code).toMatch(/^CONFIG_[A-Z_]+$/);
  expect(e.problems.length).toBeGreaterThan(0);
  // Each problem names where it comes from: a --flag, an ENV_VAR or a file.
  for (const p of e.problems) expect(p.source, p.message).toMatch(/^(--[a-z-]+|[A-Z_]+|.*\.\w+)/);
}

describe('fuzz: configuration', () => {
  it(
    'any flag and environment values load or fail with a coded error naming the source',
    () => {
      fc.assert(
        fc.property(flagsArb, envArb, (flags, env) => {
          try {
            loadConfig({ env: 'sim', ...flags } as ConfigFlags, env);
          } catch (err) {
            expectConfigError(err);
          }
        }),
        fuzzParams(),
      );
    },
    FUZZ_TIMEOUT_MS,
  );

  const GOOD_CREDENTIALS = {
    key_id: 'sim-key',
    private_key_pem: '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n',
    rest_url: 'http://127.0.0.1:4000/trade-api/v2',
    ws_url: 'ws://127.0.0.1:4000/trade-api/ws/v2',
  };

  it(
    "the simulator's credentials file: any content loads or fails naming the file's field",
    () => {
      const content = fc.oneof(
        fc.string({ maxLength: 40 }),
        fc
          .tuple(fc.constantFrom(...Object.keys(GOOD_CREDENTIALS)), wrongValue)
          .map(([k, v]) => JSON.stringify({ ...GOOD_CREDENTIALS, [k]: v })),
        fc.json({ maxDepth: 2 }),
        fc.nat(200).map((n) => JSON.stringify(GOOD_CREDENTIALS).slice(0, n)),
      );
      fc.assert(
        fc.property(content, (text) => {
          try {
            loadConfig({ env: 'sim', credentials: 'creds.json' }, {}, { readFile: () => text });
          } catch (err) {
            expectConfigError(err);
            expect((err as ConfigError).message).toMatch(/creds\.json/);
          }
        }),
        fuzzParams(),
      );
    },
    FUZZ_TIMEOUT_MS,
  );
});

describe('fuzz: CLI argument parsers', () => {
  const parsers: ReadonlyArray<[string, (raw: string) => unknown, (v: unknown) => boolean]> = [
    [
      'integerIn(1, 100)',
      integerIn(1, 100),
      (v) => Number.isInteger(v) && (v as number) >= 1 && (v as number) <= 100,
    ],
    [
      'numberIn(0, 1e6)',
      numberIn(0, 1e6),
      (v) => Number.isFinite(v) && (v as number) >= 0 && (v as number) <= 1e6,
    ],
    ['oneOf(sim, paper)', oneOf(['sim', 'paper']), (v) => v === 'sim' || v === 'paper'],
  ];
  for (const [name, parse, valid] of parsers) {
    it(
      `${name}: a value in range or an InvalidArgumentError quoting the input`,
      () => {
        fc.assert(
          fc.property(flagText, (raw) => {
            try {
              expect(valid(parse(raw))).toBe(true);
            } catch (err) {
              expect(err, String(err)).toBeInstanceOf(InvalidArgumentError);
              expect((err as Error).message).toMatch(/^expected /);
            }
          }),
          fuzzParams(),
        );
      },
      FUZZ_TIMEOUT_MS,
    );
  }
});
