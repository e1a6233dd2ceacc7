/**
 * Validation of order-entry request bodies (V2 `/portfolio/events/orders` and legacy v1
 * `/portfolio/orders`) into the core's OrderIntent. Every refusal is a 400 whose details name the
 * field and the problem, as Kalshi's `invalid_order` answers do.
 */

import {
  type Count,
  complement,
  contracts,
  MICROS_PER_CENT,
  type Micros,
  type Price,
} from '../domain/index.js';
import { centsToPrice, KalshiError, parseCount, parseLimitPrice } from '../kalshi/index.js';
import type {
  Action,
  BookSide,
  OrderIntent,
  OutcomeSide,
  SelfTradePrevention,
  TimeInForce,
} from './core-types.js';
import { badRequest, type HttpProblem } from './http-util.js';

const TIME_IN_FORCE: readonly TimeInForce[] = ['good_till_canceled', 'immediate_or_cancel', 'fill_or_kill'];
const STP: readonly SelfTradePrevention[] = ['taker_at_cross', 'maker'];
const CLIENT_ORDER_ID = /^[-\w:+=/]{1,64}$/;

type Body = Record<string, unknown>;

function invalidOrder(details: string): HttpProblem {
  return badRequest(details, 'invalid_order');
}

export function asObject(body: unknown, what = 'request body'): Body {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw badRequest(`${what} must be a JSON object`);
  }
  return body as Body;
}

function str(b: Body, field: string, required: true): string;
function str(b: Body, field: string, required: false): string | undefined;
function str(b: Body, field: string, required: boolean): string | undefined {
  const v = b[field];
  if (v === undefined || v === null) {
    if (required) throw invalidOrder(`${field} is required`);
    return undefined;
  }
  if (typeof v !== 'string' || v.length === 0) throw invalidOrder(`${field} must be a non-empty string`);
  return v;
}

function bool(b: Body, field: string): boolean {
  const v = b[field];
  if (v === undefined || v === null) return false;
  if (typeof v !== 'boolean') throw invalidOrder(`${field} must be a boolean`);
  return v;
}

function oneOf<T extends string>(b: Body, field: string, allowed: readonly T[], fallback?: T): T {
  const v = b[field];
  if (v === undefined || v === null) {
    if (fallback !== undefined) return fallback;
    throw invalidOrder(`${field} is required (one of ${allowed.join(', ')})`);
  }
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) {
    throw invalidOrder(`${field} must be one of ${allowed.join(', ')} (got ${JSON.stringify(v)})`);
  }
  return v as T;
}

function nonNegInt(b: Body, field: string): number | undefined {
  const v = b[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) {
    throw invalidOrder(`${field} must be a non-negative integer`);
  }
  return v;
}

/** Wraps a units.ts parse so its message becomes the 400's details. */
function wire<T>(code: string, parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    if (err instanceof KalshiError) throw badRequest(err.message, code);
    throw err;
  }
}

export function clientOrderId(b: Body, required: boolean, generate: () => string): string {
  const v = str(b, 'client_order_id', false);
  if (v === undefined) {
    if (required) throw invalidOrder('client_order_id is required');
    return generate();
  }
  if (!CLIENT_ORDER_ID.test(v)) {
    throw invalidOrder('client_order_id must be 1-64 characters of letters, digits and -_:+=/');
  }
  return v;
}

function expiration(b: Body, field: string, tif: TimeInForce, nowMs: number): number | undefined {
  const seconds = nonNegInt(b, field);
  if (seconds === undefined) return undefined;
  if (tif !== 'good_till_canceled') {
    throw invalidOrder(
      `Cannot specify both ${tif === 'immediate_or_cancel' ? 'immediate_or_cancel' : 'fill_or_kill'} and ${field}`,
    );
  }
  if (seconds * 1000 <= nowMs) throw invalidOrder('Expiration timestamp must be in the future');
  return seconds * 1000;
}

function orderGroup(b: Body): { orderGroupId?: string } {
  const id = str(b, 'order_group_id', false);
  return id === undefined ? {} : { orderGroupId: id };
}

