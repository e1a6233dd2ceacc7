/**
 * The aggressiveness dial (seed 000, TradingConfig): one number a ∈ [0, 1] derives three knobs.
 *
 *   confidence threshold      0.7 − 0.4a   classifier probability needed to trade (0 → 0.70, 1 → 0.30)
 *   Kelly fraction            0.1 + 0.4a   share of full Kelly staked          (0 → 1/10, 1 → 1/2)
 *   maker-timeout multiplier  1.5 − a      patience before maker→taker         (0 → 1.5×, 1 → 0.5×)
 */
import { EdgeError, show } from './errors.js';

export interface DialSettings {
  readonly aggressiveness: number;
  readonly confidenceThreshold: number;
  readonly kellyFraction: number;
  readonly makerTimeoutMultiplier: number;
}

/** Throws EDGE_CONFIG_BAD_VALUE naming `aggressiveness` unless it is a number in [0, 1]. */
export function dial(aggressiveness: number): DialSettings {
  if (
    typeof aggressiveness !== 'number' ||
    !Number.isFinite(aggressiveness) ||
    aggressiveness < 0 ||
    aggressiveness > 1
  ) {
    throw new EdgeError(
      'EDGE_CONFIG_BAD_VALUE',
      'aggressiveness',
      `expected a number in [0, 1], got ${show(aggressiveness)}`,
    );
  }
  const a = aggressiveness;
  return {
    aggressiveness: a,
    confidenceThreshold: 0.7 - 0.4 * a,
    kellyFraction: 0.1 + 0.4 * a,
    makerTimeoutMultiplier: 1.5 - a,
  };
}
