import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { createBus } from '../../src/bus.js';
import type { TrackedOrder } from '../../src/domain/index.js';
import {
  formatAge,
  formatMoney,
  formatStatus,
  type StatusData,
  StatusLogger,
  type StatusReport,
  type StatusTimers,
} from '../../src/services/status-logger.js';

const AT = Date.UTC(2026, 2, 14, 12, 0, 0);
const T = 'KXBTC-26MAR14-B50';

function data(over: Partial<StatusData> = {}): StatusData {
  return {
    state: 'READY',
    orderbook: {
      connected: true,
      books: [
        { ticker: T, status: 'live', ageMs: 850 },
        { ticker: 'KXETH-26MAR14', status: 'stale', ageMs: 65_000 },
      ],
    },
    trading: { connected: true, lastHealthCheckMs: AT - 12_000, tradingActive: true },
    pnl: { realized: 1_230_000, unrealized: -450_000, fees: 70_000, net: 710_000 },
    positions: [
      {
        ticker: T,
        position: 1000,
        costBasis: 5_600_000,
        realizedPnl: 1_230_000,
        feesPaid: 70_000,
        unrealizedPnl: -450_000,
      },
      { ticker: 'KXETH-26MAR14', position: -250, costBasis: 1_000_000, realizedPnl: 0, feesPaid: 0 },
    ],
    openOrders: [
      {
        clientOrderId: 'tv3-a1b2-0001',
        ticker: T,
        status: 'resting',
        bookSide: 'bid',
        yesPrice: 5500,
        count: 1000,
        fillCount: 200,
      },
    ],
    breaker: { open: false, consecutiveErrors: 1 },
    balance: 100_000_000,
    ...over,
  };
}

/** Timers that fire only when the test says so. */
function fakeTimers() {
  const active = new Map<number, { cb: () => void; ms: number }>();
  let next = 1;
  const timers: StatusTimers = {
    setInterval(cb, ms) {
      const id = next++;
      active.set(id, { cb, ms });
      return id;
    },
    clearInterval(handle) {
      active.delete(handle as number);
    },
  };
  return {
    timers,
    active,
    fire(): void {
      for (const t of [...active.values()]) t.cb();
    },
  };
}

function setup(provide: () => StatusData = () => data()) {
  const bus = createBus();
  const logged: Array<{ obj: Record<string, unknown>; msg: string }> = [];
  const emitted: StatusReport[] = [];
  bus.on('status.reported', (r) => emitted.push(r));
  let now = AT;
  const clock = fakeTimers();
  const logger = new StatusLogger({
    bus,
    clock: () => now,
    timers: clock.timers,
    logger: { info: (obj, msg) => logged.push({ obj, msg }) },
    provide,
  });
  return { bus, logger, logged, emitted, clock, advance: (ms: number) => (now += ms) };
}

describe('formatStatus', () => {
  it('lays out a copy-paste block with aligned columns, dollars and counts', () => {
    expect(formatStatus(data(), AT)).toBe(
      [
        '='.repeat(78),
        'TRADERV3 STATUS  2026-03-14T12:00:00.000Z',
        '='.repeat(78),
        'state      READY',
        'orderbook  connected  books 2 (live 1, stale 1)',
        'trading    connected  last health check 12s ago  exchange trading',
        'pnl        realized $1.2300  unrealized -$0.4500  fees $0.0700  net $0.7100',
        'balance    $100.0000',
        'breaker    closed  consecutive errors 1',
        '',
        'BOOKS (2)',
        '  ticker             status    age',
        '  KXBTC-26MAR14-B50  live    850ms',
        '  KXETH-26MAR14      stale   1m05s',
        '',
        'POSITIONS (2)',
        '  ticker               position  cost basis  realized  unrealized     fees',
        '  KXBTC-26MAR14-B50  +10.00 YES     $5.6000   $1.2300    -$0.4500  $0.0700',
        '  KXETH-26MAR14        -2.50 NO     $1.0000   $0.0000           -  $0.0000',
        '',
        'OPEN ORDERS (1)',
        '  client order id  ticker             side  count   price  filled  status',
        '  tv3-a1b2-0001    KXBTC-26MAR14-B50  bid   10.00  0.5500    2.00  resting',
        '='.repeat(78),
      ].join('\n'),
    );
  });

  it('shows an open breaker with its reason, time and detail, and what is disconnected or unknown', () => {
    const text = formatStatus(
      data({
        state: 'ERROR',
        orderbook: { connected: false, books: [] },
        trading: { connected: false },
        positions: [],
        openOrders: [],
        breaker: { open: true, reason: 'daily_loss', detail: 'net P&L -$6.0000', trippedAt: AT - 1_000 },
        balance: undefined,
      }),
      AT,
    );
    expect(text.split('\n')).toEqual(
      expect.arrayContaining([
        'orderbook  DISCONNECTED  books 0',
        'trading    DISCONNECTED  no health check yet',
        'balance    unknown',
        'breaker    OPEN (daily_loss) since 2026-03-14T11:59:59.000Z',
        '           net P&L -$6.0000',
        'POSITIONS (0)',
        'OPEN ORDERS (0)',
      ]),
    );
    expect(text).not.toContain('BOOKS');
  });

  it('takes the order columns from a tracked order’s intent', () => {
    const tracked: TrackedOrder = {
      clientOrderId: 'tv3-x-0002',
      orderId: 'ex-1',
      intent: {
        ticker: T,
        bookSide: 'ask',
        yesPrice: 4200,
        count: 500,
        timeInForce: 'good_till_canceled',
        strategy: 's',
        reason: 'r',
      },
      status: 'unknown',
      fillCount: 0,
      fillNotional: 0,
      fees: 0,
      createdMs: 0,
      updatedMs: 0,
      history: [],
    };
    expect(formatStatus(data({ openOrders: [tracked] }), AT)).toContain(
      '  tv3-x-0002       KXBTC-26MAR14-B50  ask    5.00  0.4200    0.00  unknown',
    );
  });
});

