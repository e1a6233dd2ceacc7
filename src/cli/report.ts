/**
 * `traderv3 sessions` and `traderv3 report`: read the trading record (Postgres with DATABASE_URL,
 * otherwise PGlite in the data folder). Readable tables on a terminal; `--json` (or a non-terminal
 * stdout) prints one JSON document.
 */
import { type Command, CommanderError } from 'commander';
import { DEFAULTS } from '../config/index.js';
import { formatCount, formatDollars } from '../kalshi/index.js';
import { createRepositories, type Database, migrate, openDatabase } from '../persistence/index.js';
import { integerIn } from './options.js';
import { runEdgeReport } from './report-edge.js';
import { writeHtmlReport } from './report-html.js';

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

async function withDatabase<T>(
  dataDir: string,
  env: NodeJS.ProcessEnv,
  fn: (db: Database) => Promise<T>,
): Promise<T> {
  const url = env.DATABASE_URL?.trim() || undefined;
  const database = await openDatabase({ url, dataDir });
  try {
    await migrate(database);
    return await fn(database);
  } finally {
    await database.close();
  }
}

const iso = (d: Date | null) => (d ? d.toISOString().replace('.000Z', 'Z') : '—');

export async function runSessions(
  o: ReadOptions,
  env: NodeJS.ProcessEnv = process.env,
  io: Io = processIo,
): Promise<number> {
  const rows = await withDatabase(o.dataDir, env, (db) =>
    createRepositories(db).sessions.list({ limit: o.limit }),
  );
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

export async function runReport(
  o: ReadOptions,
  env: NodeJS.ProcessEnv = process.env,
  io: Io = processIo,
): Promise<number> {
  const data = await withDatabase(o.dataDir, env, async (db) => {
    const repos = createRepositories(db);
    let sessionId = o.session;
    if (sessionId !== undefined && sessionId.length < 36) {
      const match = (await repos.sessions.list({ limit: 1000 })).filter((s) => s.id.startsWith(sessionId!));
      if (match.length !== 1) {
        throw new Error(
          match.length === 0
            ? `--session ${sessionId}: no recorded session starts with it`
            : `--session ${sessionId}: matches ${match.length} sessions; give more of the id`,
        );
      }
      sessionId = match[0]!.id;
    }
    const scope = sessionId ? { sessionId } : {};
    if (o.html) {
      return {
        html: await writeHtmlReport(db, {
          html: o.html,
          ...(sessionId ? { sessionId } : {}),
          ...(o.from ? { from: o.from } : {}),
          ...(o.to ? { to: o.to } : {}),
        }),
      };
    }
    return {
      pnl: await repos.reports.pnlBySession({ ...scope, limit: o.limit }),
      decisions: await repos.reports.decisionCountsByReason(scope),
      fills: await repos.reports.recentFills({ ...scope, limit: Math.min(o.limit, 20) }),
    };
  });
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
    .option(
      '--data-dir <dir>',
      'data folder holding the embedded database (env TRADERV3_DATA_DIR)',
      process.env.TRADERV3_DATA_DIR ?? DEFAULTS.dataDir,
    )
    .option('--json', 'print JSON (the default when stdout is not a terminal)')
    .option('--limit <n>', 'how many rows at most', integerIn(1, 100_000), 50)
    .exitOverride((err) => {
      throw err.exitCode === 0 ? err : new CommanderError(2, err.code, err.message);
    });
}

async function guarded(run: () => Promise<number>): Promise<void> {
  try {
    process.exitCode = await run();
  } catch (err) {
    process.stderr.write(`traderv3: ${(err as Error).message}\n`);
    process.exitCode = 1;
  }
}

export function registerReports(program: Command): void {
  common(program.command('sessions').description('list the recorded trading sessions')).action(
    (o: ReadOptions) => guarded(() => runSessions(o)),
  );
  common(
    program
      .command('report')
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
        ? withDatabase(o.dataDir, process.env, (db) => runEdgeReport(db, o, processIo))
        : o.strategy !== undefined
          ? Promise.reject(new Error(`--strategy: only edge has a report of its own, got ${o.strategy}`))
          : runReport(o),
    ),
  );
}
