/**
 * A clock for the trader actor's delayed transitions that only the test fires.
 *
 * The runtime's reconnect backoff is an xstate `after` delay. With real timers, a model step
 * taken in ERROR raced the backoff (it had to land within the jittered delay's lower bound), so a
 * loaded machine could fail a correct path. With this clock the delay is scheduled but fires only
 * when the path says the backoff elapses — and `fire` checks the scheduled delay is the
 * equal-jitter backoff for the attempt, so the runtime's delay is still proven, not assumed.
 */
import type { ActorOptions } from 'xstate';
import { backoffDelay, type TraderMachine } from '../../machines/index.js';

type Clock = NonNullable<ActorOptions<TraderMachine>['clock']>;

interface Pending {
  readonly fn: () => void;
  readonly ms: number;
}

export class BackoffClock implements Clock {
  readonly #pending = new Map<number, Pending>();
  #nextId = 1;

  setTimeout(fn: (...args: unknown[]) => void, ms: number): number {
    const id = this.#nextId++;
    this.#pending.set(id, { fn: () => fn(), ms });
    return id;
  }

  clearTimeout(id: number): void {
    this.#pending.delete(id);
  }

  /** How many delayed transitions are scheduled and not yet fired or cancelled. */
  get scheduled(): number {
    return this.#pending.size;
  }

  /**
   * Fires the one scheduled delay, after checking it is the backoff of `attempt` with equal
   * jitter: in [d/2, d) for d = min(base · 2^(attempt−1), max).
   */
  fire(attempt: number, backoff: { readonly baseMs: number; readonly maxMs: number }): void {
    if (this.#pending.size !== 1) {
      throw new Error(`expected exactly one scheduled backoff, found ${this.#pending.size}`);
    }
    const [id, pending] = [...this.#pending][0]!;
    const low = backoffDelay(attempt, backoff.baseMs, backoff.maxMs, 0);
    const high = backoffDelay(attempt, backoff.baseMs, backoff.maxMs);
    if (pending.ms < low || pending.ms >= high) {
      throw new Error(`backoff for attempt ${attempt} was ${pending.ms} ms, outside [${low}, ${high})`);
    }
    this.#pending.delete(id);
    pending.fn();
  }
}
