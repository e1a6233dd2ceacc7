/**
 * The embedded Kalshi-compatible exchange: the core, a market universe, synthetic participants,
 * market lifecycle timers and the REST + WebSocket transports on one loopback HTTP server.
 *
 * A rolling universe (the default; `autoSettle` / `relist` switch the two halves off): once a
 * second the lifecycle driver opens and closes markets on schedule, determines and settles each
 * closed market at its expected expiration time with a seeded draw from its fair value
 * (determination.ts), and lists the next period's event of a series when one of its events stops
 * trading (universe.ts, RELISTING). The participants follow the new markets (activity.ts), so a run
 * of any length keeps about as many markets open as it started with.
 *
 * Admin surface (loopback only, no auth; not part of Kalshi's API), under /_sim:
 *   POST /_sim/faults                  {action, ...}            fault injection (see faults.ts)
 *   GET  /_sim/faults                                            current fault counters
 *   POST /_sim/accounts                {balance_dollars?,       a new funded account + API key,
 *                                       positions?,             optionally seeded with positions
 *                                       resting_orders?}        and resting orders (seed-account.ts)
 *   POST /_sim/markets/{ticker}/status {status}                 e.g. closed, inactive, active
 *   POST /_sim/markets/{ticker}/settle {result: yes|no|void}    determine and settle
 *   GET  /_sim/stats                                             instance_id, connections, activity and
 *                                                                lifecycle counters
 */
import { createHash, createPublicKey, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MICROS_PER_DOLLAR, type Micros } from '../domain/index.js';
import {
  CostTable,
  DOCUMENTED_COSTS,
  type EndpointCosts,
  generateKeyPair,
  parseDollars,
  parseSignedCount,
  type RATE_LIMIT_TIERS,
  RateLimiter,
} from '../kalshi/index.js';
import { type Activity, createActivity } from './activity.js';
import { KeyRegistry } from './auth.js';
import type { ExchangeCore, MarketResult, MarketStatus } from './core-types.js';
import { createDeterminer } from './determination.js';
import { createExchangeCore } from './exchange.js';
import { type FaultCommand, FaultInjector, parseFaultCommand } from './faults.js';
import { badRequest, HttpProblem, notFound, readJsonBody, sendJson, sendProblem } from './http-util.js';
import { createLifecycleDriver, type LifecycleDriver } from './lifecycle.js';
import type { MicrostructureParams } from './microstructure.js';
import { handleRest, REST_PREFIX, type RequestGate } from './rest-api.js';
import { type SeedResult, seedAccount } from './seed-account.js';
import { createListings, installUniverse } from './universe.js';
import { createWeatherWorld, type WeatherParams, type WeatherWorld } from './weather.js';
import { wireWeather } from './weather-scenario.js';
import { handleNws, NWS_PREFIX } from './weather-service.js';
import { SimWsServer, WS_PATH } from './ws-api.js';

export type RateLimitTier = keyof typeof RATE_LIMIT_TIERS;

export interface SimulatorOptions {
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  seed?: number;
  /** How many markets the universe has. */
  markets?: number;
  /** Background activity, actions per second (0 = none). */
  ratePerSec?: number;
  /** Token-bucket tier applied per API key (false = no rate limit). */
  rateLimit?: RateLimitTier | false;
  /**
   * What each request costs, served at GET /account/endpoint_costs and charged by the rate limit
   * (default DOCUMENTED_COSTS); 'unlisted': the endpoint answers 404 and the documented costs are
   * charged (an exchange from before the list).
   */
  endpointCosts?: EndpointCosts | 'unlisted';
  pingIntervalMs?: number;
  clock?: () => number;
  /** Determine and settle closed markets at their expected expiration time (default true). */
  autoSettle?: boolean;
  /** List the next period's event when an event stops trading (default true). */
  relist?: boolean;
  /** The participants' flow bursts and price impact (microstructure.ts); partial overrides. */
  microstructure?: Partial<MicrostructureParams>;
  /**
   * The weather world (weather.ts), on when given (`{}` for the defaults): every KXHIGH ladder gets
   * a true high it settles on, its makers quote a lagged forecast, and `/nws` serves forecasts.
   * Off, the ladders are priced and settled like any market (seeded fair values and draws).
   */
  weather?: Partial<WeatherParams>;
}

export interface SimCredentials {
  key_id: string;
  private_key_pem: string;
  rest_url: string;
  ws_url: string;
}

