import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { OrderLifecycleStatus } from '../../src/domain/index.js';
import {
  isTerminal,
  LIFECYCLE_TABLE,
  LifecycleError,
  ORDER_EVENTS,
  ORDER_STATUSES,
  type OrderEvent,
  TERMINAL_STATUSES,
  transition,
} from '../../src/services/order-lifecycle.js';

type Row = [OrderLifecycleStatus, OrderEvent, OrderLifecycleStatus];

/** Every legal edge, written out independently of the table so a change to either shows up. */
const LEGAL: Row[] = [
  ['created', 'DENIED', 'denied'],
  ['created', 'SENT', 'submitting'],

  ['submitting', 'NOT_SENT', 'denied'],
  ['submitting', 'ACCEPTED_RESTING', 'resting'],
  ['submitting', 'ACCEPTED_EXECUTED', 'executed'],
  ['submitting', 'ACCEPTED_CANCELED', 'canceled'],
  ['submitting', 'REJECTED', 'rejected'],
  ['submitting', 'OUTCOME_UNKNOWN', 'unknown'],
  ['submitting', 'EXCHANGE_REPORTED_RESTING', 'resting'],
  ['submitting', 'EXCHANGE_REPORTED_EXECUTED', 'executed'],
  ['submitting', 'EXCHANGE_REPORTED_CANCELED', 'canceled'],
  ['submitting', 'FILLED_PARTIALLY', 'submitting'],
  ['submitting', 'FILLED_COMPLETELY', 'executed'],

  ['unknown', 'EXCHANGE_REPORTED_RESTING', 'resting'],
  ['unknown', 'EXCHANGE_REPORTED_EXECUTED', 'executed'],
  ['unknown', 'EXCHANGE_REPORTED_CANCELED', 'canceled'],
  ['unknown', 'FILLED_PARTIALLY', 'resting'],
  ['unknown', 'FILLED_COMPLETELY', 'executed'],
  ['unknown', 'NOT_FOUND_AFTER_GRACE', 'rejected'],

  ['resting', 'ACCEPTED_RESTING', 'resting'],
  ['resting', 'ACCEPTED_EXECUTED', 'executed'],
  ['resting', 'EXCHANGE_REPORTED_RESTING', 'resting'],
  ['resting', 'EXCHANGE_REPORTED_EXECUTED', 'executed'],
  ['resting', 'EXCHANGE_REPORTED_CANCELED', 'canceled'],
  ['resting', 'FILLED_PARTIALLY', 'resting'],
  ['resting', 'FILLED_COMPLETELY', 'executed'],
  ['resting', 'CANCEL_REQUESTED', 'canceling'],
  ['resting', 'OUTCOME_UNKNOWN', 'resting'],

  ['canceling', 'ACCEPTED_RESTING', 'canceling'],
  ['canceling', 'ACCEPTED_EXECUTED', 'executed'],
  ['canceling', 'EXCHANGE_REPORTED_RESTING', 'canceling'],
  ['canceling', 'EXCHANGE_REPORTED_EXECUTED', 'executed'],
  ['canceling', 'EXCHANGE_REPORTED_CANCELED', 'canceled'],
  ['canceling', 'FILLED_PARTIALLY', 'canceling'],
  ['canceling', 'FILLED_COMPLETELY', 'executed'],
  ['canceling', 'CANCEL_CONFIRMED', 'canceled'],
  ['canceling', 'CANCEL_REJECTED', 'resting'],
  ['canceling', 'CANCEL_OUTCOME_UNKNOWN', 'canceling'],
  ['canceling', 'OUTCOME_UNKNOWN', 'canceling'],

  ['executed', 'ACCEPTED_RESTING', 'executed'],
  ['executed', 'ACCEPTED_EXECUTED', 'executed'],
  ['executed', 'EXCHANGE_REPORTED_EXECUTED', 'executed'],
  ['executed', 'FILLED_PARTIALLY', 'executed'],
  ['executed', 'FILLED_COMPLETELY', 'executed'],
  ['executed', 'CANCEL_REJECTED', 'executed'],
  ['executed', 'OUTCOME_UNKNOWN', 'executed'],

  ['canceled', 'ACCEPTED_RESTING', 'canceled'],
  ['canceled', 'ACCEPTED_CANCELED', 'canceled'],
  ['canceled', 'EXCHANGE_REPORTED_CANCELED', 'canceled'],
  ['canceled', 'FILLED_PARTIALLY', 'canceled'],
  ['canceled', 'CANCEL_CONFIRMED', 'canceled'],
  ['canceled', 'CANCEL_REJECTED', 'canceled'],
  ['canceled', 'OUTCOME_UNKNOWN', 'canceled'],
];

const legalKey = new Set(LEGAL.map(([from, event]) => `${from}|${event}`));

