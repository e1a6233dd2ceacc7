/**
 * The bus ↔ machine bridge. Facts on the bus become the machine's events; the machine's moves go
 * back on the bus (and one `"event":"state"` log line each). The bridge translates; the machine
 * decides.
 *
 *   connection.lost                          → CONNECTION_LOST
 *   risk.breakerTripped                      → BREAKER_TRIPPED
 *   exchange.statusChecked (a flip)          → EXCHANGE_PAUSED / EXCHANGE_RESUMED
 *   book.statusChanged resyncing / stale     → MARKET_DOUBTFUL (book_resyncing / book_stale)
 *   book.statusChanged live                  → MARKET_CLEARED (both)
 *   market.doubted / market.cleared          → MARKET_DOUBTFUL / MARKET_CLEARED (cross-checks, reconciliation)
 *   market.unwatched                         → MARKET_CLEARED for every doubt held about it (no check
 *                                              will ever clear a market whose book is gone)
 *   market.phaseChanged → settled, and we are in that market → MARKET_SETTLED
 *   record.writeFailing, exchange.orderGroupTriggered → the RiskController's breaker (operator-only reset)
 *   balance.driftDetected → breaker 'balance_drift'; order.foreignFound with --foreign-orders halt → 'foreign_orders'
 *   machine moves                            → machine.transitioned
 */
import type { Logger } from 'pino';
import type { Actor, InspectionEvent, Subscription } from 'xstate';
import type { TraderEvent, TraderMachine, TraderStateName } from '../../machines/index.js';
import type { EventBus } from '../bus.js';
import { describeBalanceDrift } from '../integrations/index.js';
import type { RiskController } from '../services/index.js';

export interface BridgeDeps {
  readonly bus: EventBus;
  readonly logger: Logger;
  readonly clock: () => number;
  readonly risk: Pick<RiskController, 'trip'>;
  /** We hold the market or have an order in it. */
  readonly involvedIn: (ticker: string) => boolean;
  /** --foreign-orders: an order on the account that is not ours is adopted and flagged, or halts. */
  readonly foreignOrders?: 'adopt' | 'halt';
}

/** The event behind each transition, from xstate's inspection stream (a snapshot does not carry it). */
export class LastEventTracker {
  last = 'xstate.init';
  root: unknown;
  constructor(private readonly forward?: (ev: InspectionEvent) => void) {}
  readonly inspect = (ev: InspectionEvent): void => {
    if (ev.type === '@xstate.event' && ev.actorRef === this.root) this.last = ev.event.type;
    this.forward?.(ev);
  };
}

/** Routine moves (a trade's READY ⇄ ACTING) are at debug; trouble at warn. */
const ROUTINE = new Set(['READY>ACTING', 'ACTING>READY']);

export class MachineBridge {
  /** States in order of first visit (STARTUP, transient, is where the machine starts). */
  readonly visited: TraderStateName[] = ['STARTUP'];
  #current = 'STARTUP';
  #sub: Subscription | undefined;
  #tradingActive = true;

  constructor(
    private readonly deps: BridgeDeps,
    private readonly actor: Actor<TraderMachine>,
    private readonly events: LastEventTracker,
  ) {}

  /** Sends an event while the machine runs (after SHUTDOWN the integrations may still report). */
  send(event: TraderEvent): void {
    if (this.actor.getSnapshot().status === 'active') this.actor.send(event);
  }

