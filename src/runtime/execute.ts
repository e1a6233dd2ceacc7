/**
 * What ACTING does with one intent (the machine's `executeIntent` actor): the RiskController's
 * verdict, then either a denied order (never sent) or one submission through the OrderService; the
 * decision — with the strategy's evidence — is published either way. The live runtime and the
 * replay both run exactly this.
 */
import type { EventBus } from '../bus.js';
import type { Decision, DecisionEvidence, OrderIntent } from '../domain/index.js';
import type { OrderService, RiskController } from '../services/index.js';

export interface IntentExecutorDeps {
  readonly bus: EventBus;
  readonly clock: () => number;
  readonly risk: Pick<RiskController, 'check'>;
  readonly orders: Pick<OrderService, 'deny' | 'submit'>;
}

export type IntentExecutor = (intent: OrderIntent, evidence?: DecisionEvidence) => Promise<void>;

export function createIntentExecutor(deps: IntentExecutorDeps): IntentExecutor {
  const publish = (d: Decision) => deps.bus.emit('strategy.decided', d);
  return async (intent, evidence) => {
    const verdict = deps.risk.check(intent);
    const base = {
      ...evidence,
      at: deps.clock(),
      ticker: intent.ticker,
      strategy: intent.strategy,
      action: 'trade' as const,
      intent,
      verdict,
    };
    if (!verdict.ok) {
      const denied = deps.orders.deny(intent, `${verdict.code}: ${verdict.detail}`);
      publish({ ...base, reason: verdict.code, clientOrderId: denied.clientOrderId });
      return;
    }
    const order = await deps.orders.submit(intent);
    publish({ ...base, reason: intent.reason, clientOrderId: order.clientOrderId });
  };
}
