/**
 * The trader's control flow as one XState v5 statechart (DESIGN.md §3; planning/statechart.md is
 * its diagram and transition table — keep the two in step).
 *
 *   STARTUP → ORDERBOOK_CONNECT → TRADING_CLIENT_CONNECT → CALIBRATING → READY ⇄ ACTING
 *                                                               ↘ HALTED / PAUSED
 *   any trouble → ERROR → (reconnectBackoff) → the failed stage → … → CALIBRATING
 *   SHUTDOWN (from every live state) → SHUTTING_DOWN → SHUTDOWN (final)
 *
 * Rules the chart encodes:
 * - Every road to READY passes through CALIBRATING (reconcile with the exchange before trading).
 * - ERROR is never a dead end once the trader has calibrated: after the named delay
 *   `reconnectBackoff` it re-runs the stage that failed (`failedStage`), forever.
 * - Before the first calibration, a failure that cannot heal by waiting (a permanent one: the
 *   exchange refused the key) or the `startupAttempts`-th failure in a row ends the run
 *   (SHUTTING_DOWN, with `fatal` recorded): a trader that never connected does not retry for ever.
 * - A halt (`context.halt`, set by BREAKER_TRIPPED or OPERATOR_HALT) is cleared by exactly one
 *   transition: OPERATOR_RESUME in HALTED. Calibration sends a halted trader to HALTED, never READY.
 * - OPERATOR_RESUME anywhere but HALTED and READY is ignored, even while a halt is recorded (say in
 *   ERROR or PAUSED): the trader reaches HALTED after its next calibration and the operator resumes
 *   there. In READY it lifts an operator's reduce-only mode.
 * - Entering HALTED stops everything on the exchange too: the `haltActions` actor triggers the
 *   trader's order group (the exchange cancels its orders) and cancels our resting orders, unless
 *   the halt asked to keep them. The trading state (ACTIVE / REDUCING / HALTED, as NautilusTrader
 *   has it) is derived from the context: `tradingStateOf`.
 * - A market whose book is doubtful (resyncing, stale, disagreeing with the exchange's) or whose
 *   position disagrees with the exchange's is REDUCING: its intents still run, and the
 *   RiskController lets through only those that reduce the position (`executeIntent`'s `mode`).
 * - A settlement of a market we are in (MARKET_SETTLED) is read in by a calibration: at once from
 *   READY, HALTED or PAUSED, else as soon as the trader is back in one of them (a calibration that
 *   starts afterwards reads it anyway).
 *
 * This file is pure: no I/O. Every actor, guard and delay has a default here and the runtime (and
 * the model-based tests) swap in real ones with `traderMachine.provide({ actors, guards, delays })`.
 * Data (book updates, fills, order outcomes) flows on the event bus, not through this machine.
 */

import type { DoneActorEvent, ErrorActorEvent } from 'xstate';
import { assertEvent, assign, fromPromise, setup } from 'xstate';
import type { DecisionEvidence, OrderIntent } from '../src/domain/index.js';

// ---------------------------------------------------------------------------------------------
// Names
// ---------------------------------------------------------------------------------------------

/** Every state of the machine, in the order of a normal start (for the runtime and dashboard). */
export const TRADER_STATES = [
  'STARTUP',
  'ORDERBOOK_CONNECT',
  'TRADING_CLIENT_CONNECT',
  'CALIBRATING',
  'READY',
  'ACTING',
  'HALTED',
  'PAUSED',
  'ERROR',
  'SHUTTING_DOWN',
  'SHUTDOWN',
] as const;
export type TraderStateName = (typeof TRADER_STATES)[number];

/** Every external event type the machine accepts. */
export const TRADER_EVENT_TYPES = [
  'INTENT',
  'CONNECTION_LOST',
  'BREAKER_TRIPPED',
  'OPERATOR_HALT',
  'OPERATOR_REDUCE',
  'OPERATOR_RESUME',
  'OPERATOR_SYNC',
  'EXCHANGE_PAUSED',
  'EXCHANGE_RESUMED',
  'MARKET_DOUBTFUL',
  'MARKET_CLEARED',
  'MARKET_SETTLED',
  'SHUTDOWN',
] as const;
export type TraderEventType = (typeof TRADER_EVENT_TYPES)[number];

