/**
 * The machine's invoked actors, implemented over the run's services (traderMachine.provide): the
 * three connect/reconcile stages, one intent's execution, the halt's exchange-side actions and the
 * graceful shutdown; and the jittered reconnect backoff. Each stage's failure is worded for a person
 * and marked permanent when waiting cannot heal it (stage-errors.ts).
 */
import type { Logger } from 'pino';
import { fromPromise } from 'xstate';
import {
  backoffDelay,
  type CalibrateInput,
  type ExecuteIntentInput,
  type HaltActionsInput,
  type TraderActorId,
  traderMachine,
} from '../../machines/index.js';
import type { EventBus } from '../bus.js';
import type { TraderConfig } from '../config/index.js';
import {
  CalibrationError,
  type CalibrationProgress,
  calibrate,
  fillsReadSince,
} from '../integrations/index.js';
import type { Clients } from './clients.js';
import type { Endpoints } from './endpoints.js';
import type { IntentExecutor } from './execute.js';
import type { MarketWatch } from './market-watch.js';
import type { OrderGroupKeeper } from './order-group.js';
import type { OpenRecord } from './record.js';
import type { Services } from './services.js';
import { classifyStageError, type StageErrorContext } from './stage-errors.js';

export interface ActorDeps {
  readonly config: TraderConfig;
  readonly logger: Logger;
  readonly bus: EventBus;
  readonly clock: () => number;
  readonly endpoints: Endpoints;
  readonly clients: Clients;
  readonly record: OpenRecord;
  readonly services: Services;
  readonly watch: MarketWatch;
  readonly group: OrderGroupKeeper;
  readonly execute: IntentExecutor;
  /** Stops the strategy and every periodic task (shutdown's first step). */
  readonly stopActivity: () => Promise<void>;
  /** Test seam: each stage awaits it before doing its real work. */
  readonly beforeStage?: (stage: TraderActorId) => Promise<void>;
  /** Randomness for the backoff's jitter (default Math.random). */
  readonly random?: () => number;
  /** Told how the run's first calibration goes (its retries included); later ones are quiet. */
  readonly onFirstCalibrationProgress?: (p: CalibrationProgress) => void;
}

