/**
 * The record's read commands (`traderv3 sessions`, `traderv3 report`, `traderv3 report --strategy
 * edge`) as data: one function that a
 * CLI with its own database connection and a running trader (through its control API, when it
 * holds the embedded database) both call, so the answer is the same either way.
 */
import { isAbsolute } from 'node:path';
import { createRepositories, type Database } from '../persistence/index.js';
import { writeHtmlReport } from './html-file.js';

export type RecordQuery =
  | { readonly what: 'sessions'; readonly limit: number }
  | {
      readonly what: 'report';
      readonly limit: number;
      /** A session id or a unique prefix of one. */
      readonly session?: string;
      /** Write the HTML report to this absolute path instead. */
      readonly html?: string;
      readonly from?: string;
      readonly to?: string;
    }
  | {
      /** The edge trader by city and event date (report-edge.ts). */
      readonly what: 'edge';
      /** A session id or a unique prefix of one. */
      readonly session?: string;
    };

type Repos = ReturnType<typeof createRepositories>;

export type SessionsAnswer = { sessions: Awaited<ReturnType<Repos['sessions']['list']>> };
export type ReportAnswer =
  | { html: { file: string; fills: number; points: number } }
  | {
      pnl: Awaited<ReturnType<Repos['reports']['pnlBySession']>>;
      decisions: Awaited<ReturnType<Repos['reports']['decisionCountsByReason']>>;
      fills: Awaited<ReturnType<Repos['reports']['recentFills']>>;
    };
export type EdgeAnswer = { edge: Awaited<ReturnType<Repos['edge']['report']>> };

/** A query from outside (a control body): checked field by field, each problem named. */
export function parseRecordQuery(body: unknown): RecordQuery {
  const b = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  const limit = b.limit ?? 50;
  if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1 || limit > 100_000)
    throw new RangeError(`limit: ${JSON.stringify(limit)} is not a whole number from 1 to 100000`);
  if (b.what === 'sessions') return { what: 'sessions', limit };
  if (b.what !== 'report' && b.what !== 'edge')
    throw new RangeError(`what: ${JSON.stringify(b.what)} is not "sessions", "report" or "edge"`);
  const text = (name: string): string | undefined => {
    const v = b[name];
    if (v === undefined) return undefined;
    if (typeof v !== 'string' || v === '')
      throw new RangeError(`${name}: ${JSON.stringify(v)} is not a text`);
    return v;
  };
  if (b.what === 'edge') {
    const session = text('session');
    return { what: 'edge', ...(session === undefined ? {} : { session }) };
  }
  const html = text('html');
  if (html !== undefined && !isAbsolute(html)) throw new RangeError(`html: ${html} is not an absolute path`);
  const session = text('session');
  const from = text('from');
  const to = text('to');
  return {
    what: 'report',
    limit,
    ...(session === undefined ? {} : { session }),
    ...(html === undefined ? {} : { html }),
    ...(from === undefined ? {} : { from }),
    ...(to === undefined ? {} : { to }),
  };
}

/** A full session id from an id or a unique prefix. */
async function sessionIdOf(repos: Repos, prefix: string): Promise<string> {
  if (prefix.length >= 36) return prefix;
  const match = (await repos.sessions.list({ limit: 1000 })).filter((s) => s.id.startsWith(prefix));
  if (match.length !== 1) {
    throw new Error(
      match.length === 0
        ? `--session ${prefix}: no recorded session starts with it`
        : `--session ${prefix}: matches ${match.length} sessions; give more of the id`,
    );
  }
  return match[0]!.id;
}

export async function runRecordQuery(
  db: Database,
  q: RecordQuery,
): Promise<SessionsAnswer | ReportAnswer | EdgeAnswer> {
  const repos = createRepositories(db);
  if (q.what === 'sessions') return { sessions: await repos.sessions.list({ limit: q.limit }) };
  const sessionId = q.session === undefined ? undefined : await sessionIdOf(repos, q.session);
  if (q.what === 'edge') return { edge: await repos.edge.report(sessionId) };
  if (q.html !== undefined) {
    return {
      html: await writeHtmlReport(db, {
        html: q.html,
        ...(sessionId ? { sessionId } : {}),
        ...(q.from ? { from: q.from } : {}),
        ...(q.to ? { to: q.to } : {}),
      }),
    };
  }
  const scope = sessionId ? { sessionId } : {};
  return {
    pnl: await repos.reports.pnlBySession({ ...scope, limit: q.limit }),
    decisions: await repos.reports.decisionCountsByReason(scope),
    fills: await repos.reports.recentFills({ ...scope, limit: Math.min(q.limit, 20) }),
  };
}
