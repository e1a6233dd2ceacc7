/**
 * A TraderDriver over the REAL runtime (src/runtime, `startTrader`) trading against the REAL
 * exchange simulator (src/exchange-sim) over loopback HTTP and WebSockets.
 *
 * The only seam is the runtime's `hooks.beforeStage`: every invoked stage awaits it before doing
 * its real work. The driver holds each stage there (a gate), arranges the simulator for the outcome
 * the model path asks for, then lets the stage run for real — so a stage that "completes" really
 * connected / calibrated / placed its order, and a stage that "fails" really hit a fault.
 *
 * Each path gets its own simulator (seeded, no background activity, no rate limit), a fresh
 * funded account and its own trader; the trading record (Postgres or embedded PGlite) is shared
 * by the file, and a new simulator is a new exchange to the runtime, so nothing is restored across
 * paths. Every stage failure is checked to have happened for the arranged reason (`lastError`).
 *
 * How each model event is produced (nothing is faked on the machine's side; every event reaches
 * the machine the way it does in production):
 *
 *   done(orderbookConnect)        faults cleared, gate opened: real subscribe + snapshots.
 *   error(orderbookConnect)       the simulator refuses WebSocket upgrades (and the book socket is
 *                                 dropped if it is up), gate opened: `ws.connect()` really fails.
 *   done(tradingClientConnect)    the exchange is paused / resumed first so that the real status
 *                                 check returns the path's `tradingActive`, gate opened.
 *   error(tradingClientConnect)   `GET /exchange/status` answers 503 (more times than the REST
 *                                 client retries), gate opened.
 *   done(calibrate)               faults cleared, gate opened: real reconciliation.
 *   error(calibrate)              `GET /portfolio/positions` answers 503, gate opened.
 *   done(executeIntent)           gate opened: real risk check, real order on the simulator.
 *   error(executeIntent)          the RiskController throws on a malformed intent (count 0): the
 *                                 runtime's order path never throws for exchange trouble (a rejected
 *                                 or unknown order is an outcome, not an error), so a malformed
 *                                 intent is the one real failure. The intent is chosen when INTENT
 *                                 is sent, by looking ahead in the path for how its execution ends.
 *   done(shutdown)                gate opened: real shutdown (cancel-all if asked), sockets closed.
 *   error(shutdown)               cannot be produced for real: the driver refuses it.
 *   after(reconnectBackoff)       the runtime's jittered backoff is scheduled on a BackoffClock
 *                                 the driver fires, after checking the scheduled delay is the
 *                                 equal-jitter backoff of the attempt (so no step races it).
 *   INTENT                        `actor.send` of the model's intent on a live market of the
 *                                 trader (in READY the driver first waits for that book to be live,
 *                                 as a strategy would). `lastInput('executeIntent')` translates the
 *                                 real intent back to the model's.
 *   CONNECTION_LOST(source)       the simulator drops the trader's socket of that source (channel
 *                                 orderbook_delta or fill); where the machine handles it, the driver
 *                                 first waits until that connection is up (one cannot lose what is
 *                                 down) and then for the runtime's `connection.lost`.
 *   BREAKER_TRIPPED               the simulator rejects (400) the next N order submissions and N
 *                                 orders are submitted through the real OrderService (N = the
 *                                 breaker limit): the real RiskController trips and the runtime
 *                                 forwards `risk.breakerTripped`.
 *   OPERATOR_HALT/RESUME/SYNC/REDUCE  the runtime's control target (what the control API calls).
 *   done(haltActions)             gate opened: the real order-group trigger and cancel-all run on the
 *                                 simulator; the driver waits for the machine to record them done.
 *   error(haltActions)            cannot be produced from outside (it needs the cancels AND the
 *                                 order group to fail): refused (unit tests cover it).
 *   MARKET_DOUBTFUL/CLEARED       `actor.send` with the market the driver's intents use (what the
 *                                 bridge does for a book cross-check); the model's own reason.
 *   MARKET_SETTLED                `actor.send` with that market (what the bridge does when a market
 *                                 we are in settles): the real runtime re-calibrates.
 *   EXCHANGE_PAUSED/RESUMED       the simulator pauses / resumes trading; the driver waits for the
 *                                 runtime's health check to report the new status.
 *   SHUTDOWN                      `running.shutdown({ cancelOrders })`.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { expect } from 'vitest';
import type { AnyActorRef } from 'xstate';
import {
  actorErrorEventType,
  isPermanentFailure,
  type TraderActorId,
  type TraderEvent,
  type TraderStateName,
} from '../../machines/index.js';
import type { BusEvents } from '../../src/bus.js';
import { loadConfig } from '../../src/config/index.js';
import type { OrderIntent } from '../../src/domain/index.js';
import { MICROS_PER_DOLLAR } from '../../src/domain/index.js';
import { type FaultCommand, type Simulator, startSimulator } from '../../src/exchange-sim/index.js';
import { type RunningTrader, startTrader } from '../../src/runtime/index.js';
import { BackoffClock } from './backoff-clock.js';
import type { TraderDriver, TraderObservation } from './driver.js';
import { MODEL_INPUT, type ModelEvent, replayPath, type TraderTestPath } from './trader-model.js';

/** The state each invoked stage runs in. */
const STAGE_STATE: Readonly<Record<TraderActorId, TraderStateName>> = {
  orderbookConnect: 'ORDERBOOK_CONNECT',
  tradingClientConnect: 'TRADING_CLIENT_CONNECT',
  calibrate: 'CALIBRATING',
  executeIntent: 'ACTING',
  haltActions: 'HALTED',
  shutdown: 'SHUTTING_DOWN',
};

