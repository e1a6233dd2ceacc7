/**
 * The hindsight teacher: labels each sample with the action whose REALIZED value over the horizon
 * — a full taker round trip, both of Kalshi's taker fees rounded up to the cent per order as the
 * exchange charges them (src/edge/fees.ts `tradeFee`), both crossings of the spread — beats a
 * margin; otherwise HOLD. The policy is then trained to imitate it from the observation alone
 * (behaviour cloning; planning/policy.md says why).
 *
 * With b, a = the best YES bid and the YES ask now, b′, a′ = the same `horizon` updates later,
 * C = the action's count and fee(C, p) = ceil_to_cent(0.07 · C · p · (1 − p)), in dollars:
 *   buy_yes   C·(b′ − a) − fee(C, a) − fee(C, b′)   buy YES at the ask, sell it at the later bid
 *   buy_no    C·(b − a′) − fee(C, b) − fee(C, a′)   buy NO at 1 − b, sell it at 1 − a′
 *   sell_yes  C·(b − b′) − fee(C, b) + fee(C, b′)   sell YES now rather than at the later bid
 *   sell_no   C·(a′ − a) − fee(C, a) + fee(C, a′)   sell NO now (at 1 − a) rather than at 1 − a′
 * (a sell's C is capped to what is held, as planAction caps it). An entry is worth taking only as
 * a round trip — the position is closed at the spread and the fee like it was opened — which the
 * first teacher (value = future MID − ask − one unrounded fee) ignored: its entries, realized,
 * lost money before the policy imitated a single one (planning/policy.md, "Why it lost").
 *
 * The label: among the actions the live mask allows (actionMask: the teacher never labels an
 * action the actor could not take), an exit (sell) whose value per contract beats `minEdge` closes
 * the most the mask allows; otherwise the entry kind whose value per contract at its smallest
 * allowed size is the best and beats `minEdge` is bought, at the bucket = how many doublings of
 * `minEdge` that edge spans (0..4), or the largest allowed bucket below it; otherwise HOLD.
 */

import type { Count, Price } from '../../domain/index.js';
import { COUNT_SCALE, MICROS_PER_DOLLAR } from '../../domain/index.js';
import { tradeFee } from '../../edge/index.js';
import {
  ACTION_KINDS,
  type ActionKind,
  type ActionSettings,
  actionIndex,
  actionMask,
  HOLD,
  planAction,
  SIZE_MULTIPLIERS,
} from '../actions.js';
import type { Sample } from './dataset.js';

export interface TeacherSettings {
  /** Realized value per contract ($, after both fees and the spread) below which the teacher holds. */
  readonly minEdge: number;
}

export const DEFAULT_TEACHER: TeacherSettings = { minEdge: 0.005 };

const fee = (count: Count, price: Price) => tradeFee('taker', count, price);

/**
 * The realized value in Micros of `kind` for `count` contracts on this sample (the formulas in the
 * header). Exported for the tests and for scoring a policy's choices on validation samples.
 */
export function realizedValue(sample: Sample, kind: ActionKind, count: Count): number {
  const { bestYesBid: b, yesAsk: a, futureBid: b2, futureAsk: a2 } = sample;
  // Count × Price = Micros (count/100 contracts × price/10,000 $ × 10^6).
  switch (kind) {
    case 'buy_yes':
      return count * (b2 - a) - fee(count, a) - fee(count, b2);
    case 'buy_no':
      return count * (b - a2) - fee(count, b) - fee(count, a2);
    case 'sell_yes':
      return count * (b - b2) - fee(count, b) + fee(count, b2);
    case 'sell_no':
      return count * (a2 - a) - fee(count, a) + fee(count, a2);
  }
}

/** Value per contract in dollars. */
const perContract = (micros: number, count: Count) => micros / MICROS_PER_DOLLAR / (count / COUNT_SCALE);

export function teacherAction(
  sample: Sample,
  settings: ActionSettings,
  teacher: TeacherSettings = DEFAULT_TEACHER,
): number {
  const view = {
    ticker: sample.ticker,
    bestYesBid: sample.bestYesBid,
    yesAsk: sample.yesAsk,
    position: sample.position,
    cash: sample.cash,
    openOrders: [],
  };
  const mask = actionMask(view, settings);
  // Exits first: a position worth closing is closed as far as the mask allows.
  for (const kind of ['sell_yes', 'sell_no'] as const) {
    for (let bucket = SIZE_MULTIPLIERS.length - 1; bucket >= 0; bucket--) {
      const action = actionIndex(kind, bucket);
      if (!mask.allowed[action]) continue;
      const plan = planAction(action, view, settings);
      const count = plan.ok && plan.order ? plan.order.count : 0;
      if (count > 0 && perContract(realizedValue(sample, kind, count), count) > teacher.minEdge)
        return action;
      break; // the largest allowed sell decides; a smaller one has the same value per contract
    }
  }
  // Entries: the better kind at its smallest allowed size (the least favourable rounding of the fee).
  let best: { kind: ActionKind; edge: number } | undefined;
  for (const kind of ACTION_KINDS) {
    if (kind !== 'buy_yes' && kind !== 'buy_no') continue;
    for (let bucket = 0; bucket < SIZE_MULTIPLIERS.length; bucket++) {
      if (!mask.allowed[actionIndex(kind, bucket)]) continue;
      const count = settings.contractSize * SIZE_MULTIPLIERS[bucket]!;
      const edge = perContract(realizedValue(sample, kind, count), count);
      if (edge > teacher.minEdge && (!best || edge > best.edge)) best = { kind, edge };
      break;
    }
  }
  if (!best) return HOLD;
  const top = Math.min(SIZE_MULTIPLIERS.length - 1, Math.floor(Math.log2(best.edge / teacher.minEdge)));
  for (let bucket = top; bucket >= 0; bucket--) {
    const action = actionIndex(best.kind, bucket);
    if (mask.allowed[action]) return action;
  }
  return HOLD;
}
