/**
 * The forecast's view of a ladder: a distribution of the day's high → a probability per bracket →
 * the forecast-implied temperature.
 *
 * MODEL. The continuous high X ~ Normal(μ, σ), μ = the forecast high (°F). The settled value is
 * the whole degree X rounds to (the climate report's integer °F), so a bracket paying lo..hi has
 *   P = Φ((hi + ½ − μ)/σ) − Φ((lo − ½ − μ)/σ)        (lo = −∞ / hi = +∞ for the tails).
 * Computed from the cumulative values at the ladder's boundaries, so the probabilities telescope
 * to exactly 1 and every cumulative probability falls as μ rises.
 *
 * SPREAD. σ = clamp(√(s² + (σ₀ + σ_day × L)²), σ_min, σ_max), where s is the forecast's own
 * spread estimate (°F, 0 if none), L the lead time in days from the forecast's issue to the end
 * of the measured day, σ₀ the error of a forecast issued at the end of the day and σ_day its
 * growth per day of lead. Defaults (DEFAULT_FORECAST_MODEL): σ₀ = 1.5°F, σ_day = 1.0°F/day,
 * σ_min = 0.5°F, σ_max = 12°F — a day-ahead forecast gets σ ≈ 2.5–3.3°F, in line with NWS
 * max-temperature errors (mean absolute error ≈ 2–2.5°F a day out). Tune them from the archive.
 *
 * IMPLIED TEMPERATURE. Σ pᵢ × repᵢ over the ladder's representative temperatures (ladder.ts) —
 * the same average market-implied.ts takes over the prices, so the two are comparable and equal
 * when prices equal the model's probabilities. It lies within the ladder's representative range
 * (the distribution's mean "clipped" to what the ladder can express).
 */
import { EdgeError, requireFinite } from './errors.js';
import { type Ladder, representativeTemps } from './ladder.js';
import { normalCdf } from './normal.js';

export interface ForecastModelParams {
  /** σ₀: error of a forecast issued at the end of the measured day, °F. */
  readonly sigmaBaseF: number;
  /** σ_day: growth of the error per day of lead time, °F. */
  readonly sigmaPerDayF: number;
  readonly sigmaMinF: number;
  readonly sigmaMaxF: number;
}

export const DEFAULT_FORECAST_MODEL: ForecastModelParams = Object.freeze({
  sigmaBaseF: 1.5,
  sigmaPerDayF: 1.0,
  sigmaMinF: 0.5,
  sigmaMaxF: 12,
});

const DAY_MS = 86_400_000;

/** Lead time in days from the forecast's issue to the end of the measured day (never negative). */
export function leadDays(issuedMs: number, dayEndMs: number): number {
  requireFinite('issuedMs', issuedMs);
  requireFinite('dayEndMs', dayEndMs);
  return Math.max(0, (dayEndMs - issuedMs) / DAY_MS);
}

/** σ of the high's distribution: see SPREAD in the header. */
export function forecastSigma(
  spreadF: number | undefined,
  lead: number,
  params: ForecastModelParams = DEFAULT_FORECAST_MODEL,
): number {
  const s = requireFinite('spreadF', spreadF ?? 0, 0);
  const L = requireFinite('leadDays', lead, 0);
  const base = params.sigmaBaseF + params.sigmaPerDayF * L;
  const sigma = Math.sqrt(s * s + base * base);
  return Math.min(params.sigmaMaxF, Math.max(params.sigmaMinF, sigma));
}

/** P(settled high pays bracket i) for each bracket of the ladder, under Normal(meanF, sigmaF). */
export function bracketProbabilities(ladder: Ladder, meanF: number, sigmaF: number): number[] {
  requireFinite('meanF', meanF);
  requireFinite('sigmaF', sigmaF, Number.MIN_VALUE);
  const n = ladder.brackets.length;
  // cum[i] = P(settled ≤ hi of bracket i) for i < n − 1.
  const cum: number[] = [];
  for (let i = 0; i < n - 1; i++) {
    const hi = (ladder.brackets[i] as { hi: number }).hi;
    cum.push(normalCdf((hi + 0.5 - meanF) / sigmaF));
  }
  const probs: number[] = [];
  let prev = 0;
  for (let i = 0; i < n; i++) {
    const c = i < n - 1 ? (cum[i] as number) : 1;
    probs.push(Math.max(0, c - prev));
    prev = Math.max(prev, c);
  }
  return probs;
}

/** Σ pᵢ × repᵢ: the temperature a probability vector over the ladder implies. */
export function impliedTemperature(probabilities: readonly number[], reps: readonly number[]): number {
  if (probabilities.length !== reps.length) {
    throw new EdgeError(
      'EDGE_BAD_INPUT',
      'probabilities',
      `expected ${reps.length} probabilities (one per bracket), got ${probabilities.length}`,
    );
  }
  let mass = 0;
  let sum = 0;
  probabilities.forEach((p, i) => {
    mass += p;
    sum += p * (reps[i] as number);
  });
  if (!(mass > 0)) throw new EdgeError('EDGE_BAD_INPUT', 'probabilities', 'they sum to zero');
  return sum / mass;
}

export interface ForecastImplied {
  /** μ, the forecast high (°F). */
  readonly meanF: number;
  readonly sigmaF: number;
  /** One per bracket, ascending like the ladder; they sum to 1. */
  readonly probabilities: readonly number[];
  /** Σ pᵢ × repᵢ (°F): the value compared with the market-implied temperature. */
  readonly impliedTempF: number;
}

export function forecastImplied(
  ladder: Ladder,
  meanF: number,
  sigmaF: number,
  tailWidth?: number,
): ForecastImplied {
  const probabilities = bracketProbabilities(ladder, meanF, sigmaF);
  const reps = representativeTemps(ladder, tailWidth);
  return { meanF, sigmaF, probabilities, impliedTempF: impliedTemperature(probabilities, reps) };
}