/** The states in which the machine acts on CONNECTION_LOST (planning/statechart.md). */
const LOSS_HANDLED_IN: ReadonlySet<TraderStateName> = new Set([
  'CALIBRATING',
  'READY',
  'ACTING',
  'HALTED',
  'PAUSED',
]);

/** How a permanent failure (the exchange refused the key: the driver injects 401s) reads in `lastError`. */
const PERMANENT_REASON = /failed: the exchange at \S+ refused API key \S+ \(HTTP 401\)/;

/** How each stage's real failure reads in `lastError` (the fault the driver injects). */
const FAILURE_REASON: Readonly<Record<Exclude<TraderActorId, 'shutdown'>, RegExp>> = {
  orderbookConnect: /^ORDERBOOK_CONNECT failed: WebSocket connect failed: .*\b503\b/,
  tradingClientConnect: /^TRADING_CLIENT_CONNECT failed: GET \S*\/exchange\/status answered HTTP 503\b/,
  calibrate: /^CALIBRATING failed: GET \S*\/portfolio\/positions answered HTTP 503\b/,
  executeIntent: /^order failed: .*count must be a positive/,
  haltActions: /^halt actions failed/,
};

/** Consecutive order errors that trip the breaker in the runtime under test. */
export const BREAKER_LIMIT = 2;
/** The health check period the runtime under test runs with (how soon a pause is noticed). */
export const HEALTH_CHECK_MS = 50;

/** More than the REST client's retries and the health checks can use up while a stage fails. */
const MANY = 100_000;

/**
 * Where the runtime keeps its trading record: a Postgres database (`url`), or embedded PGlite in the
 * data folder. The data folder also holds the trader's lock.
 */
export interface RecordTarget {
  readonly url?: string;
  readonly dataDir: string;
}

export interface RuntimeDriverOptions {
  /**
   * The trading record, shared by the paths of a file. Each path trades on its own simulator (a
   * new REST URL is a new exchange to the runtime), so nothing one path leaves in the record —
   * write-ahead orders, sessions — is restored into the next.
   */
  readonly record: RecordTarget;
  /** The path's events in order (xstate.init left out): INTENT looks ahead for its outcome. */
  readonly plan: readonly ModelEvent[];
  /** The reconnect backoff the runtime runs with (its delays are checked when fired). */
  readonly backoff: { readonly baseMs: number; readonly maxMs: number };
  /** How long a wait may take before it is a failure (failure detection only). */
  readonly patienceMs?: number;
}

interface Gate {
  readonly open: () => void;
  readonly abandon: (error: Error) => void;
  input: unknown;
  captured: boolean;
}

