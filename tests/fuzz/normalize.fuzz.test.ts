/**
 * Fuzz: every REST body and private WebSocket message the trader reads goes through one
 * normalizer in src/kalshi/normalize.ts. Mutated valid bodies (wrong types, huge numbers,
 * truncated strings, deleted and unknown fields) must either normalize to well-typed values
 * (every number finite, every numeric field a number) or throw a coded KalshiError that names
 * the field; never a TypeError, never a NaN or a string where a number belongs.
 */
import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KalshiError } from '../../src/kalshi/errors.js';
import {
  balanceFromRest,
  endpointCostsFromRest,
  fillFromRest,
  fillFromWs,
  limitsFromRest,
  orderbookFromRest,
  orderFromRest,
  orderFromWs,
  orderGroupFromRest,
  orderGroupUpdateFromWs,
  positionFromRest,
  positionFromWs,
  settlementFromRest,
  statusFromRest,
} from '../../src/kalshi/normalize.js';
import { applyMutations, badNumbers, mutation } from './mutate.js';
import { FUZZ_TIMEOUT_MS, fuzzParams } from './runs.js';

const ORDER = {
  order_id: 'o-1',
  client_order_id: 'tv3-a-1',
  ticker: 'KXHIGHNY-26NOV30-B50.5',
  side: 'yes',
  action: 'buy',
  book_side: 'bid',
  yes_price_dollars: '0.4500',
  status: 'resting',
  initial_count_fp: '10.00',
  fill_count_fp: '2.00',
  remaining_count_fp: '8.00',
  taker_fees_dollars: '0.0200',
  maker_fees_dollars: '0.0000',
  created_time: '2026-11-30T09:00:00.000Z',
  last_update_time: '2026-11-30T09:00:01.000Z',
};
const USER_ORDER = { ...ORDER, created_ts_ms: 1_796_000_000_000, last_updated_ts_ms: 1_796_000_001_000 };
const FILL = {
  trade_id: 't-1',
  fill_id: 'f-1',
  order_id: 'o-1',
  client_order_id: 'tv3-a-1',
  ticker: 'KXHIGHNY-26NOV30-B50.5',
  market_ticker: 'KXHIGHNY-26NOV30-B50.5',
  side: 'yes',
  action: 'buy',
  yes_price_dollars: '0.4500',
  count_fp: '2.00',
  fee_cost: '0.0100',
  is_taker: true,
  created_time: '2026-11-30T09:00:00.000Z',
  ts: 1_796_000_000,
  ts_ms: 1_796_000_000_000,
  post_position_fp: '2.00',
};
const POSITION = {
  ticker: 'KXHIGHNY-26NOV30-B50.5',
  market_ticker: 'KXHIGHNY-26NOV30-B50.5',
  position_fp: '-3.00',
  realized_pnl_dollars: '1.2300',
  fees_paid_dollars: '0.0400',
  market_exposure_dollars: '1.5000',
  position_cost_dollars: '1.5000',
};

const NUMERIC = new Set([
  'yesPrice',
  'initialCount',
  'fillCount',
  'remainingCount',
  'fees',
  'createdMs',
  'updatedMs',
  'count',
  'fee',
  'position',
  'realizedPnl',
  'feesPaid',
  'exposure',
  'cash',
  'portfolioValue',
  'settledMs',
  'revenue',
  'tsMs',
  'contractsLimit',
  'postPosition',
  'price',
  'refillPerSec',
  'capacity',
]);

/** The shape problems of a normalizer's output: a numeric field that is not a finite number. */
function typeProblems(v: unknown, path = '$'): string[] {
  if (v === null || typeof v !== 'object') return [];
  return Object.entries(v as Record<string, unknown>).flatMap(([k, c]) => [
    ...(NUMERIC.has(k) && c !== undefined && (typeof c !== 'number' || !Number.isFinite(c))
      ? [`${path}.${k} = ${JSON.stringify(c)}`]
      : []),
    ...typeProblems(c, `${path}.${k}`),
  ]);
}

const CASES: ReadonlyArray<{ name: string; sample: unknown; parse: (body: never) => unknown }> = [
  { name: 'REST order', sample: ORDER, parse: orderFromRest },
  { name: 'WS user_order', sample: USER_ORDER, parse: orderFromWs },
  { name: 'REST fill', sample: FILL, parse: fillFromRest },
  { name: 'WS fill', sample: FILL, parse: fillFromWs },
  { name: 'REST position', sample: POSITION, parse: positionFromRest },
  { name: 'WS market_position', sample: POSITION, parse: positionFromWs },
  {
    name: 'REST balance',
    sample: { balance_dollars: '1000.0000', balance: 100000, portfolio_value: 2500 },
    parse: balanceFromRest,
  },
  {
    name: 'REST exchange status',
    sample: { exchange_active: true, trading_active: false },
    parse: statusFromRest,
  },
  {
    name: 'REST account limits',
    sample: {
      usage_tier: 'advanced',
      read: { refill_rate: 300, bucket_capacity: 300 },
      write: { refill_rate: 300, bucket_capacity: 600 },
      grants: [],
    },
    parse: limitsFromRest,
  },
  {
    name: 'REST endpoint costs',
    sample: {
      default_cost: 10,
      endpoint_costs: [
        { method: 'DELETE', path: '/portfolio/events/orders/{order_id}', cost: 2 },
        { method: 'POST', path: '/portfolio/events/orders/batched', cost: 10 },
      ],
    },
    parse: endpointCostsFromRest,
  },
  {
    name: 'REST settlement',
    sample: { ticker: 'KX-1', settled_time: '2026-11-30T09:00:00Z', revenue: 500 },
    parse: settlementFromRest,
  },
  {
    name: 'REST order group',
    sample: { id: 'g-1', contracts_limit_fp: '50.00', is_auto_cancel_enabled: false },
    parse: orderGroupFromRest,
  },
  {
    name: 'WS order_group_updates',
    sample: {
      event_type: 'limit_updated',
      order_group_id: 'g-1',
      contracts_limit_fp: '50.00',
      ts_ms: 1_796_000_000_000,
    },
    parse: orderGroupUpdateFromWs,
  },
  {
    name: 'REST orderbook',
    sample: {
      yes_dollars: [
        ['0.4500', '10.00'],
        ['0.4400', '3.00'],
      ],
      no_dollars: [['0.5000', '1.00']],
    },
    parse: orderbookFromRest,
  },
];

describe('fuzz: REST bodies and private WS messages through the normalizers', () => {
  for (const c of CASES) {
    it(`${c.name}: the valid sample parses`, () => {
      expect(typeProblems(c.parse(c.sample as never))).toEqual([]);
    });

    it(
      `${c.name}: a mutated body parses to well-typed values or throws a coded error naming the field`,
      () => {
        fc.assert(
          fc.property(fc.array(mutation, { minLength: 1, maxLength: 3 }), (mutations) => {
            const { value } = applyMutations(c.sample, mutations);
            let out: unknown;
            try {
              out = c.parse(value as never);
            } catch (err) {
              expect(err, String(err)).toBeInstanceOf(KalshiError);
              const e = err as KalshiError;
              expect(e.code).toMatch(/^KALSHI_WIRE_/);
              // The message starts with the field (or the message kind) it is about.
              expect(e.message).toMatch(/^[A-Za-z_][\w.[\]]*[ :]/);
              return;
            }
            expect([...typeProblems(out), ...badNumbers(out)]).toEqual([]);
          }),
          fuzzParams(),
        );
      },
      FUZZ_TIMEOUT_MS,
    );
  }
});
