/**
 * The lifecycle of one of our orders as a transition table (STYLE practice 2): one pure function
 * `transition(status, event)` that returns the next status or a LifecycleError. Illegal moves are
 * errors, never silent no-ops; the OrderService decides what an error means (a bug in our own
 * sequencing crashes; an exchange message that contradicts our record is counted as an anomaly).
 *
 * Statuses are documented on OrderLifecycleStatus in src/domain.ts. Events are facts, named in the
 * past tense: what our code did, what the exchange answered, what the exchange reported.
 *
 * Ordering: the create answer (HTTP) is a snapshot at acceptance, while fills and user_order
 * reports (WebSocket, REST reads) can overtake it. So a few edges accept stale-but-consistent news
 * as a no-op (e.g. an "accepted, resting" answer arriving after fills already executed the order).
 *
 * Terminal statuses (denied, rejected, canceled, executed) never move to another status. The only
 * events they accept are late news that agrees with them, as a no-op:
 *   executed  ← a duplicate executed report/answer, a late fill, the stale (or lost) create answer,
 *               a cancel that found nothing left.
 *   canceled  ← a duplicate canceled report/answer/confirmation, a late fill that happened before
 *               the cancel (partial fills stand), the stale (or lost) create answer, a cancel that
 *               found nothing left.
 *   denied, rejected ← nothing: any news about them contradicts them (an order we think was never
 *               placed turns out to exist) and must surface as an error.
 * News that contradicts a terminal status is an error: "resting" for a terminal order, "canceled"
 * for an executed one, "executed" or a completing fill for a canceled one.
 */
import type { OrderLifecycleStatus } from '../domain/index.js';

export const ORDER_STATUSES = [
  'created',
  'denied',
  'submitting',
  'unknown',
  'rejected',
  'resting',
  'canceling',
  'canceled',
  'executed',
] as const satisfies readonly OrderLifecycleStatus[];

export const TERMINAL_STATUSES: ReadonlySet<OrderLifecycleStatus> = new Set<OrderLifecycleStatus>([
  'denied',
  'rejected',
  'canceled',
  'executed',
]);

export function isTerminal(status: OrderLifecycleStatus): boolean {
  return TERMINAL_STATUSES.has(status);
}

export const ORDER_EVENTS = [
  /** Refused locally before sending: risk said no, the intent was invalid, or write-ahead failed. */
  'DENIED',
  /** The create request is about to leave (write-ahead done). */
  'SENT',
  /** The REST client proved the request never left this process (local limiter, refused connection). */
  'NOT_SENT',
  /** Create answered 2xx with remaining_count > 0. */
  'ACCEPTED_RESTING',
  /** Create answered 2xx with remaining_count 0 and fill_count = count. */
  'ACCEPTED_EXECUTED',
  /** Create answered 2xx with remaining_count 0 and fill_count < count (IOC/FOK remainder dropped). */
  'ACCEPTED_CANCELED',
  /** Create answered 4xx (429 included: Kalshi refuses before processing). */
  'REJECTED',
  /** Create got a timeout / 5xx / network failure after sending: it may or may not exist. */
  'OUTCOME_UNKNOWN',
  /** The exchange (user_order message or REST read) says the order is resting. */
  'EXCHANGE_REPORTED_RESTING',
  /** The exchange says the order is executed (fully filled). */
  'EXCHANGE_REPORTED_EXECUTED',
  /** The exchange says the order is canceled (by us, IOC remainder, self-trade prevention, market close). */
  'EXCHANGE_REPORTED_CANCELED',
  /** A fill arrived and the order still has a remaining count. */
  'FILLED_PARTIALLY',
  /** A fill arrived that brings the filled count to the order's count. */
  'FILLED_COMPLETELY',
  /** We asked the exchange to cancel. */
  'CANCEL_REQUESTED',
  /** The cancel answer says it removed a remaining count. */
  'CANCEL_CONFIRMED',
  /** The cancel was refused or found nothing to cancel (e.g. already executed). */
  'CANCEL_REJECTED',
  /** The cancel got a timeout / 5xx: we do not know whether it took effect. */
  'CANCEL_OUTCOME_UNKNOWN',
  /** An unknown order was not at the exchange after the grace period. */
  'NOT_FOUND_AFTER_GRACE',
] as const;

