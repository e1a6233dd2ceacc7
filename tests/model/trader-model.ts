/**
 * The test model of the trader machine: which events the model may take in each state, how
 * snapshots are abstracted into graph vertices, and the path sets the model-based test runs.
 *
 * Why `new TestModel(...)` and not `createTestModel(...)`: @xstate/graph 3.0.4's
 * `createTestModel` validates its machine and throws "Invocations on test machines are not
 * supported" (and the same for `after`). That check exists because a test model normally stands
 * apart from the system; here the model IS the production machine, and its invoked actors and its
 * delay are exactly what we want paths through. So we build the same `TestModel` that
 * `createTestModel` builds — with its state matcher (`snapshot.matches(key)`) and an event list
 * taken from the state's own transitions — and let actor completions (`xstate.done.actor.<id>`,
 * `xstate.error.actor.<id>`) and the backoff (`xstate.after.reconnectBackoff.trader.ERROR`) be
 * ordinary model events. The machine's own `transition` computes every path; no copy of the chart
 * is kept here.
 */
import { getSimplePaths, TestModel, type TestPath } from '@xstate/graph';
import { type ActorLogic, initialTransition, type SnapshotFrom, transition } from 'xstate';
import {
  actorDoneEventType,
  actorErrorEventType,
  type CalibrationSummary,
  RECONNECT_BACKOFF_EVENT_TYPE,
  TRADER_EVENT_TYPES,
  type TraderActorId,
  type TraderContext,
  type TraderEvent,
  type TraderInput,
  type TraderStateName,
  traderMachine,
  tradingStateOf,
} from '../../machines/index.js';
import type { OrderIntent } from '../../src/domain/index.js';

export type TraderSnapshot = SnapshotFrom<typeof traderMachine>;

/** An invoked actor finishing, as XState names it. */
export type ActorDoneModelEvent = {
  readonly [K in TraderActorId]: { readonly type: `xstate.done.actor.${K}`; readonly output: unknown };
}[TraderActorId];
/** An invoked actor failing, as XState names it. */
export type ActorErrorModelEvent = {
  readonly [K in TraderActorId]: { readonly type: `xstate.error.actor.${K}`; readonly error: unknown };
}[TraderActorId];
/** The backoff delay of ERROR elapsing. */
export interface BackoffElapsedModelEvent {
  readonly type: typeof RECONNECT_BACKOFF_EVENT_TYPE;
}
/** Everything a model path step can be. */
export type ModelEvent = TraderEvent | ActorDoneModelEvent | ActorErrorModelEvent | BackoffElapsedModelEvent;

export const SAMPLE_INTENT: OrderIntent = {
  ticker: 'KXMODEL-26JAN01-T50',
  bookSide: 'bid',
  yesPrice: 4_500,
  count: 1_000,
  timeInForce: 'good_till_canceled',
  strategy: 'model-test',
  reason: 'model:sample',
};

export const SAMPLE_CALIBRATION: CalibrationSummary = {
  positions: 2,
  restingOrders: 1,
  fills: 3,
  canceled: 0,
  durationMs: 12,
};

function done<K extends TraderActorId>(actorId: K, output: unknown): ActorDoneModelEvent {
  return { type: actorDoneEventType(actorId), output } as ActorDoneModelEvent;
}
function failed<K extends TraderActorId>(actorId: K, message: string): ActorErrorModelEvent {
  return { type: actorErrorEventType(actorId), error: new Error(message) } as ActorErrorModelEvent;
}
/** A failure the runtime marks permanent (e.g. the exchange refused the API key). */
function failedPermanently<K extends TraderActorId>(actorId: K, message: string): ActorErrorModelEvent {
  return {
    type: actorErrorEventType(actorId),
    error: Object.assign(new Error(message), { permanent: true }),
  } as ActorErrorModelEvent;
}

/**
 * The machine input of every model run (model, gated driver, runtime driver). Two startup attempts
 * keep the paths through "gave up before the first calibration" short.
 */
export const MODEL_INPUT = { backoff: { baseMs: 1_000, maxMs: 8_000 }, startupAttempts: 2 } as const;

/** The reason the model's MARKET_DOUBTFUL / MARKET_CLEARED give. */
export const MODEL_DOUBT = 'model_doubt';