export interface Simulator {
  /**
   * This run of the simulator (a random UUID per start, served as `instance_id` by GET /_sim/stats):
   * a restarted simulator is a new exchange whose order and trade ids repeat the last one's.
   */
  readonly instanceId: string;
  readonly restUrl: string;
  readonly wsUrl: string;
  readonly port: number;
  readonly core: ExchangeCore;
  readonly faults: FaultInjector;
  readonly activity: Activity;
  /** The lifecycle driver the housekeeping timer ticks; tests on a fake clock may tick it directly. */
  readonly lifecycle: LifecycleDriver;
  /** The weather world: true highs, forecasts, the makers' view (weather.ts). */
  readonly weather: WeatherWorld;
  /** Base URL of the NWS-shaped forecast service on this port (weather-service.ts), e.g. http://127.0.0.1:5123/nws. */
  readonly forecastUrl: string;
  /** Opens a funded account; registers the given key (or a new one) for it. */
  createAccount(opts?: { balance?: Micros; keyId?: string; privateKeyPem?: string }): SimCredentials;
  /** The account an API key belongs to. */
  accountOf(keyId: string): string | undefined;
  /** Gives the key's account positions and resting orders at once (see seed-account.ts). */
  seedAccount(keyId: string, req: { positions?: number; restingOrders?: number }): SeedResult;
  applyFault(cmd: FaultCommand): { applied: string; dropped?: number };
  close(): Promise<void>;
}

const DEFAULTS = {
  host: '127.0.0.1',
  port: 0,
  seed: 1,
  markets: 8,
  ratePerSec: 20,
  pingIntervalMs: 10_000,
} as const;

/** The balance of a seeded account when the request names none. */
const SEEDED_BALANCE: Micros = 1_000_000 * MICROS_PER_DOLLAR;

/** A non-negative whole number from an admin body (0 when absent). */
function countField(v: unknown, name: string): number {
  if (v === undefined || v === null) return 0;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0 || v > 1_000_000) {
    throw badRequest(`${name} must be a whole number from 0 to 1000000`);
  }
  return v;
}

