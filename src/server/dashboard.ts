/**
 * The dashboard: the built page (web/dist, see web/build.ts) at `/`, and the record endpoints it
 * reads besides the stream:
 *
 *   GET /api/equity?session=&since=   equity curve + drawdown. From the trading record (the
 *       ledger) when the trader exposes it (`view.record`), else the equity sampled in memory since
 *       the server started (`source: "live"`); `state_missing` when neither has a point.
 *   GET /api/reconciliation?session=&since=   the reconciliation log (seed 002 §6) from the record.
 *
 * Money as dollar strings, times ISO-8601, drawdown also in percent ("1.25").
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { formatDollars } from '../kalshi/index.js';
import { drawdownSeries, type EquitySample, maxDrawdown } from '../report/index.js';
import { errorBody } from './errors.js';
import { iso, positionsValue } from './messages.js';
import type { TraderView } from './view.js';

export const DEFAULT_DASHBOARD_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'web', 'dist');
const LIVE_SAMPLE_MS = 5_000;
const LIVE_SAMPLES = 5_000;

const QUERY = {
  type: 'object',
  properties: {
    session: { type: 'string', pattern: '^[0-9a-fA-F-]{8,36}$' },
    since: { type: 'string', format: 'date-time' },
  },
  additionalProperties: false,
} as const;

interface Query {
  session?: string;
  since?: string;
}

export function equityBody(samples: readonly EquitySample[], source: 'record' | 'live' | null) {
  const dd = drawdownSeries(samples);
  const worst = maxDrawdown(dd);
  const pct = (bps: number) => (bps / 100).toFixed(2);
  return {
    source,
    is_empty: samples.length === 0,
    state_missing: source === null,
    points: dd.map((p) => ({
      at: iso(p.at),
      equity: formatDollars(p.equity),
      peak: formatDollars(p.peak),
      drawdown: formatDollars(p.drawdown),
      drawdown_pct: pct(p.drawdownBps),
    })),
    max_drawdown: formatDollars(worst.drawdown),
    max_drawdown_pct: pct(worst.drawdownBps),
  };
}

export async function dashboardRoutes(
  app: FastifyInstance,
  options: { view?: TraderView; dir?: string; clock?: () => number },
): Promise<void> {
  const dir = options.dir ?? DEFAULT_DASHBOARD_DIR;
  const view = options.view;
  if (existsSync(join(dir, 'index.html'))) {
    await app.register(fastifyStatic, {
      root: dir,
      prefix: '/',
      index: ['index.html'],
      wildcard: false,
      cacheControl: false,
    });
  } else {
    app.get('/', async (_req, reply) =>
      reply
        .code(503)
        .send(errorBody('dashboard_not_built', `no dashboard in ${dir}: run \`npm run build:dashboard\``)),
    );
  }
  if (!view) return;

  // Equity sampled in memory: cash + open positions at their marks (at cost without one).
  const live: EquitySample[] = [];
  const clock = options.clock ?? Date.now;
  const sample = () => {
    const snap = view.snapshot();
    const value = positionsValue(snap);
    if (snap.balance === undefined || snap.balance.stale || value === undefined) return;
    live.push({ at: clock(), equity: snap.balance.cash + value });
    if (live.length > LIVE_SAMPLES) live.splice(0, live.length - LIVE_SAMPLES);
  };
  const timer = setInterval(sample, LIVE_SAMPLE_MS);
  timer.unref();
  app.addHook('onClose', async () => clearInterval(timer));

  app.get<{ Querystring: Query }>('/api/equity', { schema: { querystring: QUERY } }, async (req, reply) => {
    const sinceMs = req.query.since ? Date.parse(req.query.since) : undefined;
    reply.header('cache-control', 'no-store');
    if (view.record) {
      const points = await view.record.equity({
        ...(sinceMs !== undefined ? { sinceMs } : {}),
        ...(req.query.session ? { sessionId: req.query.session } : {}),
      });
      if (points.length > 0) return equityBody(points, 'record');
    }
    sample();
    const points = live.filter((p) => sinceMs === undefined || p.at >= sinceMs);
    return equityBody(points, points.length > 0 ? 'live' : null);
  });

  app.get<{ Querystring: Query }>(
    '/api/reconciliation',
    { schema: { querystring: QUERY } },
    async (req, reply) => {
      reply.header('cache-control', 'no-store');
      if (!view.record) return { is_empty: true, state_missing: true, entries: [] };
      const sinceMs = req.query.since ? Date.parse(req.query.since) : undefined;
      const entries = await view.record.reconciliation({
        ...(sinceMs !== undefined ? { sinceMs } : {}),
        ...(req.query.session ? { sessionId: req.query.session } : {}),
      });
      return {
        is_empty: entries.length === 0,
        state_missing: false,
        entries: entries.map((e) => ({
          at: iso(e.at),
          kind: e.kind,
          ticker: e.ticker,
          amount: e.kind === 'balance' ? formatDollars(e.amount) : (e.amount / 100).toFixed(2),
          detail: e.detail,
        })),
      };
    },
  );
}