/** The external events, with the payloads the model uses. */
export const EXTERNAL_EVENTS: readonly TraderEvent[] = [
  { type: 'INTENT', intent: SAMPLE_INTENT },
  { type: 'CONNECTION_LOST', source: 'orderbook', reason: 'model: orderbook socket closed' },
  { type: 'CONNECTION_LOST', source: 'trading', reason: 'model: trading socket closed' },
  { type: 'BREAKER_TRIPPED', reason: 'CONSECUTIVE_ORDER_ERRORS', detail: 'model: 3 order errors in a row' },
  { type: 'OPERATOR_HALT', reason: 'model: operator kill switch' },
  { type: 'OPERATOR_HALT', reason: 'model: halt, keep orders', keepOrders: true },
  { type: 'OPERATOR_REDUCE', reason: 'model: reduce only' },
  { type: 'OPERATOR_RESUME' },
  { type: 'OPERATOR_SYNC' },
  { type: 'EXCHANGE_PAUSED' },
  { type: 'EXCHANGE_RESUMED' },
  // A reason of the model's own: the real runtime's doubts (a book resyncing…) are its own business.
  { type: 'MARKET_DOUBTFUL', ticker: SAMPLE_INTENT.ticker, reason: MODEL_DOUBT },
  { type: 'MARKET_CLEARED', ticker: SAMPLE_INTENT.ticker, reason: MODEL_DOUBT },
  { type: 'MARKET_SETTLED', ticker: SAMPLE_INTENT.ticker },
  { type: 'SHUTDOWN', cancelOrders: true },
  { type: 'SHUTDOWN', cancelOrders: false },
];

/** Actor completions and the backoff, with the outputs / errors the model uses. */
export const INTERNAL_EVENTS: readonly ModelEvent[] = [
  done('orderbookConnect', undefined),
  failed('orderbookConnect', 'model: orderbook subscribe refused'),
  failedPermanently('orderbookConnect', 'model: the exchange refused the API key'),
  done('tradingClientConnect', { tradingActive: true }),
  done('tradingClientConnect', { tradingActive: false }),
  failed('tradingClientConnect', 'model: exchange status check failed'),
  failedPermanently('tradingClientConnect', 'model: the exchange refused the API key'),
  done('calibrate', SAMPLE_CALIBRATION),
  failed('calibrate', 'model: calibration found 1 position the exchange does not report'),
  failedPermanently('calibrate', 'model: the exchange refused the API key'),
  done('executeIntent', undefined),
  failed('executeIntent', 'model: order rejected'),
  done('haltActions', undefined),
  failed('haltActions', 'model: cancel-all failed and the order group could not be triggered'),
  done('shutdown', undefined),
  failed('shutdown', 'model: cancel-all timed out'),
  { type: RECONNECT_BACKOFF_EVENT_TYPE },
];

export const MODEL_EVENTS: readonly ModelEvent[] = [...EXTERNAL_EVENTS, ...INTERNAL_EVENTS];

const EXTERNAL_TYPES: ReadonlySet<string> = new Set(TRADER_EVENT_TYPES);

/** Whether the event is one the outside world sends (as opposed to an actor completion or a timer). */
export function isExternalEvent(event: ModelEvent): event is TraderEvent {
  return EXTERNAL_TYPES.has(event.type);
}

/**
 * The events the model tries in a state. Internal events only where the machine handles them (an
 * actor can only finish while it runs; the timer only fires in ERROR). External events:
 * - `'handled'`: only where the machine has an enabled transition for them;
 * - `'all'`: everywhere but the final state, so the paths also prove that the SUT *ignores*
 *   events the chart ignores (CONNECTION_LOST in ERROR, OPERATOR_RESUME outside HALTED, …).
 */
export function eventsFor(snapshot: TraderSnapshot, external: 'handled' | 'all'): ModelEvent[] {
  if (snapshot.status !== 'active') return [];
  return MODEL_EVENTS.filter((event) => {
    if (external === 'all' && isExternalEvent(event)) return true;
    // `can` only types external events; it answers for internal ones just the same.
    return snapshot.can(event as TraderEvent);
  });
}

/** The parts of the context that decide control flow (counters and texts left out). */
export interface AbstractContext {
  readonly halted: 'breaker' | 'operator' | null;
  readonly exchangePaused: boolean;
  readonly failedStage: TraderContext['failedStage'];
  readonly hasPendingIntent: boolean;
  readonly calibratedOnce: boolean;
  readonly fatal: { readonly stage: string; readonly permanent: boolean } | null;
  readonly tradingState: string;
  readonly modelDoubt: boolean;
  readonly settlementPending: boolean;
}

