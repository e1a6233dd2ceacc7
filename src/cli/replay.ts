/**
 * `traderv3 replay --session ID [--strategy … --model …]`: replays a recorded session's book
 * stream through the trader's decision path against the replay venue (src/replay), on a virtual
 * clock. Prints the result table, then, as the last stdout line, one JSON line:
 *   {"event":"replay","session":…,"strategy":…,"model_sha256":…,"digest":"<sha256>",
 *    "records":N,"deltas":N,"decisions":N,"orders":N,"trades":N,"net_pnl_dollars":"…",…}
 * The digest (sha256 over the ordered decisions and orders) is the same run after run.
 * Progress: a bar on a terminal, JSON lines on stderr otherwise. Exit 0; 1 on an error (named);
 * 2 on a bad option.
 */
import { type Command, CommanderError, Option } from 'commander';
import { STRATEGIES, type StrategyName } from '../config/index.js';
import { parseDollars } from '../kalshi/index.js';
import { type Database, migrate, openDatabase } from '../persistence/index.js';
import {
  loadSession,
  openSession,
  RESULT_HEADERS,
  type RecordedSession,
  replaySession,
  resultRow,
  type StreamedSession,
} from '../replay/index.js';
import { dataDirOption, guarded, subcommand } from './options.js';
import { createProgress } from './progress.js';
import { table } from './report.js';

export interface ReplayCliOptions {
  session: string;
  strategy?: StrategyName;
  model?: string;
  tickThrottleMs?: string;
  actorMarketMode?: 'hot' | 'config' | 'all';
  contractSize?: string;
  cash?: string;
  dataDir: string;
}

function int(name: string, raw: string | undefined, min: number, max: number): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new CommanderError(
      2,
      'replay.bad_option',
      `${name}: expected an integer in ${min}..${max}, got "${raw}"`,
    );
  return n;
}

/** Reads a session (an id or a unique prefix) from the record. */
export async function readSession(dataDir: string, id: string, env = process.env): Promise<RecordedSession> {
  return onSession(dataDir, id, env, loadSession);
}

/** Runs `use` on a session (an id or a unique prefix) read page by page; the record stays open meanwhile. */
export async function withSession<T>(
  dataDir: string,
  id: string,
  use: (session: StreamedSession) => Promise<T>,
  env = process.env,
): Promise<T> {
  return onSession(dataDir, id, env, async (database, sessionId) =>
    use(await openSession(database, sessionId)),
  );
}

async function onSession<T>(
  dataDir: string,
  id: string,
  env: NodeJS.ProcessEnv,
  use: (database: Database, sessionId: string) => Promise<T>,
): Promise<T> {
  const database = await openDatabase({ url: env.DATABASE_URL?.trim() || undefined, dataDir });
  try {
    await migrate(database);
    let sessionId = id;
    if (id.length < 36) {
      const match = await database.query<{ id: string }>(
        'select id from trading_sessions where id like $1 limit 2',
        [`${id}%`],
      );
      if (match.length !== 1)
        throw new Error(
          match.length === 0
            ? `--session ${id}: no recorded session starts with it`
            : `--session ${id}: matches several sessions; give more of the id`,
        );
      sessionId = match[0]!.id;
    }
    return await use(database, sessionId);
  } finally {
    await database.close();
  }
}

export async function runReplay(o: ReplayCliOptions): Promise<number> {
  const settings = {
    throttleMs: int('--tick-throttle-ms', o.tickThrottleMs, 0, 60_000),
    contractSize: int('--contract-size', o.contractSize, 1, 100_000),
  };
  return withSession(o.dataDir, o.session, (session) => replayRead(o, settings, session));
}

async function replayRead(
  o: ReplayCliOptions,
  settings: { throttleMs: number | undefined; contractSize: number | undefined },
  session: StreamedSession,
): Promise<number> {
  const progress = createProgress({ label: 'replay', total: session.count });
  let out: Awaited<ReturnType<typeof replaySession>>;
  const t0 = performance.now();
  try {
    out = await replaySession(session, {
      ...(o.strategy ? { strategy: o.strategy } : {}),
      ...(o.model ? { model: o.model } : {}),
      ...(settings.throttleMs === undefined ? {} : { throttleMs: settings.throttleMs }),
      ...(settings.contractSize === undefined ? {} : { contractSize: settings.contractSize }),
      ...(o.actorMarketMode ? { marketMode: o.actorMarketMode } : {}),
      ...(o.cash ? { cash: parseDollars(o.cash, '--cash') } : {}),
      onProgress: (done) => progress.update(done),
      keepDecisions: false,
    });
  } finally {
    progress.stop();
  }
  const seconds = (performance.now() - t0) / 1000;
  const r = out.result;
  process.stdout.write(table(RESULT_HEADERS, [resultRow(out.strategy, r)]));
  const line = {
    event: 'replay',
    session: session.id,
    strategy: out.strategy,
    ...(out.modelSha256 ? { model_sha256: out.modelSha256 } : {}),
    digest: out.digest,
    records: out.records,
    deltas: out.deltas,
    decisions: out.decided,
    orders: out.orders.length,
    trades: r.trades,
    net_pnl_dollars: (r.netPnl / 1e6).toFixed(4),
    fees_dollars: (r.fees / 1e6).toFixed(4),
    win_rate: r.winRate ?? null,
    max_drawdown_dollars: (r.maxDrawdown / 1e6).toFixed(4),
    sharpe_hourly: r.sharpeHourly ?? null,
    deltas_per_s: Math.round(out.deltas / Math.max(seconds, 1e-9)),
  };
  process.stdout.write(`${JSON.stringify(line)}\n`);
  return 0;
}

export function registerReplay(program: Command): void {
  subcommand(program, 'replay')
    .description("replay a recorded session's book stream through a strategy against a simulated venue")
    .requiredOption('--session <id>', 'the session (an id or a unique prefix; see `traderv3 sessions`)')
    .addOption(
      new Option('--strategy <name>', "the strategy (default: the session's)").choices([...STRATEGIES]),
    )
    .option('--model <file.onnx>', "the policy model (default: the session's, else models/policy.onnx)")
    .option('--tick-throttle-ms <ms>', "per-market throttle (default: the session's)")
    .addOption(
      new Option('--actor-market-mode <mode>', "policy target markets (default: the session's)").choices([
        'hot',
        'config',
        'all',
      ]),
    )
    .option('--contract-size <n>', "policy size unit (default: the session's)")
    .option('--cash <dollars>', "opening cash (default: the session's, else 1000)")
    .addOption(dataDirOption())
    .action((o: ReplayCliOptions) => guarded(() => runReplay(o)));
}
