/**
 * Calibration's reads of the exchange (see calibration.ts): whole lists a page at a time, at the
 * largest page Kalshi documents and lower when it is refused; and the check's tail — the newest
 * page of fills and settlements, read after the balance — with what it shows that the full reads
 * missed.
 */
import type { ExchangeFill, ExchangePosition } from '../domain/index.js';
import {
  fillFromRest,
  KalshiHttpError,
  type Paged,
  positionFromRest,
  settlementFromRest,
} from '../kalshi/index.js';
import type { CalibrationDeps, CalibrationStep } from './calibration.js';

/**
 * Page sizes of calibration's reads: the largest Kalshi documents for these lists (OpenAPI 3.13:
 * 1–1,000; its default, 100, made a 10,000-position account 100 pages a list). Older specs capped
 * orders, fills and settlements at 200, so a list whose first page is refused with HTTP 400 is read
 * again at PAGE_LIMIT_FALLBACK, then at the exchange's default — said in a warning, never silent.
 * `--calibration-page-size` sets a smaller page for the full reads (the check's tail stays at the
 * largest: it must see the newest fills whole to spare the second read of the positions).
 */
export const CALIBRATION_PAGE_LIMITS = {
  positions: 1000,
  orders: 1000,
  fills: 1000,
  settlements: 1000,
} as const;
const PAGE_LIMIT_FALLBACKS = [200, undefined] as const;

/** `first`, then the fallbacks below it. */
function pageLimits(first: number): ReadonlyArray<number | undefined> {
  return [first, ...PAGE_LIMIT_FALLBACKS.filter((l) => l === undefined || l < first)];
}

const refusedPage = (err: unknown): err is KalshiHttpError =>
  err instanceof KalshiHttpError && err.status === 400;

export type Tell = (step: CalibrationStep, items: number) => void;

export type SettlementRead = ReturnType<typeof settlementFromRest>;

/** A list read whole, and how many pages it took. */
export interface Listed<T> {
  readonly items: T[];
  readonly pages: number;
}

/**
 * Runs `attempt` at `first` items a page; while the exchange refuses the page size (HTTP 400)
 * before any item arrived (`attempt` calls `arrived` once one has), asks again at the fallbacks
 * below it, each said through onPageLimitRefused.
 */
async function atPageLimits<R>(
  deps: CalibrationDeps,
  step: CalibrationStep,
  first: number,
  attempt: (limit: number | undefined, arrived: () => void) => Promise<R>,
): Promise<R> {
  const limits = pageLimits(first);
  for (let i = 0; ; i++) {
    let any = false;
    try {
      return await attempt(limits[i], () => {
        any = true;
      });
    } catch (err) {
      if (!refusedPage(err) || any || i + 1 >= limits.length) throw err;
      deps.onPageLimitRefused?.({ step, limit: limits[i] ?? 0, next: limits[i + 1], why: err.message });
    }
  }
}

/**
 * Reads a paginated list at `limit` items a page, a page at a time (one await a page, not one an
 * item), telling the count as each page of items arrives. A first page refused with HTTP 400 (an
 * exchange that caps the page lower) is asked again at the fallbacks.
 */
export function read<T>(
  deps: CalibrationDeps,
  step: CalibrationStep,
  limit: number,
  list: (limit: number | undefined) => Pick<Paged<T>, 'pages'>,
  tell: Tell,
): Promise<Listed<T>> {
  return atPageLimits(deps, step, limit, async (size, arrived) => {
    const out: T[] = [];
    let pages = 0;
    tell(step, 0);
    for await (const page of list(size).pages()) {
      pages += 1;
      if (page.length === 0) continue;
      arrived();
      for (const item of page) out.push(item);
      tell(step, out.length);
    }
    return { items: out, pages };
  });
}

