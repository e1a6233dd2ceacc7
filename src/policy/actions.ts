/**
 * The 21-action space (seed 001's RL actor): 0 = HOLD, then {buy YES, sell YES, buy NO, sell NO}
 * × 5 size buckets, index = 1 + kind·5 + bucket. Bucket sizes are SIZE_MULTIPLIERS × contractSize.
 *
 * V2 order entry knows only bids and asks on the YES leg (bid = buy YES, ask = sell YES ≡ buy NO),
 * so the four kinds map onto two exchange operations; what tells them apart is intent:
 *   buy_yes  bid              opens / adds YES
 *   sell_yes ask, reduce-only closes YES we hold (never opens NO)
 *   buy_no   ask              opens / adds NO
 *   sell_no  bid, reduce-only closes NO we hold (never opens YES)
 *
 * Pricing (`settings.pricing`):
 *   take (default): immediate-or-cancel at the opposite best — buy_yes/sell_no at the YES ask,
 *                   sell_yes/buy_no at the best YES bid. A decision executes now or not at all.
 *   join          : good-till-canceled post-only at our own side's best — buy_yes/sell_no at the
 *                   best YES bid, sell_yes/buy_no at the YES ask.
 *
 * Masking rules (planAction; the mask is the same function applied to every action, so a masked
 * action and actionToIntent's hold always agree). An action is masked, with the first reason that
 * applies, when:
 *   no_price          the book side it would price from is empty;
 *   opposite_held     buy_yes while holding NO, buy_no while holding YES (close with sell_* first:
 *                     one meaning per action);
 *   nothing_to_sell   sell_yes with no YES left to sell (position − our resting asks ≤ 0), or
 *                     sell_no likewise — selling would open the other side;
 *   redundant_size    a sell bucket whose next-smaller bucket already closes all that is left
 *                     (sells are capped to what is left, so the larger bucket would be a duplicate);
 *   max_position      a buy that would take position + our resting buys past maxPosition;
 *   insufficient_cash a buy costing more than the available cash: cash − cash reserved by our
 *                     open non-reduce-only orders (seed 001's cash reservation).
 * HOLD is never masked.
 */
import type { BookSide, Count, Micros, OrderIntent, Price, TimeInForce } from '../domain/index.js';
import { contracts, PRICE_SCALE } from '../domain/index.js';
import { PolicyError } from './errors.js';
import { type OpenOrderInput, reservedCash } from './observation.js';

export const ACTION_KINDS = ['buy_yes', 'sell_yes', 'buy_no', 'sell_no'] as const;
export type ActionKind = (typeof ACTION_KINDS)[number];
export const SIZE_MULTIPLIERS = [1, 2, 5, 10, 25] as const;
export const ACTION_COUNT = 1 + ACTION_KINDS.length * SIZE_MULTIPLIERS.length;
export const HOLD = 0;
/** Declared by a model (ONNX metadata action_space): this ordering of these 21 actions. */
export const ACTION_SPACE_VERSION = 'tv3-act-1';

export const ACTION_NAMES: readonly string[] = [
  'hold',
  ...ACTION_KINDS.flatMap((k) => SIZE_MULTIPLIERS.map((m) => `${k}_x${m}`)),
];

export type ActionInfo =
  | { readonly kind: 'hold' }
  | { readonly kind: ActionKind; readonly bucket: number; readonly multiplier: number };

export function actionIndex(kind: ActionKind, bucket: number): number {
  return 1 + ACTION_KINDS.indexOf(kind) * SIZE_MULTIPLIERS.length + bucket;
}

export function describeAction(action: number): ActionInfo {
  if (!Number.isInteger(action) || action < 0 || action >= ACTION_COUNT) {
    throw new PolicyError(
      'POLICY_BAD_ACTION',
      `action ${action} is not an integer in 0..${ACTION_COUNT - 1}`,
      {
        field: 'action',
      },
    );
  }
  if (action === HOLD) return { kind: 'hold' };
  const k = Math.floor((action - 1) / SIZE_MULTIPLIERS.length);
  const bucket = (action - 1) % SIZE_MULTIPLIERS.length;
  return { kind: ACTION_KINDS[k]!, bucket, multiplier: SIZE_MULTIPLIERS[bucket]! };
}

export interface ActionSettings {
  /** Count of the smallest bucket (seed 001's RL_ACTOR_CONTRACT_SIZE); buckets are × SIZE_MULTIPLIERS. */
  readonly contractSize: Count;
  /** Largest |position| (with our resting buys) a buy may lead to. */
  readonly maxPosition: Count;
  readonly pricing: 'take' | 'join';
  /** The intent's strategy name. */
  readonly strategy: string;
}

