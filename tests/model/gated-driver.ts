/**
 * A TraderDriver over the real trader machine in a real actor, with every invoked actor replaced
 * by a gate: the actor's promise stays pending until the test resolves it (`complete`) or rejects
 * it (`fail`). Time is an XState SimulatedClock, so the backoff fires only when the test says so,
 * and `elapseBackoff` also proves the delay is exactly `backoffDelay(attempt, …)`: one millisecond
 * short of it the trader must still be in ERROR.
 */
import { type Actor, createActor, fromPromise, SimulatedClock } from 'xstate';
import {
  backoffDelay,
  type CalibrateInput,
  type CalibrateOutput,
  type ExecuteIntentInput,
  type ExecuteIntentOutput,
  type HaltActionsInput,
  type HaltActionsOutput,
  type OrderbookConnectInput,
  type OrderbookConnectOutput,
  type ShutdownInput,
  type ShutdownOutput,
  type TraderActorId,
  type TraderEvent,
  type TraderInput,
  type TraderMachine,
  type TraderStateName,
  type TradingClientConnectInput,
  type TradingClientConnectOutput,
  traderMachine,
} from '../../machines/index.js';
import type { TraderDriver, TraderObservation } from './driver.js';

interface Gate {
  readonly input: unknown;
  resolve(output: unknown): void;
  reject(error: unknown): void;
}

export interface GatedDriverOptions {
  readonly input?: TraderInput;
  /** How long `waitForState` waits for a state the trader has not reached (failure detection only). */
  readonly patienceMs?: number;
}

/** Let pending promise callbacks (a gate's resolution reaching the machine) run. */
function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

export class GatedTraderDriver implements TraderDriver {
  readonly clock = new SimulatedClock();
  private readonly gates = new Map<TraderActorId, Gate>();
  private readonly inputs = new Map<TraderActorId, unknown>();
  private readonly counts = new Map<TraderActorId, number>();
  private readonly actor: Actor<TraderMachine>;
  private readonly patienceMs: number;

  constructor(options: GatedDriverOptions = {}) {
    this.patienceMs = options.patienceMs ?? 2_000;
    const machine = traderMachine.provide({
      actors: {
        orderbookConnect: this.gate<OrderbookConnectOutput, OrderbookConnectInput>('orderbookConnect'),
        tradingClientConnect: this.gate<TradingClientConnectOutput, TradingClientConnectInput>(
          'tradingClientConnect',
        ),
        calibrate: this.gate<CalibrateOutput, CalibrateInput>('calibrate'),
        executeIntent: this.gate<ExecuteIntentOutput, ExecuteIntentInput>('executeIntent'),
        haltActions: this.gate<HaltActionsOutput, HaltActionsInput>('haltActions'),
        shutdown: this.gate<ShutdownOutput, ShutdownInput>('shutdown'),
      },
    });
    this.actor = createActor(machine, { clock: this.clock, input: options.input ?? {} });
  }

  private gate<TOutput, TInput>(actorId: TraderActorId) {
    return fromPromise<TOutput, TInput>(
      ({ input, signal }) =>
        new Promise<TOutput>((resolve, reject) => {
          const gate: Gate = {
            input,
            // The test supplies outputs of the model's choosing; their shape is the model's concern.
            resolve: (output) => resolve(output as TOutput),
            reject,
          };
          this.inputs.set(actorId, input);
          this.counts.set(actorId, (this.counts.get(actorId) ?? 0) + 1);
          this.gates.set(actorId, gate);
          signal.addEventListener('abort', () => {
            if (this.gates.get(actorId) === gate) this.gates.delete(actorId);
          });
        }),
    );
  }

  private takeGate(actorId: TraderActorId): Gate {
    const gate = this.gates.get(actorId);
    if (gate === undefined) {
      throw new Error(
        `the model expects actor "${actorId}" to be running, but the trader (in ${this.observe().value}) is not running it`,
      );
    }
    this.gates.delete(actorId);
    return gate;
  }

  /** How many times `actorId` has been invoked. */
  invocations(actorId: TraderActorId): number {
    return this.counts.get(actorId) ?? 0;
  }

  /** Whether `actorId` is currently invoked and waiting on its gate. */
  isRunning(actorId: TraderActorId): boolean {
    return this.gates.has(actorId);
  }

  async start(): Promise<void> {
    this.actor.start();
    await settle();
  }

  async send(event: TraderEvent): Promise<void> {
    this.actor.send(event);
    await settle();
  }

  async complete(actorId: TraderActorId, output: unknown): Promise<void> {
    this.takeGate(actorId).resolve(output);
    await settle();
  }

  async fail(actorId: TraderActorId, error: unknown): Promise<void> {
    this.takeGate(actorId).reject(error);
    await settle();
  }

  async elapseBackoff(): Promise<void> {
    const { value, context } = this.observe();
    if (value !== 'ERROR') throw new Error(`elapseBackoff: the trader is in ${value}, not ERROR`);
    const delay = backoffDelay(context.attempt, context.backoff.baseMs, context.backoff.maxMs);
    this.clock.increment(delay - 1);
    await settle();
    if (this.observe().value !== 'ERROR') {
      throw new Error(`the reconnect backoff fired before ${delay} ms (attempt ${context.attempt})`);
    }
    this.clock.increment(1);
    await settle();
  }

  async waitForState(state: TraderStateName): Promise<TraderObservation> {
    if (this.actor.getSnapshot().matches(state)) return this.observe();
    return new Promise<TraderObservation>((resolve, reject) => {
      const timer = setTimeout(() => {
        subscription.unsubscribe();
        reject(new Error(`expected the trader in ${state}, but it is in ${this.observe().value}`));
      }, this.patienceMs);
      const subscription = this.actor.subscribe((snapshot) => {
        if (!snapshot.matches(state)) return;
        clearTimeout(timer);
        subscription.unsubscribe();
        resolve(this.observe());
      });
    });
  }

  observe(): TraderObservation {
    const snapshot = this.actor.getSnapshot();
    return {
      value: snapshot.value as TraderStateName,
      context: snapshot.context,
      status: snapshot.status,
    };
  }

  lastInput(actorId: TraderActorId): unknown {
    return this.inputs.get(actorId);
  }

  async stop(): Promise<void> {
    this.actor.stop();
    this.gates.clear();
  }
}
