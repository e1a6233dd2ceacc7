/**
 * Log lines are a projection of bus events (STYLE practice 12): never control flow. For people:
 * contracts and dollars, not wire units; ISO-8601 times; each line says what happened in words.
 * Routine churn (an order being created and sent, READY ⇄ ACTING, holds) is at debug; what an
 * operator watches (orders resting, filling, canceled or refused; fills; phases; trouble) at info
 * or above.
 */
import type { Logger } from 'pino';
import type { EventBus } from '../bus.js';
import type { BookSide, OrderIntent, TimeInForce, TrackedOrder } from '../domain/index.js';
import { showCount, showDollars, showPrice } from '../domain/index.js';
import { describeBalanceDrift } from '../integrations/index.js';
import { formatDollars } from '../kalshi/index.js';

/** A time for people and logs: ISO-8601 UTC. */
export const iso = (ms: number): string => new Date(ms).toISOString();

const TIF: Record<TimeInForce, string> = {
  good_till_canceled: 'GTC',
  immediate_or_cancel: 'IOC',
  fill_or_kill: 'FOK',
};

/** "buy YES" / "sell YES" for the V2 YES-leg side. */
export function sideWords(side: BookSide): string {
  return side === 'bid' ? 'buy YES' : 'sell YES';
}

/** "buy YES 5 @ $0.79 GTC post-only KXTICKER". */
export function describeIntent(i: OrderIntent): string {
  const flags = [i.postOnly ? 'post-only' : '', i.reduceOnly ? 'reduce-only' : ''].filter(Boolean).join(' ');
  return `${sideWords(i.bookSide)} ${showCount(i.count)} @ ${showPrice(i.yesPrice)} ${TIF[i.timeInForce]}${flags ? ` ${flags}` : ''} ${i.ticker}`;
}

const QUIET_ORDER_STATUSES = new Set<TrackedOrder['status']>(['created', 'submitting']);

/** Lines of one kind written one by one within one turn of the event loop; the rest are counted. */
export const BURST_LINES = 25;

/**
 * Caps the per-item lines one moment can produce: a calibration adopting 10,000 orders and
 * positions would otherwise write 30,000 lines (about as much CPU as the calibration itself). The
 * first BURST_LINES of a kind in one turn are written; the rest are counted and said in one line
 * (`log_burst`) when the turn ends. Nothing is lost: every order, position and fill is in the record.
 */
function burstLimiter(logger: Logger): (kind: string, line: () => void) => void {
  const counts = new Map<string, number>();
  const flush = () => {
    for (const [kind, n] of counts) {
      if (n <= BURST_LINES) continue;
      const more = n - BURST_LINES;
      logger.warn(
        { event: 'log_burst', kind, logged: BURST_LINES, more },
        `${more} more '${kind}' lines from the same moment not logged one by one (all of them are in the record: traderv3 report)`,
      );
    }
    counts.clear();
  };
  return (kind, line) => {
    if (counts.size === 0) setImmediate(flush);
    const n = (counts.get(kind) ?? 0) + 1;
    counts.set(kind, n);
    if (n <= BURST_LINES) line();
  };
}

