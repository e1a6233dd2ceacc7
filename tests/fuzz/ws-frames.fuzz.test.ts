/**
 * Fuzz: WebSocket frames of every type, sent by a real loopback server to our client
 * (src/kalshi/ws.ts): valid frames, truncated ones, wrong types, huge numbers, unknown fields,
 * wrong or repeated seq. Every frame must come out as something — a data message, a gap or
 * duplicate report, a protocol error or a server error — never nothing (silently dropped),
 * never a throw. Data messages of the private channels then go through their normalizer, which
 * must give well-typed values or a coded error (tests/fuzz/normalize.fuzz.test.ts has the rest).
 */
import type { AddressInfo } from 'node:net';
import * as fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type WebSocket, WebSocketServer } from 'ws';
import { KalshiError } from '../../src/kalshi/errors.js';
import {
  fillFromWs,
  orderFromWs,
  orderGroupUpdateFromWs,
  positionFromWs,
} from '../../src/kalshi/normalize.js';
import { KalshiWsClient } from '../../src/kalshi/ws.js';
import { applyMutations, mutation } from './mutate.js';
import { FUZZ_TIMEOUT_MS, fuzzParams } from './runs.js';

const TICKER = 'KXHIGHNY-26NOV30-B50.5';
const FRAMES: Record<string, Record<string, unknown>> = {
  orderbook_snapshot: {
    type: 'orderbook_snapshot',
    sid: 1,
    seq: 1,
    msg: {
      market_ticker: TICKER,
      yes_dollars_fp: [['0.4500', '10.00']],
      no_dollars_fp: [['0.5000', '3.00']],
    },
  },
  orderbook_delta: {
    type: 'orderbook_delta',
    sid: 1,
    seq: 2,
    msg: {
      market_ticker: TICKER,
      price_dollars: '0.4500',
      delta_fp: '-2.00',
      side: 'yes',
      ts_ms: 1_796_000_000_000,
    },
  },
  ticker: {
    type: 'ticker',
    sid: 2,
    msg: { market_ticker: TICKER, price_dollars: '0.4500', volume_fp: '100.00' },
  },
  trade: {
    type: 'trade',
    sid: 3,
    msg: { market_ticker: TICKER, yes_price_dollars: '0.4500', count_fp: '2.00' },
  },
  fill: {
    type: 'fill',
    sid: 4,
    msg: {
      trade_id: 't-1',
      order_id: 'o-1',
      market_ticker: TICKER,
      side: 'yes',
      action: 'buy',
      yes_price_dollars: '0.4500',
      count_fp: '2.00',
      fee_cost: '0.0100',
      is_taker: true,
      ts: 1_796_000_000,
      ts_ms: 1_796_000_000_000,
    },
  },
  user_order: {
    type: 'user_order',
    sid: 5,
    msg: {
      order_id: 'o-1',
      client_order_id: 'tv3-a-1',
      ticker: TICKER,
      side: 'yes',
      action: 'buy',
      yes_price_dollars: '0.4500',
      status: 'resting',
      initial_count_fp: '10.00',
      fill_count_fp: '2.00',
      remaining_count_fp: '8.00',
      created_ts_ms: 1_796_000_000_000,
      last_updated_ts_ms: 1_796_000_000_000,
    },
  },
  market_position: {
    type: 'market_position',
    sid: 6,
    msg: { market_ticker: TICKER, position_fp: '3.00', realized_pnl_dollars: '0.1000' },
  },
  market_lifecycle_v2: {
    type: 'market_lifecycle_v2',
    sid: 7,
    msg: { market_ticker: TICKER, event_type: 'closed' },
  },
  order_group_updates: {
    type: 'order_group_updates',
    sid: 8,
    seq: 1,
    msg: { event_type: 'triggered', order_group_id: 'g-1', ts_ms: 1_796_000_000_000 },
  },
  error: { type: 'error', id: 999_999, msg: { code: 25, msg: 'buffer overflow' } },
  ok: { type: 'ok', id: 999_998, sid: 1, msg: {} },
  subscribed: { type: 'subscribed', id: 999_997, msg: { channel: 'ticker', sid: 9 } },
  unsubscribed: { type: 'unsubscribed', id: 999_996, sid: 77 },
};

