/**
 * The trader's model paths, run against the REAL runtime and the REAL exchange simulator.
 *
 * Same paths, same checks as tests/model/trader.model.test.ts (`runModelPath`: after every step
 * the trader is in the model's state, the invariants and step rules hold, the control-flow facts
 * and counters equal the model's, every invoked stage got the model's input) — but the driver is
 * `RuntimeTraderDriver` (runtime-driver.ts): `startTrader` wired to a loopback simulator, every
 * stage held at the runtime's `beforeStage` hook and then run for real, failures produced by
 * simulator faults, lost connections by dropped sockets, pauses by pausing the exchange, the
 * breaker by real order rejections, the backoff fired by the driver after checking its delay. The
 * mapping of every model event to the real world is in runtime-driver.ts.
 *
 * WHICH PATHS. Real sockets cost real time, so this file does not run all 273 transition paths of
 * the gated suite. It runs:
 * 1. a greedy cover of the transition paths (every external event tried in every live state, so
 *    ignored events are produced for real too): the fewest paths that together take every
 *    `state --event--> state` step the realizable paths take (events told apart by the detail that
 *    changes what the runtime does: connection source, tradingActive, cancelOrders);
 *    The recovery paths take no step the transition paths do not, so this covers them too.
 * 2. declared edges whose shortest path is unrealizable (below), taken by a path that is;
 * 3. connections lost while the machine ignored the loss (a connect stage, ERROR): the socket comes
 *    back on its own, and the runtime must report its next loss and trade on its book again — the
 *    model's later steps demand it (this found a runtime bug, see src/integrations);
 * 4. a greedy cover of the halt-persistence paths: the halt survives lost connections, failed
 *    stages, backoffs, syncs and exchange pauses in the real runtime too.
 * "The selection" tests below pin what that covers: every realizable step of the transition
 * paths, every declared edge but a failing shutdown, every state but the transient STARTUP.
 *
 * Paths the real system cannot produce are left out (`unrealizable` says why):
 * - `error(shutdown)`: nothing in the real shutdown can be made to fail from outside.
 * - EXCHANGE_PAUSED before the first trading-client connect: the runtime learns the exchange's
 *   status from the trading client's status check and health check; before that it cannot know.
 * - BREAKER_TRIPPED while the real breaker is still open: the RiskController trips once and stays
 *   open until an operator resume, so no second `risk.breakerTripped` can happen.
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestPath } from '@xstate/graph';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initialTransition, transition } from 'xstate';
import { TRADER_STATES, type TraderEvent, traderMachine } from '../../machines/index.js';
import { migrate, openDatabase } from '../../src/persistence/index.js';
import { freshPostgresDatabase, TEST_DATABASE_URL } from '../persistence/drivers.js';
import { runModelPath } from './driver.js';
import { type RecordTarget, RuntimeTraderDriver, unrealizable } from './runtime-driver.js';
import {
  createTraderTestModel,
  declaredEdges,
  describePath,
  haltPersistencePaths,
  MODEL_EVENTS,
  type ModelEvent,
  recoveryPaths,
  replayPath,
  shortEventName,
  type TraderSnapshot,
  type TraderTestPath,
  takenEdges,
  transitionPaths,
} from './trader-model.js';

/** The driver fires the backoff itself (checking its delay), so its length costs no time. */
const BACKOFF = { baseMs: 2_000, maxMs: 8_000 } as const;

function eventsOf(path: TraderTestPath): ModelEvent[] {
  return path.steps.slice(1).map((step) => step.event);
}

const stepsCache = new WeakMap<TraderTestPath, readonly string[]>();

/** The steps a path takes, as `FROM --event--> TO`. */
function stepsOf(path: TraderTestPath): readonly string[] {
  const cached = stepsCache.get(path);
  if (cached !== undefined) return cached;
  const snapshots = replayPath(path);
  const steps = eventsOf(path).map(
    (event, index) =>
      `${String(snapshots[index]?.value)} --${shortEventName(event)}--> ${String(snapshots[index + 1]?.value)}`,
  );
  stepsCache.set(path, steps);
  return steps;
}

