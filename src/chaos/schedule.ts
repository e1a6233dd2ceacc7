/**
 * The chaos suite's fault schedule: a pure function of (seed, duration). Each entry is one fault
 * the runner injects at `atMs` after the trader first reached READY; faults with a duration
 * (latency, an exchange pause, an operator halt) are undone `holdMs` later. Kill -9 of the
 * trader is one of the faults, so a long run restarts it many times on the same data folder.
 *
 * Every fault kind is drawn at least once when the run is long enough (the first pass walks the
 * kinds in a seeded order; later passes draw at random), so a short CI run still covers the list.
 */

export const FAULT_KINDS = [
  'ws_drop',
  'ws_refuse_upgrades',
  'seq_skip',
  'duplicate_deltas',
  'reorder_deltas',
  'drop_fill_frames',
  'withhold_private',
  'http_429_burst',
  'order_5xx_after_processing',
  'calibration_503',
  'latency_spike',
  'exchange_pause',
  'cancel_race',
  'market_settles',
  'corrupt_book',
  'operator_halt',
  'kill9',
] as const;

export type FaultKind = (typeof FAULT_KINDS)[number];

export interface ScheduledFault {
  readonly kind: FaultKind;
  /** Milliseconds after the run's start (the trader's first READY). */
  readonly atMs: number;
  /** For faults that last: how long before they are lifted. */
  readonly holdMs: number;
  /** A per-fault random draw (which market, how many), reproducible from the seed. */
  readonly pick: number;
}

/** mulberry32: a small seeded generator; floats in [0, 1). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** How long each kind holds before it is lifted (0 = a one-shot). */
const HOLD_MS: Readonly<Record<FaultKind, readonly [number, number]>> = {
  ws_drop: [0, 0],
  ws_refuse_upgrades: [0, 0],
  seq_skip: [0, 0],
  duplicate_deltas: [0, 0],
  reorder_deltas: [0, 0],
  drop_fill_frames: [0, 0],
  withhold_private: [0, 0],
  http_429_burst: [0, 0],
  order_5xx_after_processing: [0, 0],
  calibration_503: [0, 0],
  latency_spike: [1500, 4000],
  exchange_pause: [1500, 4000],
  cancel_race: [0, 0],
  market_settles: [0, 0],
  corrupt_book: [0, 0],
  operator_halt: [1500, 4000],
  kill9: [0, 0],
};

export interface ScheduleOptions {
  seed: number;
  /** The run's length of fault injection. */
  durationMs: number;
  /** Quiet time between one fault's recovery and the next fault, drawn in [min, max]. */
  gapMs?: readonly [number, number];
  /** Leave these kinds out (e.g. a run without kill -9). */
  exclude?: readonly FaultKind[];
  /** Only the first pass: every kind exactly once (the short form in CI), whatever the duration. */
  onePass?: boolean;
}

/**
 * The planned faults, in time order. `atMs` is a plan: the runner waits for the trader to recover
 * from one fault before it injects the next, so the real times drift later.
 */
export function faultSchedule(options: ScheduleOptions): ScheduledFault[] {
  const random = seededRandom(options.seed);
  const [gapMin, gapMax] = options.gapMs ?? [1500, 4000];
  const kinds = FAULT_KINDS.filter((k) => !(options.exclude ?? []).includes(k));
  if (kinds.length === 0) return [];
  const between = (lo: number, hi: number) => Math.round(lo + random() * (hi - lo));
  // First pass: every kind once, in a seeded order (Fisher–Yates).
  const firstPass = [...kinds];
  for (let i = firstPass.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [firstPass[i], firstPass[j]] = [firstPass[j] as FaultKind, firstPass[i] as FaultKind];
  }
  const out: ScheduledFault[] = [];
  let at = between(gapMin, gapMax);
  while (options.onePass ? out.length < firstPass.length : at < options.durationMs) {
    const kind =
      out.length < firstPass.length
        ? (firstPass[out.length] as FaultKind)
        : (kinds[Math.floor(random() * kinds.length)] as FaultKind);
    const [holdLo, holdHi] = HOLD_MS[kind];
    const holdMs = between(holdLo, holdHi);
    out.push({ kind, atMs: at, holdMs, pick: random() });
    at += holdMs + between(gapMin, gapMax);
  }
  return out;
}
