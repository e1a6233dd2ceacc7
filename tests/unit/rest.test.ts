import { constants, verify } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  KalshiError,
  KalshiHttpError,
  KalshiNetworkError,
  KalshiTimeoutError,
} from '../../src/kalshi/errors.js';
import { RateLimiter } from '../../src/kalshi/rate-limit.js';
import {
  buildQuery,
  collect,
  KalshiRestClient,
  type KalshiRestClientOptions,
  paginate,
} from '../../src/kalshi/rest.js';
import { createSigner, generateKeyPair, type Signer, verifySignature } from '../../src/kalshi/signer.js';

interface Seen {
  method: string;
  url: string;
  pathname: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: string;
}

/** 'hang': never answer; 'drop': close the connection without an answer. */
type Reply =
  | { status: number; body?: unknown; raw?: string; headers?: Record<string, string> }
  | 'hang'
  | 'drop';

interface TestServer {
  baseUrl: string;
  seen: Seen[];
  close(): Promise<void>;
}

const servers: TestServer[] = [];

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function serve(
  handler: (req: Seen, n: number) => Reply | Promise<Reply>,
  options: { keepAliveTimeoutMs?: number } = {},
): Promise<TestServer> {
  const seen: Seen[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x');
      const entry: Seen = {
        method: req.method ?? '',
        url: req.url ?? '',
        pathname: url.pathname,
        query: url.searchParams,
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      seen.push(entry);
      void Promise.resolve(handler(entry, seen.length)).then((reply) => {
        if (reply === 'hang') return;
        if (reply === 'drop') {
          req.socket.destroy();
          return;
        }
        const text = reply.raw ?? (reply.body === undefined ? '' : JSON.stringify(reply.body));
        res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
        res.end(text);
      });
    });
  });
  if (options.keepAliveTimeoutMs !== undefined) server.keepAliveTimeout = options.keepAliveTimeoutMs;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const s: TestServer = {
    baseUrl: `http://127.0.0.1:${port}/trade-api/v2`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  servers.push(s);
  return s;
}

const noSleep = vi.fn(async (_ms: number) => {});

function client(server: TestServer, extra: Partial<KalshiRestClientOptions> = {}): KalshiRestClient {
  return new KalshiRestClient({
    baseUrl: server.baseUrl,
    rateLimiter: false,
    sleep: noSleep,
    random: () => 0.5,
    ...extra,
  });
}

const ORDER_V2 = {
  ticker: 'KXHIGHCHI-25DEC01-B45.5',
  client_order_id: 'c-1',
  side: 'bid',
  count: '10.00',
  price: '0.5600',
  time_in_force: 'good_till_canceled',
  self_trade_prevention_type: 'taker_at_cross',
} as const;

const KEY_ID = 'key-1234';
let keys: { privateKeyPem: string; publicKeyPem: string };
let signer: Signer;

beforeAll(() => {
  keys = generateKeyPair();
  signer = createSigner({ keyId: KEY_ID, privateKeyPem: keys.privateKeyPem });
});

