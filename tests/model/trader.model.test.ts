/**
 * Model-based tests of the trader machine (machines/trader.ts).
 *
 * The paths come from the machine itself (@xstate/graph 3.0.4, tests/model/trader-model.ts):
 * - transition paths: shortest paths to every edge of the abstract state graph, with every external
 *   event tried in every live state (so "ignored here" is tested too);
 * - recovery paths: bounded simple paths from a cold start through failures, backoffs, trading and
 *   lost connections;
 * - halt-persistence paths: simple paths from HALTED without OPERATOR_RESUME — the halt survives
 *   every error cycle and calibration.
 *
 * THE SEAM. Each path runs through `runModelPath(path, makeDriver)` (tests/model/driver.ts) against a
 * `TraderDriver`. Here the driver is `GatedTraderDriver`: the real machine in a real actor, invoked
 * actors replaced by gates the path resolves or rejects, time on a SimulatedClock. To run the SAME
 * paths against the real runtime and the exchange simulator, write another `TraderDriver` and call
 * `runModelPath` with it; nothing else changes. The model events it must produce:
 *   external events                          → driver.send(event)
 *   xstate.done.actor.<actorId>  (output)    → driver.complete(actorId, output)
 *   xstate.error.actor.<actorId> (error)     → driver.fail(actorId, error)
 *   xstate.after.reconnectBackoff.trader.ERROR → driver.elapseBackoff()
 * with actorId ∈ orderbookConnect | tradingClientConnect | calibrate | executeIntent | shutdown.
 * After every step the runner checks: the SUT is in the model's state, the invariants hold
 * (HALTED ⇒ halt; READY ⇒ no halt, exchange open, calibrated, attempt 0; ERROR ⇒ failedStage; …),
 * the control-flow facts and counters equal the model's, and an actor invoked on entering a state
 * got the input the model predicts.
 */
import { createTestModel } from '@xstate/graph';
import { describe, expect, it } from 'vitest';
import { TRADER_STATES, traderMachine } from '../../machines/index.js';
import { runModelPath, type TraderDriver } from './driver.js';
import { GatedTraderDriver } from './gated-driver.js';
import {
  declaredEdges,
  describePath,
  haltPersistencePaths,
  MODEL_INPUT,
  recoveryPaths,
  takenEdges,
  transitionPaths,
} from './trader-model.js';

const makeDriver = (): TraderDriver => new GatedTraderDriver({ input: MODEL_INPUT });

const transitions = transitionPaths();
const recovery = recoveryPaths();
const haltPersistence = haltPersistencePaths();

describe('the trader model', () => {
  it('cannot use createTestModel, which refuses machines that invoke actors (so TestModel is built directly)', () => {
    expect(() => createTestModel(traderMachine)).toThrow(/Invocations on test machines are not supported/);
  });

  it('takes every edge the machine declares', () => {
    const taken = takenEdges(transitions);
    const missing = [...declaredEdges()].filter((edge) => !taken.has(edge));
    expect(missing).toEqual([]);
  });

  it('reaches every state but the transient STARTUP', () => {
    const reached = new Set(
      transitions.flatMap((path) => path.steps.map((step) => String(step.state.value))),
    );
    expect([...reached].sort()).toEqual(TRADER_STATES.filter((state) => state !== 'STARTUP').sort());
  });

  it('keeps the halt on every halt-persistence path: never READY, halt recorded at every step after it', () => {
    expect(haltPersistence.length).toBeGreaterThan(0);
    for (const path of haltPersistence) {
      expect(path.state.matches('READY'), describePath(path)).toBe(false);
      const haltedAt = path.steps.findIndex((step) => step.state.matches('HALTED'));
      for (const step of path.steps.slice(haltedAt)) {
        if (!step.state.matches('SHUTTING_DOWN') && !step.state.matches('SHUTDOWN')) {
          expect(step.state.context.halt, describePath(path)).not.toBeNull();
        }
      }
    }
  });

  it('keeps the generated test count reasonable', () => {
    const total = transitions.length + recovery.length + haltPersistence.length;
    expect(total).toBeGreaterThan(100);
    expect(total).toBeLessThan(3000);
  });
});

describe('trader machine, transition paths (shortest path to every edge)', () => {
  for (const path of transitions) {
    it(describePath(path), () => runModelPath(path, makeDriver));
  }
});

describe('trader machine, recovery paths (simple paths through failures and backoff)', () => {
  for (const path of recovery) {
    it(describePath(path), () => runModelPath(path, makeDriver));
  }
});

describe('trader machine, halt-persistence paths (simple paths from HALTED without OPERATOR_RESUME)', () => {
  for (const path of haltPersistence) {
    it(describePath(path), () => runModelPath(path, makeDriver));
  }
});