export type OrderEvent = (typeof ORDER_EVENTS)[number];

export interface Edge {
  readonly to: OrderLifecycleStatus;
  /** Why this edge exists. */
  readonly why: string;
}

type Table = { readonly [S in OrderLifecycleStatus]: { readonly [E in OrderEvent]?: Edge } };

/** from → event → to, with the reason each edge exists. Anything not listed is illegal. */
export const LIFECYCLE_TABLE: Table = {
  created: {
    DENIED: { to: 'denied', why: 'risk refused, the intent was invalid, or write-ahead failed: never sent' },
    SENT: { to: 'submitting', why: 'write-ahead committed; the one create request leaves now' },
  },
  submitting: {
    NOT_SENT: { to: 'denied', why: 'the request provably never left this process' },
    ACCEPTED_RESTING: { to: 'resting', why: 'accepted with a remaining count on the book' },
    ACCEPTED_EXECUTED: { to: 'executed', why: 'accepted and fully filled on arrival' },
    ACCEPTED_CANCELED: { to: 'canceled', why: 'accepted; IOC/FOK remainder was dropped (fills stand)' },
    REJECTED: { to: 'rejected', why: "the exchange's 4xx proves it was not placed" },
    OUTCOME_UNKNOWN: { to: 'unknown', why: 'timeout/5xx after sending: may exist; never re-sent' },
    EXCHANGE_REPORTED_RESTING: { to: 'resting', why: 'the user_order message outran the HTTP answer' },
    EXCHANGE_REPORTED_EXECUTED: { to: 'executed', why: 'the user_order message outran the HTTP answer' },
    EXCHANGE_REPORTED_CANCELED: { to: 'canceled', why: 'the user_order message outran the HTTP answer' },
    FILLED_PARTIALLY: { to: 'submitting', why: 'a fill outran the HTTP answer; the answer still decides' },
    FILLED_COMPLETELY: { to: 'executed', why: 'fills outran the HTTP answer and complete the order' },
  },
  unknown: {
    EXCHANGE_REPORTED_RESTING: { to: 'resting', why: 'a report or lookup proves it is on the book' },
    EXCHANGE_REPORTED_EXECUTED: { to: 'executed', why: 'a report or lookup proves it fully filled' },
    EXCHANGE_REPORTED_CANCELED: { to: 'canceled', why: 'a report or lookup proves it existed and is done' },
    FILLED_PARTIALLY: {
      to: 'resting',
      why: 'a fill proves it exists; something remains (a report refines it)',
    },
    FILLED_COMPLETELY: { to: 'executed', why: 'fills prove it exists and complete it' },
    NOT_FOUND_AFTER_GRACE: { to: 'rejected', why: 'not at the exchange after the grace period' },
  },
  resting: {
    ACCEPTED_RESTING: { to: 'resting', why: 'the HTTP answer arrived after the resting report' },
    ACCEPTED_EXECUTED: { to: 'executed', why: 'the HTTP answer (after a resting report) says fully filled' },
    EXCHANGE_REPORTED_RESTING: { to: 'resting', why: 'an update (e.g. partial fill) of a resting order' },
    EXCHANGE_REPORTED_EXECUTED: { to: 'executed', why: 'the rest of it was filled' },
    EXCHANGE_REPORTED_CANCELED: { to: 'canceled', why: 'canceled by the exchange (STP, close) or elsewhere' },
    FILLED_PARTIALLY: { to: 'resting', why: 'partly filled, the remainder keeps resting' },
    FILLED_COMPLETELY: { to: 'executed', why: 'the last fill' },
    CANCEL_REQUESTED: { to: 'canceling', why: 'we asked the exchange to cancel' },
    OUTCOME_UNKNOWN: { to: 'resting', why: 'the answer was lost, but a report already placed it' },
  },
  canceling: {
    ACCEPTED_RESTING: { to: 'canceling', why: 'stale HTTP answer; the cancel was asked after a report' },
    ACCEPTED_EXECUTED: { to: 'executed', why: 'the HTTP answer proves it filled before the cancel' },
    EXCHANGE_REPORTED_RESTING: { to: 'canceling', why: 'a report that predates the cancel' },
    EXCHANGE_REPORTED_EXECUTED: { to: 'executed', why: 'it filled before the cancel took effect' },
    EXCHANGE_REPORTED_CANCELED: { to: 'canceled', why: 'the exchange confirms the cancel' },
    FILLED_PARTIALLY: { to: 'canceling', why: 'a fill that happened before the cancel; it stands' },
    FILLED_COMPLETELY: { to: 'executed', why: 'it filled completely before the cancel took effect' },
    CANCEL_CONFIRMED: { to: 'canceled', why: 'the cancel answer removed the remaining count' },
    CANCEL_REJECTED: { to: 'resting', why: 'the cancel was refused: as far as we know it still rests' },
    CANCEL_OUTCOME_UNKNOWN: { to: 'canceling', why: 'the cancel may or may not have taken: await a report' },
    OUTCOME_UNKNOWN: { to: 'canceling', why: 'the create answer was lost after a report placed it' },
  },
  executed: {
    ACCEPTED_RESTING: { to: 'executed', why: 'stale HTTP answer; fills completed it since' },
    ACCEPTED_EXECUTED: { to: 'executed', why: 'the HTTP answer agrees with the fills/report' },
    EXCHANGE_REPORTED_EXECUTED: { to: 'executed', why: 'duplicate report' },
    FILLED_PARTIALLY: { to: 'executed', why: 'a late fill after the executed report (it is counted)' },
    FILLED_COMPLETELY: { to: 'executed', why: 'the last fill arrived after the executed report' },
    CANCEL_REJECTED: { to: 'executed', why: 'the cancel lost the race: nothing left to cancel' },
    OUTCOME_UNKNOWN: { to: 'executed', why: 'the create answer was lost; fills/reports already settled it' },
  },
  canceled: {
    ACCEPTED_RESTING: { to: 'canceled', why: 'stale HTTP answer; it was canceled since' },
    ACCEPTED_CANCELED: { to: 'canceled', why: 'the HTTP answer agrees with the canceled report' },
    EXCHANGE_REPORTED_CANCELED: { to: 'canceled', why: 'duplicate report' },
    FILLED_PARTIALLY: { to: 'canceled', why: 'a late fill from before the cancel: partial fills stand' },
    CANCEL_CONFIRMED: { to: 'canceled', why: 'the cancel answer arrived after the canceled report' },
    CANCEL_REJECTED: { to: 'canceled', why: 'nothing left to cancel: already canceled' },
    OUTCOME_UNKNOWN: { to: 'canceled', why: 'the create answer was lost; a report already settled it' },
  },
  denied: {},
  rejected: {},
};