/** The invoked actors; each is invoked with `id === src`, so its completion events are named by it. */
export const TRADER_ACTOR_IDS = [
  'orderbookConnect',
  'tradingClientConnect',
  'calibrate',
  'executeIntent',
  'haltActions',
  'shutdown',
] as const;
export type TraderActorId = (typeof TRADER_ACTOR_IDS)[number];

/** The machine's id; part of the delayed event's name. */
export const TRADER_MACHINE_ID = 'trader';

/**
 * XState's names for the internal events that end an invoked actor and fire the backoff. A driver
 * that replays model paths against a real runtime must produce these by completing or failing the
 * real actor, or by letting the backoff elapse.
 */
export function actorDoneEventType(actorId: TraderActorId): `xstate.done.actor.${TraderActorId}` {
  return `xstate.done.actor.${actorId}`;
}
export function actorErrorEventType(actorId: TraderActorId): `xstate.error.actor.${TraderActorId}` {
  return `xstate.error.actor.${actorId}`;
}
/** The delayed event ERROR schedules: `xstate.after.<delay name>.<state node id>`. */
export const RECONNECT_BACKOFF_EVENT_TYPE = 'xstate.after.reconnectBackoff.trader.ERROR';

// ---------------------------------------------------------------------------------------------
// Types
// ---------------------------------------------------------------------------------------------

/** The stages that ERROR can re-run. */
export type FailedStage = 'ORDERBOOK_CONNECT' | 'TRADING_CLIENT_CONNECT' | 'CALIBRATING';

export type HaltSource = 'breaker' | 'operator';

/** Why trading is halted. Only OPERATOR_RESUME in HALTED clears it. */
export interface HaltRecord {
  readonly reason: string;
  readonly detail: string;
  readonly source: HaltSource;
  /** The operator asked to leave resting orders working (`halt --keep-orders`). */
  readonly keepOrders?: boolean;
}

/** NautilusTrader's trading states: what may reach the exchange. */
export type TradingState = 'ACTIVE' | 'REDUCING' | 'HALTED';
/** What one intent may do: everything (ACTIVE) or only reduce its market's position (REDUCING). */
export type IntentMode = Exclude<TradingState, 'HALTED'>;

/** What calibration found (and cleaned up) when it reconciled with the exchange. */
export interface CalibrationSummary {
  readonly positions: number;
  readonly restingOrders: number;
  readonly fills: number;
  /** Resting orders canceled by the optional startup cleanup. */
  readonly canceled: number;
  readonly durationMs: number;
}

export interface BackoffSettings {
  readonly baseMs: number;
  readonly maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffSettings = { baseMs: 1000, maxMs: 30_000 };

/** Failures in a row before the first calibration after which the run gives up. */
export const DEFAULT_STARTUP_ATTEMPTS = 5;

export interface TraderInput {
  readonly backoff?: { readonly baseMs?: number; readonly maxMs?: number };
  /** Default DEFAULT_STARTUP_ATTEMPTS. */
  readonly startupAttempts?: number;
}

/**
 * A stage failure the runtime knows cannot heal by waiting carries `permanent: true` (e.g. the
 * exchange refused the API key); anything else may be transient.
 */
export interface StageFailure {
  readonly permanent?: boolean;
}

export function isPermanentFailure(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as StageFailure).permanent === true;
}

/** Why a run ended before it ever calibrated. */
export interface FatalRecord {
  readonly stage: FailedStage;
  readonly message: string;
  readonly permanent: boolean;
}

export interface TraderContext {
  /** Consecutive failed attempts; +1 on entering ERROR, 0 after a successful calibration. */
  readonly attempt: number;
  /** The stage ERROR will re-run; null when nothing has failed since the last calibration. */
  readonly failedStage: FailedStage | null;
  /** The most recent error in words (a stage failure, a lost connection or an order error). */
  readonly lastError: string | null;
  readonly halt: HaltRecord | null;
  /** The exchange's trading_active is false. */
  readonly exchangePaused: boolean;
  /** The intent being executed; non-null exactly while in ACTING. */
  readonly pendingIntent: OrderIntent | null;
  /** Why the strategy asked (for the decision record); carried with the pending intent. */
  readonly pendingEvidence: DecisionEvidence | null;
  readonly intentsExecuted: number;
  readonly lastCalibration: CalibrationSummary | null;
  readonly backoff: BackoffSettings;
  /** A calibration has succeeded in this run (from then on the trader reconnects for ever). */
  readonly calibratedOnce: boolean;
  readonly startupAttempts: number;
  /** Set when the run gave up before its first calibration (see the rules above). */
  readonly fatal: FatalRecord | null;
  /** An operator's reduce-only mode for every market (OPERATOR_REDUCE), lifted by OPERATOR_RESUME. */
  readonly reduceOnly: string | null;
  /** Markets in REDUCING, with why (book_resyncing, book_stale, book_mismatch, position_mismatch, …). */
  readonly doubtful: Readonly<Record<string, readonly string[]>>;
  /** A settlement of ours that no calibration has read in yet. */
  readonly settlementPending: boolean;
  /** The current halt's exchange-side actions (order group, cancels) have finished. */
  readonly haltActionsDone: boolean;
}

