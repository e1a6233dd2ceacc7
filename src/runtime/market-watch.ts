/**
 * Which markets the trader watches. At the first order-book connect the selection runs (tickers,
 * a series, or the top N by volume) and each market's trading window is learnt (MarketSchedule).
 * With --series or --markets N the watched set then follows the exchange: markets close and new
 * ones list (a daily ladder, an hourly event). When a watched market closes, when a market of the
 * series opens, and every REDISCOVER_MS, the selection runs again and new markets join the live
 * subscription. A market that can no longer trade and that we neither hold nor have orders in is
 * dropped from it (a held one is watched until it settles). `--tickers` is a fixed set.
 */
import type { Logger } from 'pino';
import type { EventBus } from '../bus.js';
import type { TraderConfig } from '../config/index.js';
import {
  type MarketSchedule,
  type MarketSelection,
  type OrderbookIntegration,
  selectMarkets,
} from '../integrations/index.js';
import type { KalshiRestClient } from '../kalshi/index.js';
import { singleFlight, type TimerHandle, type Timers } from './timers.js';

/** With --series / --markets N: how often to look for newly listed markets besides on each close. */
export const REDISCOVER_MS = 5 * 60_000;

export function selectionOf(config: TraderConfig): MarketSelection {
  const s = config.marketSelection;
  if (s.kind === 'tickers') return { kind: 'tickers', tickers: s.tickers };
  if (s.kind === 'series') return { kind: 'series', series: s.series };
  return { kind: 'top', count: s.count === 'all' ? Number.POSITIVE_INFINITY : s.count };
}

export interface MarketWatchDeps {
  readonly config: TraderConfig;
  readonly bus: EventBus;
  readonly rest: KalshiRestClient;
  readonly schedule: MarketSchedule;
  readonly orderbook: OrderbookIntegration;
  readonly timers: Timers;
  readonly logger: Logger;
  /** We hold the market or have an order in it (it must stay watched). */
  readonly involvedIn: (ticker: string) => boolean;
}

export class MarketWatch {
  readonly #deps: MarketWatchDeps;
  readonly #selection: MarketSelection;
  #tickers: string[] | undefined;
  #timer: TimerHandle | undefined;
  #rediscovering: Promise<void> | undefined;
  readonly unwatchFinished: () => Promise<void>;

  constructor(deps: MarketWatchDeps) {
    this.#deps = deps;
    this.#selection = selectionOf(deps.config);
    this.unwatchFinished = singleFlight(() => this.#unwatch());
    deps.bus.on('market.phaseChanged', (e) => {
      if (e.to === 'closed' && e.from !== undefined) this.rediscover(`${e.ticker} closed`);
    });
    deps.bus.on('market.lifecycle', (e) => {
      const s = this.#selection;
      if (s.kind !== 'series' || e.eventType !== 'activated') return;
      const ofSeries = s.series.some((series) => e.ticker.startsWith(`${series}-`));
      if (ofSeries && !this.#tickers?.includes(e.ticker)) {
        this.rediscover(`${e.ticker} opened`);
      }
    });
  }

  /** The watched markets ([] before the first selection). */
  watched(): readonly string[] {
    return this.#tickers ?? [];
  }

  /** The markets to subscribe: selected once, at the first order-book connect. */
  async markets(): Promise<string[]> {
    if (this.#tickers === undefined) {
      const selected = await selectMarkets(this.#deps.rest, this.#selection);
      for (const market of selected) this.#deps.schedule.learn(market);
      this.#tickers = selected.map((m) => m.ticker);
    }
    return this.#tickers;
  }

  start(): void {
    this.#timer ??= this.#deps.timers.every(REDISCOVER_MS, () => this.rediscover('periodic'));
  }

  /** Stops the periodic rediscovery and waits for work under way (its log lines come first). */
  async stop(): Promise<void> {
    this.#timer?.cancel();
    this.#timer = undefined;
    await this.#rediscovering;
    await this.unwatchFinished();
  }

  rediscover(why: string): void {
    if (this.#selection.kind === 'tickers' || this.#tickers === undefined || this.#rediscovering) return;
    const watched = this.#tickers;
    const { rest, schedule, orderbook, logger } = this.#deps;
    this.#rediscovering = (async () => {
      try {
        const fresh = (await selectMarkets(rest, this.#selection)).filter((m) => !watched.includes(m.ticker));
        if (fresh.length === 0) return;
        for (const m of fresh) schedule.learn(m);
        const added = await orderbook.addMarkets(fresh.map((m) => m.ticker));
        watched.push(...added);
        logger.info({ event: 'markets_added', tickers: added, why }, `now also watching ${added.join(', ')}`);
      } catch (err) {
        logger.warn(
          { event: 'rediscovery_failed', why, error: (err as Error).message },
          'could not look for new markets (will try again)',
        );
      } finally {
        this.#rediscovering = undefined;
      }
    })();
  }

  async #unwatch(): Promise<void> {
    if (this.#selection.kind === 'tickers' || this.#tickers === undefined) return;
    const { schedule, orderbook, logger, involvedIn } = this.#deps;
    const watched = this.#tickers;
    const done = watched.filter((t) => {
      const phase = schedule.phase(t);
      return (phase === 'closed' || phase === 'determined' || phase === 'settled') && !involvedIn(t);
    });
    if (done.length === 0) return;
    try {
      const removed = await orderbook.removeMarkets(done);
      for (const t of removed) {
        watched.splice(watched.indexOf(t), 1);
        schedule.forget(t);
        this.#deps.bus.emit('market.unwatched', { ticker: t, at: this.#deps.timers.now() });
      }
      if (removed.length > 0) {
        logger.info(
          { event: 'markets_removed', tickers: removed },
          `no longer watching ${removed.join(', ')}`,
        );
      }
    } catch (err) {
      logger.warn(
        { event: 'unwatch_failed', error: (err as Error).message },
        'could not drop finished markets',
      );
    }
  }
}
