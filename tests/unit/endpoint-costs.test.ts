import { describe, expect, it } from 'vitest';
import { CostTable, type EndpointCosts, endpointCost } from '../../src/kalshi/endpoint-costs.js';
import { endpointCostsFromRest } from '../../src/kalshi/normalize.js';
import { RateLimiter } from '../../src/kalshi/rate-limit.js';

/**
 * Every request our REST client makes (rest.ts), with its batch size, and what the documented
 * costs charge it: bucket and tokens (the figures the earlier hand-written rules gave).
 */
const CLIENT_REQUESTS: Array<[string, string, number, 'read' | 'write', number]> = [
  ['GET', '/trade-api/v2/markets?limit=1000', 1, 'read', 10],
  ['GET', '/trade-api/v2/portfolio/orders/abc-1', 1, 'read', 10],
  ['GET', '/trade-api/v2/account/limits', 1, 'read', 10],
  ['POST', '/trade-api/v2/portfolio/events/orders', 1, 'write', 10],
  ['DELETE', '/trade-api/v2/portfolio/events/orders/abc-1', 1, 'write', 2],
  ['POST', '/trade-api/v2/portfolio/events/orders/batched', 7, 'write', 70],
  ['DELETE', '/trade-api/v2/portfolio/events/orders/batched', 7, 'write', 14],
  ['DELETE', '/trade-api/v2/portfolio/events/orders', 1, 'write', 10],
  ['POST', '/trade-api/v2/portfolio/events/orders/abc-1/amend', 1, 'write', 10],
  ['POST', '/trade-api/v2/portfolio/events/orders/abc-1/decrease', 1, 'write', 10],
  ['POST', '/trade-api/v2/portfolio/orders', 1, 'write', 100],
  ['DELETE', '/trade-api/v2/portfolio/orders/abc-1', 1, 'write', 20],
  ['POST', '/trade-api/v2/portfolio/orders/batched', 3, 'write', 300],
  ['DELETE', '/trade-api/v2/portfolio/orders/batched', 3, 'write', 60],
  ['DELETE', '/trade-api/v2/portfolio/orders', 1, 'write', 100],
  ['POST', '/trade-api/v2/portfolio/orders/abc-1/amend', 1, 'write', 100],
  ['POST', '/trade-api/v2/portfolio/orders/abc-1/decrease', 1, 'write', 100],
  ['POST', '/trade-api/v2/portfolio/order_groups/create', 1, 'write', 10],
  ['DELETE', '/trade-api/v2/portfolio/order_groups/g-1', 1, 'write', 10],
  ['PUT', '/trade-api/v2/portfolio/order_groups/g-1/reset', 1, 'write', 10],
  ['PUT', '/trade-api/v2/portfolio/order_groups/g-1/trigger', 1, 'write', 10],
  ['PUT', '/trade-api/v2/portfolio/order_groups/g-1/limit', 1, 'write', 10],
];

