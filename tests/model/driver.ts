/**
 * The seam between the trader's model paths and whatever runs them.
 *
 * A model path (tests/model/trader-model.ts) is a list of model events: external events
 * (INTENT, CONNECTION_LOST, …), invoked actors finishing (`xstate.done.actor.<id>` /
 * `xstate.error.actor.<id>`) and the reconnect backoff elapsing
 * (`xstate.after.reconnectBackoff.trader.ERROR`). `runModelPath` turns each into one call on a
 * `TraderDriver` and, after every step, checks the system under test against the model.
 *
 * Drivers:
 * - `GatedTraderDriver` (gated-driver.ts): the real machine in a real actor; each invoked actor is a
 *   gate the path opens (resolve) or breaks (reject); time is an XState SimulatedClock.
 * - A runtime driver (to be written): the real runtime and integrations against the exchange
 *   simulator. `complete` lets the stage succeed (with `tradingClientConnect`'s `tradingActive`
 *   arranged on the simulator beforehand), `fail` injects a fault (refuse the socket, 5xx the
 *   status call, make calibration find a discrepancy), `send` delivers external events (drop a
 *   socket for CONNECTION_LOST, trip a breaker, issue the operator command), `elapseBackoff`
 *   advances the runtime's injected clock. It needs no other change here.
 */

import type { TestPath } from '@xstate/graph';
import { expect } from 'vitest';
import {
  actorDoneEventType,
  actorErrorEventType,
  intentModeOf,
  RECONNECT_BACKOFF_EVENT_TYPE,
  TRADER_ACTOR_IDS,
  TRADER_STATES,
  type TraderActorId,
  type TraderContext,
  type TraderEvent,
  type TraderStateName,
} from '../../machines/index.js';
import {
  abstractContext,
  describePath,
  isExternalEvent,
  type ModelEvent,
  replayPath,
  type TraderSnapshot,
} from './trader-model.js';

/** What a driver can see of the trader: its state, its context and whether it has finished. */
export interface TraderObservation {
  readonly value: TraderStateName;
  readonly context: TraderContext;
  /** 'done' once the machine reached its final state SHUTDOWN. */
  readonly status: 'active' | 'done' | 'error' | 'stopped';
}

export interface TraderDriver {
  /** Start the trader; resolves once it has settled in its first resting state. */
  start(): Promise<void>;
  /** Deliver (or bring about) an external event; resolves once the trader has handled it. */
  send(event: TraderEvent): Promise<void>;
  /** Make the running invoked actor `actorId` finish with `output`. Rejects if it is not running. */
  complete(actorId: TraderActorId, output: unknown): Promise<void>;
  /** Make the running invoked actor `actorId` fail with `error`. Rejects if it is not running. */
  fail(actorId: TraderActorId, error: unknown): Promise<void>;
  /** Let ERROR's reconnect backoff run out. Rejects if the trader is not in ERROR. */
  elapseBackoff(): Promise<void>;
  /** Resolve with the observation once the trader is in `state`; reject (naming both) if it does not get there. */
  waitForState(state: TraderStateName): Promise<TraderObservation>;
  /** The trader as it is now. */
  observe(): TraderObservation;
  /** The input the most recent invocation of `actorId` received, or undefined if never invoked. */
  lastInput(actorId: TraderActorId): unknown;
  /** Stop the trader and release everything the driver holds. */
  stop(): Promise<void>;
}

/** Turn one model event into the driver call that produces it. */
export async function applyModelEvent(driver: TraderDriver, event: ModelEvent): Promise<void> {
  if (isExternalEvent(event)) return driver.send(event);
  if (event.type === RECONNECT_BACKOFF_EVENT_TYPE) return driver.elapseBackoff();
  for (const actorId of TRADER_ACTOR_IDS) {
    if (event.type === actorDoneEventType(actorId) && 'output' in event) {
      return driver.complete(actorId, event.output);
    }
    if (event.type === actorErrorEventType(actorId) && 'error' in event) {
      return driver.fail(actorId, event.error);
    }
  }
  throw new Error(`no driver call for model event ${JSON.stringify(event)}`);
}

