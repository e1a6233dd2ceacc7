/**
 * What ACTING does with one intent (the machine's `executeIntent` actor). The live runtime and the
 * replay both run exactly this:
 *
 *  1. wait out the order path's 429 backoff if one runs (the exchange throttled us; intents wait
 *     rather than add to it);
 *  2. a conversion (`intent.replaces`, maker → taker): cancel the replaced order first; only its
 *     unfilled remainder may go out, and nothing if it filled or could not be canceled;
 *  3. the RiskController's verdict in the mode the machine gave when ACTING began (ACTIVE, or
 *     REDUCING: only an order that reduces the market's position passes), tightened by the
 *     machine's state at the moment of the check (`currentMode`): a halt or a doubt that arrived
 *     while this intent waited (a backoff, a conversion's cancel) counts — a HALTED trader sends
 *     nothing, even from an intent that started before the halt;
 *  4. a denied order (recorded, never sent) or one submission through the OrderService.
 * The decision — with the strategy's evidence — is published in every case.
 *
 * The machine may leave ACTING while this runs (a halt, a lost connection, a shutdown): it then
 * stops the actor, which aborts `signal`. Every step after an await looks at it, and an aborted
 * intent sends nothing (it is recorded as a hold `abandoned:<why>`), so no order reaches the
 * exchange after the machine has said HALTED. A create already on the wire is the one exception,
 * and the halt's actions wait for it (OrderService.idle) before they cancel.
 */
import {
  type IntentMode,
  intentModeOf,
  type TraderContext,
  type TradingState,
} from '../../machines/index.js';
import type { EventBus } from '../bus.js';
import type { Decision, DecisionEvidence, OrderIntent, RiskVerdict } from '../domain/index.js';
import type { OrderService } from '../services/index.js';

export interface IntentExecutorDeps {
  readonly bus: EventBus;
  readonly clock: () => number;
  readonly risk: { check(intent: OrderIntent, mode: TradingState): RiskVerdict };
  /** The machine's trading mode for a market right now (liveModeOf its context); none: the given mode. */
  readonly currentMode?: (ticker: string) => TradingState;
  readonly orders: Pick<OrderService, 'deny' | 'submit' | 'backoffRemaining' | 'get' | 'cancel'>;
  /** Waits (default: real timers; replay passes its virtual clock's). */
  readonly sleep?: (ms: number) => Promise<void>;
}

export type IntentExecutor = (
  intent: OrderIntent,
  evidence?: DecisionEvidence,
  mode?: IntentMode,
  signal?: AbortSignal,
) => Promise<void>;

/** The machine's trading mode for `ticker` now: HALTED while a halt stands, else intentModeOf. */
export function liveModeOf(
  context: Pick<TraderContext, 'halt' | 'reduceOnly' | 'doubtful'>,
  ticker: string,
): TradingState {
  return context.halt !== null ? 'HALTED' : intentModeOf(context, ticker);
}

const STRICTNESS: Readonly<Record<TradingState, number>> = { ACTIVE: 0, REDUCING: 1, HALTED: 2 };

/** The stricter of two modes. */
export function stricterMode(a: TradingState, b: TradingState | undefined): TradingState {
  return b !== undefined && STRICTNESS[b] > STRICTNESS[a] ? b : a;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function createIntentExecutor(deps: IntentExecutorDeps): IntentExecutor {
  const sleep = deps.sleep ?? realSleep;
  const publish = (d: Decision) => deps.bus.emit('strategy.decided', d);

  /** A conversion's order as it may go out now, or why nothing goes out. */
  async function replacement(intent: OrderIntent): Promise<OrderIntent | { hold: string }> {
    const replaced = intent.replaces === undefined ? undefined : deps.orders.get(intent.replaces);
    if (replaced === undefined) return { hold: 'replaced_order_unknown' };
    const after = replaced.status === 'resting' ? await deps.orders.cancel(replaced.clientOrderId) : replaced;
    if (after.status !== 'canceled' && after.status !== 'executed') {
      return { hold: `replaced_order_${after.status}` };
    }
    const remaining = after.intent.count - after.fillCount;
    if (remaining <= 0) return { hold: 'replaced_order_filled' };
    return { ...intent, count: Math.min(intent.count, remaining) };
  }

  return async (asked, evidence, mode = 'ACTIVE', signal) => {
    const base = { ...evidence, ticker: asked.ticker, strategy: asked.strategy };
    /** True (and recorded) when the machine has stopped this intent. */
    const abandoned = (intent: OrderIntent): boolean => {
      if (signal?.aborted !== true) return false;
      publish({ ...base, at: deps.clock(), action: 'hold', reason: 'abandoned:machine_left_acting', intent });
      return true;
    };
    for (let wait = deps.orders.backoffRemaining(); wait > 0; wait = deps.orders.backoffRemaining()) {
      await sleep(wait);
      if (abandoned(asked)) return;
    }
    let intent = asked;
    if (asked.replaces !== undefined) {
      const r = await replacement(asked);
      if ('hold' in r) {
        publish({ ...base, at: deps.clock(), action: 'hold', reason: r.hold, intent: asked });
        return;
      }
      intent = r;
      if (abandoned(intent)) return;
    }
    const verdict = deps.risk.check(intent, stricterMode(mode, deps.currentMode?.(intent.ticker)));
    const decided = { ...base, at: deps.clock(), action: 'trade' as const, intent, verdict };
    if (!verdict.ok) {
      const denied = deps.orders.deny(intent, `${verdict.code}: ${verdict.detail}`);
      publish({ ...decided, reason: verdict.code, clientOrderId: denied.clientOrderId });
      return;
    }
    if (abandoned(intent)) return;
    const order = await deps.orders.submit(intent, signal);
    publish({ ...decided, reason: intent.reason, clientOrderId: order.clientOrderId });
  };
}