export const LIFECYCLE_ERROR_CODES = {
  ORDER_LIFECYCLE_ILLEGAL_TRANSITION: 'the event is not allowed in the order’s current status',
} as const;

export type LifecycleErrorCode = keyof typeof LIFECYCLE_ERROR_CODES;

export class LifecycleError extends Error {
  readonly code: LifecycleErrorCode = 'ORDER_LIFECYCLE_ILLEGAL_TRANSITION';
  readonly from: OrderLifecycleStatus;
  readonly event: OrderEvent;

  constructor(from: OrderLifecycleStatus, event: OrderEvent) {
    super(
      `illegal order transition: ${event} in status ${from}${
        isTerminal(from) ? ` (${from} is terminal and this event contradicts it)` : ''
      }`,
    );
    this.name = 'LifecycleError';
    this.from = from;
    this.event = event;
  }
}

/** The edge for (from, event), or undefined when the move is illegal. */
export function edgeOf(from: OrderLifecycleStatus, event: OrderEvent): Edge | undefined {
  return LIFECYCLE_TABLE[from][event];
}

/** The next status, or a LifecycleError naming the status and the event. Pure. */
export function transition(
  from: OrderLifecycleStatus,
  event: OrderEvent,
): OrderLifecycleStatus | LifecycleError {
  const edge = edgeOf(from, event);
  return edge ? edge.to : new LifecycleError(from, event);
}