/**
 * An order group's limit: `contracts_limit` (whole contracts, ≥ 1) or `contracts_limit_fp`
 * (a fixed-point count, ≥ 0.01); both may be given only when they agree.
 */
export function parseContractsLimit(body: unknown): Count {
  const b = asObject(body);
  const n = b.contracts_limit;
  const fp = b.contracts_limit_fp;
  let limit: Count | undefined;
  if (n !== undefined && n !== null) {
    if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 1) {
      throw badRequest('contracts_limit must be an integer of at least 1', 'invalid_parameters');
    }
    limit = contracts(n);
  }
  if (fp !== undefined && fp !== null) {
    const parsed = wire('invalid_parameters', () => parseCount(fp, 'contracts_limit_fp'));
    if (limit !== undefined && parsed !== limit) {
      throw badRequest(
        'contracts_limit and contracts_limit_fp must match when both are given',
        'invalid_parameters',
      );
    }
    limit = parsed;
  }
  if (limit === undefined) {
    throw badRequest('one of contracts_limit or contracts_limit_fp is required', 'invalid_parameters');
  }
  if (limit <= 0) throw badRequest('contracts_limit_fp must be greater than zero', 'invalid_parameters');
  return limit;
}

/** The optional `subaccount` of a body. */
export function subaccountOf(body: unknown): number {
  return nonNegInt(asObject(body), 'subaccount') ?? 0;
}

function positiveCount(c: Count, field: string): Count {
  if (c <= 0) throw badRequest(`${field} must be greater than zero`, 'invalid_order_size');
  return c;
}

/** `POST /portfolio/events/orders` (CreateOrderV2Request). */
export function parseCreateOrderV2(
  body: unknown,
  accountId: string,
  nowMs: number,
  generateId: () => string,
): OrderIntent {
  const b = asObject(body);
  const bookSide = oneOf<BookSide>(b, 'side', ['bid', 'ask']);
  const timeInForce = oneOf(b, 'time_in_force', TIME_IN_FORCE);
  const yesPrice = wire('invalid_price', () => parseLimitPrice(b.price, 'price'));
  const count = positiveCount(
    wire('invalid_order_size', () => parseCount(b.count, 'count')),
    'count',
  );
  return {
    accountId,
    ticker: str(b, 'ticker', true),
    clientOrderId: clientOrderId(b, true, generateId),
    // V2 speaks the YES leg only: bid = buy YES, ask = sell YES.
    action: bookSide === 'bid' ? 'buy' : 'sell',
    side: 'yes',
    bookSide,
    yesPrice,
    count,
    timeInForce,
    postOnly: bool(b, 'post_only'),
    reduceOnly: bool(b, 'reduce_only'),
    selfTradePrevention: oneOf(b, 'self_trade_prevention_type', STP),
    expirationMs: expiration(b, 'expiration_time', timeInForce, nowMs),
    cancelOnPause: bool(b, 'cancel_order_on_pause'),
    subaccount: nonNegInt(b, 'subaccount') ?? 0,
    ...orderGroup(b),
  };
}

/** Which ladder a (action, side) pair rests on (KALSHI.md §8's table). */
export function bookSideOf(action: Action, side: OutcomeSide): BookSide {
  return (action === 'buy') === (side === 'yes') ? 'bid' : 'ask';
}

/** Exactly one of yes_price, no_price, yes_price_dollars, no_price_dollars, as a YES-leg price. */
export function legacyYesPrice(b: Body): Price {
  const given = ['yes_price', 'no_price', 'yes_price_dollars', 'no_price_dollars'].filter(
    (f) => b[f] !== undefined && b[f] !== null,
  );
  if (given.length !== 1) {
    throw invalidOrder(
      'exactly one of yes_price, no_price, yes_price_dollars, or no_price_dollars should be provided',
    );
  }
  const field = given[0]!;
  const value = b[field];
  const price = field.endsWith('_dollars')
    ? wire('invalid_price', () => parseLimitPrice(value, field))
    : wire('invalid_price', () => {
        if (typeof value !== 'number' || value < 1 || value > 99) {
          throw badRequest(`${field} must be an integer number of cents from 1 to 99`, 'invalid_price');
        }
        return centsToPrice(value, field);
      });
  return field.startsWith('yes') ? price : complement(price);
}