export const DEFAULT_ACTION_SETTINGS: ActionSettings = {
  contractSize: contracts(1),
  maxPosition: contracts(100),
  pricing: 'take',
  strategy: 'policy',
};

/** What an action is decided on. */
export interface ActionView {
  readonly ticker: string;
  readonly bestYesBid: Price | undefined;
  /** 1 − best NO bid. */
  readonly yesAsk: Price | undefined;
  /** Signed position (+ YES / − NO). */
  readonly position: Count;
  /** Cash balance; what our open orders reserve is taken off it here. */
  readonly cash: Micros;
  readonly openOrders: readonly OpenOrderInput[];
}

export type MaskReason =
  | 'no_price'
  | 'opposite_held'
  | 'nothing_to_sell'
  | 'redundant_size'
  | 'max_position'
  | 'insufficient_cash';

export interface PlannedOrder {
  readonly kind: ActionKind;
  readonly bookSide: BookSide;
  readonly yesPrice: Price;
  readonly count: Count;
  readonly timeInForce: TimeInForce;
  readonly postOnly: boolean;
  readonly reduceOnly: boolean;
  /** Cash the order needs (0 for reduce-only). */
  readonly cost: Micros;
}

export type ActionPlan =
  | { readonly ok: true; readonly order: PlannedOrder | undefined }
  | { readonly ok: false; readonly reason: MaskReason };

export function checkActionSettings(s: ActionSettings): void {
  const bad = (field: string, why: string) =>
    new PolicyError('POLICY_BAD_SETTINGS', `action settings: ${field} ${why}`, { field });
  if (!Number.isSafeInteger(s.contractSize) || s.contractSize <= 0)
    throw bad('contractSize', `must be a positive Count, got ${s.contractSize}`);
  if (!Number.isSafeInteger(s.maxPosition) || s.maxPosition < 0)
    throw bad('maxPosition', `must be a Count ≥ 0, got ${s.maxPosition}`);
  if (s.pricing !== 'take' && s.pricing !== 'join') throw bad('pricing', `must be take or join`);
}

function resting(orders: readonly OpenOrderInput[], side: BookSide): Count {
  let s = 0;
  for (const o of orders) if (o.bookSide === side && o.remaining > 0) s += o.remaining;
  return s;
}

/** What every action of one view is decided on, worked out once (actionMask asks 21 times). */
interface PlanContext {
  readonly view: ActionView;
  readonly settings: ActionSettings;
  readonly take: boolean;
  /** Our resting bids / asks (Count), and the cash our open orders reserve. */
  readonly restingBid: Count;
  readonly restingAsk: Count;
  readonly reserved: Micros;
}

function planContext(view: ActionView, settings: ActionSettings): PlanContext {
  return {
    view,
    settings,
    take: settings.pricing === 'take',
    restingBid: resting(view.openOrders, 'bid'),
    restingAsk: resting(view.openOrders, 'ask'),
    reserved: reservedCash(view.openOrders),
  };
}

/** The YES price a non-HOLD `action` (1..20) would trade at, undefined when that book side is empty. */
function priceOf(kind: ActionKind, c: PlanContext): Price | undefined {
  const isBid = kind === 'buy_yes' || kind === 'sell_no';
  // take: bids pay the YES ask, asks hit the best YES bid; join: the other way round.
  return isBid === c.take ? c.view.yesAsk : c.view.bestYesBid;
}

/** Why a non-HOLD action (kind, bucket) is masked in this context, or undefined when it is allowed. */
function maskReason(kind: ActionKind, bucket: number, c: PlanContext): MaskReason | undefined {
  const yesPrice = priceOf(kind, c);
  if (yesPrice === undefined) return 'no_price';
  const { settings } = c;
  const size = settings.contractSize * SIZE_MULTIPLIERS[bucket]!;
  const position = c.view.position;
  if (kind === 'sell_yes' || kind === 'sell_no') {
    const held = kind === 'sell_yes' ? position : -position;
    // Our resting orders on the closing side will take contracts away first.
    const left = held - (kind === 'sell_yes' ? c.restingAsk : c.restingBid);
    if (left <= 0) return 'nothing_to_sell';
    if (bucket > 0 && settings.contractSize * SIZE_MULTIPLIERS[bucket - 1]! >= left) return 'redundant_size';
    return undefined;
  }
  if (kind === 'buy_yes' ? position < 0 : position > 0) return 'opposite_held';
  const exposure = Math.abs(position) + (kind === 'buy_yes' ? c.restingBid : c.restingAsk);
  if (exposure + size > settings.maxPosition) return 'max_position';
  const leg = kind === 'buy_yes' ? yesPrice : PRICE_SCALE - yesPrice;
  if (size * leg > c.view.cash - c.reserved) return 'insufficient_cash';
  return undefined;
}