/** Greedy set cover: repeatedly the path with the most not-yet-taken steps per step of length. */
function coverSteps(paths: readonly TraderTestPath[]): { chosen: TraderTestPath[]; steps: Set<string> } {
  const all = new Set(paths.flatMap(stepsOf));
  const taken = new Set<string>();
  const chosen: TraderTestPath[] = [];
  while (taken.size < all.size) {
    let best: TraderTestPath | undefined;
    let bestScore = 0;
    for (const path of paths) {
      const fresh = new Set(stepsOf(path).filter((step) => !taken.has(step))).size;
      const score = fresh / path.steps.length;
      if (score > bestScore) {
        best = path;
        bestScore = score;
      }
    }
    if (best === undefined) break;
    chosen.push(best);
    for (const step of stepsOf(best)) taken.add(step);
  }
  return { chosen, steps: all };
}

const transitions = transitionPaths();
const realizableTransitions = transitions.filter((path) => unrealizable(path) === null);
const transitionCover = coverSteps(realizableTransitions);
const haltCover = coverSteps(haltPersistencePaths().filter((path) => unrealizable(path) === null));

let record: RecordTarget;
let disposeRecord: () => Promise<void> = async () => undefined;

// One trading record for the file, created and migrated up front (a new embedded PGlite takes
// seconds to initialise; opening it again takes well under one): a scratch database on the
// TEST_DATABASE_URL server when there is one (CI), embedded PGlite in a temporary folder otherwise.
beforeAll(async () => {
  // The data folder holds the trader's lock (and the embedded database when there is no server).
  const dataDir = mkdtempSync(join(tmpdir(), 'tv3-model-record-'));
  if (TEST_DATABASE_URL !== undefined) {
    const fresh = await freshPostgresDatabase(TEST_DATABASE_URL);
    record = { url: fresh.url, dataDir };
    disposeRecord = async () => {
      await fresh.drop();
      rmSync(dataDir, { recursive: true, force: true });
    };
  } else {
    record = { dataDir };
    disposeRecord = async () => rmSync(dataDir, { recursive: true, force: true });
  }
  const database = await openDatabase(record);
  try {
    await migrate(database);
  } finally {
    await database.close();
  }
});

afterAll(async () => {
  await disposeRecord();
});

function runOnRuntime(path: TestPath<TraderSnapshot, ModelEvent>): Promise<void> {
  return runModelPath(
    path,
    () => new RuntimeTraderDriver({ record, plan: eventsOf(path), backoff: BACKOFF }),
  );
}

describe('real runtime on the simulator, transition paths (a cover of every realizable step)', () => {
  for (const path of transitionCover.chosen) {
    it(describePath(path), () => runOnRuntime(path));
  }
});

/** A path from named model events (names as `shortEventName` prints them), replayed on the machine. */
function scenario(...names: string[]): TraderTestPath {
  let [state] = initialTransition(traderMachine, {});
  const steps: Array<{ state: TraderSnapshot; event: ModelEvent }> = [
    // @xstate/graph's paths start with the initial snapshot under this pseudo-event.
    { state, event: { type: 'xstate.init' } as unknown as ModelEvent },
  ];
  for (const name of names) {
    const event = MODEL_EVENTS.find((candidate) => shortEventName(candidate) === name);
    if (event === undefined) throw new Error(`no model event named ${name}`);
    // Internal events (actor completions, the delayed event) are not in the machine's event type.
    [state] = transition(traderMachine, state, event as TraderEvent);
    steps.push({ state, event });
  }
  const path = { state, steps, weight: steps.length - 1 };
  const [testPath] = createTraderTestModel({ external: 'all', granularity: 'state' }).getPaths(() => [path]);
  if (testPath === undefined) throw new Error(`no test path for ${names.join(' → ')}`);
  return testPath;
}

const CONNECTED = ['done:orderbookConnect', 'done:tradingClientConnect(active=true)'];

/**
 * Declared edges whose shortest path the real system cannot take (it pauses the exchange before
 * the first connect, or trips the breaker twice), taken here the way it can.
 */