/** The trader's trading state as NautilusTrader names it (status, dashboard, inspector). */
export function tradingStateOf(context: Pick<TraderContext, 'halt' | 'reduceOnly'>): TradingState {
  if (context.halt !== null) return 'HALTED';
  return context.reduceOnly !== null ? 'REDUCING' : 'ACTIVE';
}

/** The mode an intent for `ticker` runs in: REDUCING when the trader or that market is. */
export function intentModeOf(
  context: Pick<TraderContext, 'reduceOnly' | 'doubtful'>,
  ticker: string,
): IntentMode {
  return context.reduceOnly !== null || (context.doubtful[ticker]?.length ?? 0) > 0 ? 'REDUCING' : 'ACTIVE';
}

export type ConnectionSource = 'orderbook' | 'trading';

export type TraderEvent =
  /** A strategy asks to trade. Accepted only in READY (and only when the book is live). */
  | { readonly type: 'INTENT'; readonly intent: OrderIntent; readonly evidence?: DecisionEvidence }
  /** An established connection dropped (the integrations report it). */
  | { readonly type: 'CONNECTION_LOST'; readonly source: ConnectionSource; readonly reason: string }
  /** A breaker (consecutive order errors, daily loss, drawdown) opened. */
  | { readonly type: 'BREAKER_TRIPPED'; readonly reason: string; readonly detail: string }
  | { readonly type: 'OPERATOR_HALT'; readonly reason?: string; readonly keepOrders?: boolean }
  /** Reduce-only for every market until OPERATOR_RESUME (the trader keeps running). */
  | { readonly type: 'OPERATOR_REDUCE'; readonly reason?: string }
  | { readonly type: 'OPERATOR_RESUME' }
  /** Re-calibrate now (manual sync). */
  | { readonly type: 'OPERATOR_SYNC' }
  /** The exchange's trading_active went false / true (trading-client health check). */
  | { readonly type: 'EXCHANGE_PAUSED' }
  | { readonly type: 'EXCHANGE_RESUMED' }
  /** A market became doubtful for `reason` (its book or position cannot be trusted): REDUCING. */
  | { readonly type: 'MARKET_DOUBTFUL'; readonly ticker: string; readonly reason: string }
  /** The doubt `reason` about a market is settled. */
  | { readonly type: 'MARKET_CLEARED'; readonly ticker: string; readonly reason: string }
  /** A market we hold or have orders in settled: read it in by a calibration. */
  | { readonly type: 'MARKET_SETTLED'; readonly ticker: string }
  /** Graceful shutdown (SIGINT/SIGTERM or operator). */
  | { readonly type: 'SHUTDOWN'; readonly cancelOrders: boolean };

