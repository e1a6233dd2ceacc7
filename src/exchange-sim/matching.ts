/**
 * The simulator's fill rules — the one place they live. Pure: no I/O, no clock, no ids.
 * `planOrder` reads a book and returns a decision without touching it; `applyDecision` and the
 * small book primitives below mutate the book they are given, deterministically.
 *
 * THE BOOK. Two bid ladders per market (Kalshi has no asks):
 *   - the YES ladder holds YES bids at their YES price p;
 *   - the NO ladder holds NO bids at their NO price q.
 * A NO bid at q is a YES ask at 1 − q. Prices are integers in 1..9,999 (1/10,000 $). Each ladder is
 * a map price → level plus the sorted list of its non-empty prices; a level is a FIFO queue of
 * resting orders (arrival order) with its total size.
 *
 * CROSSING. An incoming order on ladder L at L-price p crosses the resting orders of the other
 * ladder at price q with q + p ≥ 1 (q ≥ 1 − p). Both are bids for complementary legs, so a cross is
 * one contract pair created (or netted) at a combined price of exactly $1.
 *
 * PRIORITY. Price, then time: the opposite ladder is walked from its highest price down, and
 * within a level in arrival order.
 *
 * PRICE. Every execution happens at the RESTING order's price: the maker gets its limit, the taker
 * gets price improvement when it crossed deeper than needed. The execution's YES price is the
 * maker's price if the maker rests on the YES ladder, and 1 − the maker's price if on the NO ladder.
 *
 * QUANTITY. An execution is min(taker remaining, maker remaining); partial fills on both sides.
 * Counts are integers in 1/100 contract.
 *
 * TIME IN FORCE. After the walk, the taker's remainder
 *   - good_till_canceled: rests on its own ladder at its own price, behind everything already there;
 *   - immediate_or_cancel: is canceled (the fills stand);
 *   - fill_or_kill: BEFORE any matching, the crossing quantity offered by other accounts is summed
 *     (own resting orders are never liquidity for the taker, so they are excluded in both STP
 *     modes); if it is less than the count — or, with a cost cap (legacy buy_max_cost), if filling
 *     the whole count would cost the taker more than the cap — the order is killed with no fills
 *     and no book change. Otherwise it is matched. One exception, as Kalshi does it (KALSHI.md §8,
 *     Sep 2025 changelog): a fill_or_kill with taker_at_cross that meets its own resting order
 *     part-way is stopped there and its fills so far stand; it is not rolled back.
 *
 * POST ONLY. If the order would cross anything at all (including the account's own orders), it is
 * rejected outright (the exchange answers 400 invalid_order, details "post only cross"); nothing
 * changes.
 *
 * SELF-TRADE PREVENTION, decided by the taker's setting, when the walk reaches a resting order of
 * the taker's own account:
 *   - taker_at_cross: the walk stops; the taker's remainder is canceled (whatever its time in
 *     force); the fills before that point stand; the own resting order is untouched.
 *   - maker: the own resting order is canceled (all of its remaining size) and the walk continues.
 *     Own orders are canceled only when the walk actually reaches them with quantity left to fill.
 *
 * ORDER-GROUP CAPS (optional; the exchange supplies them for orders in an order group). An order
 * may carry an allowance: the contracts its group may still match now. Every execution is cut to
 * the taker's allowance and to the maker's group allowance, both shared by all the orders of one
 * group within one walk. A maker whose group has nothing left is passed over (it stays resting;
 * the exchange cancels it when it triggers the group). A taker whose allowance runs out with size
 * left stops the walk; its remainder is canceled (reason order_group). fill_or_kill counts only
 * the liquidity the caps let it take (and its own allowance must cover its count).
 */

import { type Count, complement, type Micros, notional, type Price } from '../domain/index.js';
import type { Ladder, SelfTradePrevention, TimeInForce } from './core-types.js';
import {
  addResting,
  crossingOrders,
  type OrderBook,
  otherLadder,
  reduceResting,
  removeResting,
  toYesPrice,
  wouldCross,
} from './order-book.js';

export * from './order-book.js';