/** The page size of a full read: `deps.pageSize`, else the largest Kalshi documents. */
export function pageSize(deps: CalibrationDeps, list: keyof typeof CALIBRATION_PAGE_LIMITS): number {
  return deps.pageSize ?? CALIBRATION_PAGE_LIMITS[list];
}

export async function readPositions(
  deps: CalibrationDeps,
  step: CalibrationStep,
  tell: Tell,
): Promise<Listed<ExchangePosition>> {
  const list = (limit: number | undefined) => deps.rest.allPositions(limit === undefined ? {} : { limit });
  const listed = await read(deps, step, pageSize(deps, 'positions'), list, tell);
  return { items: listed.items.map(positionFromRest), pages: listed.pages };
}

/**
 * The newest fills and settlements, read after the balance: one page of each (the same `since` as
 * the full reads). What it lists that the full reads did not landed after them, and the balance
 * may already hold it (see `late`). `more` when a list goes on past its page: it was not seen
 * whole, and the second read of the positions is taken instead.
 */
export interface Tail {
  readonly fills: ExchangeFill[];
  readonly settlements: SettlementRead[];
  readonly more: boolean;
}

export async function readTail(deps: CalibrationDeps, since: { min_ts: number }): Promise<Tail> {
  const sized = (limit: number | undefined) => (limit === undefined ? since : { ...since, limit });
  // Each list's first page at the largest size, asked again lower when refused.
  const [fills, settlements] = await Promise.all([
    atPageLimits(deps, 'check', CALIBRATION_PAGE_LIMITS.fills, (l) => deps.rest.allFills(sized(l)).first()),
    atPageLimits(deps, 'check', CALIBRATION_PAGE_LIMITS.settlements, (l) =>
      deps.rest.allSettlements(sized(l)).first(),
    ),
  ]);
  return {
    fills: fills.items.map(fillFromRest),
    settlements: settlements.items.map(settlementFromRest),
    more: fills.more || settlements.more,
  };
}

/**
 * Fills and settlements the tail lists that the full reads did not, and (fills) the socket has
 * not reported either: they landed after those reads, maybe before the balance read. The ledger
 * would be brought to a cash that holds them, and book them again when they are reported: read
 * again instead. (A fill the tracker applied before calibration that the fills read lags behind
 * is read again anyway: the check's positions differ by it.)
 */
export function late(
  tail: Tail | undefined,
  fills: readonly ExchangeFill[],
  settlements: readonly SettlementRead[],
  live: readonly ExchangeFill[],
): string[] {
  if (!tail) return [];
  const seen = new Set([...fills, ...live].map((f) => f.fillId));
  const settled = new Set(settlements.map((x) => `${x.ticker}@${x.settledMs}`));
  return [
    ...tail.fills
      .filter((f) => !seen.has(f.fillId))
      .map(
        (f) => `${f.ticker}: fill ${f.fillId} landed after the fills read, not yet reported by the socket`,
      ),
    ...tail.settlements
      .filter((x) => !settled.has(`${x.ticker}@${x.settledMs}`))
      .map((x) => `${x.ticker}: settled after the settlements read`),
  ].sort();
}

/**
 * Where a calibration's read of fills and settlements starts. The run's first calibration (and any
 * before the positions are anchored) reads the whole run, `runSinceMs`: it places where each
 * market started. A later one reads from when the last successful calibration began, less
 * `overlapMs` (more than the clocks' skew): every fill before that was read by that calibration or
 * reported by the socket since, and what is read again is deduped by trade id. Reading the whole
 * run at every reconnect made a long run's calibrations grow with it (a page per 1,000 fills).
 */
export function fillsReadSince(o: {
  readonly runSinceMs: number;
  readonly lastCalibrationStartedMs: number | undefined;
  readonly overlapMs: number;
}): number {
  if (o.lastCalibrationStartedMs === undefined) return o.runSinceMs;
  return Math.max(o.runSinceMs, o.lastCalibrationStartedMs - o.overlapMs);
}
