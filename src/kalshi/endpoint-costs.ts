/**
 * What a request costs in rate-limit tokens, and which bucket it draws from (KALSHI.md §3).
 *
 * Costs are a list, as Kalshi publishes them at GET /account/endpoint_costs: a default cost and
 * the endpoints whose cost differs (`CostTable`). A listed endpoint costs what the list says, any
 * other the list's default, and a batch endpoint's cost is per order in the batch (Kalshi: "every
 * item in the batch is billed separately"). The bucket is ours to say: GET, HEAD and OPTIONS read,
 * everything else writes.
 *
 * Until the exchange's own list is adopted (RateLimiter.adoptCosts), requests are charged by
 * DOCUMENTED_COSTS (`endpointCost`), the figures read in Kalshi's docs: default 10; V2 single
 * cancel 2, V2 batch cancel 2 per order, batch create 10 per order; legacy v1 order entry
 * (`/portfolio/orders…`) 10× its V2 equivalent since 2026-06-04 [UNCONFIRMED semantics: the 10×
 * is reported, not specified]; single-order reads are said to be cheaper, but no figure is
 * published: 10 here.
 *
 * A listed path may carry templates (`{order_id}` or `:order_id`: any one segment) and the
 * /trade-api/v2 prefix or not [UNCONFIRMED: the published schema says only "API route path"].
 * A request matching several entries takes the one with the most literal segments.
 */

export type BucketName = 'read' | 'write';

const isReadMethod = (m: string) => m === 'GET' || m === 'HEAD' || m === 'OPTIONS';

/** Tokens for a request with no specific cost. */
export const DEFAULT_COST = 10;
/** V2 single cancel, and V2 batch cancel per order. */
export const CANCEL_COST = 2;
/** Batch create, per order. */
export const BATCH_CREATE_COST_PER_ITEM = 10;
/** Legacy v1 order entry is this many times costlier than V2 [UNCONFIRMED]. */
export const LEGACY_V1_COST_MULTIPLIER = 10;

const API_PREFIX = '/trade-api/v2';

/** `/trade-api/v2/portfolio/orders?limit=5` → `/portfolio/orders`. */
export function apiRelativePath(path: string): string {
  let p = path;
  const cut = p.search(/[?#]/);
  if (cut >= 0) p = p.slice(0, cut);
  if (p === API_PREFIX || p.startsWith(`${API_PREFIX}/`)) p = p.slice(API_PREFIX.length);
  if (p.length > 1 && p.endsWith('/')) p = p.slice(0, -1);
  return p === '' ? '/' : p;
}

/** One endpoint of the exchange's list: method, route path, tokens. */
export interface EndpointCostEntry {
  readonly method: string;
  readonly path: string;
  readonly cost: number;
}

/** The exchange's list (GET /account/endpoint_costs): its default and the endpoints that differ. */
export interface EndpointCosts {
  readonly defaultCost: number;
  readonly entries: readonly EndpointCostEntry[];
}

interface CompiledEntry {
  readonly method: string;
  /** Literal segments, and undefined for a template segment (matches any one). */
  readonly segments: readonly (string | undefined)[];
  readonly literals: number;
  readonly cost: number;
}

const BATCH_PATH = /^\/portfolio(?:\/events)?\/orders\/batched$/;

/** What a list may hold (CostTable and the wire parser, normalize.ts, check the same). */
export function isTokenCost(cost: unknown): cost is number {
  return typeof cost === 'number' && Number.isFinite(cost) && cost >= 0;
}
export function isHttpMethod(method: unknown): method is string {
  return typeof method === 'string' && /^[A-Za-z]+$/.test(method);
}
export function isRoutePath(path: unknown): path is string {
  return typeof path === 'string' && path.startsWith('/');
}

/** The exchange's costs, compiled for matching request paths against the listed routes. */
export class CostTable {
  readonly defaultCost: number;
  readonly entries: readonly EndpointCostEntry[];
  readonly #compiled: readonly CompiledEntry[];

  /** Throws a RangeError naming the entry when a cost, method or path cannot be used. */
  constructor(costs: EndpointCosts) {
    if (!isTokenCost(costs.defaultCost) || costs.defaultCost === 0) {
      throw new RangeError(
        `endpoint costs: default cost must be a positive number of tokens (got ${JSON.stringify(costs.defaultCost)})`,
      );
    }
    this.defaultCost = costs.defaultCost;
    this.entries = costs.entries.map((e) => ({ ...e }));
    this.#compiled = this.entries.map((e, i) => {
      if (!isTokenCost(e.cost)) {
        throw new RangeError(
          `endpoint costs: entry ${i} (${e.method} ${e.path}): cost must be a non-negative number of tokens (got ${JSON.stringify(e.cost)})`,
        );
      }
      if (!isHttpMethod(e.method)) {
        throw new RangeError(
          `endpoint costs: entry ${i}: method must be an HTTP method (got ${JSON.stringify(e.method)})`,
        );
      }
      if (!isRoutePath(e.path)) {
        throw new RangeError(
          `endpoint costs: entry ${i}: path must start with "/" (got ${JSON.stringify(e.path)})`,
        );
      }
      const segments = apiRelativePath(e.path)
        .split('/')
        .slice(1)
        .map((s) => (/^\{[^/{}]*\}$/.test(s) || /^:[^/]+$/.test(s) ? undefined : s));
      return {
        method: e.method.toUpperCase(),
        segments,
        literals: segments.filter((s) => s !== undefined).length,
        cost: e.cost,
      };
    });
  }

  /** The listed cost of a request's route, or undefined when the list does not name it. */
  listed(method: string, path: string): number | undefined {
    return this.#listed(method.toUpperCase(), apiRelativePath(path));
  }

  /** What a request costs and from which bucket. `items`: the orders in a batch (below 1 counts as 1). */
  costOf(method: string, path: string, items?: number): { bucket: BucketName; cost: number } {
    const m = method.toUpperCase();
    const p = apiRelativePath(path);
    const per = this.#listed(m, p) ?? this.defaultCost;
    if (isReadMethod(m)) return { bucket: 'read', cost: per };
    const batch = (m === 'POST' || m === 'DELETE') && BATCH_PATH.test(p);
    return { bucket: 'write', cost: batch ? per * Math.max(1, Math.trunc(items ?? 1)) : per };
  }

  /** `m` upper case, `p` relative to the API root. */
  #listed(m: string, p: string): number | undefined {
    const parts = p.split('/').slice(1);
    let best: CompiledEntry | undefined;
    for (const e of this.#compiled) {
      if (e.method !== m || e.segments.length !== parts.length) continue;
      let match = true;
      for (let i = 0; i < parts.length && match; i++) {
        const want = e.segments[i];
        if (want === undefined ? parts[i] === '' : want !== parts[i]) match = false;
      }
      if (match && (best === undefined || e.literals > best.literals)) best = e;
    }
    return best?.cost;
  }
}

