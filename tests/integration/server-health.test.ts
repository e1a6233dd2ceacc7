/**
 * /health and /metrics in process (inject) with a scripted view and bus: ERROR and stale books
 * answer 503, a halt does not; the update functions the runtime calls show up in the exposition.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createBus } from '../../src/bus.js';
import {
  type BuiltServer,
  buildServer,
  METRIC_NAMES,
  type TraderSnapshot,
  type TraderView,
} from '../../src/server/index.js';

let now = 1_000_000;
let snap: TraderSnapshot;
const bus = createBus();
const view: TraderView = {
  bus,
  control: {
    status: async () => ({}),
    sync: async () => ({}),
    halt: async () => ({}),
    resume: async () => ({}),
    cancelAll: async () => ({}),
  },
  snapshot: () => snap,
};

let built: BuiltServer | undefined;
afterEach(async () => {
  await built?.app.close();
  built = undefined;
});

async function app() {
  snap = { at: now, machine: { state: 'READY', halt: null, exchangePaused: false }, lastLoopMs: now };
  built = await buildServer({ view, clock: () => now, health: { staleBookMs: 60_000, loopStaleMs: 30_000 } });
  return built.app;
}

function bookSnapshot(ticker: string, at: number) {
  bus.emit('book.snapshotReceived', {
    ticker,
    sid: 1,
    seq: 1,
    yes: [[4000, 100]],
    no: [[5000, 100]],
    receivedMs: at,
  });
  bus.emit('book.statusChanged', { ticker, status: 'live', at });
}

describe('/health', () => {
  it('is 200 in READY and when halted, 503 in ERROR', async () => {
    const a = await app();
    expect((await a.inject({ url: '/health' })).statusCode).toBe(200);
    snap = {
      ...snap,
      machine: { state: 'HALTED', halt: { reason: 'operator halt' }, exchangePaused: false },
    };
    const halted = await a.inject({ url: '/health' });
    expect(halted.statusCode).toBe(200);
    expect(halted.json()).toMatchObject({ status: 'ok', trading_state: 'halted' });
    snap = {
      ...snap,
      machine: { state: 'ERROR', halt: null, exchangePaused: false, lastError: 'socket closed' },
    };
    const error = await a.inject({ url: '/health' });
    expect(error.statusCode).toBe(503);
    expect(error.json().problems).toEqual(['machine in ERROR: socket closed']);
  });

  it('is 503 when a book of an open market goes stale or the loop stops', async () => {
    const a = await app();
    bookSnapshot('KX-A', now);
    expect((await a.inject({ url: '/health' })).json().books).toEqual([
      { ticker: 'KX-A', status: 'live', phase: null, age_s: 0, stale: false },
    ]);
    now += 61_000;
    snap = { ...snap, lastLoopMs: now };
    const stale = await a.inject({ url: '/health' });
    expect(stale.statusCode).toBe(503);
    expect(stale.json().problems[0]).toMatch(/^book KX-A stale/);
    // A closed market's quiet book is not a problem.
    bus.emit('market.phaseChanged', {
      ticker: 'KX-A',
      from: 'open',
      to: 'closed',
      why: 'close time',
      at: now,
    });
    expect((await a.inject({ url: '/health' })).statusCode).toBe(200);
    now += 31_000;
    const stuck = await a.inject({ url: '/health' });
    expect(stuck.statusCode).toBe(503);
    expect(stuck.json().problems).toEqual(['loop has not turned for 31 s']);
  });
});

describe('/metrics', () => {
  it('defines every listed metric and shows the runtime-fed figures', async () => {
    const a = await app();
    const m = built!.metrics!;
    m.crossCheckDisagreement('order');
    m.rateLimited('write');
    m.setRateLimitHeadroom('read', 15, 20);
    m.observeInference(0.0002);
    m.setBalanceDrift(-1_500_000);
    bookSnapshot('KX-B', now);
    bus.emit('book.gapDetected', { sid: 1, tickers: ['KX-B'], at: now });
    bookSnapshot('KX-B', now);
    const res = await a.inject({ url: '/metrics' });
    expect(res.headers['content-type']).toContain('text/plain');
    const text = res.body;
    for (const name of METRIC_NAMES) expect(text).toContain(`# TYPE ${name} `);
    expect(text).toContain('traderv3_rest_crosscheck_disagreements_total{kind="order"} 1');
    expect(text).toContain('traderv3_rate_limited_total{bucket="write"} 1');
    expect(text).toContain('traderv3_rate_limit_headroom_ratio{bucket="read"} 0.75');
    expect(text).toContain('traderv3_inference_seconds_count 1');
    expect(text).toContain('traderv3_reconciliation_drift_dollars{kind="balance"} -1.5');
    expect(text).toContain('traderv3_book_seq_gaps_total{ticker="KX-B"} 1');
    expect(text).toContain('traderv3_book_resyncs_total{ticker="KX-B"} 1');
    expect(text).toContain('traderv3_machine_state{state="READY"} 1');
  });

  it('counts the cross-check disagreements and 429s it hears on the bus', async () => {
    const a = await app();
    bus.emit('market.doubted', { ticker: 'KX-A', reason: 'book_mismatch', at: now });
    bus.emit('market.doubted', { ticker: 'KX-A', reason: 'position_mismatch', at: now });
    const text = (await a.inject({ url: '/metrics' })).body;
    expect(text).toContain('traderv3_rest_crosscheck_disagreements_total{kind="book_mismatch"} 1');
    expect(text).toContain('traderv3_rest_crosscheck_disagreements_total{kind="position_mismatch"} 1');
  });

  it('takes inference latency from the policy actor and balance drift from calibration', async () => {
    const a = await app();
    bus.emit('actor.action', {
      at: now,
      ticker: 'KX-A',
      action: 0,
      name: 'HOLD',
      mask: '1'.repeat(21),
      latencyUs: 250,
      modelHash: 'abc',
    });
    bus.emit('balance.driftDetected', {
      exchange: 98_500_000,
      ledger: 100_000_000,
      difference: -1_500_000,
      threshold: 1_000_000,
      at: now,
    });
    const text = (await a.inject({ url: '/metrics' })).body;
    expect(text).toContain('traderv3_inference_seconds_count 1');
    expect(text).toContain('traderv3_reconciliation_drift_dollars{kind="balance"} -1.5');
  });
});