/** What `action` would send in this view, or why it is masked. */
export function planAction(action: number, view: ActionView, settings: ActionSettings): ActionPlan {
  const info = describeAction(action);
  if (info.kind === 'hold') return { ok: true, order: undefined };
  const { kind, bucket } = info;
  const c = planContext(view, settings);
  const reason = maskReason(kind, bucket, c);
  if (reason !== undefined) return { ok: false, reason };
  const yesPrice = priceOf(kind, c)!;
  const isBid = kind === 'buy_yes' || kind === 'sell_no';
  const size = settings.contractSize * SIZE_MULTIPLIERS[bucket]!;
  const base = {
    kind,
    bookSide: (isBid ? 'bid' : 'ask') as BookSide,
    yesPrice,
    timeInForce: (c.take ? 'immediate_or_cancel' : 'good_till_canceled') as TimeInForce,
    postOnly: !c.take,
  };
  if (kind === 'sell_yes' || kind === 'sell_no') {
    const held = kind === 'sell_yes' ? view.position : -view.position;
    const left = held - (kind === 'sell_yes' ? c.restingAsk : c.restingBid);
    return { ok: true, order: { ...base, count: Math.min(size, left), reduceOnly: true, cost: 0 } };
  }
  const leg = kind === 'buy_yes' ? yesPrice : PRICE_SCALE - yesPrice;
  return { ok: true, order: { ...base, count: size, reduceOnly: false, cost: size * leg } };
}

export interface ActionMask {
  /** allowed[a] for a in 0..20; allowed[0] (HOLD) is always true. */
  readonly allowed: readonly boolean[];
  /** Why each masked action is masked (undefined where allowed). */
  readonly reasons: readonly (MaskReason | undefined)[];
  /** allowed as a 21-bit integer, bit a set when action a is allowed (for recording). */
  readonly bits: number;
}

/** planAction's verdict on every action (the same rules, the per-view sums worked out once). */
export function actionMask(view: ActionView, settings: ActionSettings): ActionMask {
  const c = planContext(view, settings);
  const allowed: boolean[] = [true];
  const reasons: (MaskReason | undefined)[] = [undefined];
  let bits = 1;
  for (let a = 1; a < ACTION_COUNT; a++) {
    const k = Math.floor((a - 1) / SIZE_MULTIPLIERS.length);
    const reason = maskReason(ACTION_KINDS[k]!, (a - 1) % SIZE_MULTIPLIERS.length, c);
    allowed.push(reason === undefined);
    reasons.push(reason);
    if (reason === undefined) bits |= 1 << a;
  }
  return { allowed, reasons, bits };
}

/** The allowed action with the highest score (HOLD on ties with it, and for non-finite scores). */
export function chooseAction(scores: ArrayLike<number>, mask: ActionMask): number {
  let best = HOLD;
  let bestScore = Number.isFinite(scores[HOLD]) ? scores[HOLD]! : Number.NEGATIVE_INFINITY;
  for (let a = 1; a < ACTION_COUNT; a++) {
    const s = scores[a];
    if (mask.allowed[a] && s !== undefined && Number.isFinite(s) && s > bestScore) {
      best = a;
      bestScore = s;
    }
  }
  return best;
}

export type ActionDecision =
  | { readonly action: 'trade'; readonly intent: OrderIntent }
  | { readonly action: 'hold'; readonly reason: string };

/** The order intent for `action`, or a hold saying why (HOLD itself, or the mask's reason). */
export function actionToIntent(action: number, view: ActionView, settings: ActionSettings): ActionDecision {
  const plan = planAction(action, view, settings);
  const name = ACTION_NAMES[action]!;
  if (!plan.ok) return { action: 'hold', reason: `masked:${name}:${plan.reason}` };
  if (!plan.order) return { action: 'hold', reason: 'policy:hold' };
  const o = plan.order;
  return {
    action: 'trade',
    intent: {
      ticker: view.ticker,
      bookSide: o.bookSide,
      yesPrice: o.yesPrice,
      count: o.count,
      timeInForce: o.timeInForce,
      ...(o.postOnly ? { postOnly: true } : {}),
      ...(o.reduceOnly ? { reduceOnly: true } : {}),
      strategy: settings.strategy,
      reason: `policy:${name}`,
    },
  };
}