describe('endpoint costs', () => {
  it('charges every request of our client the documented cost until the exchange lists its own', () => {
    for (const [method, path, items, bucket, cost] of CLIENT_REQUESTS) {
      expect(endpointCost(method, path, items), `${method} ${path}`).toEqual({ bucket, cost });
      expect(new RateLimiter().cost(method, path, items), `${method} ${path}`).toEqual({ bucket, cost });
    }
  });

  it("charges by the exchange's list: listed routes as listed, others its default, batches per order", () => {
    const table = new CostTable({
      defaultCost: 12,
      entries: [
        { method: 'delete', path: '/portfolio/events/orders/{order_id}', cost: 3 },
        { method: 'DELETE', path: '/trade-api/v2/portfolio/events/orders/batched', cost: 4 },
        { method: 'GET', path: '/portfolio/orders/:order_id', cost: 1 },
        { method: 'POST', path: '/portfolio/events/orders/batched', cost: 9 },
      ],
    });
    // A template matches one segment; the literal route wins over the template that also matches.
    expect(table.costOf('DELETE', '/trade-api/v2/portfolio/events/orders/o-9')).toEqual({
      bucket: 'write',
      cost: 3,
    });
    expect(table.costOf('DELETE', '/portfolio/events/orders/batched', 5)).toEqual({
      bucket: 'write',
      cost: 20,
    });
    expect(table.costOf('POST', '/portfolio/events/orders/batched', 5)).toEqual({
      bucket: 'write',
      cost: 45,
    });
    // Reads are charged by the list too, from the read bucket; the query string is not the route.
    expect(table.costOf('GET', '/trade-api/v2/portfolio/orders/o-9?x=1')).toEqual({
      bucket: 'read',
      cost: 1,
    });
    expect(table.costOf('GET', '/portfolio/orders')).toEqual({ bucket: 'read', cost: 12 });
    // Unlisted: the list's default; a batch of an unlisted route is the default per order.
    expect(table.costOf('POST', '/portfolio/events/orders')).toEqual({ bucket: 'write', cost: 12 });
    expect(table.costOf('POST', '/portfolio/orders/batched', 2)).toEqual({ bucket: 'write', cost: 24 });
    // A template does not match an empty segment or a deeper path.
    expect(table.listed('DELETE', '/portfolio/events/orders/')).toBeUndefined();
    expect(table.listed('DELETE', '/portfolio/events/orders/o-9/amend')).toBeUndefined();
  });

  it('refuses a list it could not charge by, naming the entry', () => {
    const with1 = (e: Record<string, unknown>) =>
      ({ defaultCost: 10, entries: [e] }) as unknown as EndpointCosts;
    expect(() => new CostTable({ defaultCost: 0, entries: [] })).toThrow(/default cost must be a positive/);
    expect(() => new CostTable(with1({ method: 'GET', path: '/x', cost: -1 }))).toThrow(
      /entry 0 \(GET \/x\): cost must be a non-negative number of tokens \(got -1\)/,
    );
    expect(() => new CostTable(with1({ method: 'G T', path: '/x', cost: 1 }))).toThrow(/entry 0: method/);
    expect(() => new CostTable(with1({ method: 'GET', path: 'x', cost: 1 }))).toThrow(
      /entry 0: path must start/,
    );
  });

  it('reads the wire list, and names the field of a bad one', () => {
    expect(
      endpointCostsFromRest({
        default_cost: 10,
        endpoint_costs: [{ method: 'DELETE', path: '/portfolio/events/orders/{order_id}', cost: 2 }],
      }),
    ).toEqual({
      defaultCost: 10,
      entries: [{ method: 'DELETE', path: '/portfolio/events/orders/{order_id}', cost: 2 }],
    });
    const bad = (body: unknown) => () => endpointCostsFromRest(body as never);
    expect(bad({ default_cost: '10', endpoint_costs: [] })).toThrow(/default_cost must be a positive number/);
    expect(bad({ default_cost: 10 })).toThrow(/endpoint_costs must be an array/);
    expect(bad({ default_cost: 10, endpoint_costs: [{ method: 'GET', path: '/a', cost: 'x' }] })).toThrow(
      /endpoint_costs\[0\]\.cost must be a non-negative number of tokens \(got "x"\)/,
    );
    expect(bad({ default_cost: 10, endpoint_costs: [null] })).toThrow(
      /endpoint_costs\[0\] must be an object/,
    );
    expect(bad({ default_cost: 10, endpoint_costs: [{ method: 'GET', cost: 1 }] })).toThrow(
      /endpoint_costs\[0\]\.path must be a route path/,
    );
  });

  it("a limiter that adopted the exchange's costs paces by them", () => {
    let t = 1_000_000;
    const limiter = new RateLimiter({ tier: 'basic', now: () => t }); // read bucket: 200 tokens
    expect(limiter.costs).toBeUndefined();
    limiter.adoptCosts({
      defaultCost: 10,
      entries: [{ method: 'GET', path: '/portfolio/balance', cost: 100 }],
    });
    expect(limiter.cost('GET', '/trade-api/v2/portfolio/balance')).toEqual({ bucket: 'read', cost: 100 });
    expect(limiter.tryAcquire('GET', '/trade-api/v2/portfolio/balance')).toBe(true);
    expect(limiter.tryAcquire('GET', '/trade-api/v2/portfolio/balance')).toBe(true);
    expect(limiter.tryAcquire('GET', '/trade-api/v2/portfolio/balance')).toBe(false);
    expect(limiter.msUntil('GET', '/trade-api/v2/portfolio/balance')).toBe(500);
    t += 500;
    expect(limiter.tryAcquire('GET', '/trade-api/v2/portfolio/balance')).toBe(true);
    // A list that cannot be used is refused and the costs in force stay.
    expect(() => limiter.adoptCosts({ defaultCost: -1, entries: [] })).toThrow(RangeError);
    expect(limiter.costs?.defaultCost).toBe(10);
  });
});
