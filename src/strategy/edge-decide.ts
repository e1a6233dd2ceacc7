/**
 * One ladder's decision with the classifier in the loop, shared by the runtime (edge.ts) and the
 * virtual-time scenario (edge-scenario.ts):
 *   1. evaluateLadder without a probability: how far the signal gets (its features, its leg);
 *   2. if it stopped only for want of a classifier probability and there is a classifier: the
 *      features (plus the ladder's spread and volume) → P(profitable at settlement) → evaluate again.
 * The evidence for the record carries seed 000's decision columns and the market snapshot.
 */
import type { DecisionEvidence } from '../domain/index.js';
import {
  EDGE_FEATURE_VERSION,
  type EdgeDecision,
  type EvaluateInputs,
  evaluateLadder,
  type ResolvedEdgeConfig,
} from '../edge/index.js';

/** The edge classifier as the strategy sees it (an ONNX model, or a stand-in in the scenario). */
export interface EdgeClassifier {
  /** sha256 of the model. */
  readonly hash: string;
  /** Resolved trades behind it (Kelly's short-record rule). */
  readonly trackRecord: number;
  predict(features: Readonly<Record<string, number>>): Promise<number>;
}

export interface LadderExtras {
  /** Mean bid–ask spread over the ladder's quoted brackets, cents. */
  readonly ladderSpreadCents: number;
  /** Contracts traded over the lookback across the ladder. */
  readonly volumeContracts: number;
}

export interface DecidedLadder {
  readonly decision: EdgeDecision;
  readonly probability?: number;
  readonly features: Readonly<Record<string, number>>;
}

export async function decideLadder(
  inputs: Omit<EvaluateInputs, 'classifierProb' | 'classifierTrackRecord'>,
  cfg: ResolvedEdgeConfig,
  extras: LadderExtras,
  classifier: EdgeClassifier | undefined,
): Promise<DecidedLadder> {
  const withExtras = (d: EdgeDecision) => ({
    ...d.features,
    ladder_spread_cents: extras.ladderSpreadCents,
    volume_contracts: extras.volumeContracts,
  });
  if (!classifier) {
    const decision = evaluateLadder(inputs, cfg);
    return { decision, features: withExtras(decision) };
  }
  // Without a probability and with the classifier required, evaluation stops at gate 7 exactly
  // when the signal got that far.
  const first = evaluateLadder(inputs, { ...cfg, config: { ...cfg.config, require_classifier: true } });
  if (first.reasonCode !== 'no_classifier') return { decision: first, features: withExtras(first) };
  const features = withExtras(first);
  const probability = await classifier.predict(features);
  const decision = evaluateLadder(
    { ...inputs, classifierProb: probability, classifierTrackRecord: classifier.trackRecord },
    cfg,
  );
  return { decision, probability, features: { ...features, ...decision.features } };
}

/** What the decision record keeps: features, the classifier's output, seed 000's columns. */
export function edgeEvidence(
  d: DecidedLadder,
  classifier: EdgeClassifier | undefined,
  marketSnapshot: unknown,
  order?: Readonly<Record<string, unknown>>,
): DecisionEvidence {
  return {
    features: d.features,
    ...(classifier && d.probability !== undefined
      ? { model: { hash: classifier.hash, output: [d.probability], featureVersion: EDGE_FEATURE_VERSION } }
      : {}),
    details: {
      ...d.decision.row,
      recommended_side:
        d.decision.legs.find(
          (l) => l.ticker === d.decision.row.ticker && l.takerPrice === d.features.taker_price,
        )?.side ?? null,
      reason_code: d.decision.reasonCode,
      market_snapshot: marketSnapshot,
      ...(order ? { order } : {}),
    },
  };
}