/** What the driver reads from `control.status()`. */
interface StatusView {
  readonly markets: readonly { readonly ticker: string; readonly phase: string }[];
  readonly orderbook: {
    readonly connected: boolean;
    readonly books: readonly { readonly ticker: string; readonly status: string }[];
  };
  readonly trading: { readonly connected: boolean };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function statusView(value: unknown): StatusView {
  if (
    isRecord(value) &&
    Array.isArray(value.markets) &&
    value.markets.every((m) => isRecord(m) && typeof m.ticker === 'string') &&
    isRecord(value.orderbook) &&
    typeof value.orderbook.connected === 'boolean' &&
    Array.isArray(value.orderbook.books) &&
    isRecord(value.trading) &&
    typeof value.trading.connected === 'boolean'
  ) {
    return value as unknown as StatusView;
  }
  throw new Error(`control.status() has an unexpected shape: ${JSON.stringify(value)}`);
}

function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Whether the execution of the intent sent at `index` ends in error, by the path's later events. */
function executionFails(plan: readonly ModelEvent[], index: number): boolean {
  for (const event of plan.slice(index + 1)) {
    if (event.type === 'INTENT' || event.type === 'xstate.done.actor.executeIntent') return false;
    if (event.type === actorErrorEventType('executeIntent')) return true;
  }
  return false;
}

/**
 * Why the real runtime cannot produce this model path, or null if it can:
 * - `error(shutdown)`: nothing in the real shutdown can be made to fail from outside;
 * - EXCHANGE_PAUSED in a live state before the first trading-client connect: the runtime learns the
 *   exchange's status from the trading client's status and health checks, so it cannot know yet;
 * - BREAKER_TRIPPED while the real breaker is still open: the RiskController trips once and stays
 *   open until an operator resume (control.resume() resets it in any state), so no second
 *   `risk.breakerTripped` can happen.
 */
export function unrealizable(path: TraderTestPath): string | null {
  const snapshots = replayPath(path);
  let tradingConnected = false;
  let breakerOpen = false;
  for (const [index, event] of path.steps
    .slice(1)
    .map((step) => step.event)
    .entries()) {
    const state = String(snapshots[index]?.value);
    switch (event.type) {
      case 'xstate.error.actor.shutdown':
        return 'a failing shutdown cannot be caused from outside';
      case 'xstate.error.actor.haltActions':
        return 'failing halt actions need the cancels and the order group to fail together; unit tests cover it';
      case 'xstate.done.actor.tradingClientConnect':
        tradingConnected = true;
        break;
      case 'EXCHANGE_PAUSED':
        if (!tradingConnected && state !== 'SHUTTING_DOWN') {
          return 'the runtime cannot see an exchange pause before the trading client first connects';
        }
        break;
      case 'BREAKER_TRIPPED':
        if (breakerOpen) return 'the real breaker is already open: it cannot trip again';
        breakerOpen = true;
        break;
      case 'OPERATOR_RESUME':
        // control.resume() resets the RiskController's breaker whatever the machine's state.
        breakerOpen = false;
        break;
      default:
        break;
    }
  }
  return null;
}

export class RuntimeTraderDriver implements TraderDriver {
  private readonly record: RecordTarget;
  private simulator: Simulator | undefined;
  private readonly plan: readonly ModelEvent[];
  private readonly backoff: { readonly baseMs: number; readonly maxMs: number };
  private readonly patienceMs: number;
  private readonly clock = new BackoffClock();
  private readonly gates = new Map<TraderActorId, Gate>();
  private readonly gateWaiters = new Set<() => void>();
  private readonly inputs = new Map<TraderActorId, unknown>();
  /** Real intents the driver sent → the model's intent each stands for. */
  private readonly modelIntentOf = new WeakMap<OrderIntent, OrderIntent>();
  private running: RunningTrader | undefined;
  private keyDir: string | undefined;
  private step = -1;
  private exchangePaused = false;
  private healthCheckRunning = false;
  private stopping = false;

  constructor(options: RuntimeDriverOptions) {
    this.record = options.record;
    this.plan = options.plan;
    this.backoff = options.backoff;
    this.patienceMs = options.patienceMs ?? 10_000;
  }

  // ---------------------------------------------------------------------------------------------
  // The trader
  // ---------------------------------------------------------------------------------------------

  private get trader(): Required<RunningTrader> {
    const running = this.running;
    if (running?.actor === undefined || running.services === undefined) {
      throw new Error('the runtime driver has no running trader (start() first)');
    }
    return running as Required<RunningTrader>;
  }