/** Invariants that hold in every state, whatever drove the trader there. */
export function checkTraderInvariants(observed: TraderObservation): void {
  const { value, context } = observed;
  const where = `in ${value}`;
  expect(context.attempt, `attempt ${where}`).toBeGreaterThanOrEqual(0);
  expect(context.intentsExecuted, `intentsExecuted ${where}`).toBeGreaterThanOrEqual(0);
  expect(context.pendingIntent !== null, `pendingIntent is set exactly in ACTING (${where})`).toBe(
    value === 'ACTING',
  );
  switch (value) {
    case 'HALTED':
      expect(context.halt, 'HALTED ⇒ a halt is recorded').not.toBeNull();
      expect(context.settlementPending, 'HALTED ⇒ no settlement waits (it calibrates at once)').toBe(false);
      break;
    case 'READY':
    case 'ACTING':
      expect(context.halt, `${value} ⇒ no halt`).toBeNull();
      expect(context.failedStage, `${value} ⇒ nothing failed since calibration`).toBeNull();
      expect(context.attempt, `${value} ⇒ attempt reset`).toBe(0);
      expect(context.lastCalibration, `${value} ⇒ calibrated`).not.toBeNull();
      if (value === 'READY') {
        expect(context.exchangePaused, 'READY ⇒ exchange open').toBe(false);
        expect(context.settlementPending, 'READY ⇒ no settlement waits (it calibrates at once)').toBe(false);
      }
      break;
    case 'PAUSED':
      expect(context.exchangePaused, 'PAUSED ⇒ exchange paused').toBe(true);
      expect(context.lastCalibration, 'PAUSED ⇒ calibrated').not.toBeNull();
      break;
    case 'ERROR':
      expect(context.failedStage, 'ERROR ⇒ a failed stage to re-run').not.toBeNull();
      expect(context.attempt, 'ERROR ⇒ attempt ≥ 1').toBeGreaterThanOrEqual(1);
      expect(context.lastError, 'ERROR ⇒ an error in words').toEqual(expect.any(String));
      break;
    case 'SHUTDOWN':
      expect(observed.status, 'SHUTDOWN is final').toBe('done');
      break;
    default:
      break;
  }
  if (value !== 'SHUTDOWN') expect(observed.status, `${value} ⇒ running`).toBe('active');
}

/**
 * Rules about a step, not a state, that the chart must obey whatever its shape:
 * - the backoff re-runs exactly the stage that failed;
 * - READY is entered only from CALIBRATING (or back from ACTING): every road passes calibration;
 * - a halt disappears only through OPERATOR_RESUME in HALTED.
 */
export function checkStepRules(
  before: TraderObservation | null,
  event: ModelEvent | null,
  after: TraderObservation,
): void {
  if (before === null || event === null) return;
  if (before.value === 'ERROR' && event.type === RECONNECT_BACKOFF_EVENT_TYPE) {
    expect(after.value, 'the backoff re-runs the failed stage').toBe(before.context.failedStage);
  }
  if (after.value === 'READY' && before.value !== 'READY') {
    expect(['CALIBRATING', 'ACTING'], 'READY is entered only after calibration').toContain(before.value);
  }
  if (before.context.halt !== null && after.context.halt === null) {
    expect(`${before.value} + ${event.type}`, 'only OPERATOR_RESUME in HALTED clears a halt').toBe(
      'HALTED + OPERATOR_RESUME',
    );
  }
}

/** The facts the SUT must share with the model after a step (texts and summaries may differ). */
function comparable(context: TraderContext) {
  return {
    ...abstractContext(context),
    attempt: context.attempt,
    intentsExecuted: context.intentsExecuted,
    calibrated: context.lastCalibration !== null,
  };
}

