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
 *   POST /_sim/accounts                {balance_dollars?}       a new funded account + API key
 *   POST /_sim/markets/{ticker}/status {status}                 e.g. closed, inactive, active
 *   POST /_sim/markets/{ticker}/settle {result: yes|no|void}    determine and settle
 *   GET  /_sim/stats                                             instance_id, connections, activity and
 *                                                                lifecycle counters
 */
import { createHash, createPublicKey, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MICROS_PER_DOLLAR, type Micros } from '../domain/index.js';
import { generateKeyPair, parseDollars, type RATE_LIMIT_TIERS, RateLimiter } from '../kalshi/index.js';
import { type Activity, createActivity } from './activity.js';
import { KeyRegistry } from './auth.js';
import type { ExchangeCore, MarketResult, MarketStatus } from './core-types.js';
import { createDeterminer } from './determination.js';
import { createExchangeCore } from './exchange.js';
import { type FaultCommand, FaultInjector, parseFaultCommand } from './faults.js';
import { badRequest, HttpProblem, notFound, readJsonBody, sendJson, sendProblem } from './http-util.js';
import { createLifecycleDriver, type LifecycleDriver } from './lifecycle.js';
import { handleRest, REST_PREFIX, type RequestGate } from './rest-api.js';
import { createListings, installUniverse } from './universe.js';
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
  pingIntervalMs?: number;
  clock?: () => number;
  /** Determine and settle closed markets at their expected expiration time (default true). */
  autoSettle?: boolean;
  /** List the next period's event when an event stops trading (default true). */
  relist?: boolean;
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
  /** Opens a funded account; registers the given key (or a new one) for it. */
  createAccount(opts?: { balance?: Micros; keyId?: string; privateKeyPem?: string }): SimCredentials;
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
  });
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
  const gates = new Map<string, RequestGate>();
  const gate = (caller: string): RequestGate | undefined => {
    if (tier === false) return undefined;
    let g = gates.get(caller);
    if (!g) {
      g = new RateLimiter({ tier, now: clock });
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
    ...(options.autoSettle === false ? {} : { determine: determiner.resultFor }),
    ...(options.relist === false
      ? {}
      : { relist: (eventTicker: string, nowMs: number) => listings.listSuccessor(core, eventTicker, nowMs) }),
  });
  const restCtx = { core, clock, keys, faults, gate, marketId };

  let restUrl = '';
  let wsUrl = '';
  let accountCounter = 0;

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
    return { key_id: keyId, private_key_pem: privateKeyPem, rest_url: restUrl, ws_url: wsUrl };
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
        const raw = (body as { balance_dollars?: unknown } | undefined)?.balance_dollars;
        const balance = raw === undefined ? undefined : parseDollars(raw, 'balance_dollars');
        return sendJson(res, 201, createAccount(balance === undefined ? {} : { balance }));
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
  restUrl = `http://${hostForUrl}:${address.port}${REST_PREFIX}`;
  wsUrl = `ws://${hostForUrl}:${address.port}${WS_PATH}`;

  const housekeeping = setInterval(() => {
    const now = clock();
    lifecycle.tick(now);
    lifecycle.expire(now);
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
    createAccount,
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