export function abstractContext(context: TraderContext): AbstractContext {
  return {
    halted: context.halt?.source ?? null,
    exchangePaused: context.exchangePaused,
    failedStage: context.failedStage,
    hasPendingIntent: context.pendingIntent !== null,
    calibratedOnce: context.calibratedOnce,
    fatal: context.fatal === null ? null : { stage: context.fatal.stage, permanent: context.fatal.permanent },
    tradingState: tradingStateOf(context),
    // Only the model's own doubts: a real runtime also doubts books while they resync.
    modelDoubt: Object.values(context.doubtful).some((reasons) => reasons.includes(MODEL_DOUBT)),
    settlementPending: context.settlementPending,
  };
}

/**
 * A vertex key: the state value plus only those context facts that can still steer control flow
 * from there. `failedStage` is written on every entry to ERROR and read only there; `exchangePaused`
 * is overwritten by the next trading-client connect, so it cannot matter before that; nothing
 * matters once shutdown has begun; `pendingIntent` is non-null exactly in ACTING (an invariant the
 * state checks assert). Coarser keys mean fewer, equally covering paths; the SUT's context is still
 * compared in full (abstractContext) at every step.
 */
function abstractKey(snapshot: TraderSnapshot): string {
  const value = snapshot.value as TraderStateName;
  const { halt, exchangePaused, failedStage, calibratedOnce, attempt, startupAttempts, settlementPending } =
    snapshot.context;
  if (value === 'SHUTTING_DOWN' || value === 'SHUTDOWN') return value;
  // Before the first calibration the attempt count decides whether a failure ends the run; from
  // startupAttempts − 1 on, every stage failure does (lost connections can push it higher).
  const freshAttempts = Math.min(attempt, startupAttempts - 1);
  const pausedMatters =
    value !== 'ORDERBOOK_CONNECT' &&
    value !== 'TRADING_CLIENT_CONNECT' &&
    !(value === 'ERROR' && failedStage !== 'CALIBRATING');
  return [
    value,
    halt === null ? '' : 'halted',
    pausedMatters && exchangePaused ? 'exchangePaused' : '',
    value === 'ERROR' ? `failed:${failedStage}` : '',
    calibratedOnce ? '' : `fresh:${freshAttempts}`,
    // A settlement waits for the next READY / HALTED / PAUSED to calibrate.
    settlementPending ? 'settlementPending' : '',
  ]
    .filter((part) => part !== '')
    .join('|');
}

/**
 * Vertices of the path graph. `'transition'` keys a vertex by its abstract state AND the edge that
 * reached it, so shortest paths cover every transition (edge coverage, as `createTestModel`'s own
 * serialisation does); `'state'` keys by abstract state only (for the bounded simple paths).
 */
function serializer(granularity: 'transition' | 'state') {
  return (snapshot: TraderSnapshot, event: ModelEvent | undefined, previous?: TraderSnapshot): string => {
    const key = abstractKey(snapshot);
    if (granularity === 'state' || event === undefined || previous === undefined) return key;
    return `${key} via ${JSON.stringify(event)} from ${abstractKey(previous)}`;
  };
}

export interface TraderModelOptions {
  readonly external: 'handled' | 'all';
  readonly granularity: 'transition' | 'state';
  readonly input?: TraderInput;
}

export function createTraderTestModel(
  options: TraderModelOptions,
): TestModel<TraderSnapshot, ModelEvent, TraderInput> {
  // The machine's event type lists only external events; the model also steps it with the
  // internal events XState itself would deliver (actor completions, the delayed event).
  const logic = traderMachine as unknown as ActorLogic<TraderSnapshot, ModelEvent, TraderInput>;
  return new TestModel<TraderSnapshot, ModelEvent, TraderInput>(logic, {
    events: (snapshot) => eventsFor(snapshot, options.external),
    serializeState: serializer(options.granularity),
    serializeEvent: (event) => JSON.stringify(event),
    stateMatcher: (snapshot, key) => snapshot.matches(key as TraderStateName),
    input: options.input ?? MODEL_INPUT,
    logger: { log: () => {}, error: () => {} },
  });
}

/** A short human name for a path: the events it takes, then where it ends. */
export function describePath(path: TestPath<TraderSnapshot, ModelEvent>): string {
  const steps = path.steps
    .map((step) => step.event)
    .filter((event) => (event.type as string) !== 'xstate.init')
    .map(shortEventName);
  return `${steps.join(' → ') || '(start)'} ⇒ ${String(path.state.value)}`;
}

