/**
 * The participants' market microstructure (used by activity.ts): what moves a market's quotes, and
 * the edge that leaves for a short-horizon trader. Seeded: every random choice comes from the
 * activity's RNG, so the same seed and the same step() calls give the same path.
 *
 * THE VALUE. Each market has a true value V (the universe's fair value, the P(yes) determination
 * draws from; fixed). The makers quote around a centre C = clamp(B + S, 0.02, 0.98), where
 *   - B, the makers' belief, random-walks slowly around V: at each requote of the market
 *     B ← B + ⌊(V − B) / 20⌋ + N(0, 0.4¢);
 *   - S, the transient price impact of order flow, is what is learnable:
 *       · every contract a taker buys moves S up by `impactPerContract` (sells move it down): the
 *         makers shade their quotes toward the flow, as makers who fear informed flow do;
 *       · at each requote of the market the makers give back 1/`shockDecay` of S (truncated toward
 *         zero): the flow was noise, V did not move, and the quotes drift back.
 * THE FLOW. Takers (the noise traders of the story) trade in bursts: a taker action in a market
 * with no burst going starts one with probability `burstChance` (side: a fair coin; length: uniform
 * in [burstMin, burstMax] taker actions in that market), and every taker action of a running burst
 * trades its side. Outside a burst a taker buys or sells by a fair coin. So prices overshoot V
 * during a burst and revert after it.
 *
 * THE EDGE (measured in planning/simulator.md; tests/unit/sim-microstructure.test.ts keeps it):
 *   - reversion: the mid's deviation from a slow average of itself (≈ V + B's wander) predicts the
 *     next moves with the opposite sign: E[Δmid over the next k requotes] ≈ −(1 − (1 − 1/shockDecay)^k)·S;
 *   - momentum: within a burst the flow keeps its side, so recent signed taker volume predicts
 *     the next takers' side (and the next few ticks of the mid) with the same sign.
 * Set impactPerContract = 0 and burstChance = 0 to turn both off (the makers' centre is then B).
 */
import { COUNT_SCALE, type Count, type Price } from '../domain/index.js';
import type { Rng } from './rng.js';

export interface MicrostructureParams {
  /** Shift of the makers' centre per contract taken (Price units, 1/10,000 $); 0 = no impact. */
  impactPerContract: number;
  /** The makers give back 1/shockDecay of the impact at each requote (≥ 1). */
  shockDecay: number;
  /** Probability that a taker action in a market with no burst starts one; 0 = no bursts. */
  burstChance: number;
  /** Burst length in taker actions of that market, uniform in [burstMin, burstMax]. */
  burstMin: number;
  burstMax: number;
}

export const DEFAULT_MICROSTRUCTURE: Readonly<MicrostructureParams> = {
  impactPerContract: 80,
  shockDecay: 8,
  burstChance: 0.08,
  burstMin: 3,
  burstMax: 6,
};

/** Fair values stay strictly inside (0.02, 0.98). */
export const FAIR_MIN: Price = 201;
export const FAIR_MAX: Price = 9_799;
/** Per requote the belief moves by a normal step of this sd, and reverts 1/REVERSION of its gap. */
const FAIR_STEP_SD: Price = 40;
const REVERSION = 20;

/** One market's microstructure state. */
export interface FlowState {
  /** V: the true value. */
  readonly anchor: Price;
  /** B: the makers' slow belief. */
  belief: Price;
  /** S: transient impact (Price units, signed). */
  shock: number;
  /** +1 buy burst, −1 sell burst, 0 none. */
  burstSide: -1 | 0 | 1;
  /** Taker actions left in the running burst. */
  burstLeft: number;
}

export function clamp(v: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, v));
}

export function checkParams(p: MicrostructureParams): MicrostructureParams {
  const bad = (what: string) => new RangeError(`microstructure: ${what}`);
  if (!Number.isFinite(p.impactPerContract) || p.impactPerContract < 0)
    throw bad('impactPerContract must be ≥ 0');
  if (!Number.isInteger(p.shockDecay) || p.shockDecay < 1) throw bad('shockDecay must be a whole number ≥ 1');
  if (!(p.burstChance >= 0 && p.burstChance <= 1)) throw bad('burstChance must be in [0, 1]');
  if (
    !Number.isInteger(p.burstMin) ||
    p.burstMin < 1 ||
    !Number.isInteger(p.burstMax) ||
    p.burstMax < p.burstMin
  ) {
    throw bad('burstMin/burstMax must be whole numbers with 1 ≤ burstMin ≤ burstMax');
  }
  return p;
}

export function flowState(anchor: Price): FlowState {
  const v = clamp(anchor, FAIR_MIN, FAIR_MAX);
  return { anchor: v, belief: v, shock: 0, burstSide: 0, burstLeft: 0 };
}

/** C: where the makers quote around. */
export function centre(f: FlowState): Price {
  return clamp(f.belief + f.shock, FAIR_MIN, FAIR_MAX);
}

/** At a requote: B walks and reverts toward V; S decays by 1/shockDecay. */
export function walk(f: FlowState, rng: Rng, p: MicrostructureParams): void {
  const reversion = Math.trunc((f.anchor - f.belief) / REVERSION);
  f.belief = clamp(f.belief + reversion + rng.intNormal(0, FAIR_STEP_SD), FAIR_MIN, FAIR_MAX);
  f.shock -= Math.trunc(f.shock / p.shockDecay);
}

/** The side of the next taker action in this market: the running burst's, or a new burst's, or a coin. */
export function takerSide(f: FlowState, rng: Rng, p: MicrostructureParams): 'buy' | 'sell' {
  if (f.burstLeft <= 0 && p.burstChance > 0 && rng.chance(p.burstChance)) {
    f.burstSide = rng.chance(0.5) ? 1 : -1;
    f.burstLeft = rng.int(p.burstMin, p.burstMax);
  }
  if (f.burstLeft > 0) {
    const side = f.burstSide;
    f.burstLeft -= 1;
    if (f.burstLeft === 0) f.burstSide = 0;
    return side > 0 ? 'buy' : 'sell';
  }
  return rng.chance(0.5) ? 'buy' : 'sell';
}

/** A taker bought (+) or sold (−) `filled` (Count units): the makers' centre moves with it. */
export function impact(f: FlowState, signedFilled: Count, p: MicrostructureParams): void {
  f.shock += Math.trunc((p.impactPerContract * signedFilled) / COUNT_SCALE);
  // S cannot carry the centre further than the clamp lets it go.
  f.shock = clamp(f.shock, FAIR_MIN - f.belief, FAIR_MAX - f.belief);
}