describe('order lifecycle transition table', () => {
  it.each(LEGAL)('%s --%s--> %s', (from, event, to) => {
    expect(transition(from, event)).toBe(to);
  });

  it('has exactly the listed legal edges, each with a reason', () => {
    const fromTable: string[] = [];
    for (const from of ORDER_STATUSES) {
      for (const [event, edge] of Object.entries(LIFECYCLE_TABLE[from])) {
        fromTable.push(`${from}|${event}`);
        expect(edge?.why.length).toBeGreaterThan(10);
      }
    }
    expect(new Set(fromTable)).toEqual(legalKey);
  });

  it.each<[OrderLifecycleStatus, OrderEvent]>([
    ['created', 'ACCEPTED_RESTING'],
    ['created', 'FILLED_PARTIALLY'],
    ['submitting', 'CANCEL_REQUESTED'],
    ['submitting', 'NOT_FOUND_AFTER_GRACE'],
    ['unknown', 'SENT'],
    ['unknown', 'ACCEPTED_RESTING'],
    ['resting', 'SENT'],
    ['resting', 'NOT_FOUND_AFTER_GRACE'],
    ['resting', 'ACCEPTED_CANCELED'],
    ['resting', 'REJECTED'],
    ['resting', 'NOT_SENT'],
    ['canceling', 'CANCEL_REQUESTED'],
    ['denied', 'SENT'],
    ['denied', 'EXCHANGE_REPORTED_RESTING'],
    ['rejected', 'FILLED_PARTIALLY'],
    ['rejected', 'EXCHANGE_REPORTED_RESTING'],
    ['executed', 'EXCHANGE_REPORTED_CANCELED'],
    ['executed', 'EXCHANGE_REPORTED_RESTING'],
    ['executed', 'ACCEPTED_CANCELED'],
    ['executed', 'CANCEL_CONFIRMED'],
    ['canceled', 'EXCHANGE_REPORTED_EXECUTED'],
    ['canceled', 'FILLED_COMPLETELY'],
    ['canceled', 'EXCHANGE_REPORTED_RESTING'],
    ['canceled', 'CANCEL_REQUESTED'],
  ])('refuses %s --%s--> with an error naming both', (from, event) => {
    const r = transition(from, event);
    expect(r).toBeInstanceOf(LifecycleError);
    if (!(r instanceof LifecycleError)) return;
    expect(r.code).toBe('ORDER_LIFECYCLE_ILLEGAL_TRANSITION');
    expect(r.from).toBe(from);
    expect(r.event).toBe(event);
    expect(r.message).toContain(from);
    expect(r.message).toContain(event);
  });

  it('treats every pair outside the table as an error', () => {
    for (const from of ORDER_STATUSES) {
      for (const event of ORDER_EVENTS) {
        const r = transition(from, event);
        if (legalKey.has(`${from}|${event}`)) expect(typeof r).toBe('string');
        else expect(r).toBeInstanceOf(LifecycleError);
      }
    }
  });

  it('marks exactly denied, rejected, canceled and executed as terminal', () => {
    expect([...TERMINAL_STATUSES].sort()).toEqual(['canceled', 'denied', 'executed', 'rejected']);
    expect(ORDER_STATUSES.filter(isTerminal).sort()).toEqual(['canceled', 'denied', 'executed', 'rejected']);
  });

  it('gives denied and rejected no moves at all: any news about them is a contradiction', () => {
    expect(Object.keys(LIFECYCLE_TABLE.denied)).toEqual([]);
    expect(Object.keys(LIFECYCLE_TABLE.rejected)).toEqual([]);
  });

  it('random event sequences never leave the status set and never leave a terminal status', () => {
    const statuses = new Set<string>(ORDER_STATUSES);
    fc.assert(
      fc.property(
        fc.constantFrom(...ORDER_STATUSES),
        fc.array(fc.constantFrom(...ORDER_EVENTS), { maxLength: 40 }),
        (start, events) => {
          let status: OrderLifecycleStatus = start;
          let terminal: OrderLifecycleStatus | undefined = isTerminal(start) ? start : undefined;
          for (const event of events) {
            const r = transition(status, event);
            if (r instanceof LifecycleError) continue; // illegal: the status stays
            expect(statuses.has(r)).toBe(true);
            if (terminal !== undefined) expect(r).toBe(terminal);
            status = r;
            if (isTerminal(status)) terminal = status;
          }
        },
      ),
      { numRuns: 2_000 },
    );
  });

  it('reaches every status from created through legal edges', () => {
    // Breadth-first over legal edges: every status is reachable from created.
    const reached = new Set<OrderLifecycleStatus>(['created']);
    const queue: OrderLifecycleStatus[] = ['created'];
    while (queue.length > 0) {
      const from = queue.shift()!;
      for (const event of ORDER_EVENTS) {
        const to = transition(from, event);
        if (typeof to === 'string' && !reached.has(to)) {
          reached.add(to);
          queue.push(to);
        }
      }
    }
    expect([...reached].sort()).toEqual([...ORDER_STATUSES].sort());
  });
});