describe('signing', () => {
  it('sends valid signed headers, signing the path with /trade-api/v2 and without the query', async () => {
    const server = await serve(() => ({ status: 200, body: { orders: [], cursor: '' } }));
    const now = 1_760_000_000_123;
    await client(server, { signer, now: () => now }).getOrders({ limit: 5, status: 'resting' });
    const req = server.seen[0];
    expect(req?.url).toBe('/trade-api/v2/portfolio/orders?limit=5&status=resting');
    const h = req?.headers ?? {};
    expect(h['kalshi-access-key']).toBe(KEY_ID);
    expect(h['kalshi-access-timestamp']).toBe(String(now));
    const sig = String(h['kalshi-access-signature']);
    expect(
      verifySignature(keys.publicKeyPem, String(now), 'GET', '/trade-api/v2/portfolio/orders', sig),
    ).toBe(true);
    // Not signed with the query, nor without the API prefix.
    const pss = { key: keys.publicKeyPem, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 };
    const withQuery = Buffer.from(`${now}GET/trade-api/v2/portfolio/orders?limit=5&status=resting`);
    expect(verify('sha256', withQuery, pss, Buffer.from(sig, 'base64'))).toBe(false);
    expect(verifySignature(keys.publicKeyPem, String(now), 'GET', '/portfolio/orders', sig)).toBe(false);
  });

  it('signs writes too, with the JSON body unsigned but sent', async () => {
    const server = await serve(() => ({
      status: 201,
      body: { order_id: 'o-1', fill_count: '0.00', ts_ms: 1 },
    }));
    const result = await client(server, { signer }).createOrderV2(ORDER_V2);
    expect(result.outcome).toBe('accepted');
    const req = server.seen[0];
    expect(req?.method).toBe('POST');
    expect(req?.headers['content-type']).toBe('application/json');
    expect(JSON.parse(req?.body ?? '')).toEqual(ORDER_V2);
    expect(
      verifySignature(
        keys.publicKeyPem,
        String(req?.headers['kalshi-access-timestamp']),
        'POST',
        '/trade-api/v2/portfolio/events/orders',
        String(req?.headers['kalshi-access-signature']),
      ),
    ).toBe(true);
  });

  it('sends no auth headers without a signer (public market data)', async () => {
    const server = await serve(() => ({
      status: 200,
      body: { exchange_active: true, trading_active: true },
    }));
    await expect(client(server).getExchangeStatus()).resolves.toEqual({
      exchange_active: true,
      trading_active: true,
    });
    expect(server.seen[0]?.headers['kalshi-access-key']).toBeUndefined();
  });
});

describe('query strings and paths', () => {
  it('builds filters into the query: lists comma-joined, undefined skipped', async () => {
    const server = await serve(() => ({ status: 200, body: { markets: [], cursor: '' } }));
    await client(server).getMarkets({
      limit: 100,
      tickers: ['KXA-1', 'KXB-2'],
      event_ticker: undefined,
      series_ticker: 'KXHIGHCHI',
      status: 'open',
      min_close_ts: 1700000000,
      max_close_ts: 1800000000,
      mve_filter: 'exclude',
    });
    const q = server.seen[0]?.query;
    expect(server.seen[0]?.pathname).toBe('/trade-api/v2/markets');
    expect(Object.fromEntries(q ?? [])).toEqual({
      limit: '100',
      tickers: 'KXA-1,KXB-2',
      series_ticker: 'KXHIGHCHI',
      status: 'open',
      min_close_ts: '1700000000',
      max_close_ts: '1800000000',
      mve_filter: 'exclude',
    });
  });

  it('buildQuery skips null, undefined and empty lists and renders booleans', () => {
    expect(buildQuery({ a: undefined, b: null, c: [], d: true, e: 0 })).toBe('?d=true&e=0');
    expect(buildQuery({})).toBe('');
  });

  it('puts ids and tickers into the path, encoded', async () => {
    const server = await serve(() => ({
      status: 200,
      body: { orderbook_fp: { yes_dollars: [], no_dollars: [] } },
    }));
    await client(server).getMarketOrderbook('KXHIGHCHI-25DEC01-B45.5', 10);
    expect(server.seen[0]?.url).toBe('/trade-api/v2/markets/KXHIGHCHI-25DEC01-B45.5/orderbook?depth=10');
  });

  it('uses the documented paths and methods for every order-entry call', async () => {
    const server = await serve((req) => {
      if (req.method === 'DELETE' && req.pathname === '/trade-api/v2/portfolio/events/orders')
        return { status: 204 };
      return {
        status: 200,
        body: { order_id: 'o', order: { order_id: 'o' }, orders: [], old_order: { order_id: 'o' } },
      };
    });
    const c = client(server);
    const amendV2 = { ticker: 'T', side: 'bid', price: '0.5000', count: '1.00' } as const;
    const results = await Promise.all([
      c.cancelOrderV2('o1', { subaccount: 2 }),
      c.batchCreateOrdersV2({ orders: [ORDER_V2] }),
      c.batchCancelOrdersV2({ orders: [{ order_id: 'o1' }] }),
      c.cancelAllOrders(),
      c.amendOrderV2('o1', amendV2),
      c.decreaseOrderV2('o1', { reduce_by: '1.00' }),
      c.createOrder({
        ticker: 'T',
        side: 'yes',
        action: 'buy',
        count_fp: '1.00',
        yes_price_dollars: '0.5000',
      }),
      c.cancelOrder('o1'),
      c.batchCreateOrders({ orders: [] }),
      c.batchCancelOrders({ orders: [{ order_id: 'o1' }] }),
      c.amendOrder('o1', { ticker: 'T', side: 'yes', action: 'buy', yes_price_dollars: '0.4000' }),
      c.decreaseOrder('o1', { reduce_to_fp: '0.00' }),
    ]);
    expect(results.map((r) => r.outcome)).toEqual(Array(12).fill('accepted'));
    expect(results[3]).toEqual({ outcome: 'accepted', value: undefined, status: 204 });
    const calls = server.seen.map((s) => `${s.method} ${s.url}`).sort();
    expect(calls).toEqual(
      [
        'DELETE /trade-api/v2/portfolio/events/orders/o1?subaccount=2',
        'POST /trade-api/v2/portfolio/events/orders/batched',
        'DELETE /trade-api/v2/portfolio/events/orders/batched',
        'DELETE /trade-api/v2/portfolio/events/orders',
        'POST /trade-api/v2/portfolio/events/orders/o1/amend',
        'POST /trade-api/v2/portfolio/events/orders/o1/decrease',
        'POST /trade-api/v2/portfolio/orders',
        'DELETE /trade-api/v2/portfolio/orders/o1',
        'POST /trade-api/v2/portfolio/orders/batched',
        'DELETE /trade-api/v2/portfolio/orders/batched',
        'POST /trade-api/v2/portfolio/orders/o1/amend',
        'POST /trade-api/v2/portfolio/orders/o1/decrease',
      ].sort(),
    );
  });
});