/** The input the model predicts for the actor invoked on entering `state`. */
function predictedInput(
  state: TraderStateName,
  model: TraderSnapshot,
  event: ModelEvent | null,
): { actorId: TraderActorId; input: unknown } | null {
  switch (state) {
    case 'ORDERBOOK_CONNECT':
      return { actorId: 'orderbookConnect', input: { attempt: model.context.attempt } };
    case 'TRADING_CLIENT_CONNECT':
      return { actorId: 'tradingClientConnect', input: { attempt: model.context.attempt } };
    case 'CALIBRATING':
      return {
        actorId: 'calibrate',
        input: { attempt: model.context.attempt, halted: model.context.halt !== null },
      };
    case 'ACTING': {
      const intent = model.context.pendingIntent;
      if (intent === null) return null;
      return {
        actorId: 'executeIntent',
        input: {
          intent,
          mode: intentModeOf(model.context, intent.ticker),
          ...(model.context.pendingEvidence === null ? {} : { evidence: model.context.pendingEvidence }),
        },
      };
    }
    case 'HALTED':
      return {
        actorId: 'haltActions',
        input: { keepOrders: model.context.halt?.keepOrders === true },
      };
    case 'SHUTTING_DOWN':
      // A SHUTDOWN says whether to cancel; a run that gave up before calibrating cancels nothing.
      return {
        actorId: 'shutdown',
        input: { cancelOrders: event?.type === 'SHUTDOWN' ? event.cancelOrders : false },
      };
    default:
      return null;
  }
}

/**
 * Run one model path against a fresh driver: apply each step's event, then check that the SUT is
 * in the model's state, that the invariants and step rules hold, that the control-flow facts and counters match
 * the model, and that an actor invoked on entering a state got the input the model predicts.
 * Every state of TRADER_STATES has a check.
 */
export async function runModelPath(
  path: TestPath<TraderSnapshot, ModelEvent>,
  makeDriver: () => TraderDriver,
): Promise<void> {
  const expected = replayPath(path);
  const driver = makeDriver();
  let stepIndex = 0;
  let previous: TraderStateName | null = null;
  let previousObserved: TraderObservation | null = null;
  let lastEvent: ModelEvent | null = null;

  const checkState = async (state: TraderStateName): Promise<void> => {
    const model = expected[stepIndex];
    if (model === undefined || !model.matches(state)) {
      throw new Error(`model replay is not in ${state} at step ${stepIndex}`);
    }
    const observed = await driver.waitForState(state);
    checkTraderInvariants(observed);
    checkStepRules(previousObserved, lastEvent, observed);
    expect(comparable(observed.context), `context in ${state}`).toEqual(comparable(model.context));
    if (previous !== state) {
      const predicted = predictedInput(state, model, lastEvent);
      if (predicted !== null) {
        expect(driver.lastInput(predicted.actorId), `input of ${predicted.actorId}`).toEqual(predicted.input);
      }
    }
    previous = state;
    previousObserved = observed;
  };
  // The snapshot TestModel passes is a representative of the vertex; `expected` is exact.
  const states: Record<string, () => Promise<void>> = {};
  for (const state of TRADER_STATES) {
    states[state] = () => checkState(state);
  }

  const events: Record<string, (step: { event: { type: string } }) => Promise<void>> = {};
  const execute = async (step: { event: { type: string } }): Promise<void> => {
    // The path's step events are ModelEvents; TestParam types them by `type` only.
    const event = step.event as ModelEvent;
    lastEvent = event;
    stepIndex += 1;
    await applyModelEvent(driver, event);
  };
  for (const step of path.steps) {
    const type: string = step.event.type;
    if (type !== 'xstate.init') events[type] = execute;
  }

  try {
    await driver.start();
    await path.test({ states, events });
  } catch (error) {
    if (error instanceof Error) {
      error.message = `${error.message}\n  path: ${describePath(path)}`;
    }
    throw error;
  } finally {
    await driver.stop();
  }
}