/** Every invoked actor gets the number of consecutive failures so far (0 on a clean start). */
export interface StageInput {
  readonly attempt: number;
}
export type OrderbookConnectInput = StageInput;
/** Nothing: the book itself flows on the bus. */
// biome-ignore lint/suspicious/noConfusingVoidType: the runtime's actors are async functions without a result (Promise<void>); the snapshot type is invariant, so `unknown` or `undefined` would reject them.
export type OrderbookConnectOutput = void;
export type TradingClientConnectInput = StageInput;
export interface TradingClientConnectOutput {
  /** The exchange's trading_active flag at connect time. */
  readonly tradingActive: boolean;
}
export interface CalibrateInput extends StageInput {
  /** A halt is recorded: the calibration must not lift anything the halt did (the order group). */
  readonly halted: boolean;
}
export type CalibrateOutput = CalibrationSummary;
export interface ExecuteIntentInput {
  readonly intent: OrderIntent;
  readonly evidence?: DecisionEvidence;
  /** REDUCING: only an order that reduces the market's position may pass. */
  readonly mode: IntentMode;
}
export interface HaltActionsInput {
  /** Leave resting orders working (`halt --keep-orders`): nothing is canceled, the group is not triggered. */
  readonly keepOrders: boolean;
}
// biome-ignore lint/suspicious/noConfusingVoidType: the runtime's actors are async functions without a result (Promise<void>); the snapshot type is invariant, so `unknown` or `undefined` would reject them.
export type HaltActionsOutput = void;
/** Nothing: the order outcome (denied / placed / unknown) flows on the bus. */
// biome-ignore lint/suspicious/noConfusingVoidType: the runtime's actors are async functions without a result (Promise<void>); the snapshot type is invariant, so `unknown` or `undefined` would reject them.
export type ExecuteIntentOutput = void;
export interface ShutdownInput {
  readonly cancelOrders: boolean;
}
// biome-ignore lint/suspicious/noConfusingVoidType: the runtime's actors are async functions without a result (Promise<void>); the snapshot type is invariant, so `unknown` or `undefined` would reject them.
export type ShutdownOutput = void;

// ---------------------------------------------------------------------------------------------
// Pure helpers
// ---------------------------------------------------------------------------------------------

/**
 * Reconnect delay in ms after `attempt` consecutive failures (attempt ≥ 1):
 * `d = min(baseMs × 2^(attempt−1), maxMs)`.
 *
 * Without `jitter01` the result is `d` (deterministic; the machine's default). With `jitter01` in
 * [0, 1) it is "equal jitter": `d/2 + jitter01 × d/2`, i.e. uniformly in [d/2, d) — never less than
 * half the exponential step (so retries still back off) and spread enough that many traders
 * restarting together do not reconnect in lockstep. Results are whole milliseconds (floored).
 */
export function backoffDelay(attempt: number, baseMs: number, maxMs: number, jitter01?: number): number {
  if (!Number.isInteger(attempt) || attempt < 1) {
    throw new RangeError(`backoffDelay: attempt must be an integer ≥ 1, got ${attempt}`);
  }
  if (!Number.isFinite(baseMs) || baseMs <= 0) {
    throw new RangeError(`backoffDelay: baseMs must be a positive number, got ${baseMs}`);
  }
  if (!Number.isFinite(maxMs) || maxMs < baseMs) {
    throw new RangeError(`backoffDelay: maxMs must be a number ≥ baseMs (${baseMs}), got ${maxMs}`);
  }
  if (jitter01 !== undefined && !(jitter01 >= 0 && jitter01 < 1)) {
    throw new RangeError(`backoffDelay: jitter01 must be in [0, 1), got ${jitter01}`);
  }
  // 2 ** 1074 and beyond is Infinity; min() still gives maxMs.
  const exponential = Math.min(baseMs * 2 ** (attempt - 1), maxMs);
  if (jitter01 === undefined) return Math.floor(exponential);
  const half = exponential / 2;
  return Math.floor(half + jitter01 * half);
}

/** An error of any shape, in words (for `lastError`). */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  if (typeof error === 'string') return error;
  try {
    return JSON.stringify(error) ?? String(error);
  } catch {
    return String(error);
  }
}

function resolveBackoff(input: TraderInput | undefined): BackoffSettings {
  const baseMs = input?.backoff?.baseMs ?? DEFAULT_BACKOFF.baseMs;
  const maxMs = input?.backoff?.maxMs ?? DEFAULT_BACKOFF.maxMs;
  // Fails loudly on a bad configuration instead of at the first reconnect.
  backoffDelay(1, baseMs, maxMs);
  return { baseMs, maxMs };
}

function resolveStartupAttempts(input: TraderInput | undefined): number {
  const n = input?.startupAttempts ?? DEFAULT_STARTUP_ATTEMPTS;
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`startupAttempts must be an integer ≥ 1, got ${n}`);
  return n;
}

function initialContext({ input }: { input: TraderInput | undefined }): TraderContext {
  return {
    calibratedOnce: false,
    startupAttempts: resolveStartupAttempts(input),
    fatal: null,
    reduceOnly: null,
    doubtful: {},
    settlementPending: false,
    haltActionsDone: false,
    attempt: 0,
    failedStage: null,
    lastError: null,
    halt: null,
    exchangePaused: false,
    pendingIntent: null,
    pendingEvidence: null,
    intentsExecuted: 0,
    lastCalibration: null,
    backoff: resolveBackoff(input),
  };
}