describe('pagination', () => {
  it('walks three pages until the cursor comes back empty', async () => {
    const pages: Record<string, { markets: Array<{ ticker: string }>; cursor: string }> = {
      '': { markets: [{ ticker: 'A' }, { ticker: 'B' }], cursor: 'c2' },
      c2: { markets: [{ ticker: 'C' }], cursor: 'c3' },
      c3: { markets: [{ ticker: 'D' }], cursor: '' },
    };
    const server = await serve((req) => ({ status: 200, body: pages[req.query.get('cursor') ?? ''] }));
    const tickers = (await collect(client(server).allMarkets({ status: 'open', limit: 2 }))).map(
      (m) => m.ticker,
    );
    expect(tickers).toEqual(['A', 'B', 'C', 'D']);
    expect(server.seen.map((s) => s.query.get('cursor'))).toEqual([null, 'c2', 'c3']);
    expect(server.seen.every((s) => s.query.get('status') === 'open' && s.query.get('limit') === '2')).toBe(
      true,
    );
  });

  it('treats an absent cursor as the last page', async () => {
    const server = await serve(() => ({ status: 200, body: { settlements: [{ ticker: 'A' }] } }));
    expect(await collect(client(server).allSettlements())).toHaveLength(1);
  });

  it('throws a clear error instead of looping when the server repeats a cursor', async () => {
    const server = await serve(() => ({
      status: 200,
      body: { orders: [{ order_id: 'x' }], cursor: 'same' },
    }));
    const err = await collect(client(server).allOrders()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KalshiError);
    expect((err as KalshiError).code).toBe('KALSHI_HTTP_PAGINATION_LOOP');
    expect((err as KalshiError).message).toMatch(/already used/);
    expect(server.seen).toHaveLength(2);
  });

  it('paginate is a plain helper over any page function', async () => {
    const fetchPage = vi.fn(async (cursor?: string) =>
      cursor === undefined ? { items: [1, 2], cursor: 'n' } : { items: [3], cursor: null },
    );
    expect(await collect(paginate(fetchPage))).toEqual([1, 2, 3]);
    expect(fetchPage.mock.calls).toEqual([[undefined], ['n']]);
  });

  it('gives a listing a page at a time, and stops a repeated cursor there too', async () => {
    const fetchPage = vi.fn(async (cursor?: string) =>
      cursor === undefined ? { items: [1, 2], cursor: 'n' } : { items: [3], cursor: null },
    );
    expect(await collect(paginate(fetchPage).pages())).toEqual([[1, 2], [3]]);
    const looping = paginate(async () => ({ items: [1], cursor: 'same' }));
    const err = await collect(looping.pages()).catch((e: unknown) => e);
    expect((err as KalshiError).code).toBe('KALSHI_HTTP_PAGINATION_LOOP');
  });

  it('gives the first page alone, saying whether the listing goes on', async () => {
    const fetchPage = vi.fn(async (cursor?: string) =>
      cursor === undefined ? { items: [1, 2], cursor: 'n' } : { items: [3], cursor: null },
    );
    expect(await paginate(fetchPage).first()).toEqual({ items: [1, 2], more: true });
    expect(fetchPage).toHaveBeenCalledTimes(1);
    for (const cursor of [undefined, null, '']) {
      expect(await paginate(async () => ({ items: [1], cursor })).first()).toEqual({
        items: [1],
        more: false,
      });
    }
  });

  it('walks fills and positions too', async () => {
    const server = await serve((req) =>
      req.pathname.endsWith('/fills')
        ? { status: 200, body: { fills: [{ fill_id: 'f' }], cursor: '' } }
        : {
            status: 200,
            body: { market_positions: [{ ticker: 'M' }], event_positions: [{ event_ticker: 'E' }] },
          },
    );
    const c = client(server);
    expect(await collect(c.allFills({ ticker: 'M' }))).toEqual([{ fill_id: 'f' }]);
    expect(await collect(c.allPositions())).toEqual([{ ticker: 'M' }]);
    expect(await collect(c.allEventPositions())).toEqual([{ event_ticker: 'E' }]);
  });
});

