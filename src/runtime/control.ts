/**
 * The operator's commands (control API, `traderv3 halt|resume|…`, the dashboard's buttons). Each
 * one asks the machine through the bridge — halt, reduce-only, resume, sync — and the machine
 * decides; none changes what the trader does behind it. `resume` also resets an open breaker (the
 * operator's act DESIGN §6 rule 4 asks for) before it asks.
 */
import type { Actor } from 'xstate';
import type { TraderMachine } from '../../machines/index.js';
import type { EventBus } from '../bus.js';
import type { Database } from '../persistence/index.js';
import { type RecordQuery, runRecordQuery } from '../report/index.js';
import type { ControlTarget } from '../server/index.js';
import type { MachineBridge } from './bridge.js';
import type { Services } from './services.js';

export interface OperatorControlDeps {
  readonly bus: EventBus;
  readonly clock: () => number;
  readonly actor: Actor<TraderMachine>;
  readonly bridge: MachineBridge;
  readonly orders: Services['orders'];
  readonly risk: Services['risk'];
  readonly database: Database;
  /** The status the control API and `traderv3 status` show (status.ts). */
  readonly status: () => Promise<unknown>;
}

export function operatorControl(d: OperatorControlDeps): Required<ControlTarget> {
  const { bus, clock, actor, bridge } = d;
  const snapshot = () => actor.getSnapshot();
  return {
    status: d.status,
    sync: async () => {
      bridge.send({ type: 'OPERATOR_SYNC' });
      return { state: snapshot().value };
    },
    halt: async (reason: string, options: { keepOrders?: boolean } = {}) => {
      bus.emit('operator.halted', { reason, keepOrders: options.keepOrders === true, at: clock() });
      bridge.send({ type: 'OPERATOR_HALT', reason, ...(options.keepOrders ? { keepOrders: true } : {}) });
      return { state: snapshot().value, halt: snapshot().context.halt };
    },
    reduce: async (reason: string) => {
      bridge.send({ type: 'OPERATOR_REDUCE', reason });
      return { state: snapshot().value, reduce_only: snapshot().context.reduceOnly };
    },
    resume: async () => {
      if (d.risk.breaker().open) d.risk.resetBreaker('operator');
      bus.emit('operator.resumed', { at: clock() });
      bridge.send({ type: 'OPERATOR_RESUME' });
      return { state: snapshot().value };
    },
    cancelAll: async () => d.orders.cancelAll(),
    // `traderv3 sessions` / `report` while we hold the embedded database: answered from our connection.
    record: async (query: RecordQuery) => runRecordQuery(d.database, query),
  };
}
