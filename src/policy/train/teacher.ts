/**
 * The hindsight teacher: labels each sample with the action that would have been best given the
 * YES mid `horizon` updates later, net of the spread (it trades at the bid / ask) and Kalshi's
 * taker fee. The policy is then trained to imitate it from the observation alone (behaviour
 * cloning; planning/policy.md says why).
 *
 * Per contract, in dollars, with b = best YES bid, a = YES ask, m′ = future mid,
 * fee(p) = 0.07 · p · (1 − p) (the taker fee before rounding to the cent):
 *   up   = m′ − a − fee(a)   buying YES now (or closing NO: sell_no pays a too)
 *   down = b − m′ − fee(b)   buying NO now (or closing YES: sell_yes receives b)
 * When `up` (or `down`) exceeds minEdge the teacher trades that way: a flat or same-side position
 * buys (bucket = how many doublings of minEdge the edge spans, 0..4, then the largest bucket the
 * mask allows at or below it); an opposite position is closed with the largest allowed sell.
 * Otherwise, or when the mask allows nothing of the kind, it holds. The mask is the live one
 * (actionMask), so the teacher never labels an action the actor could not take.
 */
import { PRICE_SCALE } from '../../domain/index.js';
import {
  type ActionKind,
  type ActionSettings,
  actionIndex,
  actionMask,
  HOLD,
  SIZE_MULTIPLIERS,
} from '../actions.js';
import type { Sample } from './dataset.js';

export interface TeacherSettings {
  /** Edge per contract ($) below which the teacher holds (default half a cent). */
  readonly minEdge: number;
  /** Taker fee rate (default Kalshi's 0.07). */
  readonly feeRate: number;
}

export const DEFAULT_TEACHER: TeacherSettings = { minEdge: 0.005, feeRate: 0.07 };

export function teacherAction(sample: Sample, settings: ActionSettings, teacher = DEFAULT_TEACHER): number {
  const b = sample.bestYesBid / PRICE_SCALE;
  const a = sample.yesAsk / PRICE_SCALE;
  const m = sample.futureMid / PRICE_SCALE;
  const fee = (p: number) => teacher.feeRate * p * (1 - p);
  const up = m - a - fee(a);
  const down = b - m - fee(b);
  const edge = Math.max(up, down);
  if (!(edge > teacher.minEdge)) return HOLD;
  const mask = actionMask(
    {
      ticker: sample.ticker,
      bestYesBid: sample.bestYesBid,
      yesAsk: sample.yesAsk,
      position: sample.position,
      cash: sample.cash,
      openOrders: [],
    },
    settings,
  );
  const rising = up >= down;
  const pos = sample.position;
  const closing = rising ? pos < 0 : pos > 0;
  const kind: ActionKind = closing ? (rising ? 'sell_no' : 'sell_yes') : rising ? 'buy_yes' : 'buy_no';
  const top = closing
    ? SIZE_MULTIPLIERS.length - 1
    : Math.min(SIZE_MULTIPLIERS.length - 1, Math.floor(Math.log2(edge / teacher.minEdge)));
  for (let bucket = top; bucket >= 0; bucket--) {
    const action = actionIndex(kind, bucket);
    if (mask.allowed[action]) return action;
  }
  return HOLD;
}