export function projectLogs(bus: EventBus, logger: Logger): void {
  const burst = burstLimiter(logger);
  // Every evaluation and every order's routine steps log at debug: with debug off (the default),
  // neither the fields object nor the message text is built (they are on the tick-to-order path).
  bus.on('strategy.decided', (d) => {
    if (!logger.isLevelEnabled('debug')) return;
    logger.debug(
      { event: 'decision', ...d, at: iso(d.at) },
      `${d.strategy} ${d.action} ${d.ticker}: ${d.reason}`,
    );
  });
  bus.on('order.changed', (o) => {
    const quiet = QUIET_ORDER_STATUSES.has(o.status) || (o.status === 'denied' && o.history.length > 2);
    const level = quiet ? 'debug' : o.status === 'rejected' && o.refusal === undefined ? 'warn' : 'info';
    if (!logger.isLevelEnabled(level)) return;
    burst('order', () =>
      logger[level](
        {
          event: 'order',
          client_order_id: o.clientOrderId,
          order_id: o.orderId,
          status: o.status,
          ticker: o.intent.ticker,
          side: sideWords(o.intent.bookSide),
          contracts: showCount(o.intent.count),
          price: showPrice(o.intent.yesPrice),
          time_in_force: TIF[o.intent.timeInForce],
          filled: showCount(o.fillCount),
          ...(o.reason ? { reason: o.reason } : {}),
        },
        `order ${o.clientOrderId} ${o.status}: ${describeIntent(o.intent)}${o.fillCount > 0 ? `, filled ${showCount(o.fillCount)}` : ''}${o.reason && o.status !== 'resting' ? ` (${o.reason})` : ''}`,
      ),
    );
  });
  bus.on('exchange.fillReported', (f) =>
    logger.info(
      {
        event: 'fill',
        fill_id: f.fillId,
        order_id: f.orderId,
        ticker: f.ticker,
        side: sideWords(f.bookSide),
        contracts: showCount(f.count),
        price: showPrice(f.yesPrice),
        fee: showDollars(f.fee),
        taker: f.isTaker,
        at: iso(f.createdMs),
      },
      `fill: ${f.bookSide === 'bid' ? 'bought' : 'sold'} ${showCount(f.count)} YES @ ${showPrice(f.yesPrice)} ${f.ticker} (fee ${showDollars(f.fee)}${f.isTaker ? ', taker' : ''})`,
    ),
  );
  bus.on('market.phaseChanged', (e) =>
    // The first phase of each market (learnt at selection) is routine; every later move matters.
    logger[e.from === undefined ? 'debug' : 'info'](
      { event: 'market_phase', ticker: e.ticker, from: e.from, to: e.to, why: e.why },
      `${e.ticker} ${e.from ?? '∅'} → ${e.to}`,
    ),
  );
  bus.on('position.driftDetected', (d) =>
    burst('position_drift', () =>
      logger.warn(
        {
          event: 'position_drift',
          ticker: d.ticker,
          local: showCount(d.local),
          exchange: showCount(d.exchange),
          at: iso(d.at),
        },
        `position drift in ${d.ticker}: we had ${showCount(d.local)}, the exchange has ${showCount(d.exchange)}`,
      ),
    ),
  );
  bus.on('order.foreignFound', (e) =>
    burst('foreign_order', () =>
      logger.warn(
        {
          event: 'foreign_order',
          client_order_id: e.order.clientOrderId,
          order_id: e.order.orderId,
          ticker: e.order.intent.ticker,
          status: e.order.status,
          source: e.source,
        },
        `an order on the account is not ours (${e.order.intent.ticker}, client_order_id ${JSON.stringify(e.order.clientOrderId)}): adopted, counted against exposure`,
      ),
    ),
  );
  bus.on('balance.driftDetected', (d) =>
    logger.error(
      {
        event: 'balance_drift',
        exchange_dollars: formatDollars(d.exchange),
        ledger_dollars: formatDollars(d.ledger),
        difference_dollars: formatDollars(d.difference),
        limit_dollars: formatDollars(d.threshold),
      },
      describeBalanceDrift(d),
    ),
  );
  bus.on('connection.lost', (e) =>
    logger.warn(
      { event: 'connection_lost', source: e.source, reason: e.reason },
      `${e.source} connection lost: ${e.reason}`,
    ),
  );
  bus.on('risk.breakerTripped', (e) =>
    logger.error(
      { event: 'breaker_tripped', reason: e.reason, detail: e.detail },
      `circuit breaker tripped (${e.reason}): trading halted — ${e.detail}`,
    ),
  );
  bus.on('risk.breakerReset', (e) =>
    logger.warn({ event: 'breaker_reset', by: e.by }, `breaker reset by ${e.by}`),
  );
  bus.on('record.writeFailing', (e) =>
    logger.error(
      {
        event: 'record_write_failing',
        kind: e.kind,
        attempts: e.attempts,
        pending_rows: e.pendingRows,
        error: e.error,
      },
      `the record cannot write ${e.kind}: trading halted (rows kept and retried)`,
    ),
  );
  bus.on('record.writeRecovered', (e) =>
    logger.warn(
      { event: 'record_write_recovered', kind: e.kind, failures: e.failures },
      `the record writes ${e.kind} again; the halt stays until an operator resumes`,
    ),
  );
  bus.on('exchange.orderGroupTriggered', (e) =>
    logger.error(
      { event: 'order_group_triggered', order_group_id: e.orderGroupId },
      'the exchange triggered our order group (its contracts limit was hit): trading halted',
    ),
  );
}