describe('reads retry; errors are typed', () => {
  it('retries a GET after 503 and returns the later success, backing off with jitter', async () => {
    const server = await serve((_req, n) =>
      n === 1
        ? { status: 503, body: { error: { code: 'service_unavailable' } } }
        : {
            status: 200,
            body: { balance: 500, portfolio_value: 0, updated_ts: 1, balance_dollars: '5.0000' },
          },
    );
    const sleep = vi.fn(async (_ms: number) => {});
    const balance = await client(server, { sleep, random: () => 1 }).getBalance();
    expect(balance.balance).toBe(500);
    expect(server.seen).toHaveLength(2);
    expect(sleep.mock.calls.map((c) => c[0])).toEqual([200]);
  });

  it('a read asked for one attempt is not retried', async () => {
    const server = await serve(() => ({ status: 503, body: { error: { code: 'service_unavailable' } } }));
    const sleep = vi.fn(async (_ms: number) => {});
    const err = await client(server, { sleep })
      .getBalance({}, { maxAttempts: 1 })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 503 });
    expect(server.seen).toHaveLength(1);
    expect(sleep).not.toHaveBeenCalled();
  });

  it('retries 429 for GETs with growing, capped delays, then throws the rate-limit error', async () => {
    const server = await serve(() => ({ status: 429, body: { error: 'too many requests' } }));
    const sleep = vi.fn(async (_ms: number) => {});
    const c = client(server, {
      sleep,
      random: () => 0,
      retry: { maxAttempts: 4, baseDelayMs: 200, maxDelayMs: 500 },
    });
    const err = await c.getMarket('KX-1').catch((e: unknown) => e);
    expect(server.seen).toHaveLength(4);
    expect(sleep.mock.calls.map((c) => c[0])).toEqual([100, 200, 250]);
    expect(err).toBeInstanceOf(KalshiHttpError);
    const http = err as KalshiHttpError;
    expect(http.code).toBe('KALSHI_HTTP_RATE_LIMITED');
    expect(http.status).toBe(429);
    expect(http.apiMessage).toBe('too many requests');
    expect(http.message).toBe('GET /trade-api/v2/markets/KX-1 answered HTTP 429 (too many requests)');
  });

  it("waits at least the 429's Retry-After before reading again", async () => {
    const server = await serve((_req, n) =>
      n === 1
        ? { status: 429, body: { error: 'too many requests' }, headers: { 'retry-after': '2' } }
        : { status: 200, body: { market: { ticker: 'KX-1' } } },
    );
    const sleep = vi.fn(async (_ms: number) => {});
    await client(server, { sleep, random: () => 0 }).getMarket('KX-1');
    expect(sleep.mock.calls.map((c) => c[0])).toEqual([2_000]);
  });

  it('succeeds on a 429 followed by 200', async () => {
    const server = await serve((_req, n) =>
      n === 1
        ? { status: 429, body: { error: 'too many requests' } }
        : { status: 200, body: { market: { ticker: 'KX-1' } } },
    );
    await expect(client(server).getMarket('KX-1')).resolves.toEqual({ market: { ticker: 'KX-1' } });
  });

  it('does not retry a 4xx read, and parses the error body', async () => {
    const server = await serve(() => ({
      status: 404,
      body: {
        error: { code: 'not_found', message: 'market not found', details: 'KX-NOPE', service: 'exchange' },
      },
    }));
    const err = await client(server, { signer })
      .getMarket('KX-NOPE')
      .catch((e: unknown) => e);
    expect(server.seen).toHaveLength(1);
    expect(err).toBeInstanceOf(KalshiHttpError);
    const http = err as KalshiHttpError;
    expect(http).toMatchObject({
      code: 'KALSHI_HTTP_STATUS',
      status: 404,
      method: 'GET',
      path: '/trade-api/v2/markets/KX-NOPE',
      apiCode: 'not_found',
      apiMessage: 'market not found',
      details: 'KX-NOPE',
      service: 'exchange',
    });
    expect(http.message).toBe(
      'GET /trade-api/v2/markets/KX-NOPE answered HTTP 404 (not_found: market not found: KX-NOPE)',
    );
    const sig = String(server.seen[0]?.headers['kalshi-access-signature']);
    expect(http.message).not.toContain(sig);
    expect(JSON.stringify(http)).not.toContain(sig);
  });

  it('keeps a non-JSON error body as text', async () => {
    const server = await serve(() => ({ status: 502, raw: '<html>Bad gateway</html>' }));
    const err = await client(server, { retry: { maxAttempts: 1 } })
      .getExchangeStatus()
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 502, body: '<html>Bad gateway</html>', apiCode: undefined });
  });

  it('throws KALSHI_WIRE_BAD_MESSAGE when a 200 has the wrong shape', async () => {
    const server = await serve(() => ({ status: 200, body: { markets: 'nope' } }));
    await expect(client(server).getMarkets()).rejects.toMatchObject({ code: 'KALSHI_WIRE_BAD_MESSAGE' });
  });

  it('retries a read that times out, then throws KalshiTimeoutError', async () => {
    const server = await serve(() => 'hang');
    const err = await client(server, { timeoutMs: 50, retry: { maxAttempts: 2 } })
      .getOrder('o-1')
      .catch((e: unknown) => e);
    expect(server.seen).toHaveLength(2);
    expect(err).toBeInstanceOf(KalshiTimeoutError);
    expect((err as KalshiTimeoutError).message).toBe(
      'GET /trade-api/v2/portfolio/orders/o-1 timed out after 50 ms',
    );
    expect((err as KalshiTimeoutError).cause).toBeDefined();
  });

  it('throws KalshiNetworkError when nothing listens', async () => {
    const server = await serve(() => ({ status: 200 }));
    await server.close();
    const err = await client(server, { retry: { maxAttempts: 2 } })
      .getFills()
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KalshiNetworkError);
    expect((err as KalshiNetworkError).systemCode).toBe('ECONNREFUSED');
  });
});