export function provideMachine(deps: ActorDeps) {
  const { config, logger, services, clients, endpoints } = deps;
  const { orderbook, trading, orders, positions, money, exchange } = services;
  const gate = async (stage: TraderActorId) => {
    await deps.beforeStage?.(stage);
  };
  const tradingStage: StageErrorContext = {
    keyId: config.credentials?.keyId,
    restUrl: endpoints.restUrl,
    wsUrl: endpoints.wsUrl,
  };
  const marketDataStage: StageErrorContext = {
    keyId: config.marketDataCredentials?.keyId ?? config.credentials?.keyId,
    restUrl: endpoints.marketDataRestUrl,
    wsUrl: endpoints.marketDataWsUrl,
  };
  const stage =
    <I, T>(id: TraderActorId, ctx: StageErrorContext, run: (input: I) => Promise<T>) =>
    async ({ input }: { input: I }): Promise<T> => {
      await gate(id);
      try {
        return await run(input);
      } catch (err) {
        throw classifyStageError(err, ctx);
      }
    };
  let calibratedOnce = false;
  /** When the last successful calibration began (our clock): the next one reads fills from there. */
  let lastCalibrationStartedMs: number | undefined;

  return traderMachine.provide({
    actors: {
      orderbookConnect: fromPromise(
        stage('orderbookConnect', marketDataStage, async () => {
          await orderbook.connect(await deps.watch.markets());
        }),
      ),
      tradingClientConnect: fromPromise(
        stage('tradingClientConnect', tradingStage, async () => trading.connect()),
      ),
      calibrate: fromPromise(
        stage('calibrate', tradingStage, async (input: CalibrateInput) => {
          const startedMs = deps.clock();
          // The run's first calibration (and any before the positions are anchored) reads the whole
          // run's fills; a later one from the last one's start, less the overlap.
          const fillsSinceMs = fillsReadSince({
            runSinceMs: deps.record.fillsSinceMs,
            lastCalibrationStartedMs: positions.anchored ? lastCalibrationStartedMs : undefined,
            overlapMs: config.calibrationOverlapMs,
          });
          const summary = await calibrate({
            rest: clients.rest,
            orders,
            positions,
            bus: deps.bus,
            clock: deps.clock,
            cleanup: config.cleanup && !calibratedOnce,
            fillsSinceMs,
            // The run's first calibration takes the exchange's positions as the baseline.
            adoptPositions: !calibratedOnce,
            ledgerBalance: () => services.recorder.runningBalance,
            maxBalanceDrift: config.maxBalanceDriftMicros,
            pageSize: config.calibrationPageSize,
            onPageLimitRefused: (e) =>
              logger.warn(
                {
                  event: 'calibration_page_limit',
                  step: e.step,
                  limit: e.limit,
                  next: e.next ?? 'default',
                  why: e.why,
                },
                `the exchange refused ${e.step} pages of ${e.limit}; reading them again at ${e.next ?? 'its default size'}`,
              ),
            ...(deps.onFirstCalibrationProgress && !calibratedOnce
              ? { onProgress: deps.onFirstCalibrationProgress }
              : {}),
          }).catch((err: unknown) => {
            // The exchange and our record disagree after every retry: an operator must know.
            if (err instanceof CalibrationError) {
              deps.bus.emit('calibration.refused', { why: err.message, at: deps.clock() });
            }
            throw err;
          });
          // The exchange-side kill switch: ours is adopted or made; reset only when no halt stands.
          const group = await deps.group.ensure({ halted: input.halted });
          calibratedOnce = true;
          lastCalibrationStartedMs = startedMs;
          // The money breakers' equity can be trusted from the first calibration on.
          if (exchange.lastBalance !== undefined) money.open();
          logger.info(
            {
              event: 'calibrated',
              ...summary,
              fills_since: new Date(fillsSinceMs).toISOString(),
              order_group: group.id,
              order_group_triggered: group.triggered,
            },
            'calibrated against the exchange',
          );
          const { positions: p, restingOrders, fills, canceled, durationMs } = summary;
          return { positions: p, restingOrders, fills, canceled, durationMs };
        }),
      ),
      executeIntent: fromPromise(
        async ({ input, signal }: { input: ExecuteIntentInput; signal: AbortSignal }) => {
          await gate('executeIntent');
          // Stopped by the machine (a halt while ACTING): the executor sends nothing after that.
          await deps.execute(input.intent, input.evidence, input.mode, signal);
        },
      ),
      haltActions: fromPromise(async ({ input }: { input: HaltActionsInput }) => {
        await gate('haltActions');
        if (input.keepOrders) {
          logger.warn({ event: 'halt_keeps_orders' }, 'halted; resting orders left working as asked');
          return;
        }
        // A create may still be on the wire (a halt interrupts ACTING): let it land first.
        await orders.idle();
        let triggered = false;
        try {
          await deps.group.trigger('halt');
          triggered = true;
        } catch (err) {
          logger.error(
            { event: 'order_group_trigger_failed', error: (err as Error).message },
            'could not trigger the order group',
          );
        }
        const r = await orders.cancelAll();
        logger.info(
          { event: 'cancel_all', ...r, order_group_triggered: triggered, why: 'halt' },
          `halted: ${r.canceled} resting orders canceled${r.remaining > 0 ? `, ${r.remaining} still resting` : ''}`,
        );
        if (r.remaining > 0 && !triggered) {
          throw new Error(
            `${r.remaining} orders still rest after cancel-all and the order group could not be triggered`,
          );
        }
      }),
      shutdown: fromPromise(async ({ input }: { input: { cancelOrders: boolean } }) => {
        await gate('shutdown');
        await deps.stopActivity();
        // A create may still be on the wire if SHUTDOWN interrupted ACTING: let it settle first,
        // so cancel-all sees it and the record gets its answer.
        await orders.idle();
        if (input.cancelOrders) {
          const r = await orders.cancelAll();
          logger.info({ event: 'cancel_all', ...r, why: 'shutdown' }, 'resting orders canceled at shutdown');
        }
        await orders.resolveUnknowns().catch(() => undefined);
      }),
    },
    delays: {
      // Equal jitter: uniformly in [d/2, d) of the exponential step, so traders restarting together spread out.
      reconnectBackoff: ({ context }) =>
        backoffDelay(
          Math.max(1, context.attempt),
          context.backoff.baseMs,
          context.backoff.maxMs,
          (deps.random ?? Math.random)(),
        ),
    },
  });
}
