/**
 * The exchange-side kill switch: Kalshi's order groups (KALSHI.md §4). The trader keeps one group
 * per exchange, puts every order in it, and triggers it on every halt, so the exchange cancels our
 * resting orders even if our own cancels fail; a resume resets it. The group also caps contracts
 * matched per rolling 15 s (`contracts_limit`): a runaway strategy is stopped by the exchange.
 *
 *   ensure({halted})  at every calibration: adopt the group recorded for this exchange (an earlier
 *                     run's) if the exchange still has it, else create one and record it; reset
 *                     it when it is triggered and no halt is in force (a resume, or a trigger the
 *                     exchange made that an operator has since acknowledged by resuming)
 *   trigger(reason)   on a halt (HALTED's haltActions)
 *   a `triggered` order_group_updates message we did not cause (the 15 s limit was hit) → the
 *   runtime trips a breaker ('order_group_triggered'): an operator looks before trading resumes.
 */
import type { EventBus } from '../bus.js';
import type { Count } from '../domain/index.js';
import {
  formatCount,
  KalshiHttpError,
  type KalshiRestClient,
  type OrderGroupView,
  orderGroupFromRest,
} from '../kalshi/index.js';
import type { ExchangeStateRepo } from '../persistence/index.js';

/** The risk_events kind that records which group is ours on an exchange. */
export const ORDER_GROUP_FACT = 'order_group';

export interface OrderGroupState {
  readonly id?: string;
  readonly contractsLimit: Count;
  readonly triggered: boolean;
  readonly triggeredBy?: 'trader' | 'exchange';
  readonly lastError?: string;
}

export interface OrderGroupKeeperDeps {
  readonly rest: Pick<
    KalshiRestClient,
    'getOrderGroup' | 'createOrderGroup' | 'resetOrderGroup' | 'triggerOrderGroup'
  >;
  readonly facts: ExchangeStateRepo;
  readonly exchange: string;
  readonly sessionId: string;
  readonly contractsLimit: Count;
  readonly bus: EventBus;
  readonly clock: () => number;
}

export class OrderGroupKeeper {
  #state: OrderGroupState;
  /** We asked for the trigger (a halt): its `triggered` message is not news. */
  #ourTrigger = false;
  readonly #offs: Array<() => void> = [];

  constructor(private readonly deps: OrderGroupKeeperDeps) {
    this.#state = { contractsLimit: deps.contractsLimit, triggered: false };
    const onUpdate = (u: { eventType: string; orderGroupId: string }) => this.#onUpdate(u);
    deps.bus.on('exchange.orderGroupUpdated', onUpdate);
    this.#offs.push(() => deps.bus.off('exchange.orderGroupUpdated', onUpdate));
  }

  /** The group every order goes into (undefined until the first calibration made or found it). */
  id(): string | undefined {
    return this.#state.id;
  }

  state(): OrderGroupState {
    return this.#state;
  }

  async ensure(opts: { halted: boolean }): Promise<OrderGroupState> {
    let group = this.#state.id === undefined ? await this.#adopt() : await this.#read(this.#state.id);
    if (group === undefined) group = await this.#create();
    this.#state = { ...this.#state, id: group.id, triggered: group.triggered };
    if (group.triggered && !opts.halted) {
      const r = await this.deps.rest.resetOrderGroup(group.id);
      if (r.outcome !== 'accepted')
        throw new Error(`resetting order group ${group.id} failed: ${r.error.message}`);
      this.#ourTrigger = false;
      this.#state = { id: group.id, contractsLimit: this.#state.contractsLimit, triggered: false };
    }
    return this.#state;
  }

  /** Asks the exchange to cancel every order of the group and refuse new ones (a halt). */
  async trigger(reason: string): Promise<void> {
    const id = this.#state.id;
    if (id === undefined) return;
    this.#ourTrigger = true;
    const r = await this.deps.rest.triggerOrderGroup(id);
    if (r.outcome !== 'accepted') {
      this.#state = { ...this.#state, lastError: `trigger (${reason}) failed: ${r.error.message}` };
      throw new Error(`triggering order group ${id} failed: ${r.error.message}`);
    }
    this.#state = { ...this.#state, triggered: true, triggeredBy: 'trader' };
  }

  dispose(): void {
    for (const off of this.#offs.splice(0)) off();
  }

  async #adopt(): Promise<OrderGroupView | undefined> {
    const fact = await this.deps.facts.last(this.deps.exchange, ORDER_GROUP_FACT);
    if (fact === undefined) return undefined;
    return this.#read(fact.detail);
  }

  async #read(id: string): Promise<OrderGroupView | undefined> {
    try {
      return orderGroupFromRest({ id, ...(await this.deps.rest.getOrderGroup(id)) });
    } catch (err) {
      if (err instanceof KalshiHttpError && err.status === 404) return undefined;
      throw err;
    }
  }

  async #create(): Promise<OrderGroupView> {
    const limit = this.#state.contractsLimit;
    const r = await this.deps.rest.createOrderGroup({ contracts_limit_fp: formatCount(limit) });
    if (r.outcome !== 'accepted') throw new Error(`creating an order group failed: ${r.error.message}`);
    const id = r.value.order_group_id;
    await this.deps.facts.record({
      sessionId: this.deps.sessionId,
      kind: ORDER_GROUP_FACT,
      reason: 'created',
      detail: id,
      data: { contracts_limit: formatCount(limit) },
      at: new Date(this.deps.clock()),
    });
    return { id, contractsLimit: limit, triggered: false };
  }

  #onUpdate(u: { eventType: string; orderGroupId: string }): void {
    if (u.orderGroupId !== this.#state.id) return;
    if (u.eventType === 'triggered') {
      const by = this.#ourTrigger ? 'trader' : 'exchange';
      this.#state = { ...this.#state, triggered: true, triggeredBy: by };
      if (by === 'exchange') {
        this.deps.bus.emit('exchange.orderGroupTriggered', {
          orderGroupId: u.orderGroupId,
          at: this.deps.clock(),
        });
      }
    } else if (u.eventType === 'reset') {
      this.#ourTrigger = false;
      this.#state = { id: this.#state.id, contractsLimit: this.#state.contractsLimit, triggered: false };
    }
  }
}