  private get sim(): Simulator {
    if (this.simulator === undefined) throw new Error('the runtime driver has no simulator (start() first)');
    return this.simulator;
  }

  private async status(): Promise<StatusView> {
    return statusView(await this.trader.control.status());
  }

  async start(): Promise<void> {
    this.simulator = await startSimulator({ seed: 7, markets: 4, ratePerSec: 0, rateLimit: false });
    const creds = this.sim.createAccount({ balance: 10_000 * MICROS_PER_DOLLAR });
    this.keyDir = mkdtempSync(join(tmpdir(), 'tv3-model-'));
    const keyFile = join(this.keyDir, 'key.pem');
    writeFileSync(keyFile, creds.private_key_pem, { mode: 0o600 });
    const loaded = loadConfig(
      {
        env: 'sim',
        apiUrl: creds.rest_url,
        wsUrl: creds.ws_url,
        keyId: creds.key_id,
        privateKey: keyFile,
        dataDir: this.record.dataDir,
        strategy: 'none',
        markets: '2',
        rateLimitTier: 'prime',
        breakerErrors: String(BREAKER_LIMIT),
      },
      this.record.url !== undefined ? { DATABASE_URL: this.record.url } : {},
    );
    // loadConfig's floor for the health check is 1 s (sane for production); the test wants a
    // pause noticed within a few tens of ms, so it sets the field on the validated config.
    const config = { ...loaded, healthCheckMs: HEALTH_CHECK_MS };
    this.running = await startTrader(config, {
      logger: pino({ level: 'silent' }),
      backoff: { baseMs: this.backoff.baseMs, maxMs: this.backoff.maxMs },
      startupAttempts: MODEL_INPUT.startupAttempts,
      clock: this.clock,
      hooks: { beforeStage: (stage) => this.beforeStage(stage) },
    });
    // The first stage was invoked while startTrader ran, before the actor was in hand.
    for (const stage of this.gates.keys()) this.captureInput(stage);
  }

  // ---------------------------------------------------------------------------------------------
  // Gates
  // ---------------------------------------------------------------------------------------------

