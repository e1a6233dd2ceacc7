/**
 * Calibration: reconcile with the exchange before trading (DESIGN §6 rule 1). It runs at start,
 * after every reconnect, and on the operator's `sync`. The startup path is the crash-recovery path.
 *
 *  1. Optional cleanup: cancel every resting order (cancel-all, then batches, then single orders).
 *  2. Read the exchange (paginated, 1,000 a page): positions and resting orders at once, then
 *     fills and settlements since `fillsSinceMs`, then the balance — a fill the positions show
 *     is always in the fills read. Then the check, for what landed while it read: an account whose
 *     positions fit in one page reads them again with the balance; a bigger one reads the newest
 *     page of fills and settlements after the balance (anything there the full reads missed and
 *     the socket has not reported means read again: the balance may hold it), and its positions
 *     again only when that page is not the whole list or a fill cannot be placed by the first
 *     read's times (a market it does not list, lists without a time, or a whole-second time).
 *  3. Take its view: orders by client_order_id / order id into the OrderService (resolving Unknowns
 *     and submissions it never heard back about, settling orders we hold as resting that the
 *     exchange no longer lists; orders that are not ours are adopted and flagged); fills and
 *     settlements go over the bus like live ones (everyone dedupes by trade id, and the recorder
 *     enters what it missed).
 *  4. Positions. At a run's first calibration (`adoptPositions`) the exchange's positions are
 *     the baseline (what happened before this run). Until then the PositionTracker holds every
 *     fill (the crashed run's read back, and those landing while we read: its resting orders are
 *     still on the book), because a fill booked from the wrong position is booked at the wrong
 *     cash. Where each market started is the exchange's position less the fills that read
 *     reflects (those created by its `updatedMs`; see replayStartPositions); when the positions are
 *     read twice, both reads must agree on it, or a fill we had not seen landed between them and
 *     both are read again. Then the held fills are applied from there, oldest first, each once. At every later
 *     calibration our positions follow from that baseline and every fill since, so a position
 *     that still differs from the exchange's read (carried forward by the fills we applied that
 *     the read does not reflect: rollForward) is not explained by any fill: calibration runs
 *     again, up to `attempts` times, then fails with a reason that names the markets and the
 *     amounts — the trader does not reach READY (the machine goes to ERROR and retries after its
 *     backoff).
 *  5. Balance: the ledger (after the fills and settlements just booked) against the exchange's
 *     cash. Within `maxBalanceDrift` the difference is booked as one reconciliation entry, as
 *     always. Beyond it, after the same retries, it is still booked (the ledger follows the
 *     exchange) but flagged: 'balance.driftDetected', which trips the breaker ('balance_drift'),
 *     so calibration ends in HALTED until an operator looks and resumes.
 *
 * A large account's reads take many pages: `onProgress` hears each step start and every page read
 * (the `start` command's bar).
 */
import type { EventBus } from '../bus.js';
import type {
  ExchangeBalance,
  ExchangeFill,
  ExchangeOrder,
  ExchangePosition,
  Micros,
} from '../domain/index.js';
import {
  balanceFromRest,
  fillFromRest,
  formatCount,
  formatDollars,
  type KalshiRestClient,
  orderFromRest,
  settlementFromRest,
} from '../kalshi/index.js';
import {
  type OrderService,
  type PositionDrift,
  type PositionTracker,
  replayStartPositions,
  rollForward,
  unplaced,
} from '../services/index.js';
import { late, pageSize, read, readPositions, readTail, type Tail, type Tell } from './calibration-reads.js';

export { CALIBRATION_PAGE_LIMITS, fillsReadSince } from './calibration-reads.js';