export function shortEventName(event: ModelEvent): string {
  switch (event.type) {
    case 'CONNECTION_LOST':
      return `CONNECTION_LOST(${event.source})`;
    case 'SHUTDOWN':
      return `SHUTDOWN(cancel=${event.cancelOrders})`;
    case 'xstate.done.actor.tradingClientConnect': {
      const output = event.output as { tradingActive: boolean };
      return `done:tradingClientConnect(active=${output.tradingActive})`;
    }
    case RECONNECT_BACKOFF_EVENT_TYPE:
      return 'after:reconnectBackoff';
    default:
      return event.type.replace('xstate.done.actor.', 'done:').replace('xstate.error.actor.', 'error:');
  }
}

// ---------------------------------------------------------------------------------------------
// Path sets
// ---------------------------------------------------------------------------------------------

export type TraderTestPath = TestPath<TraderSnapshot, ModelEvent>;

/**
 * Every transition, shortest: one path per edge of the abstract graph, every external event tried
 * in every live state (so ignored events are paths too), prefixes folded into longer paths.
 */
export function transitionPaths(): TraderTestPath[] {
  return createTraderTestModel({ external: 'all', granularity: 'transition' }).getShortestPaths();
}

/** Events that change no control flow on their own (REDUCING is an input to ACTING, not a state). */
const CONTEXT_ONLY = ['OPERATOR_REDUCE', 'MARKET_DOUBTFUL', 'MARKET_CLEARED'] as const;

const NOT_IN_RECOVERY: ReadonlySet<string> = new Set([
  'SHUTDOWN',
  'BREAKER_TRIPPED',
  'OPERATOR_HALT',
  'EXCHANGE_PAUSED',
  'EXCHANGE_RESUMED',
  'OPERATOR_SYNC',
  'MARKET_SETTLED',
  ...CONTEXT_ONLY,
]);

/**
 * Every simple path (no abstract state twice) from a cold start through connects, failures,
 * backoffs, trading and lost connections — halts, exchange pauses, syncs, settlements, reduce-only,
 * doubtful markets and shutdown left out to keep the enumeration small (the transition paths cover
 * those edges).
 */
export function recoveryPaths(): TraderTestPath[] {
  return createTraderTestModel({ external: 'handled', granularity: 'state' }).getSimplePaths({
    stopWhen: (snapshot) => snapshot.matches('SHUTTING_DOWN'),
    events: (snapshot) => eventsFor(snapshot, 'handled').filter((event) => !NOT_IN_RECOVERY.has(event.type)),
  });
}

const NOT_AFTER_HALT: ReadonlySet<string> = new Set([
  'OPERATOR_RESUME',
  'SHUTDOWN',
  'BREAKER_TRIPPED',
  'OPERATOR_HALT',
  // A settlement's re-sync is an OPERATOR_SYNC by another name; the syncs cover it.
  'MARKET_SETTLED',
  ...CONTEXT_ONLY,
]);

/**
 * From the first HALTED (a breaker tripped while READY), every simple path the trader can take
 * without OPERATOR_RESUME: lost connections, failed stages, backoffs, syncs, exchange pauses. The
 * halt must survive all of them; a path ending in READY would be a bug (traversal stops there so
 * such a path would show up). `@xstate/graph`'s `getSimplePathsFrom` cannot join paths under a
 * coarse serialisation (it compares snapshot identity), so the head is joined here.
 */
export function haltPersistencePaths(): TraderTestPath[] {
  const model = createTraderTestModel({ external: 'handled', granularity: 'state' });
  const head = model
    .getShortestPaths({ toState: (snapshot) => snapshot.matches('HALTED') })
    .find((path) => path.steps.some((step) => step.event.type === 'BREAKER_TRIPPED'));
  if (head === undefined) throw new Error('the model has no path to HALTED via BREAKER_TRIPPED');
  return model.getPaths(
    (logic, options) =>
      getSimplePaths(logic, { ...options, fromState: head.state }).map((tail) => ({
        state: tail.state,
        steps: [...head.steps, ...tail.steps.slice(1)],
        weight: head.weight + tail.weight,
      })),
    {
      stopWhen: (snapshot) => snapshot.matches('READY') || snapshot.matches('SHUTTING_DOWN'),
      events: (snapshot) => eventsFor(snapshot, 'handled').filter((event) => !NOT_AFTER_HALT.has(event.type)),
    },
  );
}

