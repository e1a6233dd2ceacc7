/**
 * Fee-aware fractional Kelly for one binary contract.
 *
 * Buying a leg at price p (dollars) with win probability q: the fee per contract is folded into
 * the price, p_eff = p + fee_per_contract(p) (fees.ts, the role's rate without rounding). A win
 * pays $1, so the full-Kelly share of bankroll to stake is
 *   f* = (q − p_eff) / (1 − p_eff)          when q > p_eff, else 0 (never negative: no edge, no bet)
 * and we stake   share = f* × kellyFraction (the dial's 0.1–0.5).
 * SHORT TRACK RECORD (seed 002). While the classifier has fewer than `minTrackRecord` resolved
 * trades (default 20; unknown counts as none), the share is min(share, 1%): the seed's
 * conservative default, and never more than Kelly itself would stake.
 * From share to contracts: budget = min(⌊bankroll × share⌋, maxBet, bankroll) in Micros; count = the
 * most whole contracts n with n × p + tradeFee(n, p) ≤ budget (the exact fee, rounded up to the
 * cent). So the cost never exceeds the stake, the cap or the bankroll.
 */
import {
  type Count,
  contracts,
  MAX_LIMIT_PRICE,
  MIN_LIMIT_PRICE,
  type Micros,
  notional,
  PRICE_SCALE,
  type Price,
} from '../domain/index.js';
import { requireFinite, requireInt } from './errors.js';
import { type FeeRole, type FeeSchedule, feePerContract, tradeFee, WEATHER_FEE_SCHEDULE } from './fees.js';

export const DEFAULT_MIN_TRACK_RECORD = 20;
/** 1% of bankroll, in basis points. */
export const SHORT_RECORD_STAKE_BPS = 100;

export interface KellyInput {
  /** q: probability the leg pays $1. */
  readonly winProb: number;
  /** Price paid per contract for the leg (Price units, 1¢–99.99¢). */
  readonly price: Price;
  /** Which fee the fill pays; default 'taker' (the worst case of a maker→taker order). */
  readonly feeRole?: FeeRole;
  readonly feeSchedule?: FeeSchedule;
  /** Share of full Kelly, (0, 1]. */
  readonly kellyFraction: number;
  readonly bankroll: Micros;
  /** Largest cost of this one trade (max_bet_per_trade). */
  readonly maxBet: Micros;
  /** Resolved trades behind the classifier; undefined = none known. */
  readonly trackRecord?: number;
  readonly minTrackRecord?: number;
}

export type KellyBasis = 'kelly' | 'short_record' | 'no_edge';

export interface KellySize {
  /** Whole contracts, in Count units (multiples of 100). */
  readonly count: Count;
  /** count × price + fee. */
  readonly cost: Micros;
  readonly fee: Micros;
  /** p + fee per contract, dollars. */
  readonly effectivePrice: number;
  /** Full-Kelly share f*. */
  readonly fullKelly: number;
  /** The share actually staked (after the fraction and the short-record cap). */
  readonly stakeShare: number;
  readonly basis: KellyBasis;
  /** What bound the budget. */
  readonly limitedBy: 'stake' | 'max_bet' | 'bankroll';
}

/** f* with the fee folded into the price (0 when there is no edge). */
export function fullKelly(winProb: number, effectivePrice: number): number {
  if (effectivePrice >= 1 || winProb <= effectivePrice) return 0;
  return (winProb - effectivePrice) / (1 - effectivePrice);
}

function costOf(
  n: number,
  price: Price,
  role: FeeRole,
  schedule: FeeSchedule,
): { cost: Micros; fee: Micros } {
  const count = contracts(n);
  const fee = tradeFee(role, count, price, schedule);
  return { cost: notional(count, price) + fee, fee };
}

export function kellySize(input: KellyInput): KellySize {
  const q = requireFinite('winProb', input.winProb, 0, 1);
  const price = requireInt('price', input.price, MIN_LIMIT_PRICE, MAX_LIMIT_PRICE);
  const fraction = requireFinite('kellyFraction', input.kellyFraction, 0, 1);
  const bankroll = requireInt('bankroll', input.bankroll);
  const maxBet = requireInt('maxBet', input.maxBet);
  const minRecord = requireInt('minTrackRecord', input.minTrackRecord ?? DEFAULT_MIN_TRACK_RECORD);
  const record = input.trackRecord === undefined ? 0 : requireInt('trackRecord', input.trackRecord);
  const role = input.feeRole ?? 'taker';
  const schedule = input.feeSchedule ?? WEATHER_FEE_SCHEDULE;

  const effectivePrice = price / PRICE_SCALE + feePerContract(role, price, schedule);
  const f = fullKelly(q, effectivePrice);
  let share = f * fraction;
  let basis: KellyBasis = f > 0 ? 'kelly' : 'no_edge';
  if (f > 0 && record < minRecord) {
    const cap = SHORT_RECORD_STAKE_BPS / 10_000;
    if (share > cap) share = cap;
    basis = 'short_record';
  }
  const stake = Math.floor(bankroll * share);
  const budget = Math.min(stake, maxBet, bankroll);
  const limitedBy = budget === stake ? 'stake' : budget === maxBet ? 'max_bet' : 'bankroll';

  // The most whole contracts whose exact cost fits the budget (cost grows with n: binary search).
  let lo = 0;
  let hi = Math.floor(budget / notional(contracts(1), price));
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (costOf(mid, price, role, schedule).cost <= budget) lo = mid;
    else hi = mid - 1;
  }
  const { cost, fee } = costOf(lo, price, role, schedule);
  return {
    count: contracts(lo),
    cost,
    fee,
    effectivePrice,
    fullKelly: f,
    stakeShare: share,
    basis,
    limitedBy,
  };
}
