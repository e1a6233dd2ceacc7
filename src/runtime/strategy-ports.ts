/** The trader's services as the strategy reads them (src/strategy/factory.ts's StrategyPorts). */
import type { EventBus } from '../bus.js';
import type { StrategyPorts } from '../strategy/index.js';
import type { MarketWatch } from './market-watch.js';
import type { Services } from './services.js';
import { cashOf } from './status.js';

export function strategyPorts(deps: {
  bus: EventBus;
  clock: () => number;
  services: Services;
  watched: () => MarketWatch | undefined;
}): StrategyPorts {
  const { orderbook, positions, orders, schedule } = deps.services;
  return {
    bus: deps.bus,
    clock: deps.clock,
    book: (ticker) => orderbook.book(ticker),
    position: (ticker) => positions.get(ticker),
    positions: () => positions.positions(),
    openOrders: () => orders.open(),
    cash: () => cashOf(deps.services),
    candidates: () =>
      (deps.watched()?.watched() ?? []).filter((t) => {
        const phase = schedule.phase(t);
        return (phase === undefined || phase === 'open') && orderbook.book(t)?.status === 'live';
      }),
    totals: () => positions.totals(),
  };
}