function stageInput({ context }: { context: TraderContext }): StageInput {
  return { attempt: context.attempt };
}

function calibrateInput({ context }: { context: TraderContext }): CalibrateInput {
  return { attempt: context.attempt, halted: context.halt !== null };
}

function executeIntentInput({ context }: { context: TraderContext }): ExecuteIntentInput {
  if (context.pendingIntent === null) {
    throw new Error('trader machine invariant broken: ACTING entered without a pending intent');
  }
  const mode = intentModeOf(context, context.pendingIntent.ticker);
  return context.pendingEvidence === null
    ? { intent: context.pendingIntent, mode }
    : { intent: context.pendingIntent, evidence: context.pendingEvidence, mode };
}

function haltActionsInput({ context }: { context: TraderContext }): HaltActionsInput {
  if (context.halt === null) throw new Error('trader machine invariant broken: HALTED without a halt');
  return { keepOrders: context.halt.keepOrders === true };
}

/** The doubts about each market after adding (or, with `add` false, removing) one. */
function withDoubt(
  doubtful: TraderContext['doubtful'],
  ticker: string,
  reason: string,
  add: boolean,
): TraderContext['doubtful'] {
  const now = doubtful[ticker] ?? [];
  const next = add ? (now.includes(reason) ? now : [...now, reason]) : now.filter((r) => r !== reason);
  if (next === now) return doubtful;
  const { [ticker]: _gone, ...rest } = doubtful;
  return next.length === 0 ? rest : { ...rest, [ticker]: next };
}

/** A SHUTDOWN says whether to cancel; a run that gives up before calibrating cancels nothing. */
function shutdownInput({ event }: { event: TraderEvent | ErrorActorEvent }): ShutdownInput {
  return event.type === 'SHUTDOWN' ? { cancelOrders: event.cancelOrders } : { cancelOrders: false };
}

function stageForSource(source: ConnectionSource): FailedStage {
  return source === 'orderbook' ? 'ORDERBOOK_CONNECT' : 'TRADING_CLIENT_CONNECT';
}

// Named parameter mappers for the actions taken on actor completion events.
function failureAt(stage: FailedStage) {
  return ({ event }: { event: ErrorActorEvent }) => ({ stage, error: event.error });
}
function tradingStatusOf({ event }: { event: DoneActorEvent<TradingClientConnectOutput> }) {
  return { tradingActive: event.output.tradingActive };
}
function calibrationOf({ event }: { event: DoneActorEvent<CalibrateOutput> }) {
  return { summary: event.output };
}
function orderErrorOf({ event }: { event: ErrorActorEvent }) {
  return { error: event.error };
}

/** The default actors reject: the machine alone cannot talk to an exchange. */
function mustBeProvided<TOutput, TInput>(name: TraderActorId) {
  return fromPromise<TOutput, TInput>(() =>
    Promise.reject(new Error(`the runtime must provide the "${name}" actor`)),
  );
}

// ---------------------------------------------------------------------------------------------
// The machine
// ---------------------------------------------------------------------------------------------