const NORMALIZERS: Record<string, (m: never) => unknown> = {
  fill: fillFromWs,
  user_order: orderFromWs,
  market_position: positionFromWs,
  order_group_updates: orderGroupUpdateFromWs,
};

/** A frame: a sample, mutated or not, then maybe truncated or made odd on the byte level. */
const frameArb = fc
  .tuple(
    fc.constantFrom(...Object.keys(FRAMES)),
    fc.array(mutation, { maxLength: 3 }),
    fc.oneof(
      { weight: 6, arbitrary: fc.constant({ kind: 'as-is' as const }) },
      { weight: 1, arbitrary: fc.nat(200).map((n) => ({ kind: 'truncate' as const, n })) },
      {
        weight: 1,
        arbitrary: fc.integer({ min: -5, max: 1e15 }).map((seq) => ({ kind: 'seq' as const, seq })),
      },
      { weight: 1, arbitrary: fc.string({ maxLength: 30 }).map((s) => ({ kind: 'garbage' as const, s })) },
    ),
  )
  .map(([type, mutations, edit]) => {
    const { value } = applyMutations(FRAMES[type], mutations);
    if (edit.kind === 'seq') (value as Record<string, unknown>).seq = edit.seq;
    const text = JSON.stringify(value);
    if (edit.kind === 'truncate') return text.slice(0, edit.n);
    if (edit.kind === 'garbage') return edit.s;
    return text;
  });

const SENTINEL = JSON.stringify({ type: 'ticker', sid: 424_242, msg: { market_ticker: 'SENTINEL' } });

describe('fuzz: WebSocket frames through the client', () => {
  let wss: WebSocketServer;
  let socket: WebSocket;
  let client: KalshiWsClient;
  const outcomes: string[] = [];
  const normalizerProblems: string[] = [];
  let sentinelSeen: (() => void) | undefined;

  beforeAll(async () => {
    wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
    const { port } = wss.address() as AddressInfo;
    const connected = new Promise<WebSocket>((resolve) => wss.once('connection', (s) => resolve(s)));
    client = new KalshiWsClient({
      url: `ws://127.0.0.1:${port}/trade-api/ws/v2`,
      reconnect: { baseDelayMs: 5 },
    });
    client.on('message', (m) => {
      const data = m as unknown as { type: string; sid: number; msg: unknown };
      if (data.sid === 424_242 && (data.msg as { market_ticker?: unknown }).market_ticker === 'SENTINEL') {
        sentinelSeen?.();
        return;
      }
      outcomes.push(`message:${data.type}`);
      const normalize = NORMALIZERS[data.type];
      if (!normalize) return;
      try {
        normalize(data.msg as never);
      } catch (err) {
        if (!(err instanceof KalshiError)) normalizerProblems.push(`${data.type}: ${String(err)}`);
      }
    });
    client.on('protocolError', () => outcomes.push('protocolError'));
    client.on('serverError', () => outcomes.push('serverError'));
    client.on('gap', (g) => outcomes.push(`gap:${g.kind}`));
    client.on('subscriptionDropped', () => outcomes.push('subscriptionDropped'));
    await client.connect();
    socket = await connected;
  });

  afterAll(async () => {
    await client.close();
    await new Promise<void>((resolve) => wss.close(() => resolve()));
  });

  it(
    'every frame has an outcome; nothing is dropped without a word, nothing throws',
    async () => {
      await fc.assert(
        fc.asyncProperty(frameArb, async (frame) => {
          outcomes.length = 0;
          const seen = new Promise<void>((resolve) => {
            sentinelSeen = resolve;
          });
          socket.send(frame);
          socket.send(SENTINEL);
          await seen;
          expect(outcomes.length, `no outcome for ${frame.slice(0, 300)}`).toBeGreaterThan(0);
        }),
        fuzzParams(),
      );
      expect(normalizerProblems).toEqual([]);
    },
    FUZZ_TIMEOUT_MS * 2,
  );
});