  private beforeStage(stage: TraderActorId): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      // An earlier invocation still parked here belongs to an actor the machine has stopped.
      this.gates.get(stage)?.abandon(new Error(`${stage}: superseded by a new invocation`));
      if (this.stopping) {
        resolve();
        return;
      }
      const gate: Gate = {
        open: resolve,
        abandon: reject,
        input: undefined,
        captured: false,
      };
      this.gates.set(stage, gate);
      this.captureInput(stage);
      for (const wake of this.gateWaiters) wake();
    });
  }

  /** The invoked child's input, read from the machine's snapshot while the child exists. */
  private captureInput(stage: TraderActorId): void {
    const gate = this.gates.get(stage);
    const actor = this.running?.actor;
    if (gate === undefined || gate.captured || actor === undefined) return;
    const children = actor.getSnapshot().children as Record<string, AnyActorRef | undefined>;
    const child = children[stage];
    if (child === undefined) return;
    const snapshot = child.getSnapshot() as { input?: unknown };
    gate.input = snapshot.input;
    gate.captured = true;
    this.inputs.set(stage, snapshot.input);
  }

  /** The parked invocation of `stage`, waiting for it if the machine is just invoking it. */
  private async takeGate(stage: TraderActorId): Promise<Gate> {
    const deadline = Date.now() + this.patienceMs;
    for (;;) {
      const gate = this.gates.get(stage);
      if (gate !== undefined && this.observe().value === STAGE_STATE[stage]) {
        this.gates.delete(stage);
        this.captureInput(stage);
        return gate;
      }
      if (Date.now() > deadline) {
        throw new Error(
          `the model expects actor "${stage}" to be running, but the trader (in ${this.observe().value}) is not running it`,
        );
      }
      await new Promise<void>((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          this.gateWaiters.delete(wake);
          resolve();
        };
        const timer = setTimeout(wake, 20);
        this.gateWaiters.add(wake);
      });
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Waiting
  // ---------------------------------------------------------------------------------------------

  /** Resolve once `predicate` holds for the machine's snapshot. */
  private waitForMachine(
    predicate: (o: TraderObservation) => boolean,
    what: string,
  ): Promise<TraderObservation> {
    const actor = this.trader.actor;
    if (predicate(this.observe())) return Promise.resolve(this.observe());
    return new Promise<TraderObservation>((resolve, reject) => {
      const timer = setTimeout(() => {
        subscription.unsubscribe();
        reject(new Error(`expected the trader ${what}, but it is in ${this.observe().value}`));
      }, this.patienceMs);
      const subscription = actor.subscribe({
        next: () => {
          if (!predicate(this.observe())) return;
          clearTimeout(timer);
          subscription.unsubscribe();
          resolve(this.observe());
        },
        complete: () => {
          clearTimeout(timer);
          subscription.unsubscribe();
          if (predicate(this.observe())) resolve(this.observe());
          else reject(new Error(`the trader stopped before it was ${what}`));
        },
      });
    });
  }

  /** Poll the runtime's status until `predicate` holds. */
  private async waitForStatus(predicate: (s: StatusView) => boolean, what: string): Promise<void> {
    const deadline = Date.now() + this.patienceMs;
    while (!predicate(await this.status())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
      await sleep(5);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // The simulator
  // ---------------------------------------------------------------------------------------------

  private fault(command: FaultCommand): { applied: string; dropped?: number } {
    return this.sim.applyFault(command);
  }

  /** Faults are global to the simulator: each step cleans up after itself. */
  private clearFaults(): void {
    this.sim.faults.clear();
  }

  /** Resolve on the first `name` bus event that `accept`s; reject (saying `what`) after the patience. */
  private nextBusEvent<K extends 'exchange.statusChecked' | 'connection.lost' | 'risk.breakerTripped'>(
    name: K,
    accept: (payload: BusEvents[K][0]) => boolean,
    what: string,
  ): Promise<void> {
    const { bus } = this.trader.services;
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        bus.off(name, listener);
        reject(new Error(`timed out waiting for ${what}`));
      }, this.patienceMs);
      const listener = (...args: BusEvents[K]) => {
        if (!accept(args[0])) return;
        clearTimeout(timer);
        bus.off(name, listener);
        resolve();
      };
      bus.on(name, listener);
    });
  }

  /** Pause or resume the exchange; if the runtime watches it, wait until it has seen the status. */
  private async setExchangePaused(paused: boolean): Promise<void> {
    const seen = this.healthCheckRunning
      ? this.nextBusEvent(
          'exchange.statusChecked',
          (status) => status.tradingActive === !paused,
          `the runtime's health check to report trading_active=${!paused}`,
        )
      : Promise.resolve();
    this.fault({ action: paused ? 'pause_exchange' : 'resume_exchange' });
    this.exchangePaused = paused;
    await seen;
    await settle();
  }

  /**
   * Drop the trader's socket of `source` at the simulator. When the runtime considers that
   * connection up, its loss is reported on the bus (and forwarded to the machine): wait for that.
   */
  private async dropConnection(source: 'orderbook' | 'trading'): Promise<void> {
    const before = await this.status();
    const reported = source === 'orderbook' ? before.orderbook.connected : before.trading.connected;
    const lost = reported
      ? this.nextBusEvent(
          'connection.lost',
          (event) => event.source === source,
          `the runtime to report the ${source} connection lost`,
        )
      : Promise.resolve();
    const { dropped = 0 } = this.fault({
      action: 'drop_ws_connections',
      channel: source === 'orderbook' ? 'orderbook_delta' : 'fill',
    });
    await lost;
    // A socket the runtime did not count as up closes with no report; give the close a moment.
    if (!reported && dropped > 0) await sleep(20);
    await settle();
  }

  // ---------------------------------------------------------------------------------------------
  // TraderDriver
  // ---------------------------------------------------------------------------------------------

  async send(event: TraderEvent): Promise<void> {
    this.step += 1;
    const { control, services, actor } = this.trader;
    const state = this.observe().value;
    switch (event.type) {
      case 'INTENT': {
        const intent = await this.realIntent(event.intent, state);
        actor.send({ type: 'INTENT', intent });
        break;
      }
      case 'CONNECTION_LOST': {
        if (LOSS_HANDLED_IN.has(state)) {
          // To lose a connection it must be up: a socket dropped while the machine ignored it
          // comes back on its own (the WebSocket client reconnects).
          await this.waitForStatus(
            (s) => (event.source === 'orderbook' ? s.orderbook.connected : s.trading.connected),
            `the ${event.source} connection is up`,
          );
        }
        await this.dropConnection(event.source);
        break;
      }
      case 'BREAKER_TRIPPED': {
        const tripped = this.nextBusEvent('risk.breakerTripped', () => true, 'the breaker to trip');
        this.fault({
          action: 'http_error',
          endpoint: 'POST /portfolio/events/orders',
          status: 400,
          count: BREAKER_LIMIT,
        });
        const ticker =
          (await this.status()).markets[0]?.ticker ?? this.sim.core.markets()[0]?.ticker ?? 'NONE';
        for (let i = 0; i < BREAKER_LIMIT; i += 1) {
          const order = await services.orders.submit({
            ticker,
            bookSide: 'bid',
            yesPrice: 100,
            count: 100,
            timeInForce: 'good_till_canceled',
            strategy: 'model-test',
            reason: 'model:breaker',
          });
          if (order.status !== 'rejected') {
            throw new Error(`expected the simulator to reject the order, got ${order.status}`);
          }
        }
        this.clearFaults();
        await tripped;
        break;
      }
      case 'OPERATOR_HALT':
        await control.halt(event.reason ?? 'operator halt', event.keepOrders ? { keepOrders: true } : {});
        break;
      case 'OPERATOR_REDUCE':
        await (control as { reduce(reason: string): Promise<unknown> }).reduce(event.reason ?? 'reduce only');
        break;
      case 'MARKET_DOUBTFUL':
      case 'MARKET_CLEARED':
      case 'MARKET_SETTLED':
        actor.send({ ...event, ticker: await this.intentTicker() });
        break;
      case 'OPERATOR_RESUME':
        await control.resume();
        break;
      case 'OPERATOR_SYNC':
        await control.sync();
        break;
      case 'EXCHANGE_PAUSED':
        await this.setExchangePaused(true);
        break;
      case 'EXCHANGE_RESUMED':
        await this.setExchangePaused(false);
        break;
      case 'SHUTDOWN':
        // Resolves only once the shutdown stage has run; the path decides when that is.
        void this.trader.shutdown({ cancelOrders: event.cancelOrders });
        break;
    }
    await settle();
  }

  /** The market the driver's intents (and the model's doubts and settlements) are about. */
  private async intentTicker(): Promise<string> {
    return (await this.status()).markets[0]?.ticker ?? 'NONE';
  }

  /** The real intent for the model's: on a market the trader follows; malformed if it must fail. */
  private async realIntent(model: OrderIntent, state: TraderStateName): Promise<OrderIntent> {
    const ticker = (await this.status()).markets[0]?.ticker;
    if (ticker === undefined) return model;
    if (state === 'READY') {
      await this.waitForStatus(
        (s) => s.orderbook.books.some((b) => b.ticker === ticker && b.status === 'live'),
        `the book of ${ticker} is live`,
      );
    }
    const intent: OrderIntent = {
      ...model,
      ticker,
      // evaluateRisk throws a RangeError on a count that is not positive: executeIntent fails.
      ...(executionFails(this.plan, this.step) ? { count: 0 } : {}),
    };
    this.modelIntentOf.set(intent, model);
    return intent;
  }

  async complete(stage: TraderActorId, output: unknown): Promise<void> {
    this.step += 1;
    const gate = await this.takeGate(stage);
    this.clearFaults();
    if (stage === 'tradingClientConnect') {
      const { tradingActive } = output as { tradingActive: boolean };
      // The real status check reports what the exchange says: make it say the path's answer.
      this.fault({ action: tradingActive ? 'resume_exchange' : 'pause_exchange' });
      this.exchangePaused = !tradingActive;
    }
    // The halt's actions end in HALTED: their end shows in the context, not in a move.
    const left = this.waitForMachine(
      (o) =>
        stage === 'haltActions'
          ? o.context.haltActionsDone || o.value !== 'HALTED' || o.status !== 'active'
          : // A settlement seen while calibrating re-enters CALIBRATING at once: a new invocation.
            o.value !== STAGE_STATE[stage] || o.status !== 'active' || this.gates.has(stage),
      `to finish ${stage}`,
    );
    gate.open();
    await left;
    if (stage === 'tradingClientConnect') this.healthCheckRunning = true;
    if (stage === 'shutdown') await this.trader.done;
    await settle();
  }

  async fail(stage: TraderActorId, error: unknown): Promise<void> {
    this.step += 1;
    if (stage === 'shutdown') {
      throw new Error('a failing shutdown cannot be produced against the real runtime');
    }
    const permanent = isPermanentFailure(error);
    const status = permanent ? 401 : 503;
    const gate = await this.takeGate(stage);
    this.clearFaults();
    switch (stage) {
      case 'orderbookConnect': {
        this.fault({ action: 'reject_ws_upgrades', count: MANY, status });
        const { dropped = 0 } = this.fault({ action: 'drop_ws_connections', channel: 'orderbook_delta' });
        if (dropped > 0) {
          // connect() is a no-op on an open socket: wait until the runtime has seen it close.
          await this.waitForStatus(
            (s) => s.orderbook.books.every((b) => b.status !== 'live'),
            'the dropped order-book socket is noticed',
          );
        }
        break;
      }
      case 'tradingClientConnect':
        this.fault({ action: 'http_error', endpoint: 'GET /exchange/status', status, count: MANY });
        break;
      case 'calibrate':
        this.fault({ action: 'http_error', endpoint: 'GET /portfolio/positions', status, count: MANY });
        break;
      case 'executeIntent': {
        const intent = (gate.input as { intent?: OrderIntent } | undefined)?.intent;
        if (intent === undefined || intent.count > 0) {
          throw new Error('executeIntent can only fail for real on the malformed intent chosen at INTENT');
        }
        break;
      }
    }
    const errored = this.waitForMachine((o) => o.value !== STAGE_STATE[stage], `to fail ${stage}`);
    gate.open();
    await errored;
    // The stage failed for the reason the driver arranged, not for another.
    expect(this.observe().context.lastError, `why ${stage} failed`).toMatch(
      permanent ? PERMANENT_REASON : FAILURE_REASON[stage],
    );
    this.clearFaults();
    await settle();
  }

  async elapseBackoff(): Promise<void> {
    this.step += 1;
    const { value } = this.observe();
    if (value !== 'ERROR') throw new Error(`elapseBackoff: the trader is in ${value}, not ERROR`);
    this.clock.fire(this.trader.actor.getSnapshot().context.attempt, this.backoff);
    await this.waitForMachine((o) => o.value !== 'ERROR', 'out of ERROR after the reconnect backoff');
    await settle();
  }

  waitForState(state: TraderStateName): Promise<TraderObservation> {
    return this.waitForMachine((o) => o.value === state, `in ${state}`);
  }

  observe(): TraderObservation {
    const snapshot = this.trader.actor.getSnapshot();
    return {
      value: snapshot.value as TraderStateName,
      context: snapshot.context,
      status: snapshot.status,
    };
  }

  lastInput(actorId: TraderActorId): unknown {
    this.captureInput(actorId);
    const input = this.inputs.get(actorId);
    if (actorId === 'executeIntent') {
      const intent = (input as { intent?: OrderIntent } | undefined)?.intent;
      const model = intent === undefined ? undefined : this.modelIntentOf.get(intent);
      if (model !== undefined) return { ...(input as object), intent: model };
    }
    return input;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    const running = this.running;
    try {
      if (this.simulator !== undefined) {
        this.clearFaults();
        if (this.exchangePaused) this.fault({ action: 'resume_exchange' });
      }
      if (running?.actor !== undefined) {
        const parkedShutdown = this.gates.get('shutdown');
        this.gates.delete('shutdown');
        if (parkedShutdown !== undefined) parkedShutdown.open();
        else if (running.actor.getSnapshot().status === 'active')
          void running.shutdown({ cancelOrders: true });
        for (const gate of this.gates.values()) gate.abandon(new Error('the runtime driver stopped'));
        this.gates.clear();
        await running.done;
      }
    } finally {
      await this.simulator?.close();
      if (this.keyDir !== undefined) rmSync(this.keyDir, { recursive: true, force: true });
    }
  }
}