export const traderMachine = setup({
  types: {
    context: {} as TraderContext,
    events: {} as TraderEvent,
    input: {} as TraderInput,
  },
  actors: {
    orderbookConnect: mustBeProvided<OrderbookConnectOutput, OrderbookConnectInput>('orderbookConnect'),
    tradingClientConnect: mustBeProvided<TradingClientConnectOutput, TradingClientConnectInput>(
      'tradingClientConnect',
    ),
    calibrate: mustBeProvided<CalibrateOutput, CalibrateInput>('calibrate'),
    executeIntent: mustBeProvided<ExecuteIntentOutput, ExecuteIntentInput>('executeIntent'),
    haltActions: mustBeProvided<HaltActionsOutput, HaltActionsInput>('haltActions'),
    shutdown: mustBeProvided<ShutdownOutput, ShutdownInput>('shutdown'),
  },
  guards: {
    isHalted: ({ context }) => context.halt !== null,
    settlementPending: ({ context }) => context.settlementPending,
    exchangeIsPaused: ({ context }) => context.exchangePaused,
    failedAtOrderbookConnect: ({ context }) => context.failedStage === 'ORDERBOOK_CONNECT',
    /** Before the first calibration: a permanent failure, or the last of `startupAttempts`. */
    failureEndsStartup: ({ context, event }) =>
      !context.calibratedOnce &&
      (isPermanentFailure((event as unknown as ErrorActorEvent).error) ||
        context.attempt + 1 >= context.startupAttempts),
    failedAtTradingClientConnect: ({ context }) => context.failedStage === 'TRADING_CLIENT_CONNECT',
  },
  delays: {
    /** Default: exponential, no jitter. The runtime provides a jittered one via `.provide()`. */
    reconnectBackoff: ({ context }) =>
      backoffDelay(Math.max(1, context.attempt), context.backoff.baseMs, context.backoff.maxMs),
  },
  actions: {
    countAttempt: assign({ attempt: ({ context }) => context.attempt + 1 }),
    recordStageFailure: assign((_, params: { readonly stage: FailedStage; readonly error: unknown }) => ({
      failedStage: params.stage,
      lastError: `${params.stage} failed: ${describeError(params.error)}`,
    })),
    recordConnectionLost: assign(({ event }) => {
      assertEvent(event, 'CONNECTION_LOST');
      return {
        failedStage: stageForSource(event.source),
        lastError: `${event.source} connection lost: ${event.reason}`,
      };
    }),
    recordTradingStatus: assign((_, params: { readonly tradingActive: boolean }) => ({
      exchangePaused: !params.tradingActive,
    })),
    recordCalibration: assign((_, params: { readonly summary: CalibrationSummary }) => ({
      lastCalibration: params.summary,
      attempt: 0,
      failedStage: null,
      lastError: null,
      calibratedOnce: true,
    })),
    recordFatal: assign((_, params: { readonly stage: FailedStage; readonly error: unknown }) => ({
      failedStage: params.stage,
      lastError: `${params.stage} failed: ${describeError(params.error)}`,
      fatal: {
        stage: params.stage,
        message: describeError(params.error),
        permanent: isPermanentFailure(params.error),
      },
    })),
    recordBreakerHalt: assign(({ event }) => {
      assertEvent(event, 'BREAKER_TRIPPED');
      return { halt: { reason: event.reason, detail: event.detail, source: 'breaker' as const } };
    }),
    recordOperatorHalt: assign(({ event }) => {
      assertEvent(event, 'OPERATOR_HALT');
      return {
        halt: {
          reason: event.reason ?? 'operator halt',
          detail: event.keepOrders
            ? 'halted by operator command (resting orders kept)'
            : 'halted by operator command',
          source: 'operator' as const,
          ...(event.keepOrders ? { keepOrders: true } : {}),
        },
      };
    }),
    clearHalt: assign({ halt: null, reduceOnly: null }),
    recordReduceOnly: assign(({ event }) => {
      assertEvent(event, 'OPERATOR_REDUCE');
      return { reduceOnly: event.reason ?? 'operator reduce-only' };
    }),
    clearReduceOnly: assign({ reduceOnly: null }),
    recordDoubt: assign(({ context, event }) => {
      assertEvent(event, 'MARKET_DOUBTFUL');
      return { doubtful: withDoubt(context.doubtful, event.ticker, event.reason, true) };
    }),
    clearDoubt: assign(({ context, event }) => {
      assertEvent(event, 'MARKET_CLEARED');
      return { doubtful: withDoubt(context.doubtful, event.ticker, event.reason, false) };
    }),
    markSettlementPending: assign({ settlementPending: true }),
    clearSettlementPending: assign({ settlementPending: false }),
    recordHaltActionsFailure: assign((_, params: { readonly error: unknown }) => ({
      lastError: `halt actions failed: ${describeError(params.error)}`,
    })),
    startHaltActions: assign({ haltActionsDone: false }),
    recordHaltActionsDone: assign({ haltActionsDone: true }),
    markExchangePaused: assign({ exchangePaused: true }),
    markExchangeResumed: assign({ exchangePaused: false }),
    storePendingIntent: assign(({ event }) => {
      assertEvent(event, 'INTENT');
      return { pendingIntent: event.intent, pendingEvidence: event.evidence ?? null };
    }),
    clearPendingIntent: assign({ pendingIntent: null, pendingEvidence: null }),
    countIntentExecuted: assign({ intentsExecuted: ({ context }) => context.intentsExecuted + 1 }),
    recordOrderError: assign((_, params: { readonly error: unknown }) => ({
      lastError: `order failed: ${describeError(params.error)}`,
    })),
  },
}).createMachine({
  id: TRADER_MACHINE_ID,
  description:
    'The trader: connect, reconcile, trade; back off and reconnect on trouble; halt until an operator resumes.',
  context: initialContext,
  initial: 'STARTUP',
  // Events handled the same way in every live state; states below override or forbid them.
  on: {
    BREAKER_TRIPPED: { actions: 'recordBreakerHalt' },
    OPERATOR_HALT: { actions: 'recordOperatorHalt' },
    OPERATOR_REDUCE: { actions: 'recordReduceOnly' },
    EXCHANGE_PAUSED: { actions: 'markExchangePaused' },
    EXCHANGE_RESUMED: { actions: 'markExchangeResumed' },
    MARKET_DOUBTFUL: { actions: 'recordDoubt' },
    MARKET_CLEARED: { actions: 'clearDoubt' },
    MARKET_SETTLED: { actions: 'markSettlementPending' },
    SHUTDOWN: { target: '.SHUTTING_DOWN' },
  },
  states: {
    STARTUP: {
      description: 'Cold start; moves on at once to connecting the order book.',
      always: { target: 'ORDERBOOK_CONNECT' },
    },

    ORDERBOOK_CONNECT: {
      description: 'Connecting the order-book feed: subscribe, snapshot, deltas.',
      invoke: {
        id: 'orderbookConnect',
        src: 'orderbookConnect',
        input: stageInput,
        onDone: { target: 'TRADING_CLIENT_CONNECT' },
        onError: [
          {
            guard: 'failureEndsStartup',
            target: 'SHUTTING_DOWN',
            actions: { type: 'recordFatal', params: failureAt('ORDERBOOK_CONNECT') },
          },
          {
            target: 'ERROR',
            actions: { type: 'recordStageFailure', params: failureAt('ORDERBOOK_CONNECT') },
          },
        ],
      },
    },

    TRADING_CLIENT_CONNECT: {
      description: 'Connecting the trading client: exchange status, fills and orders channels.',
      invoke: {
        id: 'tradingClientConnect',
        src: 'tradingClientConnect',
        input: stageInput,
        onDone: {
          target: 'CALIBRATING',
          actions: {
            type: 'recordTradingStatus',
            params: tradingStatusOf,
          },
        },
        onError: [
          {
            guard: 'failureEndsStartup',
            target: 'SHUTTING_DOWN',
            actions: { type: 'recordFatal', params: failureAt('TRADING_CLIENT_CONNECT') },
          },
          {
            target: 'ERROR',
            actions: { type: 'recordStageFailure', params: failureAt('TRADING_CLIENT_CONNECT') },
          },
        ],
      },
    },

    CALIBRATING: {
      description:
        'Reconciling with the exchange: positions, resting orders, balance, recent fills, settlements (optional cleanup).',
      // This calibration reads every settlement so far.
      entry: 'clearSettlementPending',
      invoke: {
        id: 'calibrate',
        src: 'calibrate',
        input: calibrateInput,
        onDone: [
          {
            guard: 'isHalted',
            target: 'HALTED',
            actions: { type: 'recordCalibration', params: calibrationOf },
          },
          {
            guard: 'exchangeIsPaused',
            target: 'PAUSED',
            actions: { type: 'recordCalibration', params: calibrationOf },
          },
          {
            target: 'READY',
            actions: { type: 'recordCalibration', params: calibrationOf },
          },
        ],
        onError: [
          {
            guard: 'failureEndsStartup',
            target: 'SHUTTING_DOWN',
            actions: { type: 'recordFatal', params: failureAt('CALIBRATING') },
          },
          {
            target: 'ERROR',
            actions: { type: 'recordStageFailure', params: failureAt('CALIBRATING') },
          },
        ],
      },
      on: {
        CONNECTION_LOST: { target: 'ERROR', actions: 'recordConnectionLost' },
      },
    },

    READY: {
      description: 'Reconciled, connected, not halted, exchange open: the trader may trade.',
      always: { guard: 'settlementPending', target: 'CALIBRATING' },
      on: {
        INTENT: { target: 'ACTING', actions: 'storePendingIntent' },
        OPERATOR_RESUME: { actions: 'clearReduceOnly' },
        OPERATOR_SYNC: { target: 'CALIBRATING' },
        EXCHANGE_PAUSED: { target: 'PAUSED', actions: 'markExchangePaused' },
        BREAKER_TRIPPED: { target: 'HALTED', actions: 'recordBreakerHalt' },
        OPERATOR_HALT: { target: 'HALTED', actions: 'recordOperatorHalt' },
        CONNECTION_LOST: { target: 'ERROR', actions: 'recordConnectionLost' },
      },
    },

    ACTING: {
      description: 'Executing one intent (risk check, then place); further intents are not accepted.',
      exit: 'clearPendingIntent',
      invoke: {
        id: 'executeIntent',
        src: 'executeIntent',
        input: executeIntentInput,
        // An exchange pause that arrived meanwhile is honoured on the way out.
        onDone: [
          { guard: 'exchangeIsPaused', target: 'PAUSED', actions: 'countIntentExecuted' },
          { target: 'READY', actions: 'countIntentExecuted' },
        ],
        // The order error is counted by the RiskController (its breaker), not here.
        onError: [
          {
            guard: 'exchangeIsPaused',
            target: 'PAUSED',
            actions: { type: 'recordOrderError', params: orderErrorOf },
          },
          {
            target: 'READY',
            actions: { type: 'recordOrderError', params: orderErrorOf },
          },
        ],
      },
      on: {
        BREAKER_TRIPPED: { target: 'HALTED', actions: 'recordBreakerHalt' },
        OPERATOR_HALT: { target: 'HALTED', actions: 'recordOperatorHalt' },
        CONNECTION_LOST: { target: 'ERROR', actions: 'recordConnectionLost' },
      },
    },

    HALTED: {
      description:
        'Trading halted by a breaker or an operator: the order group is triggered and resting orders canceled; only OPERATOR_RESUME lifts it.',
      always: { guard: 'settlementPending', target: 'CALIBRATING' },
      entry: 'startHaltActions',
      invoke: {
        id: 'haltActions',
        src: 'haltActions',
        input: haltActionsInput,
        onDone: { actions: 'recordHaltActionsDone' },
        onError: { actions: { type: 'recordHaltActionsFailure', params: orderErrorOf } },
      },
      on: {
        OPERATOR_RESUME: { target: 'CALIBRATING', actions: 'clearHalt' },
        OPERATOR_SYNC: { target: 'CALIBRATING' },
        CONNECTION_LOST: { target: 'ERROR', actions: 'recordConnectionLost' },
      },
    },

    PAUSED: {
      description: "The exchange's trading_active is false: wait, do not trade.",
      always: { guard: 'settlementPending', target: 'CALIBRATING' },
      on: {
        EXCHANGE_RESUMED: { target: 'CALIBRATING', actions: 'markExchangeResumed' },
        OPERATOR_SYNC: { target: 'CALIBRATING' },
        CONNECTION_LOST: { target: 'ERROR', actions: 'recordConnectionLost' },
      },
    },

    ERROR: {
      description: 'A stage failed or a connection dropped: back off, then re-run the failed stage.',
      entry: 'countAttempt',
      after: {
        reconnectBackoff: [
          { guard: 'failedAtOrderbookConnect', target: 'ORDERBOOK_CONNECT' },
          { guard: 'failedAtTradingClientConnect', target: 'TRADING_CLIENT_CONNECT' },
          { target: 'CALIBRATING' },
        ],
      },
    },

    SHUTTING_DOWN: {
      description:
        'Graceful stop (SHUTDOWN, or a run that gave up before calibrating): strategy off, optional cancel-all, flush writes, close sockets.',
      // Shutdown is already under way: halts, pauses and a second SHUTDOWN change nothing.
      on: {
        SHUTDOWN: undefined,
        BREAKER_TRIPPED: undefined,
        OPERATOR_HALT: undefined,
        OPERATOR_REDUCE: undefined,
        EXCHANGE_PAUSED: undefined,
        EXCHANGE_RESUMED: undefined,
        MARKET_DOUBTFUL: undefined,
        MARKET_CLEARED: undefined,
        MARKET_SETTLED: undefined,
      },
      invoke: {
        id: 'shutdown',
        src: 'shutdown',
        input: shutdownInput,
        onDone: { target: 'SHUTDOWN' },
        onError: { target: 'SHUTDOWN' },
      },
    },

    SHUTDOWN: {
      description: 'Stopped. The process may exit.',
      type: 'final',
    },
  },
});

export type TraderMachine = typeof traderMachine;