/** Kalshi's market_id is a uuid; ours is derived from the ticker so it is stable across restarts. */
function stableUuid(text: string): string {
  const h = createHash('sha1').update(text).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const opts = { ...DEFAULTS, ...options };
  const clock = options.clock ?? Date.now;
  const core = createExchangeCore({ clock });
  const listings = createListings({ seed: opts.seed, markets: opts.markets, nowMs: clock() });
  const universe = listings.universe;
  installUniverse(core, universe);
  const activity = createActivity({
    core,
    seed: opts.seed,
    tickers: universe.markets.map((m) => m.ticker),
    // The live map: successors' fair values land here before they are announced.
    fairValues: listings.fairValues,
    ratePerSec: opts.ratePerSec,
    clock,
    ...(options.microstructure ? { microstructure: options.microstructure } : {}),
  });
  // The weather world (when asked for): every KXHIGH ladder gets a true high; its makers quote the
  // lagged forecast.
  const weatherOn = options.weather !== undefined;
  const weather = createWeatherWorld({
    core,
    seed: opts.seed,
    ...(options.weather ? { params: options.weather } : {}),
  });
  const updateWeather = weatherOn
    ? wireWeather(core, activity, weather, universe.markets)
    : (_now: number) => undefined;
  updateWeather(clock());
  activity.seedBooks();

  const instanceId = randomUUID();
  const keys = new KeyRegistry();
  const faults = new FaultInjector();
  const marketIds = new Map<string, string>();
  const marketId = (ticker: string): string => {
    let id = marketIds.get(ticker);
    if (!id) {
      id = stableUuid(ticker);
      marketIds.set(ticker, id);
    }
    return id;
  };
  const tier = options.rateLimit === undefined ? 'basic' : options.rateLimit;
  const costs = options.endpointCosts ?? DOCUMENTED_COSTS;
  // Compiled once for every key's gate; a list that cannot be charged by is refused here, naming
  // the entry, not at the first request.
  const costTable = costs === 'unlisted' ? undefined : new CostTable(costs);
  const gates = new Map<string, RequestGate>();
  const gate = (caller: string): RequestGate | undefined => {
    if (tier === false) return undefined;
    let g = gates.get(caller);
    if (!g) {
      const limiter = new RateLimiter({ tier, now: clock });
      if (costTable !== undefined) limiter.adoptCosts(costTable);
      g = limiter;
      gates.set(caller, g);
    }
    return g;
  };

  const ws = new SimWsServer({ core, clock, keys, faults, marketId, pingIntervalMs: opts.pingIntervalMs });
  const determiner = createDeterminer({
    core,
    seed: opts.seed,
    fairValue: (ticker) => listings.fairValues.get(ticker),
  });
  const lifecycle = createLifecycleDriver({
    core,
    clock,
    // A weather ladder settles on its true high; everything else on the seeded draw.
    ...(options.autoSettle === false
      ? {}
      : {
          determine: weatherOn
            ? (t: string) => weather.resultFor(t) ?? determiner.resultFor(t)
            : determiner.resultFor,
        }),
    ...(options.relist === false
      ? {}
      : { relist: (eventTicker: string, nowMs: number) => listings.listSuccessor(core, eventTicker, nowMs) }),
  });
  const restCtx = { core, clock, keys, faults, gate, rateLimit: tier, endpointCosts: costs, marketId };

  let restUrl = '';
  let origin = '';
  let wsUrl = '';
  let accountCounter = 0;
  /** Accounts made through createAccount (API users), in creation order. */
  const apiAccounts: string[] = [];

  const createAccount: Simulator['createAccount'] = (o = {}) => {
    const pair = o.privateKeyPem ? undefined : generateKeyPair();
    const privateKeyPem = o.privateKeyPem ?? pair!.privateKeyPem;
    const publicKeyPem =
      pair?.publicKeyPem ?? createPublicKey(privateKeyPem).export({ type: 'spki', format: 'pem' }).toString();
    const keyId = o.keyId ?? randomUUID();
    accountCounter += 1;
    const accountId = `user-${stableUuid(keyId).slice(0, 8)}-${accountCounter}`;
    if (!core.hasAccount(accountId)) core.openAccount(accountId, o.balance ?? 1000 * MICROS_PER_DOLLAR);
    keys.register(keyId, publicKeyPem, accountId);
    apiAccounts.push(accountId);
    return { key_id: keyId, private_key_pem: privateKeyPem, rest_url: restUrl, ws_url: wsUrl };
  };

  /** The accounts a drift applies to: the key's, or every API account. */
  const driftAccounts = (keyId: string | undefined): string[] => {
    if (keyId === undefined) return [...apiAccounts];
    const account = keys.accountOf(keyId);
    if (account === undefined) throw notFound(`no API key ${keyId}`);
    return [account];
  };

  const seed: Simulator['seedAccount'] = (keyId, req) => {
    const account = keys.accountOf(keyId);
    if (account === undefined) throw notFound(`no API key ${keyId}`);
    return seedAccount(core, account, {
      positions: req.positions ?? 0,
      restingOrders: req.restingOrders ?? 0,
    });
  };

  const applyFault = (cmd: FaultCommand): { applied: string; dropped?: number } => {
    const n = 'count' in cmd && cmd.count !== undefined ? cmd.count : 1;
    switch (cmd.action) {
      case 'drop_ws_connections':
        return { applied: cmd.action, dropped: ws.dropAll(cmd.channel) };
      case 'reject_ws_upgrades':
        faults.rejectWsUpgrades += n;
        faults.rejectWsUpgradeStatus = cmd.status ?? 503;
        break;
      case 'skip_seq':
        faults.skipSeq += n;
        break;
      case 'duplicate_deltas':
        faults.duplicateDeltas += n;
        break;
      case 'reorder_deltas':
        faults.reorderDeltas += n;
        break;
      case 'drop_fill_messages':
        faults.dropFillMessages += n;
        break;
      case 'http_429':
        faults.http429 += n;
        break;
      case 'http_error':
        faults.httpErrors.push({
          endpoint: cmd.endpoint,
          status: cmd.status ?? 500,
          remaining: n,
          afterProcessing: cmd.after_processing ?? false,
        });
        break;
      case 'latency':
        faults.latencyMs = cmd.ms;
        break;
      case 'withhold_private':
        faults.withholdRules.push({
          remaining: n,
          ...(cmd.ms !== undefined ? { ms: cmd.ms } : {}),
          ...(cmd.channel !== undefined ? { channel: cmd.channel } : {}),
        });
        break;
      case 'corrupt_book':
        if (cmd.ticker !== undefined && !core.market(cmd.ticker))
          throw notFound(`market ${cmd.ticker} not found`);
        faults.corruptRules.push({
          remaining: n,
          mode: cmd.mode ?? 'size',
          ...(cmd.ticker !== undefined ? { ticker: cmd.ticker } : {}),
        });
        break;
      case 'drift_position': {
        if (!core.market(cmd.ticker)) throw notFound(`market ${cmd.ticker} not found`);
        const delta = parseSignedCount(cmd.delta, 'delta');
        for (const account of driftAccounts(cmd.key_id)) faults.addPositionDrift(account, cmd.ticker, delta);
        break;
      }
      case 'drift_balance': {
        const delta = parseDollars(cmd.delta_dollars, 'delta_dollars');
        for (const account of driftAccounts(cmd.key_id)) faults.addBalanceDrift(account, delta);
        break;
      }
      case 'pause_exchange':
        core.setTradingActive(false);
        break;
      case 'resume_exchange':
        core.setTradingActive(true);
        break;
      case 'clear':
        faults.clear();
        break;
    }
    return { applied: cmd.action };
  };

  const handleAdmin = async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> => {
    const method = req.method ?? 'GET';
    const path = url.pathname;
    try {
      if (path === '/_sim/faults' && method === 'GET') return sendJson(res, 200, faults.snapshot());
      if (path === '/_sim/stats' && method === 'GET') {
        return sendJson(res, 200, {
          instance_id: instanceId,
          ws_connections: ws.connectionCount,
          activity: activity.stats,
          lifecycle: lifecycle.stats,
        });
      }
      const body = await readJsonBody(req);
      if (path === '/_sim/faults' && method === 'POST') {
        const cmd = parseFaultCommand(body);
        if (typeof cmd === 'string') throw badRequest(cmd);
        return sendJson(res, 200, applyFault(cmd));
      }
      if (path === '/_sim/accounts' && method === 'POST') {
        const b = (body ?? {}) as {
          balance_dollars?: unknown;
          positions?: unknown;
          resting_orders?: unknown;
        };
        const positions = countField(b.positions, 'positions');
        const restingOrders = countField(b.resting_orders, 'resting_orders');
        const seeding = positions + restingOrders > 0;
        const balance =
          b.balance_dollars === undefined
            ? seeding
              ? SEEDED_BALANCE
              : undefined
            : parseDollars(b.balance_dollars, 'balance_dollars');
        const creds = createAccount(balance === undefined ? {} : { balance });
        if (!seeding) return sendJson(res, 201, creds);
        const seeded = seed(creds.key_id, { positions, restingOrders });
        return sendJson(res, 201, {
          ...creds,
          seeded: {
            positions: seeded.positions,
            resting_orders: seeded.restingOrders,
            skipped: seeded.skipped,
          },
        });
      }
      const m = /^\/_sim\/markets\/([^/]+)\/(status|settle)$/.exec(path);
      if (m && method === 'POST') {
        const ticker = decodeURIComponent(m[1]!);
        const b = (body ?? {}) as { status?: unknown; result?: unknown };
        const r =
          m[2] === 'status'
            ? core.setMarketStatus(ticker, b.status as MarketStatus)
            : core.settle(ticker, b.result as MarketResult);
        if (!r.ok) throw HttpProblem.from(r.error);
        return sendJson(res, 200, { ok: true });
      }
      throw notFound(`no admin endpoint ${method} ${path}`);
    } catch (err) {
      if (err instanceof HttpProblem) return sendProblem(res, err);
      const message = err instanceof Error ? err.message : String(err);
      return sendProblem(res, new HttpProblem(400, 'bad_request', 'bad request', message));
    }
  };

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://sim.invalid');
    if (url.pathname.startsWith(`${REST_PREFIX}/`) || url.pathname === REST_PREFIX) {
      void handleRest(restCtx, req, res, url);
    } else if (weatherOn && url.pathname.startsWith(`${NWS_PREFIX}/`)) {
      handleNws(weather, clock, origin, req, res, url);
    } else if (url.pathname.startsWith('/_sim/')) {
      void handleAdmin(req, res, url);
    } else {
      sendProblem(res, notFound(`no endpoint ${req.method} ${url.pathname}`));
    }
  });
  server.keepAliveTimeout = 5_000;
  ws.attach(server);

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const hostForUrl = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  origin = `http://${hostForUrl}:${address.port}`;
  restUrl = `${origin}${REST_PREFIX}`;
  wsUrl = `ws://${hostForUrl}:${address.port}${WS_PATH}`;

  const housekeeping = setInterval(() => {
    const now = clock();
    lifecycle.tick(now);
    lifecycle.expire(now);
    updateWeather(now);
  }, 1_000);
  housekeeping.unref();
  activity.start();

  let closed = false;
  return {
    instanceId,
    restUrl,
    wsUrl,
    port: address.port,
    core,
    faults,
    activity,
    lifecycle,
    weather,
    forecastUrl: `${origin}${NWS_PREFIX}`,
    createAccount,
    accountOf: (keyId) => keys.accountOf(keyId),
    seedAccount: seed,
    applyFault,
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(housekeeping);
      activity.stop();
      await ws.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
