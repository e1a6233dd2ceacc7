/**
 * loadConfig: flags + environment → TraderConfig, with errors that name the option and the value
 * and never carry key material.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import {
  ConfigError,
  type ConfigFlags,
  configWarnings,
  KALSHI_URLS,
  loadConfig,
  redactedConfig,
  TraderConfigSchema,
} from '../../src/config/index.js';
import { generateKeyPair } from '../../src/kalshi/signer.js';

let PEM = '';
let OTHER_PEM = '';
const KEY_PATH = '/keys/demo.pem';
const PROD_KEY_PATH = '/keys/prod.pem';

beforeAll(() => {
  PEM = generateKeyPair().privateKeyPem;
  OTHER_PEM = generateKeyPair().privateKeyPem;
});

function files(extra: Record<string, string> = {}): (path: string) => string {
  const all: Record<string, string> = { [KEY_PATH]: PEM, [PROD_KEY_PATH]: OTHER_PEM, ...extra };
  return (path) => {
    const content = all[path];
    if (content === undefined) {
      throw Object.assign(new Error(`ENOENT: no such file or directory, open '${path}'`), { code: 'ENOENT' });
    }
    return content;
  };
}

const PAPER_ENV = { KALSHI_API_KEY_ID: 'key-123', KALSHI_PRIVATE_KEY_PATH: KEY_PATH };

function load(flags: ConfigFlags, env: Record<string, string> = {}, extraFiles: Record<string, string> = {}) {
  return loadConfig(flags, env, { readFile: files(extraFiles) });
}

function problems(
  flags: ConfigFlags,
  env: Record<string, string> = {},
  extraFiles: Record<string, string> = {},
) {
  try {
    load(flags, env, extraFiles);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    const e = err as ConfigError;
    // No message ever carries key material.
    expect(e.message).not.toMatch(/[A-Za-z0-9+/]{40}/);
    expect(e.message).not.toContain(PEM.split('\n')[1]);
    return e;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig: environments', () => {
  it('sim needs no credentials and defaults to the hardcoded strategy and 3 markets', () => {
    const c = load({ env: 'sim' });
    expect(c.env).toBe('sim');
    expect(c.credentials).toBeUndefined();
    expect(c.restUrl).toBeUndefined();
    expect(c.wsUrl).toBeUndefined();
    expect(c.strategy).toBe('hardcoded');
    expect(c.marketSelection).toEqual({ kind: 'markets', count: 3 });
    expect(c).toMatchObject({
      hybrid: false,
      cleanup: false,
      keepOrders: false,
      inspect: false,
      logLevel: 'info',
      dataDir: '.traderv3',
      tickThrottleMs: 250,
      healthCheckMs: 30_000,
      presignMaxAgeMs: 1_000,
      statusIntervalMs: 30_000,
      rateLimitTier: 'exchange',
      sim: { seed: 1, markets: 8, rate: 20, balanceMicros: 1_000_000_000 },
    });
    expect(c.durationSec).toBeUndefined();
    expect(TraderConfigSchema.safeParse(c).success).toBe(true);
  });

  it("paper uses Kalshi's demo URLs, reads the key file and defaults to no strategy", () => {
    const c = load({ env: 'paper' }, PAPER_ENV);
    expect(c.restUrl).toBe(KALSHI_URLS.paper.restUrl);
    expect(c.wsUrl).toBe(KALSHI_URLS.paper.wsUrl);
    expect(c.restUrl).toBe('https://external-api.demo.kalshi.co/trade-api/v2');
    expect(c.wsUrl).toBe('wss://external-api-ws.demo.kalshi.co/trade-api/ws/v2');
    expect(c.marketDataRestUrl).toBe(c.restUrl);
    expect(c.credentials).toEqual({ keyId: 'key-123', privateKeyPem: PEM, privateKeyPath: KEY_PATH });
    expect(c.strategy).toBe('none');
  });

  it('production refuses without KALSHI_PRODUCTION_CONFIRMED=true and says so', () => {
    const unset = problems({ env: 'production' }, PAPER_ENV);
    expect(unset.code).toBe('CONFIG_PRODUCTION_NOT_CONFIRMED');
    expect(unset.message).toContain('KALSHI_PRODUCTION_CONFIRMED=true');
    expect(unset.message).toContain('unset');
    const wrong = problems({ env: 'production' }, { ...PAPER_ENV, KALSHI_PRODUCTION_CONFIRMED: 'yes' });
    expect(wrong.message).toContain('"yes"');
  });

  it('production with confirmation uses the production URLs', () => {
    const c = load({ env: 'production' }, { ...PAPER_ENV, KALSHI_PRODUCTION_CONFIRMED: 'true' });
    expect(c.restUrl).toBe('https://external-api.kalshi.com/trade-api/v2');
    expect(c.wsUrl).toBe('wss://external-api-ws.kalshi.com/trade-api/ws/v2');
    expect(c.strategy).toBe('none');
  });

  it('--env is required and nothing defaults to production', () => {
    const e = problems({});
    expect(e.message).toContain('--env is required');
    expect(problems({ env: 'prod' }).message).toBe(
      'invalid configuration: --env: expected one of sim, paper, production, got "prod"',
    );
  });
});

describe('loadConfig: credentials', () => {
  it('names exactly what is missing', () => {
    expect(problems({ env: 'paper' }, { KALSHI_PRIVATE_KEY_PATH: KEY_PATH }).message).toBe(
      'invalid configuration: paper needs KALSHI_API_KEY_ID (or --key-id)',
    );
    expect(problems({ env: 'paper' }, { KALSHI_API_KEY_ID: 'k' }).message).toBe(
      'invalid configuration: paper needs KALSHI_PRIVATE_KEY_PATH (or --private-key)',
    );
    const both = problems({ env: 'paper' });
    expect(both.code).toBe('CONFIG_MISSING');
    expect(both.message).toContain('KALSHI_API_KEY_ID (or --key-id)');
    expect(both.message).toContain('KALSHI_PRIVATE_KEY_PATH (or --private-key)');
  });

  it('flags beat environment variables', () => {
    const c = load(
      { env: 'paper', keyId: 'flag-key', privateKey: PROD_KEY_PATH },
      { KALSHI_API_KEY_ID: 'env-key', KALSHI_PRIVATE_KEY_PATH: '/nope' },
    );
    expect(c.credentials?.keyId).toBe('flag-key');
    expect(c.credentials?.privateKeyPem).toBe(OTHER_PEM);
  });

  it('a missing key file is named, with the reason', () => {
    const e = problems({ env: 'paper', keyId: 'k', privateKey: '/keys/missing.pem' });
    expect(e.code).toBe('CONFIG_BAD_KEY');
    expect(e.message).toBe(
      'invalid configuration: --private-key "/keys/missing.pem": the file does not exist',
    );
  });

  it('a file that is not a usable key is named, without its content', () => {
    const garbage = 'this is not a key but a secret-looking line 12345';
    const e = problems(
      { env: 'paper' },
      { ...PAPER_ENV, KALSHI_PRIVATE_KEY_PATH: '/keys/bad.pem' },
      {
        '/keys/bad.pem': garbage,
      },
    );
    expect(e.message).toContain('KALSHI_PRIVATE_KEY_PATH "/keys/bad.pem"');
    expect(e.message).toContain('not a PEM');
    expect(e.message).not.toContain(garbage);

    const truncated = PEM.slice(0, 200);
    const t = problems(
      { env: 'paper' },
      { ...PAPER_ENV, KALSHI_PRIVATE_KEY_PATH: '/keys/cut.pem' },
      {
        '/keys/cut.pem': truncated,
      },
    );
    expect(t.message).toContain('"/keys/cut.pem"');
    expect(t.message).toContain('cannot be parsed');
    expect(t.message).not.toContain(truncated.split('\n')[1]);
  });

  it('sim ignores KALSHI_* variables (they describe a real Kalshi connection)', () => {
    const c = load(
      { env: 'sim' },
      { KALSHI_API_KEY_ID: 'x', KALSHI_PRIVATE_KEY_PATH: '/nope', KALSHI_API_URL: 'x' },
    );
    expect(c.credentials).toBeUndefined();
    expect(c.restUrl).toBeUndefined();
  });

  it('sim accepts an external simulator through both URL flags, with optional credentials', () => {
    const c = load({
      env: 'sim',
      apiUrl: 'http://127.0.0.1:4000/trade-api/v2/',
      wsUrl: 'ws://127.0.0.1:4000/trade-api/ws/v2',
      keyId: 'sim-key',
      privateKey: KEY_PATH,
    });
    expect(c.restUrl).toBe('http://127.0.0.1:4000/trade-api/v2');
    expect(c.credentials?.keyId).toBe('sim-key');
    expect(problems({ env: 'sim', apiUrl: 'http://127.0.0.1:4000/trade-api/v2' }).message).toContain(
      'needs both --api-url and --ws-url',
    );
  });

  it('sim with an external simulator and no key says how to give it, naming --credentials', () => {
    const e = problems({
      env: 'sim',
      apiUrl: 'http://127.0.0.1:4000/trade-api/v2',
      wsUrl: 'ws://127.0.0.1:4000/trade-api/ws/v2',
    });
    expect(e.problems.map((p) => p.source)).toEqual(['--credentials']);
    expect(e.message).toContain('needs its API key: --credentials FILE');
  });

  it("sim takes the simulator's credentials file: key and URLs, and names a bad field", () => {
    const file = (o: object) => ({ '/sim.json': JSON.stringify(o) });
    const good = {
      key_id: 'sim-key',
      private_key_pem: '',
      rest_url: 'http://127.0.0.1:4000/trade-api/v2',
      ws_url: 'ws://127.0.0.1:4000/trade-api/ws/v2',
    };
    const c = load({ env: 'sim', credentials: '/sim.json' }, {}, file({ ...good, private_key_pem: PEM }));
    expect(c.credentials).toMatchObject({ keyId: 'sim-key', privateKeyPath: '/sim.json' });
    expect(c.restUrl).toBe(good.rest_url);
    expect(c.wsUrl).toBe(good.ws_url);
    const overridden = load(
      {
        env: 'sim',
        credentials: '/sim.json',
        apiUrl: 'http://127.0.0.1:5/trade-api/v2',
        wsUrl: 'ws://127.0.0.1:5/ws',
      },
      {},
      file({ ...good, private_key_pem: PEM }),
    );
    expect(overridden.restUrl).toBe('http://127.0.0.1:5/trade-api/v2');
    expect(
      problems(
        { env: 'sim', credentials: '/sim.json' },
        {},
        file({ ...good, private_key_pem: PEM, ws_url: 'http://x' }),
      ).message,
    ).toContain('--credentials "/sim.json": field ws_url is not a ws(s) URL');
    expect(
      problems({ env: 'sim', credentials: '/sim.json' }, {}, file({ ...good, private_key_pem: 'junk' }))
        .message,
    ).toContain('private_key_pem');
    expect(problems({ env: 'sim', credentials: '/nope.json' }).message).toContain('the file does not exist');
    expect(problems({ env: 'paper', credentials: '/sim.json' }, PAPER_ENV, file(good)).message).toContain(
      'only applies to --env sim',
    );
  });

  it('warns about a private key file that other users can read', () => {
    const c = load({ env: 'paper' }, PAPER_ENV);
    expect(configWarnings(c, () => ({ mode: 0o100644 }))).toEqual([
      expect.stringContaining(`the private key file ${KEY_PATH} is readable by other users (mode 0644)`),
    ]);
    expect(configWarnings(c, () => ({ mode: 0o100600 }))).toEqual([]);
  });
});

describe('loadConfig: URLs', () => {
  it('are overridable by flag and variable, and checked', () => {
    const c = load(
      { env: 'paper', wsUrl: 'ws://localhost:9/ws' },
      { ...PAPER_ENV, KALSHI_API_URL: 'http://localhost:9/trade-api/v2' },
    );
    expect(c.restUrl).toBe('http://localhost:9/trade-api/v2');
    expect(c.wsUrl).toBe('ws://localhost:9/ws');
    expect(problems({ env: 'paper', apiUrl: 'ftp://x' }, PAPER_ENV).message).toContain(
      '--api-url: expected a http(s):// URL, got "ftp://x"',
    );
    expect(problems({ env: 'paper' }, { ...PAPER_ENV, KALSHI_WS_URL: 'https://x' }).message).toContain(
      'KALSHI_WS_URL: expected a ws(s):// URL, got "https://x"',
    );
  });

  it('refuse to point a non-production environment at Kalshi production', () => {
    const e = problems(
      { env: 'paper' },
      { ...PAPER_ENV, KALSHI_API_URL: 'https://api.elections.kalshi.com/trade-api/v2' },
    );
    expect(e.code).toBe('CONFIG_CONFLICT');
    expect(e.message).toContain(
      'KALSHI_API_URL=https://api.elections.kalshi.com/trade-api/v2 is Kalshi production',
    );
    expect(
      problems({ env: 'sim', apiUrl: 'https://demo-api.kalshi.co/trade-api/v2', wsUrl: 'ws://x' }).message,
    ).toContain('but --env is sim');
  });

  it('hybrid takes market data from production and trades on paper', () => {
    const c = load(
      { env: 'paper', hybrid: true },
      {
        ...PAPER_ENV,
        KALSHI_MARKET_DATA_API_KEY_ID: 'prod-key',
        KALSHI_MARKET_DATA_PRIVATE_KEY_PATH: PROD_KEY_PATH,
      },
    );
    expect(c.hybrid).toBe(true);
    expect(c.restUrl).toBe(KALSHI_URLS.paper.restUrl);
    expect(c.marketDataRestUrl).toBe(KALSHI_URLS.production.restUrl);
    expect(c.marketDataWsUrl).toBe(KALSHI_URLS.production.wsUrl);
    expect(c.marketDataCredentials?.keyId).toBe('prod-key');
    expect(c.credentials?.keyId).toBe('key-123');
  });

  it('hybrid needs --env paper and a production key for market data', () => {
    const e = problems({ env: 'sim', hybrid: true });
    expect(e.message).toContain(
      '--hybrid means production market data with paper trading, so it needs --env paper',
    );
    const m = problems({ env: 'paper', hybrid: true }, PAPER_ENV);
    expect(m.message).toContain('hybrid (production market data) needs KALSHI_MARKET_DATA_API_KEY_ID');
  });
});

describe('loadConfig: markets, strategy and numbers', () => {
  it('takes exactly one of --tickers, --series, --markets', () => {
    expect(load({ env: 'sim', tickers: 'kxa-1, KXB-2' }).marketSelection).toEqual({
      kind: 'tickers',
      tickers: ['KXA-1', 'KXB-2'],
    });
    expect(load({ env: 'sim', series: 'KXHIGHNY' }).marketSelection).toEqual({
      kind: 'series',
      series: ['KXHIGHNY'],
    });
    expect(load({ env: 'sim', series: 'kxhighny, KXHIGHCHI,KXHIGHNY' }).marketSelection).toEqual({
      kind: 'series',
      series: ['KXHIGHNY', 'KXHIGHCHI'],
    });
    expect(load({ env: 'sim', markets: '5' }).marketSelection).toEqual({ kind: 'markets', count: 5 });
    expect(load({ env: 'sim', markets: 'all' }).marketSelection).toEqual({ kind: 'markets', count: 'all' });
    // A collector of every open market: past the old caps of 100 watched and 500 listed markets.
    expect(load({ env: 'sim', markets: '1000', simMarkets: '1000' }).marketSelection).toEqual({
      kind: 'markets',
      count: 1000,
    });
    expect(load({ env: 'sim', markets: 'all', simMarkets: '3000' }).sim.markets).toBe(3000);
    const e = problems({ env: 'sim', tickers: 'A', series: 'B' });
    expect(e.message).toContain('exclude each other; got --tickers and --series');
  });

  it('names the option and the bad value', () => {
    expect(problems({ env: 'sim', markets: 'lots' }).message).toBe(
      'invalid configuration: --markets: expected an integer, got "lots"',
    );
    expect(problems({ env: 'sim', markets: '0' }).message).toContain(
      '--markets: expected an integer from 1 to 20000, got "0"',
    );
    expect(problems({ env: 'sim', tickers: 'OK-1,bad ticker' }).message).toContain('"BAD TICKER"');
    expect(problems({ env: 'sim', strategy: 'yolo' }).message).toContain(
      '--strategy: expected one of hardcoded, none, policy, edge, got "yolo"',
    );
    expect(problems({ env: 'sim', duration: '-3' }).message).toContain(
      '--duration: expected a number greater than 0',
    );
    expect(problems({ env: 'sim' }, { RL_ACTOR_TICK_THROTTLE_MS: 'fast' }).message).toContain(
      'RL_ACTOR_TICK_THROTTLE_MS: expected an integer, got "fast"',
    );
    expect(problems({ env: 'sim', logLevel: 'loud' }).message).toContain('--log-level');
    expect(problems({ env: 'sim', rateLimitTier: 'gold' }).message).toContain('--rate-limit-tier');
    expect(problems({ env: 'sim', calibrationPageSize: '1001' }).message).toContain(
      '--calibration-page-size: expected an integer from 1 to 1000, got "1001"',
    );
    expect(load({ env: 'sim' }).calibrationPageSize).toBe(1000);
    expect(load({ env: 'sim' }, { TRADERV3_CALIBRATION_PAGE_SIZE: '50' }).calibrationPageSize).toBe(50);
    expect(problems({ env: 'sim', calibrationOverlap: '0' }).message).toContain(
      '--calibration-overlap: expected an integer from 1 to 86400, got "0"',
    );
    expect(load({ env: 'sim' }).calibrationOverlapMs).toBe(900_000);
    expect(load({ env: 'sim' }, { TRADERV3_CALIBRATION_OVERLAP: '60' }).calibrationOverlapMs).toBe(60_000);
  });

  it('collects every problem in one error', () => {
    const e = problems({ env: 'paper', markets: 'x', strategy: 'y' });
    expect(e.problems.map((p) => p.source)).toEqual([
      'KALSHI_API_KEY_ID, KALSHI_PRIVATE_KEY_PATH',
      '--markets',
      '--strategy',
    ]);
    expect(e.message).toContain('3 problems');
  });

  it('--markets cannot exceed what the embedded simulator lists', () => {
    expect(problems({ env: 'sim', markets: '9' }).message).toContain('--sim-markets 8');
    expect(load({ env: 'sim', markets: '9', simMarkets: '12' }).marketSelection).toEqual({
      kind: 'markets',
      count: 9,
    });
  });

  it("reads the policy actor's model, market mode and contract size; config mode needs --tickers", () => {
    expect(load({ env: 'sim' }).actor).toEqual({ marketMode: 'hot', contractSize: 1 });
    expect(
      load(
        { env: 'sim', strategy: 'policy', model: 'm.onnx', tickers: 'A-1' },
        { RL_ACTOR_TARGET_MARKET_MODE: 'config', RL_ACTOR_CONTRACT_SIZE: '3' },
      ).actor,
    ).toEqual({ model: 'm.onnx', marketMode: 'config', contractSize: 3 });
    expect(problems({ env: 'sim', actorMarketMode: 'config' }).message).toContain(
      '--actor-market-mode config trades the markets listed with --tickers',
    );
    expect(problems({ env: 'sim', contractSize: '0' }).message).toContain('--contract-size');
  });

  it('reads tick throttle, risk limits and sim options from flags and variables', () => {
    const c = load(
      {
        env: 'sim',
        maxContractsPerOrder: '3',
        maxExposureDollars: '12.5',
        seed: '7',
        simRate: '0',
        simBalance: '50',
        maxDrawdownPct: '12',
        duration: '1.5',
        cleanup: true,
        keepOrders: true,
        inspect: true,
      },
      {
        RL_ACTOR_TICK_THROTTLE_MS: '100',
        TRADERV3_MAX_OPEN_ORDERS: '4',
        TRADERV3_MAX_CONTRACTS_PER_ORDER: '99',
        TRADERV3_BREAKER_ERRORS: '2',
        TRADERV3_MAX_DAILY_LOSS_DOLLARS: '7.25',
        TRADERV3_DATA_DIR: '/tmp/t3',
      },
    );
    expect(c.tickThrottleMs).toBe(100);
    expect(c.risk).toEqual({
      maxContractsPerOrder: 3,
      maxPositionPerMarket: 100,
      maxOpenOrders: 4,
      maxExposureDollars: '12.5000',
      maxExposureMicros: 12_500_000,
      breakerErrors: 2,
      maxDailyLossDollars: '7.2500',
      maxDailyLossMicros: 7_250_000,
      maxDrawdownPct: 12,
    });
    expect(c.sim).toEqual({ seed: 7, markets: 8, rate: 0, balanceMicros: 50_000_000 });
    expect(c).toMatchObject({
      durationSec: 1.5,
      cleanup: true,
      keepOrders: true,
      inspect: true,
      dataDir: '/tmp/t3',
    });
    expect(problems({ env: 'sim', maxExposureDollars: '0' }).message).toContain(
      '--max-exposure-dollars: expected an amount in dollars greater than 0',
    );
    expect(problems({ env: 'sim', maxDrawdownPct: '101' }).message).toContain('--max-drawdown-pct');
    expect(problems({ env: 'sim', maxDailyLossDollars: 'lots' }).message).toContain(
      '--max-daily-loss-dollars',
    );
  });

  it('has money breakers on by default: $50 daily loss, 30% drawdown', () => {
    expect(load({ env: 'sim' }, {}).risk).toMatchObject({
      maxDailyLossMicros: 50_000_000,
      maxDrawdownPct: 30,
    });
  });
});

describe('redactedConfig', () => {
  it('keeps the key id and drops the PEM', () => {
    const c = load(
      { env: 'paper', hybrid: true },
      {
        ...PAPER_ENV,
        KALSHI_MARKET_DATA_API_KEY_ID: 'p',
        KALSHI_MARKET_DATA_PRIVATE_KEY_PATH: PROD_KEY_PATH,
      },
    );
    const r = redactedConfig(c);
    const text = JSON.stringify(r);
    expect(text).not.toContain('PRIVATE KEY');
    expect(text).not.toContain(OTHER_PEM.split('\n')[1]);
    expect(r.credentials).toEqual({ keyId: 'key-123', privateKeyPath: KEY_PATH });
    expect(r.marketDataCredentials).toEqual({ keyId: 'p', privateKeyPath: PROD_KEY_PATH });
    expect(r.restUrl).toBe(c.restUrl);
    // The original is untouched.
    expect(c.credentials?.privateKeyPem).toBe(PEM);
  });
});

describe('maker-to-taker conversion', () => {
  it('is off unless asked for, and takes milliseconds from the flag or the variable', () => {
    expect(loadConfig({ env: 'sim' }, {}).makerToTakerMs).toBeUndefined();
    expect(loadConfig({ env: 'sim', makerToTakerMs: '5000' }, {}).makerToTakerMs).toBe(5000);
    expect(loadConfig({ env: 'sim' }, { TRADERV3_MAKER_TO_TAKER_MS: '2500' }).makerToTakerMs).toBe(2500);
    expect(() => loadConfig({ env: 'sim', makerToTakerMs: 'soon' }, {})).toThrow(
      /--maker-to-taker-ms: expected an integer/,
    );
  });
});