export function legacyCount(b: Body): Count {
  const n = b.count;
  const fp = b.count_fp;
  let count: Count | undefined;
  if (n !== undefined && n !== null) {
    if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 1) {
      throw badRequest('count must be an integer of at least 1', 'invalid_order_size');
    }
    count = contracts(n);
  }
  if (fp !== undefined && fp !== null) {
    const parsed = wire('invalid_order_size', () => parseCount(fp, 'count_fp'));
    if (count !== undefined && parsed !== count) {
      throw badRequest('count and count_fp must match when both are given', 'invalid_order_size');
    }
    count = parsed;
  }
  if (count === undefined) throw badRequest('one of count or count_fp is required', 'invalid_order_size');
  return positiveCount(count, 'count');
}

/** `POST /portfolio/orders` (legacy CreateOrderRequest). */
export function parseCreateOrderV1(
  body: unknown,
  accountId: string,
  nowMs: number,
  generateId: () => string,
): OrderIntent {
  const b = asObject(body);
  if (b.type !== undefined && b.type !== 'limit') {
    throw invalidOrder(`type ${JSON.stringify(b.type)} is not supported; only limit orders are accepted`);
  }
  if (b.sell_position_floor !== undefined && b.sell_position_floor !== 0) {
    throw invalidOrder('sell_position_floor is deprecated; only 0 is accepted (use reduce_only)');
  }
  const action = oneOf<Action>(b, 'action', ['buy', 'sell']);
  const side = oneOf<OutcomeSide>(b, 'side', ['yes', 'no']);
  const buyMaxCostCents = nonNegInt(b, 'buy_max_cost');
  // buy_max_cost implies fill-or-kill.
  const timeInForce =
    buyMaxCostCents !== undefined
      ? 'fill_or_kill'
      : oneOf(b, 'time_in_force', TIME_IN_FORCE, 'good_till_canceled');
  const buyMaxCost: Micros | undefined =
    buyMaxCostCents === undefined ? undefined : buyMaxCostCents * MICROS_PER_CENT;
  return {
    accountId,
    ticker: str(b, 'ticker', true),
    clientOrderId: clientOrderId(b, false, generateId),
    action,
    side,
    bookSide: bookSideOf(action, side),
    yesPrice: legacyYesPrice(b),
    count: legacyCount(b),
    timeInForce,
    postOnly: bool(b, 'post_only'),
    reduceOnly: bool(b, 'reduce_only'),
    selfTradePrevention: oneOf(b, 'self_trade_prevention_type', STP, 'taker_at_cross'),
    expirationMs: expiration(b, 'expiration_ts', timeInForce, nowMs),
    cancelOnPause: bool(b, 'cancel_order_on_pause'),
    ...(buyMaxCost !== undefined ? { buyMaxCost } : {}),
    subaccount: nonNegInt(b, 'subaccount') ?? 0,
    ...orderGroup(b),
  };
}

/** Decrease bodies: exactly one of reduce_by / reduce_to (V2 strings; v1 ints or *_fp strings). */
export function parseDecrease(body: unknown): { reduceBy?: Count; reduceTo?: Count } {
  const b = asObject(body);
  const read = (intField: string, fpField: string): Count | undefined => {
    const i = b[intField];
    const fp = b[fpField];
    if (typeof i === 'string') return wire('invalid_order_size', () => parseCount(i, intField));
    if (i !== undefined && i !== null) {
      if (typeof i !== 'number' || !Number.isSafeInteger(i) || i < 0) {
        throw badRequest(`${intField} must be a non-negative integer`, 'invalid_order_size');
      }
      return contracts(i);
    }
    if (fp !== undefined && fp !== null) return wire('invalid_order_size', () => parseCount(fp, fpField));
    return undefined;
  };
  const reduceBy = read('reduce_by', 'reduce_by_fp');
  const reduceTo = read('reduce_to', 'reduce_to_fp');
  if ((reduceBy === undefined) === (reduceTo === undefined)) {
    throw invalidOrder('exactly one of reduce_by or reduce_to is required');
  }
  return reduceBy !== undefined ? { reduceBy } : { reduceTo: reduceTo as Count };
}