/** An order arriving at the book, already reduced to its ladder and its ladder price. */
export interface IncomingOrder {
  orderId: string;
  accountId: string;
  clientOrderId: string;
  ladder: Ladder;
  /** Limit on its own ladder (YES ladder: YES price; NO ladder: NO price). */
  price: Price;
  count: Count;
  timeInForce: TimeInForce;
  postOnly: boolean;
  selfTradePrevention: SelfTradePrevention;
  arrival: number;
  /** fill_or_kill cost cap: the taker's total cost (its own leg, before fees) may not exceed it. */
  maxCost?: Micros;
  /** ORDER-GROUP CAPS: the taker's group and what it may still match now. */
  group?: GroupCap;
}

/** An order group's key and the contracts it may still match now. */
export interface GroupCap {
  group: string;
  allowance: Count;
}

/** The group cap of a resting order (undefined: not in a group). Must be pure for the walk. */
export type MakerCaps = (orderId: string) => GroupCap | undefined;

export type MatchStep =
  | {
      kind: 'execution';
      makerOrderId: string;
      makerAccountId: string;
      makerClientOrderId: string;
      makerLadder: Ladder;
      /** The maker's price on its own ladder. */
      makerPrice: Price;
      /** Execution price on the YES leg. */
      yesPrice: Price;
      count: Count;
      /** The maker's remaining size after this execution (0 ⇒ it leaves the book). */
      makerRemaining: Count;
    }
  | {
      kind: 'self_trade_cancel';
      orderId: string;
      accountId: string;
      clientOrderId: string;
      ladder: Ladder;
      price: Price;
      /** The size removed from the book (all that remained). */
      count: Count;
    };

export type RemainderReason =
  | 'immediate_or_cancel'
  | 'fill_or_kill'
  | 'self_trade_prevention'
  | 'order_group';

export type MatchDecision =
  | { kind: 'rejected'; reason: 'post_only_cross' }
  | {
      kind: 'accepted';
      /** In the order they happen. */
      steps: MatchStep[];
      filled: Count;
      /** Taker size left after the walk. */
      remaining: Count;
      /** none: fully filled; rest: remaining goes on the book; cancel: remaining is canceled. */
      remainder: 'none' | 'rest' | 'cancel';
      cancelReason?: RemainderReason;
    };

// ---------------------------------------------------------------------------------------------
// Matching

/** The caps of one walk: each group's allowance, drawn down as executions use it. */
function capTracker(incoming: IncomingOrder, makerCaps: MakerCaps | undefined) {
  const used = new Map<string, Count>();
  const left = (cap: GroupCap | undefined): Count =>
    cap === undefined ? Number.MAX_SAFE_INTEGER : Math.max(cap.allowance - (used.get(cap.group) ?? 0), 0);
  return {
    taker: (): Count => left(incoming.group),
    maker: (orderId: string): Count => left(makerCaps?.(orderId)),
    use(orderId: string, count: Count): void {
      for (const cap of [incoming.group, makerCaps?.(orderId)]) {
        if (cap) used.set(cap.group, (used.get(cap.group) ?? 0) + count);
      }
    },
  };
}

/** Can a fill_or_kill fill completely (and within its cost cap) against other accounts' orders? */
function fillOrKillCanFill(
  book: OrderBook,
  incoming: IncomingOrder,
  makerCaps: MakerCaps | undefined,
): boolean {
  let need = incoming.count;
  let cost = 0;
  const caps = capTracker(incoming, makerCaps);
  if (caps.taker() < need) return false;
  for (const { level, order } of crossingOrders(book, incoming.ladder, incoming.price)) {
    if (order.accountId === incoming.accountId) continue;
    const take = Math.min(need, order.remaining, caps.maker(order.orderId));
    if (take === 0) continue;
    caps.use(order.orderId, take);
    // The taker buys its own leg at 1 − (maker's price).
    cost += notional(take, complement(level.price));
    need -= take;
    if (need === 0) break;
  }
  if (need > 0) return false;
  return incoming.maxCost === undefined || cost <= incoming.maxCost;
}

/**
 * Decides what an incoming order does to the book. Pure: the book is only read. `makerCaps` gives
 * the order-group caps of resting orders (see ORDER-GROUP CAPS).
 */
