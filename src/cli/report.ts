/**
 * `traderv3 sessions`, `traderv3 report` and `report --strategy edge`: read the trading record
 * (Postgres with DATABASE_URL, otherwise PGlite in the data folder). Readable tables on a terminal;
 * `--json` (or a non-terminal stdout) prints one JSON document. The embedded database has one owner: while a trader runs on
 * the data folder, the question goes to it (its control API's `/record`) and it answers from its
 * own connection; the answer is the same (src/report/queries.ts).
 */

import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { formatCount, formatDollars } from '../kalshi/index.js';
import { migrate, openDatabase } from '../persistence/index.js';
import {
  type EdgeAnswer,
  type RecordQuery,
  type ReportAnswer,
  runRecordQuery,
  type SessionsAnswer,
} from '../report/index.js';
// The client's own files, not the server's index: a report does not load fastify.
import { callControl } from '../server/control-client.js';
import { ControlClientError } from '../server/control-client-error.js';
import { controlFilePath } from '../server/control-file.js';
import { dataDirOption, guarded, integerIn, subcommand } from './options.js';
import { printEdgeReport } from './report-edge.js';

interface ReadOptions {
  dataDir: string;
  json?: boolean;
  limit: number;
  session?: string;
  /** `report --html FILE [--from ISO] [--to ISO]`: the self-contained HTML report. */
  html?: string;
  from?: string;
  to?: string;
}

interface Io {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  tty: boolean;
}

const processIo: Io = {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  tty: process.stdout.isTTY === true,
};

/** A plain aligned text table. */
export function table(headers: string[], rows: Array<Array<string | number>>): string {
  const cells = [headers, ...rows.map((r) => r.map(String))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)))
      .join('  ')
      .trimEnd();
  return `${[line(headers), line(widths.map((w) => '-'.repeat(w))), ...cells.slice(1).map(line)].join('\n')}\n`;
}

/** Asks the trader running on the data folder, or opens the record itself when none runs. */
async function query(dataDir: string, env: NodeJS.ProcessEnv, q: RecordQuery): Promise<unknown> {
  const url = env.DATABASE_URL?.trim() || undefined;
  if (url === undefined && existsSync(controlFilePath(dataDir))) {
    try {
      return await callControl(dataDir, 'record', { body: q, timeoutMs: 120_000 });
    } catch (err) {
      // A control file left by a trader that is gone: the database is free, read it directly.
      if (!(err instanceof ControlClientError && err.code === 'CONTROL_UNREACHABLE')) throw err;
    }
  }
  const database = await openDatabase({ url, dataDir });
  try {
    await migrate(database);
    return await runRecordQuery(database, q);
  } finally {
    await database.close();
  }
}

/** Times arrive as Date from the database and as ISO text through a running trader. */
const iso = (d: Date | string | null) =>
  d === null ? '—' : (typeof d === 'string' ? new Date(d) : d).toISOString().replace('.000Z', 'Z');
export async function runSessions(
  o: ReadOptions,
  env: NodeJS.ProcessEnv = process.env,
  io: Io = processIo,
): Promise<number> {
  const { sessions: rows } = (await query(o.dataDir, env, {
    what: 'sessions',
    limit: o.limit,
  })) as SessionsAnswer;
  if (o.json || !io.tty) {
    io.stdout(`${JSON.stringify({ sessions: rows })}\n`);
    return 0;
  }
  if (rows.length === 0) {
    io.stdout('no sessions recorded yet\n');
    return 0;
  }
  io.stdout(
    table(
      ['session', 'env', 'status', 'started', 'ended', 'decisions', 'orders', 'fills', 'deltas', 'gap'],
      rows.map((s) => [
        s.id.slice(0, 8),
        s.environment,
        s.status,
        iso(s.startedAt),
        iso(s.endedAt),
        s.decisions,
        s.orders,
        s.fills,
        s.deltas,
        s.dataGap ? `yes (${s.shedRows} shed)` : 'no',
      ]),
    ),
  );
  return 0;
}