  start(): void {
    const { bus, logger, risk, involvedIn } = this.deps;
    logger.info({ event: 'state', from: '', to: 'STARTUP' }, '∅ → STARTUP');
    this.#sub = this.actor.subscribe({
      next: (snapshot) => this.#transitioned(snapshot),
      error: (err) =>
        logger.error(
          { event: 'machine_error', error: (err as Error).message },
          'machine stopped on an error',
        ),
    });
    bus.on('connection.lost', (e) =>
      this.send({ type: 'CONNECTION_LOST', source: e.source, reason: e.reason }),
    );
    bus.on('risk.breakerTripped', (e) =>
      this.send({ type: 'BREAKER_TRIPPED', reason: e.reason, detail: e.detail }),
    );
    bus.on('exchange.statusChecked', (s) => {
      if (s.tradingActive === this.#tradingActive) return;
      this.#tradingActive = s.tradingActive;
      this.send({ type: s.tradingActive ? 'EXCHANGE_RESUMED' : 'EXCHANGE_PAUSED' });
    });
    bus.on('book.statusChanged', (e) => {
      if (e.status === 'live') {
        this.send({ type: 'MARKET_CLEARED', ticker: e.ticker, reason: 'book_resyncing' });
        this.send({ type: 'MARKET_CLEARED', ticker: e.ticker, reason: 'book_stale' });
      } else {
        this.send({ type: 'MARKET_DOUBTFUL', ticker: e.ticker, reason: `book_${e.status}` });
      }
    });
    bus.on('market.doubted', (e) =>
      this.send({ type: 'MARKET_DOUBTFUL', ticker: e.ticker, reason: e.reason }),
    );
    bus.on('market.cleared', (e) =>
      this.send({ type: 'MARKET_CLEARED', ticker: e.ticker, reason: e.reason }),
    );
    bus.on('market.unwatched', (e) => {
      const reasons = this.actor.getSnapshot().context.doubtful[e.ticker] ?? [];
      for (const reason of reasons) this.send({ type: 'MARKET_CLEARED', ticker: e.ticker, reason });
    });
    bus.on('market.phaseChanged', (e) => {
      if (e.to === 'settled' && involvedIn(e.ticker)) this.send({ type: 'MARKET_SETTLED', ticker: e.ticker });
    });
    // A record that cannot write orders, fills or the ledger halts trading until an operator resumes.
    bus.on('record.writeFailing', (e) =>
      risk.trip(
        'record_write_failed',
        `${e.kind} could not be written (${e.error}); ${e.pendingRows} rows waiting`,
      ),
    );
    bus.on('balance.driftDetected', (e) => risk.trip('balance_drift', describeBalanceDrift(e)));
    bus.on('order.foreignFound', (e) => {
      if (this.deps.foreignOrders !== 'halt') return;
      const o = e.order;
      risk.trip(
        'foreign_orders',
        `order ${o.orderId ?? o.clientOrderId} on ${o.intent.ticker} is not ours (client_order_id ${JSON.stringify(o.clientOrderId)}; found by ${e.source})`,
      );
    });
    bus.on('exchange.orderGroupTriggered', (e) =>
      risk.trip(
        'order_group_triggered',
        `the exchange triggered order group ${e.orderGroupId}: its contracts limit was reached; its orders are canceled`,
      ),
    );
  }

  stop(): void {
    this.#sub?.unsubscribe();
    this.#sub = undefined;
  }

  #transitioned(snapshot: ReturnType<Actor<TraderMachine>['getSnapshot']>): void {
    const to = String(snapshot.value);
    if (to === this.#current) return;
    const from = this.#current;
    this.#current = to;
    if (!this.visited.includes(to as TraderStateName)) this.visited.push(to as TraderStateName);
    const cause = this.events.last;
    this.deps.bus.emit('machine.transitioned', { from, to, event: cause, at: this.deps.clock() });
    const { lastError, fatal, attempt } = snapshot.context;
    const trouble = to === 'ERROR' || (fatal !== null && to === 'SHUTTING_DOWN');
    const level = trouble ? 'warn' : ROUTINE.has(`${from}>${to}`) ? 'debug' : 'info';
    this.deps.logger[level](
      {
        event: 'state',
        from,
        to,
        cause,
        ...(to === 'ERROR' ? { error: lastError, attempt } : {}),
        ...(fatal !== null && to === 'SHUTTING_DOWN' ? { fatal: fatal.message } : {}),
      },
      `${from || '∅'} → ${to}${to === 'ERROR' && lastError ? ` (${lastError})` : ''}`,
    );
  }
}