/**
 * The costs read in Kalshi's docs (see the header), as an exchange lists them: what our limiter
 * charges until the exchange's own list is adopted, and what the simulator serves at
 * GET /account/endpoint_costs by default (and charges by).
 */
export const DOCUMENTED_COSTS: EndpointCosts = {
  defaultCost: DEFAULT_COST,
  entries: [
    { method: 'DELETE', path: '/portfolio/events/orders/{order_id}', cost: CANCEL_COST },
    { method: 'DELETE', path: '/portfolio/events/orders/batched', cost: CANCEL_COST },
    { method: 'POST', path: '/portfolio/orders', cost: DEFAULT_COST * LEGACY_V1_COST_MULTIPLIER },
    {
      method: 'POST',
      path: '/portfolio/orders/batched',
      cost: BATCH_CREATE_COST_PER_ITEM * LEGACY_V1_COST_MULTIPLIER,
    },
    { method: 'DELETE', path: '/portfolio/orders', cost: DEFAULT_COST * LEGACY_V1_COST_MULTIPLIER },
    { method: 'DELETE', path: '/portfolio/orders/batched', cost: CANCEL_COST * LEGACY_V1_COST_MULTIPLIER },
    { method: 'DELETE', path: '/portfolio/orders/{order_id}', cost: CANCEL_COST * LEGACY_V1_COST_MULTIPLIER },
    {
      method: 'POST',
      path: '/portfolio/orders/{order_id}/amend',
      cost: DEFAULT_COST * LEGACY_V1_COST_MULTIPLIER,
    },
    {
      method: 'POST',
      path: '/portfolio/orders/{order_id}/decrease',
      cost: DEFAULT_COST * LEGACY_V1_COST_MULTIPLIER,
    },
  ],
};

const DOCUMENTED_TABLE = new CostTable(DOCUMENTED_COSTS);

/**
 * Which bucket a request draws from and what it costs by the documented costs. `items` is the
 * number of orders in a batch (default 1; values below 1 count as 1).
 */
export function endpointCost(
  method: string,
  path: string,
  items?: number,
): { bucket: BucketName; cost: number } {
  return DOCUMENTED_TABLE.costOf(method, path, items);
}