/** `report --strategy edge`: the edge trader by city and event date (report-edge.ts). */
export async function runEdgeReport(
  o: Pick<ReadOptions, 'dataDir' | 'json' | 'session'>,
  env: NodeJS.ProcessEnv = process.env,
  io: Io = processIo,
): Promise<number> {
  const q: RecordQuery = { what: 'edge', ...(o.session === undefined ? {} : { session: o.session }) };
  return printEdgeReport((await query(o.dataDir, env, q)) as EdgeAnswer, o, io);
}

export async function runReport(
  o: ReadOptions,
  env: NodeJS.ProcessEnv = process.env,
  io: Io = processIo,
): Promise<number> {
  const data = (await query(o.dataDir, env, {
    what: 'report',
    limit: o.limit,
    ...(o.session === undefined ? {} : { session: o.session }),
    ...(o.html === undefined ? {} : { html: resolve(o.html) }),
    ...(o.from === undefined ? {} : { from: o.from }),
    ...(o.to === undefined ? {} : { to: o.to }),
  })) as ReportAnswer;
  if ('html' in data) {
    io.stdout(`${JSON.stringify({ report: data.html })}\n`);
    return 0;
  }
  if (o.json || !io.tty) {
    io.stdout(`${JSON.stringify(data)}\n`);
    return 0;
  }
  io.stdout('P&L BY SESSION\n');
  io.stdout(
    table(
      [
        'session',
        'env',
        'status',
        'fills',
        'contracts',
        'fees',
        'realized',
        'open basis',
        'ledger net',
        'balance',
      ],
      data.pnl.map((r) => [
        r.sessionId.slice(0, 8),
        r.environment,
        r.status,
        r.fills,
        formatCount(r.contracts),
        formatDollars(r.fillFees),
        formatDollars(r.realizedPnl),
        formatDollars(r.openCostBasis),
        formatDollars(r.ledgerNet),
        r.balanceAfter === null ? '—' : formatDollars(r.balanceAfter),
      ]),
    ),
  );
  io.stdout('\nDECISIONS BY REASON\n');
  io.stdout(
    table(
      ['strategy', 'action', 'reason', 'count'],
      data.decisions.map((d) => [d.strategy, d.action, d.reason, d.count]),
    ),
  );
  io.stdout('\nRECENT FILLS\n');
  io.stdout(
    table(
      ['time', 'ticker', 'side', 'count', 'yes price', 'fee', 'taker'],
      data.fills.map((f) => [
        iso(f.createdAt),
        f.ticker,
        f.bookSide,
        formatCount(f.count),
        formatDollars(f.yesPrice * 100),
        formatDollars(f.fee),
        f.isTaker ? 'yes' : 'no',
      ]),
    ),
  );
  return 0;
}

function common(cmd: Command): Command {
  return cmd
    .addOption(dataDirOption())
    .option('--json', 'print JSON (the default when stdout is not a terminal)')
    .option('--limit <n>', 'how many rows at most', integerIn(1, 100_000), 50);
}

export function registerReports(program: Command): void {
  common(subcommand(program, 'sessions').description('list the recorded trading sessions')).action(
    (o: ReadOptions) => guarded(() => runSessions(o)),
  );
  common(
    subcommand(program, 'report')
      .description('P&L per session, decision counts by reason, and recent fills from the record')
      .option('--session <id>', 'one session (an id or a unique prefix)')
      .option(
        '--html <file>',
        'write a self-contained HTML report (equity, drawdown, P&L, fills, reconciliation)',
      )
      .option('--from <time>', 'with --html: from this time (ISO-8601)')
      .option('--to <time>', 'with --html: up to this time (ISO-8601)')
      .option('--strategy <name>', 'edge: the edge trader by city and event date (report-edge.ts)'),
  ).action((o: ReadOptions & { strategy?: string }) =>
    guarded(() =>
      o.strategy === 'edge'
        ? runEdgeReport(o)
        : o.strategy !== undefined
          ? Promise.reject(new Error(`--strategy: only edge has a report of its own, got ${o.strategy}`))
          : runReport(o),
    ),
  );
}