describe('formatAge and formatMoney', () => {
  it('reads ages in the largest sensible unit', () => {
    expect([0, 999, 1_000, 59_999, 60_000, 3_599_000, 3_600_000, 7_380_000].map(formatAge)).toEqual([
      '0ms',
      '999ms',
      '1s',
      '59s',
      '1m00s',
      '59m59s',
      '1h00m',
      '2h03m',
    ]);
  });

  it('signs dollars before the $', () => {
    expect(formatMoney(-450_000)).toBe('-$0.4500');
    expect(formatMoney(1)).toBe('$0.000001');
  });
});

describe('StatusLogger', () => {
  it('reports on every interval once started, and not before', () => {
    const { logger, emitted, clock } = setup();
    clock.fire();
    expect(emitted).toHaveLength(0);
    logger.start();
    expect([...clock.active.values()].map((t) => t.ms)).toEqual([30_000]);
    clock.fire();
    clock.fire();
    expect(emitted).toHaveLength(2);
  });

  it('starts once however often it is started, and stops reporting when stopped', () => {
    const { logger, emitted, clock } = setup();
    logger.start();
    logger.start();
    expect(clock.active.size).toBe(1);
    logger.stop();
    expect(clock.active.size).toBe(0);
    expect(logger.running).toBe(false);
    clock.fire();
    expect(emitted).toHaveLength(0);
  });

  it('logs the block with its structured data and emits the same report on the bus', () => {
    const { logger, logged, emitted } = setup();
    const report = logger.report();
    expect(report.at).toBe(AT);
    expect(report.text).toBe(formatStatus(data(), AT));
    // At info one line an operator can scan; the block and its data stay in the report.
    expect(logged).toHaveLength(1);
    expect(logged[0]!.obj).toMatchObject({ kind: 'status', state: report.data.state });
    expect(logged[0]!.msg).not.toContain('\n');
    expect(logged[0]!.msg).toMatch(/ · net -?\$\d/);
    expect(emitted).toEqual([report]);
    expect(report.data).toMatchObject({
      at: AT,
      state: 'READY',
      pnl: { realized: 1_230_000, unrealized: -450_000, fees: 70_000, net: 710_000 },
      balance: 100_000_000,
      breaker: { open: false, consecutiveErrors: 1 },
    });
  });

  it('keeps the last 100 reports for the control API, oldest first', () => {
    const { logger, advance } = setup();
    for (let i = 0; i < 130; i++) {
      logger.report();
      advance(1_000);
    }
    expect(logger.recent(1_000)).toHaveLength(100);
    expect(logger.recent(1_000)[0]?.at).toBe(AT + 30_000);
    expect(logger.recent(3).map((r) => r.at)).toEqual([AT + 127_000, AT + 128_000, AT + 129_000]);
    expect(logger.recent(0)).toEqual([]);
  });

  it('returns fewer reports than asked for while the buffer fills', () => {
    const { logger } = setup();
    logger.report();
    logger.report();
    expect(logger.recent()).toHaveLength(2);
  });

  it('logs a failing provider and keeps reporting on the next interval', () => {
    let fail = true;
    const { logger, logged, emitted, clock } = setup(() => {
      if (fail) throw new Error('books unavailable');
      return data();
    });
    logger.start();
    clock.fire();
    expect(logged).toEqual([
      { obj: { kind: 'status', error: 'books unavailable' }, msg: 'status report failed' },
    ]);
    fail = false;
    clock.fire();
    expect(emitted).toHaveLength(1);
  });

  it('puts only named fields in the data, so nothing else the provider holds can leak', () => {
    // Extra fields reach the logger by structural typing (no excess-property check on variables).
    const trading = { connected: true, privateKeyPem: 'SECRET-PEM' };
    const order = { clientOrderId: 'c1', ticker: T, status: 'resting', authHeader: 'SECRET-SIG' };
    const extra = { ...data(), apiKeyId: 'SECRET-KEY-ID', trading, openOrders: [order] };
    const leaky: StatusData = extra;
    const { logger } = setup(() => leaky);
    const report = logger.report();
    const everything = JSON.stringify(report.data) + report.text;
    expect(everything).not.toContain('SECRET');
  });

  it('accepts a pino logger as its sink', () => {
    const bus = createBus();
    const log = pino({ level: 'silent' });
    const logger = new StatusLogger({ bus, clock: () => AT, logger: log, provide: () => data() });
    expect(logger.report().text).toContain('TRADERV3 STATUS');
  });

  it('refuses an interval that is not a positive number of ms', () => {
    const bus = createBus();
    const make = (intervalMs: number) =>
      new StatusLogger({
        bus,
        clock: () => AT,
        intervalMs,
        logger: { info: () => {} },
        provide: () => data(),
      });
    expect(() => make(0)).toThrow(RangeError);
    expect(() => make(1.5)).toThrow(RangeError);
  });
});