/**
 * The exact model snapshots along a path, one per step (the first is the initial snapshot).
 *
 * A path's own `steps[i].state` is only a representative of its vertex: vertices are keyed by an
 * abstraction (counters and texts left out), and @xstate/graph keeps whichever snapshot it met last
 * under a key. So the expected context is recomputed by replaying the path's events through the
 * machine's pure `transition`. The replay must visit the same state values as the path.
 */
export function replayPath(path: TraderTestPath, input: TraderInput = MODEL_INPUT): TraderSnapshot[] {
  let [snapshot] = initialTransition(traderMachine, input);
  const snapshots = [snapshot];
  for (const step of path.steps.slice(1)) {
    // Internal events (actor completions, the delayed event) are not in the machine's event type.
    [snapshot] = transition(traderMachine, snapshot, step.event as TraderEvent);
    snapshots.push(snapshot);
  }
  path.steps.forEach((step, index) => {
    const replayed = snapshots[index];
    if (replayed === undefined || replayed.value !== step.state.value) {
      throw new Error(
        `replay of "${describePath(path)}" diverged at step ${index}: ${String(replayed?.value)} vs ${String(step.state.value)}`,
      );
    }
  });
  return snapshots;
}

// ---------------------------------------------------------------------------------------------
// Coverage: every edge the chart defines is taken by some path
// ---------------------------------------------------------------------------------------------

/** `FROM --event type--> TO` */
export type Edge = string;

function edge(from: string, eventType: string, to: string): Edge {
  return `${from} --${eventType}--> ${to}`;
}

/** One transition the machine definition declares (a guarded candidate is one transition). */
export interface DeclaredTransition {
  readonly from: string;
  readonly eventType: string;
  /** The named guard, or null (unguarded, or the `else` of a guarded list). */
  readonly guard: string | null;
  readonly to: string;
}

function guardName(guard: unknown): string | null {
  if (guard === undefined) return null;
  if (typeof guard === 'string') return guard;
  if (typeof guard === 'object' && guard !== null && 'type' in guard) return String(guard.type);
  throw new Error('the trader machine must reference guards by name');
}

/**
 * The transitions the machine definition declares, read from its state nodes: each state's own
 * transitions (every guarded candidate), plus the root's transitions in states that neither
 * override nor forbid them. STARTUP (transient) and the final state are left out.
 */
export function declaredTransitions(): DeclaredTransition[] {
  const transitions: DeclaredTransition[] = [];
  const root = traderMachine.root;
  const stateNames = Object.keys(root.states).filter((name) => name !== 'STARTUP' && name !== 'SHUTDOWN');
  for (const name of stateNames) {
    const node = root.states[name];
    if (node === undefined) continue;
    const inherited = [...root.transitions].filter(([eventType]) => !node.transitions.has(eventType));
    const always = node.always === undefined ? [] : [['always', node.always] as const];
    for (const [eventType, candidates] of [...node.transitions, ...inherited, ...always]) {
      for (const candidate of candidates) {
        // A forbidding entry (`EVENT: undefined`) has neither target nor actions: no transition.
        if (candidate.target === undefined && candidate.actions.length === 0) continue;
        const to = candidate.target?.[0]?.key ?? name;
        transitions.push({ from: name, eventType, guard: guardName(candidate.guard), to });
      }
    }
  }
  return transitions;
}

/** The edges (guards aside) the machine declares. */
export function declaredEdges(): Set<Edge> {
  return new Set(declaredTransitions().map((t) => edge(t.from, t.eventType, t.to)));
}

/**
 * The edges a set of paths takes. A step is one macrostep: an event whose transition stays in its
 * state and is then followed by the state's eventless (`always`) transition elsewhere takes both.
 */
export function takenEdges(paths: readonly TraderTestPath[]): Set<Edge> {
  const declared = declaredEdges();
  const edges = new Set<Edge>();
  for (const path of paths) {
    path.steps.forEach((step, index) => {
      const before = path.steps[index - 1];
      if (before === undefined) return;
      const from = String(before.state.value);
      const to = String(step.state.value);
      const direct = edge(from, step.event.type, to);
      if (
        !declared.has(direct) &&
        declared.has(edge(from, step.event.type, from)) &&
        declared.has(edge(from, 'always', to))
      ) {
        edges.add(edge(from, step.event.type, from));
        edges.add(edge(from, 'always', to));
      } else {
        edges.add(direct);
      }
    });
  }
  return edges;
}