describe('writes are never blindly retried', () => {
  it('a 500 gives outcome unknown, after exactly one request', async () => {
    const server = await serve(() => ({ status: 500, body: { error: { code: 'internal_server_error' } } }));
    const result = await client(server).createOrderV2(ORDER_V2);
    expect(server.seen).toHaveLength(1);
    expect(result.outcome).toBe('unknown');
    if (result.outcome !== 'unknown') throw new Error('unreachable');
    expect(result.error).toBeInstanceOf(KalshiHttpError);
    expect((result.error as KalshiHttpError).status).toBe(500);
  });

  it('a timeout gives outcome unknown, after exactly one request', async () => {
    const server = await serve(() => 'hang');
    const result = await client(server, { timeoutMs: 100 }).cancelOrderV2('o-1');
    expect(server.seen).toHaveLength(1);
    expect(result.outcome).toBe('unknown');
    if (result.outcome !== 'unknown') throw new Error('unreachable');
    expect(result.error).toBeInstanceOf(KalshiTimeoutError);
    expect(result.error.code).toBe('KALSHI_HTTP_TIMEOUT');
  });

  it('a 400 gives outcome rejected with the parsed code and details', async () => {
    const server = await serve(() => ({
      status: 400,
      body: { error: { code: 'invalid_order', message: 'invalid order', details: 'post only cross' } },
    }));
    const result = await client(server).createOrderV2({ ...ORDER_V2, post_only: true });
    expect(server.seen).toHaveLength(1);
    expect(result.outcome).toBe('rejected');
    if (result.outcome !== 'rejected') throw new Error('unreachable');
    expect(result.error).toMatchObject({
      status: 400,
      apiCode: 'invalid_order',
      apiMessage: 'invalid order',
      details: 'post only cross',
      method: 'POST',
      path: '/trade-api/v2/portfolio/events/orders',
    });
  });

  it('a 429 gives outcome rejected (not processed), after exactly one request', async () => {
    const server = await serve(() => ({ status: 429, body: { error: 'too many requests' } }));
    const result = await client(server).batchCreateOrdersV2({ orders: [ORDER_V2, ORDER_V2] });
    expect(server.seen).toHaveLength(1);
    expect(result.outcome).toBe('rejected');
    if (result.outcome !== 'rejected') throw new Error('unreachable');
    expect(result.error.code).toBe('KALSHI_HTTP_RATE_LIMITED');
  });

  it('a 201 whose body cannot be read gives outcome unknown', async () => {
    const server = await serve(() => ({ status: 201, raw: 'not json' }));
    const result = await client(server).createOrder({
      ticker: 'T',
      side: 'yes',
      action: 'buy',
      count: 1,
      yes_price: 50,
    });
    expect(result.outcome).toBe('unknown');
    if (result.outcome !== 'unknown') throw new Error('unreachable');
    expect(result.error.code).toBe('KALSHI_WIRE_BAD_MESSAGE');
  });

  it('a refused connection gives outcome not_sent', async () => {
    const server = await serve(() => ({ status: 200 }));
    await server.close();
    const result = await client(server).createOrderV2(ORDER_V2);
    expect(result.outcome).toBe('not_sent');
    if (result.outcome !== 'not_sent') throw new Error('unreachable');
    expect(result.error).toBeInstanceOf(KalshiNetworkError);
  });

  it('a v1 create returns the accepted order', async () => {
    const order = { order_id: 'o-9', status: 'resting', ticker: 'T' };
    const server = await serve(() => ({ status: 201, body: { order } }));
    const result = await client(server).createOrder({
      ticker: 'T',
      side: 'yes',
      action: 'buy',
      count_fp: '1.00',
      yes_price_dollars: '0.5000',
      client_order_id: 'c-9',
    });
    expect(result).toEqual({ outcome: 'accepted', value: { order }, status: 201 });
  });

  it('a connection closed after the request arrived gives outcome unknown, after exactly one request', async () => {
    const server = await serve(() => 'drop');
    const result = await client(server).createOrderV2(ORDER_V2);
    expect(result.outcome).toBe('unknown');
    if (result.outcome !== 'unknown') throw new Error('unreachable');
    expect(result.error).toBeInstanceOf(KalshiNetworkError);
    expect(server.seen).toHaveLength(1);
  });

  it('a redirect is not followed: outcome unknown, after exactly one request', async () => {
    const server = await serve(() => ({
      status: 307,
      headers: { location: '/trade-api/v2/portfolio/events/orders' },
    }));
    const result = await client(server).createOrderV2(ORDER_V2);
    expect(result.outcome).toBe('unknown');
    expect(server.seen).toHaveLength(1);
  });

  it('a write after the server closed the idle keep-alive connection is sent once, on a new one', async () => {
    const server = await serve(() => ({ status: 201, body: { order_id: 'o' } }), { keepAliveTimeoutMs: 50 });
    const c = client(server);
    expect((await c.createOrderV2(ORDER_V2)).outcome).toBe('accepted');
    await new Promise((r) => setTimeout(r, 200));
    expect((await c.createOrderV2({ ...ORDER_V2, client_order_id: 'c-2' })).outcome).toBe('accepted');
    expect(server.seen.map((s) => JSON.parse(s.body).client_order_id)).toEqual(['c-1', 'c-2']);
  });

  it('nothing leaves a closed client: not_sent', async () => {
    const server = await serve(() => ({ status: 201, body: { order_id: 'o' } }));
    const c = client(server);
    await c.close();
    const result = await c.createOrderV2(ORDER_V2);
    expect(result.outcome).toBe('not_sent');
    if (result.outcome !== 'not_sent') throw new Error('unreachable');
    expect(result.error.message).toContain('failed before an answer arrived');
    expect(server.seen).toHaveLength(0);
  });

  it('an aborted signal before sending gives not_sent and sends nothing', async () => {
    const server = await serve(() => ({ status: 201, body: { order_id: 'o' } }));
    const ac = new AbortController();
    ac.abort();
    const result = await client(server).createOrderV2(ORDER_V2, { signal: ac.signal });
    expect(result.outcome).toBe('not_sent');
    expect(server.seen).toHaveLength(0);
  });
});