export function planOrder(book: OrderBook, incoming: IncomingOrder, makerCaps?: MakerCaps): MatchDecision {
  if (incoming.postOnly && wouldCross(book, incoming.ladder, incoming.price)) {
    return { kind: 'rejected', reason: 'post_only_cross' };
  }
  const fillOrKill = incoming.timeInForce === 'fill_or_kill' || incoming.maxCost !== undefined;
  if (fillOrKill && !fillOrKillCanFill(book, incoming, makerCaps)) {
    return {
      kind: 'accepted',
      steps: [],
      filled: 0,
      remaining: incoming.count,
      remainder: 'cancel',
      cancelReason: 'fill_or_kill',
    };
  }

  const steps: MatchStep[] = [];
  let remaining = incoming.count;
  let stoppedBySelfTrade = false;
  let stoppedByGroup = false;
  const caps = capTracker(incoming, makerCaps);
  const makerLadder = otherLadder(incoming.ladder);
  for (const { level, order } of crossingOrders(book, incoming.ladder, incoming.price)) {
    if (remaining === 0) break;
    if (order.accountId === incoming.accountId) {
      if (incoming.selfTradePrevention === 'taker_at_cross') {
        stoppedBySelfTrade = true;
        break;
      }
      steps.push({
        kind: 'self_trade_cancel',
        orderId: order.orderId,
        accountId: order.accountId,
        clientOrderId: order.clientOrderId,
        ladder: makerLadder,
        price: level.price,
        count: order.remaining,
      });
      continue;
    }
    const count = Math.min(remaining, order.remaining, caps.taker(), caps.maker(order.orderId));
    if (count === 0) continue;
    caps.use(order.orderId, count);
    remaining -= count;
    steps.push({
      kind: 'execution',
      makerOrderId: order.orderId,
      makerAccountId: order.accountId,
      makerClientOrderId: order.clientOrderId,
      makerLadder,
      makerPrice: level.price,
      yesPrice: toYesPrice(makerLadder, level.price),
      count,
      makerRemaining: order.remaining - count,
    });
    if (remaining > 0 && caps.taker() === 0) {
      stoppedByGroup = true;
      break;
    }
  }

  const filled = incoming.count - remaining;
  if (remaining === 0) return { kind: 'accepted', steps, filled, remaining, remainder: 'none' };
  if (stoppedBySelfTrade || stoppedByGroup) {
    return {
      kind: 'accepted',
      steps,
      filled,
      remaining,
      remainder: 'cancel',
      cancelReason: stoppedBySelfTrade ? 'self_trade_prevention' : 'order_group',
    };
  }
  if (incoming.timeInForce === 'good_till_canceled' && !fillOrKill) {
    return { kind: 'accepted', steps, filled, remaining, remainder: 'rest' };
  }
  return {
    kind: 'accepted',
    steps,
    filled,
    remaining,
    remainder: 'cancel',
    cancelReason: fillOrKill ? 'fill_or_kill' : 'immediate_or_cancel',
  };
}

/** Carries out a decision on the book (mutates): executions, self-trade cancels, the resting remainder. */
export function applyDecision(book: OrderBook, incoming: IncomingOrder, decision: MatchDecision): void {
  if (decision.kind === 'rejected') return;
  for (const step of decision.steps) {
    if (step.kind === 'execution') {
      const removed = reduceResting(book, step.makerLadder, step.makerPrice, step.makerOrderId, step.count);
      if (removed !== step.count)
        throw new Error(`applyDecision: maker ${step.makerOrderId} is not as planned`);
    } else {
      removeResting(book, step.ladder, step.price, step.orderId);
    }
  }
  if (decision.remainder === 'rest') {
    addResting(book, incoming.ladder, incoming.price, {
      orderId: incoming.orderId,
      accountId: incoming.accountId,
      clientOrderId: incoming.clientOrderId,
      remaining: decision.remaining,
      arrival: incoming.arrival,
    });
  }
}

/** Plans and applies in one go; returns the decision. */
export function matchOrder(book: OrderBook, incoming: IncomingOrder, makerCaps?: MakerCaps): MatchDecision {
  const decision = planOrder(book, incoming, makerCaps);
  applyDecision(book, incoming, decision);
  return decision;
}
