/**
 * The actor's events on the bus (seed 003's actor_order, actor_fill, actor_position, actor_pnl;
 * actor_action comes from the PolicyStrategy itself): the order, fill and position events of the
 * orders the actor's strategy placed, re-published under the actor's names, and its P&L after each
 * of its fills and position changes. Returns the unsubscribe function.
 */
import type { BusEvents, EventBus } from '../bus.js';

export function projectActorEvents(
  bus: EventBus,
  strategy: string,
  clock: () => number,
  totals: () => { realized: number; unrealized: number; fees: number; net: number },
): () => void {
  const ids = new Set<string>();
  const tickers = new Set<string>();
  const pnl = () => bus.emit('actor.pnl', { at: clock(), ...totals() });
  const onOrder = (o: BusEvents['order.changed'][0]) => {
    if (o.intent.strategy !== strategy) return;
    ids.add(o.clientOrderId);
    if (o.orderId !== undefined) ids.add(o.orderId);
    tickers.add(o.intent.ticker);
    bus.emit('actor.order', o);
  };
  const onFill = (f: BusEvents['exchange.fillReported'][0]) => {
    if (!ids.has(f.orderId) && !(f.clientOrderId !== undefined && ids.has(f.clientOrderId))) return;
    bus.emit('actor.fill', f);
    pnl();
  };
  const onPosition = (p: BusEvents['position.changed'][0]) => {
    if (!tickers.has(p.ticker)) return;
    bus.emit('actor.position', p);
    pnl();
  };
  bus.on('order.changed', onOrder);
  bus.on('exchange.fillReported', onFill);
  bus.on('position.changed', onPosition);
  return () => {
    bus.off('order.changed', onOrder);
    bus.off('exchange.fillReported', onFill);
    bus.off('position.changed', onPosition);
  };
}