export interface CalibrationDeps {
  rest: Pick<KalshiRestClient, 'allPositions' | 'allOrders' | 'allFills' | 'allSettlements' | 'getBalance'>;
  orders: Pick<OrderService, 'reconcile' | 'resolveUnknowns' | 'cancelAll' | 'settleMissing'>;
  positions: Pick<
    PositionTracker,
    'reconcile' | 'positions' | 'unapplied' | 'anchor' | 'hasFill' | 'anchored'
  >;
  bus: EventBus;
  clock: () => number;
  cleanup: boolean;
  /** Fills at or after this time are read back (the session's start). */
  fillsSinceMs: number;
  attempts?: number;
  /** Adopt the exchange's positions as the baseline (a run's first calibration). Default true. */
  adoptPositions?: boolean;
  /** What the ledger says our cash is now (undefined before it has a balance). */
  ledgerBalance?: () => Micros | undefined;
  /** A ledger/exchange cash difference above this is flagged (default: never). */
  maxBalanceDrift?: Micros;
  /** Items a page in the full reads (default CALIBRATION_PAGE_LIMITS: the largest Kalshi documents). */
  pageSize?: number;
  /** Told as each read starts and as its items arrive, then once with step 'done'. */
  onProgress?: (p: CalibrationProgress) => void;
  /** A list's first page was refused at `limit` (HTTP 400) and is read again at `next`. */
  onPageLimitRefused?: (e: {
    step: CalibrationStep;
    limit: number;
    next: number | undefined;
    why: string;
  }) => void;
}

/** What one calibration attempt reads (positions ∥ orders, fills ∥ settlements, balance, check). */
export const CALIBRATION_STEPS = ['positions', 'orders', 'fills', 'settlements', 'balance', 'check'] as const;
export type CalibrationStep = (typeof CALIBRATION_STEPS)[number];

export interface CalibrationProgress {
  readonly attempt: number;
  readonly step: CalibrationStep | 'done';
  /** Steps finished, of `steps` (CALIBRATION_STEPS.length). */
  readonly stepsDone: number;
  readonly steps: number;
  /** Items read so far in this step (positions, orders, fills, settlements). */
  readonly items: number;
}

export interface CalibrationSummary {
  positions: number;
  restingOrders: number;
  fills: number;
  canceled: number;
  drifts: number;
  adoptedOrders: number;
  attempts: number;
  durationMs: number;
  /** Exchange cash − ledger before the reconciliation entry (micros; 0 when they agreed). */
  balanceDifference: Micros;
  /** The difference was beyond maxBalanceDrift: flagged ('balance.driftDetected'). */
  balanceFlagged: boolean;
  /** How the last attempt checked what landed while it read (see the module's step 2). */
  check: {
    /** Reads of the positions: 1, or 2 with the second read. */
    positionReads: number;
    /** The newest page of fills and settlements was read after the balance (a big account). */
    tail: boolean;
  };
}

export class CalibrationError extends Error {
  readonly code = 'CALIBRATION_INVARIANT_FAILED';
}

function mismatches(local: Map<string, number>, exchange: ExchangePosition[]): string[] {
  const remote = new Map(exchange.map((p) => [p.ticker, p.position]));
  const tickers = new Set([...local.keys(), ...remote.keys()]);
  const out: string[] = [];
  for (const t of [...tickers].sort()) {
    const l = local.get(t) ?? 0;
    const r = remote.get(t) ?? 0;
    if (l !== r)
      out.push(
        `${t}: ours ${formatCount(l)} ≠ exchange ${formatCount(r)} (${formatCount(r - l)} unexplained)`,
      );
  }
  return out;
}

/** Markets where two reads of the positions place the run's start differently. */
function startsDiffer(a: ReadonlyMap<string, number>, b: ReadonlyMap<string, number>): string[] {
  const out: string[] = [];
  for (const t of [...new Set([...a.keys(), ...b.keys()])].sort()) {
    const x = a.get(t);
    const y = b.get(t);
    if (x !== y) {
      const show = (v: number | undefined) => (v === undefined ? 'unknown' : formatCount(v));
      out.push(`${t}: the run starts at ${show(x)} by one read of the positions, ${show(y)} by the next`);
    }
  }
  return out;
}

const ambiguousFill = (t: string) =>
  `${t}: a fill in the same second as the position's last update (the read cannot place it)`;

function ambiguous(...reads: { readonly ambiguous: readonly string[] }[]): string[] {
  return [...new Set(reads.flatMap((r) => r.ambiguous))].sort().map(ambiguousFill);
}

/** Exchange cash − ledger, or 0 when the ledger has no balance yet (its opening entry). */
function balanceDifference(deps: CalibrationDeps, balance: ExchangeBalance): Micros {
  const ledger = deps.ledgerBalance?.();
  return ledger === undefined ? 0 : balance.cash - ledger;
}

function beyondDrift(deps: CalibrationDeps, difference: Micros): boolean {
  return deps.maxBalanceDrift !== undefined && Math.abs(difference) > deps.maxBalanceDrift;
}

