/**
 * GET /health (freqtrade-style): the machine state, the last loop time, and each book's age.
 * 200 when healthy; 503 when the trader is in ERROR, its loop has not turned for `loopStaleMs`,
 * or a book of an open market is stale (marked stale by the trader, or no update for
 * `staleBookMs`). A halt is not unhealthy: it is a deliberate state (the body says so).
 */
import type { FastifyInstance } from 'fastify';
import type { LiveState } from './live-state.js';
import { iso, tradingStateOf } from './messages.js';
import type { TraderView } from './view.js';

export interface HealthOptions {
  /** A book of an open market with no update for this long is stale (default 120 s). */
  staleBookMs?: number;
  /** The trader's loop not turning for this long is unhealthy (default 30 s). */
  loopStaleMs?: number;
}

export interface HealthBody {
  status: 'ok' | 'unhealthy';
  problems: string[];
  state: string | null;
  trading_state: string | null;
  last_loop: string | null;
  last_loop_age_s: number | null;
  books: Array<{
    ticker: string;
    status: string;
    phase: string | null;
    age_s: number | null;
    stale: boolean;
  }>;
  checked_at: string;
}

export function health(view: TraderView, live: LiveState, now: number, o: HealthOptions = {}): HealthBody {
  const staleBookMs = o.staleBookMs ?? 120_000;
  const loopStaleMs = o.loopStaleMs ?? 30_000;
  const snap = view.snapshot();
  const state = snap.machine?.state ?? live.history.at(-1)?.state ?? null;
  const problems: string[] = [];
  if (state === null) problems.push('the trader does not report its state');
  else if (state.split('.')[0] === 'ERROR')
    problems.push(`machine in ${state}${snap.machine?.lastError ? `: ${snap.machine.lastError}` : ''}`);
  const loopAge = snap.lastLoopMs === undefined ? null : Math.max(0, now - snap.lastLoopMs);
  if (loopAge !== null && loopAge > loopStaleMs)
    problems.push(`loop has not turned for ${Math.round(loopAge / 1000)} s`);
  const books = live.bookHealth().map((b) => {
    const open = b.phase === undefined || b.phase === 'open';
    const stale = open && (b.status === 'stale' || (b.ageMs !== undefined && b.ageMs > staleBookMs));
    if (stale)
      problems.push(
        `book ${b.ticker} stale (${b.status}, ${b.ageMs === undefined ? 'never updated' : `${Math.round(b.ageMs / 1000)} s old`})`,
      );
    return {
      ticker: b.ticker,
      status: b.status,
      phase: b.phase ?? null,
      age_s: b.ageMs === undefined ? null : Math.round(b.ageMs / 100) / 10,
      stale,
    };
  });
  const m = snap.machine;
  return {
    status: problems.length === 0 ? 'ok' : 'unhealthy',
    problems,
    state,
    trading_state:
      snap.tradingState ??
      (state === null ? null : tradingStateOf(state, Boolean(m?.halt), Boolean(m?.exchangePaused))),
    last_loop: snap.lastLoopMs === undefined ? null : iso(snap.lastLoopMs),
    last_loop_age_s: loopAge === null ? null : Math.round(loopAge / 100) / 10,
    books,
    checked_at: iso(now),
  };
}

export async function healthRoutes(
  app: FastifyInstance,
  options: HealthOptions & { view: TraderView; live: LiveState; clock: () => number },
): Promise<void> {
  app.get('/health', async (_req, reply) => {
    const body = health(options.view, options.live, options.clock(), options);
    return reply
      .code(body.status === 'ok' ? 200 : 503)
      .header('cache-control', 'no-store')
      .send(body);
  });
}
