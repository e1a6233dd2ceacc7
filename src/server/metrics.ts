/**
 * Prometheus metrics (prom-client, one registry per server — never the global one).
 *
 * Fed three ways: from the bus (transitions, orders, fills, decisions, drift, breakers), from the
 * trader's snapshot and the book mirror at each scrape (P&L, exposure, cash, book age/gaps/resyncs,
 * write queue, rate-limit headroom), and through the update functions below, which the runtime
 * calls for figures only it sees (REST cross-check disagreements, 429s, inference latency,
 * balance drift). Every metric is listed in METRIC_NAMES (README: "Metrics").
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { TrackedOrder } from '../domain/index.js';
import { MICROS_PER_DOLLAR } from '../domain/index.js';
import type { LiveState } from './live-state.js';
import { tradingStateOf } from './messages.js';
import type { TraderView } from './view.js';

export const METRIC_NAMES = [
  'traderv3_machine_state',
  'traderv3_machine_state_seconds_total',
  'traderv3_machine_transitions_total',
  'traderv3_trading_state',
  'traderv3_book_age_seconds',
  'traderv3_book_seq_gaps_total',
  'traderv3_book_resyncs_total',
  'traderv3_rest_crosscheck_disagreements_total',
  'traderv3_rate_limit_headroom_ratio',
  'traderv3_rate_limited_total',
  'traderv3_order_round_trip_seconds',
  'traderv3_orders_total',
  'traderv3_fills_total',
  'traderv3_filled_contracts_total',
  'traderv3_decisions_total',
  'traderv3_pnl_dollars',
  'traderv3_exposure_dollars',
  'traderv3_cash_dollars',
  'traderv3_open_orders',
  'traderv3_write_queue_depth',
  'traderv3_write_queue_shed_rows_total',
  'traderv3_inference_seconds',
  'traderv3_reconciliation_drift_dollars',
  'traderv3_position_drift_contracts',
  'traderv3_position_drifts_total',
  'traderv3_breaker_open',
  'traderv3_breaker_trips_total',
  'traderv3_last_loop_timestamp_seconds',
] as const;

export type OrderOutcome = 'accepted' | 'rejected' | 'unknown';

const TRADING_STATES = [
  'trading',
  'halted',
  'paused',
  'connecting',
  'calibrating',
  'error',
  'stopping',
  'stopped',
];
const dollars = (m: number) => m / MICROS_PER_DOLLAR;

export class TraderMetrics {
  readonly registry = new Registry();
  private readonly m;
  private readonly offs: Array<() => void> = [];
  private view: TraderView | undefined;
  private live: LiveState | undefined;
  /** Seconds accumulated per left state; the current state's share is added at scrape. */
  private readonly stateSeconds = new Map<string, number>();
  private current: { state: string; since: number } | undefined;
  private readonly timedOrders = new Set<string>();

  constructor(private readonly deps: { clock: () => number }) {
    const r = [this.registry];
    this.m = {
      machineState: new Gauge({
        name: 'traderv3_machine_state',
        help: '1 for the current machine state',
        labelNames: ['state'],
        registers: r,
      }),
      stateSeconds: new Gauge({
        name: 'traderv3_machine_state_seconds_total',
        help: 'Seconds spent in each machine state since the server started',
        labelNames: ['state'],
        registers: r,
      }),
      transitions: new Counter({
        name: 'traderv3_machine_transitions_total',
        help: 'Machine transitions by target state',
        labelNames: ['to'],
        registers: r,
      }),
      tradingState: new Gauge({
        name: 'traderv3_trading_state',
        help: '1 for the current trading state',
        labelNames: ['state'],
        registers: r,
      }),
      bookAge: new Gauge({
        name: 'traderv3_book_age_seconds',
        help: 'Seconds since the last update of each book',
        labelNames: ['ticker'],
        registers: r,
      }),
      gaps: new Gauge({
        name: 'traderv3_book_seq_gaps_total',
        help: 'Sequence gaps detected per book',
        labelNames: ['ticker'],
        registers: r,
      }),
      resyncs: new Gauge({
        name: 'traderv3_book_resyncs_total',
        help: 'Book re-snapshots after the first',
        labelNames: ['ticker'],
        registers: r,
      }),
      crossCheck: new Counter({
        name: 'traderv3_rest_crosscheck_disagreements_total',
        help: 'REST cross-checks that disagreed with the live state',
        labelNames: ['kind'],
        registers: r,
      }),
      headroom: new Gauge({
        name: 'traderv3_rate_limit_headroom_ratio',
        help: 'Available tokens / capacity per rate-limit bucket',
        labelNames: ['bucket'],
        registers: r,
      }),
      limited: new Counter({
        name: 'traderv3_rate_limited_total',
        help: 'HTTP 429 answers per bucket',
        labelNames: ['bucket'],
        registers: r,
      }),
      roundTrip: new Histogram({
        name: 'traderv3_order_round_trip_seconds',
        help: 'Order create request to the exchange answer',
        labelNames: ['outcome'],
        buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
        registers: r,
      }),
      orders: new Counter({
        name: 'traderv3_orders_total',
        help: 'Order status changes by new status',
        labelNames: ['status'],
        registers: r,
      }),
      fills: new Counter({
        name: 'traderv3_fills_total',
        help: 'Fills by book side',
        labelNames: ['book_side'],
        registers: r,
      }),
      filledContracts: new Counter({
        name: 'traderv3_filled_contracts_total',
        help: 'Contracts filled by book side',
        labelNames: ['book_side'],
        registers: r,
      }),
      decisions: new Counter({
        name: 'traderv3_decisions_total',
        help: 'Strategy decisions',
        labelNames: ['strategy', 'action'],
        registers: r,
      }),
      pnl: new Gauge({
        name: 'traderv3_pnl_dollars',
        help: 'P&L in dollars by kind',
        labelNames: ['kind'],
        registers: r,
      }),
      exposure: new Gauge({
        name: 'traderv3_exposure_dollars',
        help: 'Cost basis of open positions',
        registers: r,
      }),
      cash: new Gauge({
        name: 'traderv3_cash_dollars',
        help: "The exchange's last reported cash balance",
        registers: r,
      }),
      openOrders: new Gauge({
        name: 'traderv3_open_orders',
        help: 'Orders not in a terminal status',
        registers: r,
      }),
      queueDepth: new Gauge({
        name: 'traderv3_write_queue_depth',
        help: 'Rows waiting in the write queue',
        registers: r,
      }),
      shed: new Gauge({
        name: 'traderv3_write_queue_shed_rows_total',
        help: 'Rows shed by the write queue',
        registers: r,
      }),
      inference: new Histogram({
        name: 'traderv3_inference_seconds',
        help: 'Policy model inference time',
        buckets: [0.00001, 0.00005, 0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05],
        registers: r,
      }),
      drift: new Gauge({
        name: 'traderv3_reconciliation_drift_dollars',
        help: 'Last reconciliation difference (exchange − ledger)',
        labelNames: ['kind'],
        registers: r,
      }),
      positionDrift: new Gauge({
        name: 'traderv3_position_drift_contracts',
        help: 'Last position drift (exchange − local) per market',
        labelNames: ['ticker'],
        registers: r,
      }),
      positionDrifts: new Counter({
        name: 'traderv3_position_drifts_total',
        help: 'Position drifts found',
        registers: r,
      }),
      breakerOpen: new Gauge({
        name: 'traderv3_breaker_open',
        help: '1 while a breaker or halt stops trading',
        registers: r,
      }),
      breakerTrips: new Counter({
        name: 'traderv3_breaker_trips_total',
        help: 'Breaker trips by reason',
        labelNames: ['reason'],
        registers: r,
      }),
      lastLoop: new Gauge({
        name: 'traderv3_last_loop_timestamp_seconds',
        help: 'Unix time of the last housekeeping loop',
        registers: r,
      }),
    };
  }

  // ---- update functions the runtime calls -------------------------------------------------

  /** A REST read disagreed with what the live feeds said (kind: 'order' | 'position' | 'balance' | …). */
  crossCheckDisagreement(kind: string): void {
    this.m.crossCheck.inc({ kind });
  }
  /** The REST client got a 429 on this bucket. */
  rateLimited(bucket: string): void {
    this.m.limited.inc({ bucket });
  }
  /** Tokens available in a bucket now (when the snapshot does not carry rateLimit). */
  setRateLimitHeadroom(bucket: string, available: number, capacity: number): void {
    this.m.headroom.set({ bucket }, capacity > 0 ? available / capacity : 0);
  }
  /** One policy inference took this long. */
  observeInference(seconds: number): void {
    this.m.inference.observe(seconds);
  }
  /** An order's create round trip, when the runtime times it itself (the bus timing is used otherwise). */
  observeOrderRoundTrip(outcome: OrderOutcome, seconds: number): void {
    this.m.roundTrip.observe({ outcome }, seconds);
  }
  /** Calibration's balance reconciliation: exchange − ledger, micro-dollars. */
  setBalanceDrift(micros: number): void {
    this.m.drift.set({ kind: 'balance' }, dollars(micros));
  }

  // ---- wiring -------------------------------------------------------------------------------

  attach(view: TraderView, live: LiveState): void {
    this.view = view;
    this.live = live;
    const state = view.snapshot().machine?.state;
    if (state !== undefined) this.current = { state, since: this.deps.clock() };
    const on = <A>(event: string, fn: (a: A) => void) => {
      // biome-ignore lint/suspicious/noExplicitAny: one helper over the typed bus.
      (view.bus as any).on(event, fn);
      // biome-ignore lint/suspicious/noExplicitAny: as above.
      this.offs.push(() => (view.bus as any).off(event, fn));
    };
    on<{ to: string; at: number }>('machine.transitioned', (t) => {
      if (this.current) {
        const s = this.current.state;
        this.stateSeconds.set(
          s,
          (this.stateSeconds.get(s) ?? 0) + Math.max(0, t.at - this.current.since) / 1000,
        );
      }
      this.current = { state: t.to, since: t.at };
      this.m.transitions.inc({ to: t.to });
    });
    on<TrackedOrder>('order.changed', (o) => this.orderChanged(o));
    on<{ bookSide: string; count: number }>('exchange.fillReported', (f) => {
      this.m.fills.inc({ book_side: f.bookSide });
      this.m.filledContracts.inc({ book_side: f.bookSide }, f.count / 100);
    });
    on<{ strategy: string; action: string }>('strategy.decided', (d) =>
      this.m.decisions.inc({ strategy: d.strategy, action: d.action }),
    );
    on<{ ticker: string; local: number; exchange: number }>('position.driftDetected', (d) => {
      this.m.positionDrifts.inc();
      this.m.positionDrift.set({ ticker: d.ticker }, (d.exchange - d.local) / 100);
    });
    on<{ reason: string }>('risk.breakerTripped', (e) => this.m.breakerTrips.inc({ reason: e.reason }));
    // The policy actor's inference latency, and calibration's balance drift (exchange − ledger).
    on<{ latencyUs: number }>('actor.action', (a) => this.observeInference(a.latencyUs / 1e6));
    on<{ difference: number }>('balance.driftDetected', (d) => this.setBalanceDrift(d.difference));
    // A market doubted by the REST cross-check (book_mismatch) or by reconciliation (position_mismatch).
    on<{ reason: string }>('market.doubted', (e) => this.crossCheckDisagreement(e.reason));
  }

  detach(): void {
    for (const off of this.offs.splice(0)) off();
  }

  private orderChanged(o: TrackedOrder): void {
    this.m.orders.inc({ status: o.status });
    if (o.status === 'rejected' && o.refusal === 'rate_limited') this.rateLimited('write');
    if (this.timedOrders.has(o.clientOrderId)) return;
    const i = o.history.findIndex((h) => h.status === 'submitting');
    const answer = i >= 0 ? o.history[i + 1] : undefined;
    if (!answer || i < 0) return;
    const outcome: OrderOutcome | undefined =
      answer.status === 'resting' || answer.status === 'executed'
        ? 'accepted'
        : answer.status === 'rejected'
          ? 'rejected'
          : answer.status === 'unknown'
            ? 'unknown'
            : undefined;
    if (!outcome) return;
    this.timedOrders.add(o.clientOrderId);
    if (this.timedOrders.size > 10_000) this.timedOrders.clear();
    this.m.roundTrip.observe({ outcome }, Math.max(0, answer.at - o.history[i]!.at) / 1000);
  }

  /** Brings the scrape-time figures up to date (called before each scrape). */
  refresh(): void {
    const now = this.deps.clock();
    const m = this.m;
    if (this.current) {
      m.machineState.reset();
      m.machineState.set({ state: this.current.state }, 1);
      m.stateSeconds.reset();
      const totals = new Map(this.stateSeconds);
      totals.set(
        this.current.state,
        (totals.get(this.current.state) ?? 0) + Math.max(0, now - this.current.since) / 1000,
      );
      for (const [state, s] of totals) m.stateSeconds.set({ state }, s);
    }
    const snap = this.view?.snapshot();
    if (snap) {
      const machine = snap.machine;
      const ts =
        snap.tradingState ??
        (machine ? tradingStateOf(machine.state, Boolean(machine.halt), machine.exchangePaused) : undefined);
      if (ts !== undefined)
        for (const s of TRADING_STATES) m.tradingState.set({ state: s }, s === ts ? 1 : 0);
      if (snap.pnl) {
        for (const kind of ['realized', 'unrealized', 'fees', 'net'] as const)
          m.pnl.set({ kind }, dollars(snap.pnl[kind]));
      }
      if (snap.positions) m.exposure.set(dollars(snap.positions.reduce((s, p) => s + p.costBasis, 0)));
      if (snap.balance) m.cash.set(dollars(snap.balance.cash));
      if (snap.orders) m.openOrders.set(snap.orders.length);
      if (snap.writeQueue) {
        m.queueDepth.set(snap.writeQueue.depth);
        m.shed.set(snap.writeQueue.shedRows);
      }
      for (const b of snap.rateLimit ?? []) this.setRateLimitHeadroom(b.bucket, b.available, b.capacity);
      m.breakerOpen.set(snap.breaker?.open || machine?.halt ? 1 : 0);
      if (snap.lastLoopMs !== undefined) m.lastLoop.set(snap.lastLoopMs / 1000);
    }
    for (const b of this.live?.bookHealth() ?? []) {
      if (b.ageMs !== undefined) m.bookAge.set({ ticker: b.ticker }, b.ageMs / 1000);
      m.gaps.set({ ticker: b.ticker }, b.gaps);
      m.resyncs.set({ ticker: b.ticker }, b.resyncs);
    }
  }

  /** The Prometheus text exposition, refreshed. */
  async render(): Promise<string> {
    this.refresh();
    return this.registry.metrics();
  }
}