export async function calibrate(deps: CalibrationDeps): Promise<CalibrationSummary> {
  const started = deps.clock();
  const maxAttempts = deps.attempts ?? 3;
  const adoptPositions = deps.adoptPositions ?? true;
  let canceled = 0;
  if (deps.cleanup) canceled = (await deps.orders.cancelAll()).canceled;

  // Fills the socket reports while we read: the positions read may not reflect them yet.
  const live: ExchangeFill[] = [];
  const onLive = (f: ExchangeFill) => void live.push(f);
  deps.bus.on('exchange.fillReported', onLive);
  try {
    return await attempts(deps, { started, maxAttempts, adoptPositions, canceled, live });
  } finally {
    deps.bus.off('exchange.fillReported', onLive);
  }
}

async function attempts(
  deps: CalibrationDeps,
  run: {
    started: number;
    maxAttempts: number;
    adoptPositions: boolean;
    canceled: number;
    live: readonly ExchangeFill[];
  },
): Promise<CalibrationSummary> {
  const { started, maxAttempts, adoptPositions, canceled, live } = run;
  let problems: string[] = [];
  // (A tracker that holds its fills is anchored by any calibration: they must not wait for ever.)
  let toAnchor = adoptPositions || !deps.positions.anchored;
  const steps = CALIBRATION_STEPS.length;
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    // Positions and resting orders are read at once: for a big account they are the long lists.
    // Fills and settlements are read only after the positions, and the balance after them: a fill
    // reflected in the positions read must be in the fills read (or the first calibration would
    // place the run's start without it). What lands between the reads is what the check catches
    // (below).
    const finished = new Set<CalibrationStep>();
    const tell: Tell = (step, items) =>
      deps.onProgress?.({ attempt, step, stepsDone: finished.size, steps, items });
    const done = <T>(step: CalibrationStep, value: T): T => {
      finished.add(step);
      return value;
    };
    const since = { min_ts: Math.floor(deps.fillsSinceMs / 1000) };
    const sized = (limit: number | undefined) => (limit === undefined ? {} : { limit });
    const [positionsRead, resting] = await Promise.all([
      readPositions(deps, 'positions', tell).then((v) => done('positions', v)),
      read(
        deps,
        'orders',
        pageSize(deps, 'orders'),
        (limit) => deps.rest.allOrders({ status: 'resting', ...sized(limit) }),
        tell,
      ).then((v): ExchangeOrder[] => done('orders', v.items.map(orderFromRest))),
    ]);
    const positions = positionsRead.items;
    const [fills, settlements] = await Promise.all([
      read(
        deps,
        'fills',
        pageSize(deps, 'fills'),
        (limit) => deps.rest.allFills({ ...since, ...sized(limit) }),
        tell,
      ).then((v): ExchangeFill[] => done('fills', v.items.map(fillFromRest))),
      read(
        deps,
        'settlements',
        pageSize(deps, 'settlements'),
        (limit) => deps.rest.allSettlements({ ...since, ...sized(limit) }),
        tell,
      ).then((v) => done('settlements', v.items.map(settlementFromRest))),
    ]);
    const settledTickers = new Set(settlements.map((x) => x.ticker));
    // Every fill we know of now: the ones read, and the ones the socket reported meanwhile.
    const known = () => [...fills, ...live];

    // The invariant's check, after the fills read and before anything is booked (a big account's
    // record writes would otherwise delay it). A one-page account reads its positions again with
    // the balance: what landed between the reads shows as a start the two reads disagree on. A
    // bigger account's second read would be as many pages again: it reads the balance, then the
    // tail of the fills and settlements (one page each), and reads the positions again only when
    // the tail was not seen whole or a fill cannot be placed by the first read's times.
    tell('balance', 0);
    let balance: ExchangeBalance;
    let checkRead: ExchangePosition[];
    let tail: Tail | undefined;
    if (positionsRead.pages <= 1) {
      const both = await Promise.all([
        deps.rest.getBalance().then((b) => done('balance', balanceFromRest(b))),
        readPositions(deps, 'check', tell).then((v) => done('check', v.items)),
      ]);
      [balance, checkRead] = both;
    } else {
      balance = done('balance', balanceFromRest(await deps.rest.getBalance()));
      tell('check', 0);
      tail = await readTail(deps, since);
      // (Before the anchor, the fills the tracker holds count too: they are replayed from the start.)
      const placing = toAnchor ? [...known(), ...deps.positions.unapplied(fills)] : known();
      const guessed = unplaced(positions, placing, settledTickers);
      checkRead =
        tail.more || guessed.length > 0 ? (await readPositions(deps, 'check', tell)).items : positions;
      done('check', undefined);
    }

    const seen = deps.orders.reconcile(resting, []);
    const applied = (id: string) => deps.positions.hasFill(id);
    let drifts: PositionDrift[] = [];
    const anchoring = toAnchor;
    if (toAnchor) {
      // A run's first calibration places where each market started (see replayStartPositions).
      // Two reads of the positions must agree on it, or a fill we have not seen landed between
      // them: read again. Nothing is booked until they agree.
      const unapplied = deps.positions.unapplied(fills);
      const first = replayStartPositions(positions, unapplied, settlements);
      const second =
        checkRead === positions ? first : replayStartPositions(checkRead, unapplied, settlements);
      problems = [...startsDiffer(first.starts, second.starts), ...ambiguous(first, second)];
      if (problems.length > 0) continue;
      deps.positions.anchor(second.starts, checkRead, unapplied);
      toAnchor = false;
    }
    // Fills go over the bus like live ones: the OrderService, the PositionTracker and the recorder
    // each dedupe them by trade id, so the ones we already had change nothing.
    for (const fill of [...fills].sort((a, b) => a.createdMs - b.createdMs))
      deps.bus.emit('exchange.fillReported', fill);
    for (const x of settlements) deps.bus.emit('exchange.settlementReported', x);
    await deps.orders.resolveUnknowns();
    await deps.orders.settleMissing(resting);
    let rolled: ReturnType<typeof rollForward> | undefined;
    if (!anchoring) {
      rolled = rollForward(positions, known(), applied, settledTickers);
      drifts = deps.positions.reconcile(rolled.positions, { adopt: false });
    }

    const local = new Map(deps.positions.positions().map((p) => [p.ticker, p.position]));
    // (A big account with one read of the positions checks against that same read, rolled above.)
    const check =
      rolled !== undefined && checkRead === positions
        ? rolled
        : rollForward(checkRead, known(), applied, settledTickers);
    problems = [
      ...mismatches(local, check.positions),
      ...check.ambiguous.map(ambiguousFill),
      ...late(tail, fills, settlements, live),
    ];
    const difference = balanceDifference(deps, balance);
    const flagged = beyondDrift(deps, difference);
    if (problems.length > 0 || (flagged && attempt < maxAttempts)) continue;

    if (flagged) {
      deps.bus.emit('balance.driftDetected', {
        exchange: balance.cash,
        ledger: balance.cash - difference,
        difference,
        threshold: deps.maxBalanceDrift ?? 0,
        at: deps.clock(),
      });
    }
    // The ledger is brought to the exchange's cash (one reconciliation entry if they differ).
    deps.bus.emit('exchange.balanceReported', { ...balance, at: deps.clock(), reconcile: true });
    deps.onProgress?.({ attempt, step: 'done', stepsDone: steps, steps, items: 0 });
    return {
      positions: positions.filter((p) => p.position !== 0).length,
      restingOrders: resting.length,
      fills: fills.length,
      canceled,
      drifts: drifts.length,
      adoptedOrders: seen.adopted,
      attempts: attempt,
      durationMs: deps.clock() - started,
      balanceDifference: difference,
      balanceFlagged: flagged,
      check: { positionReads: checkRead === positions ? 1 : 2, tail: tail !== undefined },
    };
  }
  throw new CalibrationError(
    `positions differ from what our fills imply after ${maxAttempts} calibration attempts: ${problems.join('; ')}`,
  );
}

/** "ledger $10.00, exchange $22.50 (+$12.50; limit $1.00)" for the breaker's detail. */
export function describeBalanceDrift(d: {
  exchange: Micros;
  ledger: Micros;
  difference: Micros;
  threshold: Micros;
}): string {
  const money = (m: Micros) => `${m < 0 ? '-' : ''}$${formatDollars(Math.abs(m))}`;
  const by = `${d.difference > 0 ? '+' : '-'}$${formatDollars(Math.abs(d.difference))}`;
  return `the exchange's cash ${money(d.exchange)} differs from the ledger's ${money(d.ledger)} by ${by} (limit ${money(d.threshold)}); booked as a reconciliation entry`;
}