const edgeScenarios = [
  scenario(...CONNECTED, 'done:calibrate', 'OPERATOR_HALT', 'BREAKER_TRIPPED'),
  scenario(
    ...CONNECTED,
    'done:calibrate',
    'CONNECTION_LOST(orderbook)',
    'after:reconnectBackoff',
    'EXCHANGE_PAUSED',
  ),
  scenario(
    ...CONNECTED,
    'done:calibrate',
    'CONNECTION_LOST(trading)',
    'after:reconnectBackoff',
    'EXCHANGE_PAUSED',
  ),
];

/**
 * A connection the machine ignored losing (in a connect stage or in ERROR) comes back on its own;
 * the runtime must still report it the next time it drops, and trade on its book again.
 */
const ignoredLossScenarios = [
  scenario(
    'done:orderbookConnect',
    'CONNECTION_LOST(orderbook)',
    'done:tradingClientConnect(active=true)',
    'done:calibrate',
    'CONNECTION_LOST(orderbook)',
  ),
  scenario(
    ...CONNECTED,
    'error:calibrate',
    'CONNECTION_LOST(trading)',
    'after:reconnectBackoff',
    'done:calibrate',
    'CONNECTION_LOST(trading)',
  ),
  scenario(
    ...CONNECTED,
    'error:calibrate',
    'CONNECTION_LOST(orderbook)',
    'after:reconnectBackoff',
    'done:calibrate',
    'INTENT',
    'done:executeIntent',
    'INTENT',
    'error:executeIntent',
    'CONNECTION_LOST(orderbook)',
  ),
  scenario(
    ...CONNECTED,
    'done:calibrate',
    'CONNECTION_LOST(orderbook)',
    'after:reconnectBackoff',
    'CONNECTION_LOST(trading)',
    'done:orderbookConnect',
    'done:tradingClientConnect(active=true)',
    'done:calibrate',
    'CONNECTION_LOST(trading)',
  ),
];

describe('real runtime on the simulator, declared edges the shortest paths reach unrealizably', () => {
  for (const path of edgeScenarios) {
    it(describePath(path), () => runOnRuntime(path));
  }
});

describe('real runtime on the simulator, connections lost while the machine ignored it', () => {
  for (const path of ignoredLossScenarios) {
    it(describePath(path), () => runOnRuntime(path));
  }
});

describe('real runtime on the simulator, halt-persistence paths (a cover)', () => {
  for (const path of haltCover.chosen) {
    it(describePath(path), () => runOnRuntime(path));
  }
});

describe('the runtime path selection', () => {
  const selected = [
    ...transitionCover.chosen,
    ...edgeScenarios,
    ...ignoredLossScenarios,
    ...haltCover.chosen,
  ];

  it('leaves out only paths the real system cannot produce, for the reasons given', () => {
    const reasons = new Set(transitions.map(unrealizable).filter((r) => r !== null));
    expect([...reasons].sort()).toEqual([
      'a failing shutdown cannot be caused from outside',
      'failing halt actions need the cancels and the order group to fail together; unit tests cover it',
      'the real breaker is already open: it cannot trip again',
      'the runtime cannot see an exchange pause before the trading client first connects',
    ]);
    expect(selected.filter((path) => unrealizable(path) !== null).map(describePath)).toEqual([]);
  });

  it('takes every step of every realizable transition path', () => {
    const taken = new Set(transitionCover.chosen.flatMap(stepsOf));
    expect([...transitionCover.steps].filter((step) => !taken.has(step))).toEqual([]);
  });

  it('takes every step the recovery paths take', () => {
    const taken = new Set(transitionCover.chosen.flatMap(stepsOf));
    const recovery = recoveryPaths().flatMap(stepsOf);
    expect(recovery.filter((step) => !taken.has(step))).toEqual([]);
  });

  it('takes every edge the machine declares but a failing shutdown and failing halt actions', () => {
    const taken = takenEdges(selected);
    expect([...declaredEdges()].filter((edge) => !taken.has(edge))).toEqual([
      'HALTED --xstate.error.actor.haltActions--> HALTED',
      'SHUTTING_DOWN --xstate.error.actor.shutdown--> SHUTDOWN',
    ]);
  });

  it('reaches every state but the transient STARTUP', () => {
    const reached = new Set(selected.flatMap((path) => path.steps.map((step) => String(step.state.value))));
    expect([...reached].sort()).toEqual(TRADER_STATES.filter((state) => state !== 'STARTUP').sort());
  });
});