describe('rate limiting', () => {
  it('acquires tokens before every request with the method, full path and batch size', async () => {
    const server = await serve((req) =>
      req.method === 'GET'
        ? { status: 200, body: { markets: [], cursor: '' } }
        : { status: 201, body: { orders: [] } },
    );
    let t = 0;
    const limiter = new RateLimiter({
      now: () => t,
      sleep: async (ms) => {
        t += ms;
      },
    });
    const acquire = vi.spyOn(limiter, 'acquire');
    const c = client(server, { rateLimiter: limiter });
    await c.getMarkets();
    await c.batchCreateOrdersV2({ orders: [ORDER_V2, ORDER_V2, ORDER_V2] });
    expect(acquire.mock.calls.map((call) => call.slice(0, 3))).toEqual([
      ['GET', '/trade-api/v2/markets', undefined],
      ['POST', '/trade-api/v2/portfolio/events/orders/batched', 3],
    ]);
  });

  it('waits on the limiter clock once the write bucket is empty', async () => {
    const server = await serve(() => ({ status: 201, body: { order_id: 'o', ts_ms: 1 } }));
    let t = 0;
    const sleeps: number[] = [];
    const limiter = new RateLimiter({
      now: () => t,
      sleep: async (ms) => {
        sleeps.push(ms);
        t += ms;
      },
    });
    const c = client(server, { rateLimiter: limiter });
    for (let i = 0; i < 21; i++) expect((await c.createOrderV2(ORDER_V2)).outcome).toBe('accepted');
    expect(sleeps).toEqual([100]);
    expect(server.seen).toHaveLength(21);
  });

  it('a batch too big for the bucket is not_sent', async () => {
    const server = await serve(() => ({ status: 201, body: { orders: [] } }));
    const result = await client(server, { rateLimiter: new RateLimiter() }).batchCreateOrdersV2({
      orders: Array(21).fill(ORDER_V2),
    });
    expect(result.outcome).toBe('not_sent');
    if (result.outcome !== 'not_sent') throw new Error('unreachable');
    expect(result.error.code).toBe('KALSHI_RATE_LIMIT_OVER_CAPACITY');
    expect(server.seen).toHaveLength(0);
  });

  it('a server 429 empties the local bucket', async () => {
    const server = await serve(() => ({ status: 429, body: { error: 'too many requests' } }));
    const limiter = new RateLimiter({ now: () => 0 });
    await client(server, { rateLimiter: limiter }).createOrderV2(ORDER_V2);
    expect(limiter.write.tokens).toBe(0);
  });
});
