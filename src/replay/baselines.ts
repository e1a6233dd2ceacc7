/**
 * Baselines a trained policy is measured against in replay (src/cli/train.ts's evaluation):
 *   hold      the `none` strategy: never trades (P&L 0, the floor a policy must beat);
 *   random    the policy actor with seeded random scores: a uniformly random action among those the
 *             mask allows (HOLD included), through the same actor, mask and sizing;
 *   hardcoded the demo selector (src/strategy/hardcoded.ts).
 */
import { ACTION_COUNT } from '../policy/actions.js';
import { createRng } from '../policy/train/rng.js';
import {
  type PolicyInference,
  type PreparedStrategy,
  preparePolicy,
  type StrategyConfig,
} from '../strategy/index.js';

export function randomInference(seed: number): PolicyInference {
  const rng = createRng(seed);
  // One draw of 21 scores per evaluation, in evaluation order (never ahead: the draws are the state).
  const inferNow = () => {
    const scores = new Float32Array(ACTION_COUNT);
    for (let a = 0; a < ACTION_COUNT; a++) scores[a] = rng.next();
    return { scores, latencyUs: 0 };
  };
  return { sha256: `random-seed-${seed}`, inferNow, infer: async () => inferNow() };
}

export const randomPolicy =
  (seed: number) =>
  (config: StrategyConfig): PreparedStrategy =>
    preparePolicy(randomInference(seed), config);
