/**
 * `traderv3 start`: build the configuration, start the trader runtime, expose it through the
 * control API (and the inspector relay with --inspect), and stop it gracefully.
 *
 * Contract (other tools rely on it):
 *  - A configuration problem: one message on stderr naming every bad option / variable, exit 2.
 *  - stdout carries log lines (JSON lines, or pino-pretty at a terminal), among them
 *      {"event":"control","url":"http://127.0.0.1:PORT",...}   control API up (token in <data-dir>/control.json)
 *      {"event":"dashboard","url":"http://127.0.0.1:PORT/"}   the dashboard (same server; also in `status`)
 *      {"event":"inspect","url":"http://127.0.0.1:PORT/inspect/",...}  with --inspect: the offline viewer
 *  - --duration N: after N seconds, graceful shutdown. SIGINT/SIGTERM: the first one starts a
 *    graceful shutdown, a second one forces exit 1. Graceful shutdown cancels resting orders
 *    unless --keep-orders.
 *  - When the trader is done, the last stdout line is exactly
 *      {"event":"summary","states":[...],"orders_placed":N,"fills":N,"positions":{...},
       "realized_pnl_dollars":"…","unrealized_pnl_dollars":"…","fees_dollars":"…","net_pnl_dollars":"…"}
 *    (realized before fees, net = realized + unrealized − fees: the P&L of `status` too, domain/pnl.ts)
 *    and the exit code is 0 (1 if the trader failed).
 */
import type { Command } from 'commander';
import {
  type ConfigEnv,
  ConfigError,
  type ConfigFlags,
  configWarnings,
  DEFAULTS,
  LOG_LEVELS,
  loadConfig,
  RATE_LIMIT_TIER_NAMES,
  redactedConfig,
  STRATEGIES,
  TRADER_ENVS,
  type TraderConfig,
} from '../config/index.js';
import {
  Notifier,
  NotifyConfigError,
  type NotifyTarget,
  notifications,
  notifyFromBus,
  parseTarget,
  scheduleDailySummary,
} from '../notify/index.js';
import {
  type Database,
  type FolderLock,
  lockDataDir,
  openDatabase,
  PersistenceError,
} from '../persistence/index.js';
import type { RunningTrader, StartTrader, TraderSummary } from '../runtime/index.js';
import type { ControlTarget, InspectorHub, TraderServer } from '../server/index.js';
import { calibrationBar, wantsBar } from './calibration-bar.js';
import { createLogger, flushLogger, type Logger } from './logging.js';
import { subcommand } from './options.js';

/** An error that is ordinary misconfiguration (exit 2, one line), or undefined. */
function misconfiguration(err: unknown): { code: string; message: string } | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  if (err instanceof PersistenceError) return { code: err.code, message: err.message };
  if (code === 'EXCHANGE_IDENTITY_UNKNOWN') return { code, message: (err as Error).message };
  if (typeof code === 'string' && code.startsWith('POLICY_MODEL_'))
    return { code, message: (err as Error).message };
  return undefined;
}

export interface StartIo {
  stdout: (text: string) => Promise<void>;
  stderr: (text: string) => void;
  /** Loads the runtime's startTrader (default: dynamic import of src/runtime/index.ts). */
  loadRuntime: () => Promise<StartTrader>;
  /** Begins opening the embedded database (default: PGlite on its own thread in the data folder). */
  openEmbeddedDatabase: (dataDir: string) => Promise<Database>;
  createLogger: (config: TraderConfig) => Logger;
  /** Registers SIGINT/SIGTERM handling; returns an unregister function. */
  onSignals: (handler: (signal: string) => void) => () => void;
  /** Immediate exit (second signal). */
  forceExit: (code: number) => never;
}

async function importRuntime(): Promise<StartTrader> {
  // A variable specifier, so the command type-checks whether or not the runtime exists yet.
  const specifier = '../runtime/index.js';
  let mod: { startTrader?: unknown };
  try {
    mod = (await import(specifier)) as { startTrader?: unknown };
  } catch (err) {
    throw new Error(`the trader runtime (src/runtime/index.ts) cannot be loaded: ${(err as Error).message}`, {
      cause: err,
    });
  }
  if (typeof mod.startTrader !== 'function') {
    throw new Error('the trader runtime (src/runtime/index.ts) does not export a startTrader function');
  }
  return mod.startTrader as StartTrader;
}

export const defaultStartIo: StartIo = {
  stdout: (text) => new Promise<void>((resolve) => process.stdout.write(text, () => resolve())),
  stderr: (text) => {
    process.stderr.write(text);
  },
  loadRuntime: importRuntime,
  openEmbeddedDatabase: (dataDir) => openDatabase({ dataDir, thread: true }),
  createLogger: (config) => createLogger({ level: config.logLevel }),
  onSignals: (handler) => {
    const onInt = () => handler('SIGINT');
    const onTerm = () => handler('SIGTERM');
    const onHup = () => handler('SIGHUP');
    process.on('SIGINT', onInt);
    process.on('SIGTERM', onTerm);
    process.on('SIGHUP', onHup);
    const stopWatch = watchLauncher(() => handler('launcher exited'));
    return () => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      process.off('SIGHUP', onHup);
      stopWatch();
    };
  },
  forceExit: (code) => process.exit(code),
};

/**
 * Started through npm (`npx traderv3 start`, `npm exec`, `npm run`), the trader runs under
 * npm → `sh -c` → node. A SIGTERM to npm reaches only the shell, which dies and leaves the trader
 * orphaned and trading. So when npm launched us, the launcher's death is a stop request too: the
 * parent process id is watched and a change (we were re-parented) starts the graceful shutdown.
 * Not done otherwise: `nohup traderv3 start &` must survive its shell.
 */
export function watchLauncher(onExit: () => void, env = process.env, intervalMs = 250): () => void {
  if (env.npm_command === undefined && env.npm_lifecycle_event === undefined) return () => undefined;
  const parent = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid === parent) return;
    clearInterval(timer);
    onExit();
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}

/** The one summary line: `{"event":"summary", ...TraderSummary}`. */
export function summaryLine(summary: TraderSummary): string {
  return `${JSON.stringify({ event: 'summary', ...summary })}\n`;
}

/** Runs `traderv3 start` to completion; returns the exit code. */
export async function runStart(
  allFlags: ConfigFlags & { notifyUrl?: string[] },
  env: ConfigEnv,
  io: StartIo = defaultStartIo,
): Promise<number> {
  const { notifyUrl, ...flags } = allFlags;
  let config: TraderConfig;
  let notifyTargets: NotifyTarget[];
  try {
    config = loadConfig(flags, env);
    // --notify-url (repeatable) or TRADERV3_NOTIFY_URL (space/comma separated; keeps tokens out of `ps`).
    const specs = [...(notifyUrl ?? []), ...(env.TRADERV3_NOTIFY_URL ?? '').split(/[\s,]+/).filter(Boolean)];
    notifyTargets = specs.map(parseTarget);
  } catch (err) {
    if (err instanceof ConfigError || err instanceof NotifyConfigError) {
      io.stderr(`traderv3 start: ${err.message}\n`);
      return 2;
    }
    throw err;
  }

  // One trader per data folder, whatever the database: checked before anything is started.
  let lock: FolderLock;
  try {
    lock = lockDataDir(config.dataDir);
  } catch (err) {
    if (err instanceof PersistenceError) {
      io.stderr(`traderv3 start: ${err.message}\n`);
      return 2;
    }
    throw err;
  }

  // The embedded database opens on a thread of its own from here, while the runtime loads; the
  // runtime takes it over (migrates it, closes it) once it is started.
  const database = config.databaseUrl ? undefined : io.openEmbeddedDatabase(config.dataDir);
  database?.catch(() => undefined); // its failure is reported where the runtime awaits it
  let databaseHandedOver = false;
  // The server's modules (fastify and its plugins, a quarter of a second) load while the
  // database opens, not before the config is read.
  const serverModule = import('../server/index.js');
  serverModule.catch(() => undefined); // awaited below
  const logger = io.createLogger(config);
  logger.info({ event: 'config', config: redactedConfig(config) }, `starting traderv3 on ${config.env}`);
  for (const warning of configWarnings(config)) logger.warn({ event: 'config_warning' }, warning);

  let hub: InspectorHub | undefined;
  let server: TraderServer | undefined;
  let running: RunningTrader | undefined;
  // Webhook notifications, off the trading path (src/notify): a dead webhook never slows trading.
  const notifier = new Notifier({
    targets: notifyTargets,
    log: { warn: (obj, msg) => logger.warn(obj, msg) },
  });
  let stopNotify: (() => void) | undefined;
  // The first calibration's bar, for a person at a terminal (calibration-bar.ts).
  const tty = { stderrTty: process.stderr.isTTY === true, stdoutTty: process.stdout.isTTY === true };
  const bar = wantsBar({ ...tty, env }) ? calibrationBar(process.stderr) : undefined;
  const closeServers = async (): Promise<void> => {
    bar?.stop();
    hub?.close();
    stopNotify?.();
    await Promise.allSettled([server?.close(), notifier.close(2_000)]);
  };

  try {
    const { createInspectorHub, startServer, traderViewFromRuntime } = await serverModule;
    if (config.inspect) hub = createInspectorHub();
    const startTrader = await io.loadRuntime();
    databaseHandedOver = true;
    running = await startTrader(config, {
      logger,
      lock,
      ...(database ? { database } : {}),
      ...(hub ? { inspect: hub.inspector } : {}),
      ...(bar ? { onCalibrationProgress: bar.onProgress } : {}),
    });
    // One server: control API, live stream, dashboard, metrics, health (and --inspect's relay).
    const inner = running.control;
    let dashboardUrl = '';
    const control: ControlTarget = {
      ...inner,
      status: async () => {
        const s = await inner.status();
        return s !== null && typeof s === 'object' ? { ...s, dashboard_url: dashboardUrl } : s;
      },
    };
    const view = running.view
      ? { ...running.view, control }
      : traderViewFromRuntime({ ...running, control }, { extra: () => ({ strategy: config.strategy }) });
    server = await startServer({
      control,
      ...(view ? { view } : {}),
      ...(hub ? { inspector: hub } : {}),
      dataDir: config.dataDir,
      onError: (route, err) => logger.warn({ event: 'control_error', route, err }, `control ${route} failed`),
    });
    dashboardUrl = server.dashboardUrl;
    if (running.services && notifyTargets.length > 0) {
      stopNotify = notifyFromBus(running.services.bus, (n) => notifier.notify(n));
      const record = running.record;
      if (record !== undefined) {
        const stopSummary = scheduleDailySummary({
          notify: (n) => notifier.notify(n),
          build: async (day, at) => {
            const row = await record.day(day);
            return notifications.dailySummary(at, day, {
              fills: row?.fills ?? 0,
              realizedPnl: row?.realized ?? 0,
              fees: row?.fees ?? 0,
            });
          },
        });
        const stopBus = stopNotify;
        stopNotify = () => {
          stopBus();
          stopSummary();
        };
      }
      const startup = running.startup;
      if (startup !== undefined && startup.crashedSessions > 0) {
        notifier.notify(
          notifications.crashRecovery(Date.now(), startup.crashedSessions, startup.ordersRestored),
        );
      }
      logger.info(
        { event: 'notify', targets: notifier.targets },
        `notifications to ${notifier.targets.join(', ')}`,
      );
    }
    logger.info({ event: 'control', url: server.url, file: server.file }, `control API on ${server.url}`);
    logger.info({ event: 'dashboard', url: server.dashboardUrl }, `dashboard: open ${server.dashboardUrl}`);
    if (server.inspectUrl) {
      logger.info(
        {
          event: 'inspect',
          url: server.inspectUrl,
          ws_url: server.inspectWsUrl,
          stately_url: `${server.inspectUrl}stately`,
        },
        `inspector: open ${server.inspectUrl}`,
      );
    }
  } catch (err) {
    if (!databaseHandedOver) await database?.then((d) => d.close()).catch(() => undefined);
    lock.release();
    const problem = misconfiguration(err);
    if (problem !== undefined) {
      // Ordinary misconfiguration (database down, data folder in use, unknown exchange): one line.
      logger.error({ event: 'start_failed', code: problem.code, error: problem.message }, problem.message);
      await closeServers();
      await flushLogger(logger);
      io.stderr(`traderv3 start: ${problem.message}\n`);
      return 2;
    }
    logger.fatal({ event: 'start_failed', err }, 'the trader failed to start');
    if (running) {
      await running.shutdown({ cancelOrders: !config.keepOrders }).catch((e: unknown) => {
        logger.error({ err: e }, 'shutdown after a failed start failed too');
      });
    }
    await closeServers();
    await flushLogger(logger);
    return 1;
  }

  const trader = running;
  let shutdownStarted = false;
  let rejectShutdown: (err: unknown) => void = () => {};
  const shutdownFailed = new Promise<never>((_, reject) => {
    rejectShutdown = reject;
  });
  shutdownFailed.catch(() => {}); // observed through Promise.race below

  const requestShutdown = (reason: string): void => {
    if (shutdownStarted) return;
    shutdownStarted = true;
    const cancelOrders = !config.keepOrders;
    logger.info({ event: 'shutdown', reason, cancel_orders: cancelOrders }, `shutting down (${reason})`);
    trader.shutdown({ cancelOrders }).catch(rejectShutdown);
  };

  const timer =
    config.durationSec === undefined
      ? undefined
      : setTimeout(
          () => requestShutdown(`--duration ${config.durationSec} s elapsed`),
          config.durationSec * 1000,
        );

  let signals = 0;
  const unregister = io.onSignals((signal) => {
    // The launcher going away asks for a stop but is not a signal: it never forces an exit.
    if (!signal.startsWith('SIG')) return requestShutdown(signal);
    signals += 1;
    if (signals === 1) {
      requestShutdown(signal);
      return;
    }
    io.stderr(`traderv3 start: second ${signal}, forcing exit\n`);
    io.forceExit(1);
  });

  let summary: TraderSummary | undefined;
  let code = 0;
  try {
    summary = await Promise.race([trader.done, shutdownFailed]);
    if (summary.failed !== undefined) {
      // Never connected: one clear line; a refused key is misconfiguration (2), an unreachable host 1.
      io.stderr(`traderv3 start: ${summary.failed}\n`);
      code = summary.failure === 'permanent' ? 2 : 1;
    } else if (summary.record_complete === false) {
      code = 1;
    }
  } catch (err) {
    logger.error({ event: 'stopped_with_error', err }, 'the trader stopped with an error');
    code = 1;
  } finally {
    if (timer) clearTimeout(timer);
  }
  await closeServers();
  logger.info({ event: 'stopped', exit_code: code }, 'traderv3 stopped');
  await flushLogger(logger);
  if (summary) await io.stdout(summaryLine(summary));
  unregister();
  return code;
}

export function registerStart(program: Command): void {
  subcommand(program, 'start')
    .description('start the trader (see README: "Running the trader")')
    .option('--env <env>', `${TRADER_ENVS.join(' | ')} (required; nothing defaults to production)`)
    .option('--tickers <list>', 'trade these markets (comma-separated tickers)')
    .option('--series <tickers>', 'trade the open markets of these series (comma-separated)')
    .option('--markets <n>', `trade the N most active open markets, or "all" (default ${DEFAULTS.markets})`)
    .option('--strategy <name>', `${STRATEGIES.join(' | ')} (default: hardcoded on sim, none elsewhere)`)
    .option(
      '--edge-config <file>',
      'edge: seed 000 settings, JSON merged over the defaults (README "The edge strategy")',
    )
    .option('--dry-run', 'edge: evaluate and record everything, send no order')
    .option('--forecast-source <source>', 'edge: sim | nws | file (default sim on --env sim, nws otherwise)')
    .option('--forecast-file <file>', 'edge: forecasts JSON file, with --forecast-source file')
    .option('--nws-url <url>', 'edge: NWS API base URL (default https://api.weather.gov)')
    .option('--nws-contact <text>', 'edge: contact for the NWS User-Agent (env TRADERV3_NWS_CONTACT)')
    .option('--edge-model <file>', 'edge: classifier ONNX model, or none (default models/edge.onnx)')
    .option('--edge-cycle-ms <ms>', 'edge: how often the ladders are evaluated (default 15000)')
    .option('--cities <file>', 'edge: extra city table entries (config/cities.json shape)')
    .option('--cleanup', 'cancel resting orders at startup')
    .option('--keep-orders', 'leave resting orders on the book at shutdown')
    .option('--duration <seconds>', 'stop gracefully after this many seconds')
    .option('--inspect', 'serve the XState inspector (offline viewer) on loopback')
    .option(
      '--notify-url <url>',
      'webhook for operator notifications, repeatable; slack:URL / discord:URL pick the format (env TRADERV3_NOTIFY_URL)',
      (value: string, previous: string[] = []) => [...previous, value],
    )
    .option('--log-level <level>', `${LOG_LEVELS.join(' | ')} (env TRADERV3_LOG_LEVEL; default info)`)
    .option('--data-dir <dir>', `data folder (env TRADERV3_DATA_DIR; default ${DEFAULTS.dataDir})`)
    .option('--api-url <url>', 'trading REST base URL (env KALSHI_API_URL)')
    .option('--ws-url <url>', 'trading WebSocket URL (env KALSHI_WS_URL)')
    .option(
      '--credentials <file>',
      "sim: an external simulator's credentials file (what `traderv3 exchange-sim --credentials FILE` writes)",
    )
    .option('--key-id <id>', 'Kalshi API key id (env KALSHI_API_KEY_ID)')
    .option('--private-key <file>', 'Kalshi private key PEM file (env KALSHI_PRIVATE_KEY_PATH)')
    .option('--hybrid', 'production market data, paper trading (with --env paper)')
    .option('--market-data-api-url <url>', 'hybrid: market-data REST URL (default Kalshi production)')
    .option('--market-data-ws-url <url>', 'hybrid: market-data WebSocket URL (default Kalshi production)')
    .option('--market-data-key-id <id>', 'hybrid: production key id (env KALSHI_MARKET_DATA_API_KEY_ID)')
    .option(
      '--market-data-private-key <file>',
      'hybrid: production key PEM file (env KALSHI_MARKET_DATA_PRIVATE_KEY_PATH)',
    )
    .option(
      '--rate-limit-tier <tier>',
      `${RATE_LIMIT_TIER_NAMES.join(' | ')} (env KALSHI_RATE_LIMIT_TIER; default basic)`,
    )
    .option(
      '--tick-throttle-ms <ms>',
      'strategy tick throttle, per market (env RL_ACTOR_TICK_THROTTLE_MS; default 250)',
    )
    .option(
      '--model <file.onnx>',
      'policy model for --strategy policy (env RL_ACTOR_MODEL; default models/policy.onnx)',
    )
    .option(
      '--actor-market-mode <mode>',
      'policy: hot (most active watched market) | config (the --tickers) | all (env RL_ACTOR_TARGET_MARKET_MODE; default hot)',
    )
    .option(
      '--contract-size <n>',
      'policy: contracts of the smallest size bucket (env RL_ACTOR_CONTRACT_SIZE; default 1)',
    )
    .option(
      '--maker-to-taker-ms <ms>',
      'cancel a post-only order resting this long and take its remainder (env TRADERV3_MAKER_TO_TAKER_MS; off by default)',
    )
    .option(
      '--max-taker-slippage-ticks <n>',
      `a maker→taker conversion pays at most this many cents past the maker price (default ${DEFAULTS.maxTakerSlippageTicks})`,
    )
    .option(
      '--order-group-limit <contracts>',
      'the order group (exchange-side kill switch) cancels everything past this many contracts matched in 15 s (default: max contracts per order × max open orders)',
    )
    .option(
      '--reconcile-interval <seconds>',
      `reconcile positions, orders and fills with the exchange this often while READY (default ${DEFAULTS.reconcileIntervalSec})`,
    )
    .option(
      '--book-check-interval <seconds>',
      `compare traded books with the exchange's REST book this often (default ${DEFAULTS.bookCheckIntervalSec})`,
    )
    .option(
      '--max-balance-drift-dollars <dollars>',
      `a ledger/exchange balance difference above this halts trading instead of being booked (default ${DEFAULTS.maxBalanceDriftDollars})`,
    )
    .option(
      '--foreign-orders <mode>',
      'orders on the account that are not ours: adopt (flagged) | halt (default adopt)',
    )
    .option('--max-contracts-per-order <n>', `risk limit (default ${DEFAULTS.risk.maxContractsPerOrder})`)
    .option('--max-position-per-market <n>', `risk limit (default ${DEFAULTS.risk.maxPositionPerMarket})`)
    .option('--max-open-orders <n>', `risk limit (default ${DEFAULTS.risk.maxOpenOrders})`)
    .option('--max-exposure-dollars <dollars>', `risk limit (default ${DEFAULTS.risk.maxExposureDollars})`)
    .option(
      '--breaker-errors <n>',
      `consecutive order errors that trip the breaker (default ${DEFAULTS.risk.breakerErrors})`,
    )
    .option(
      '--max-daily-loss-dollars <dollars>',
      `the day's net P&L below minus this halts trading (default ${DEFAULTS.risk.maxDailyLossDollars})`,
    )
    .option(
      '--max-drawdown-pct <pct>',
      `equity this far below its peak halts trading (default ${DEFAULTS.risk.maxDrawdownPct})`,
    )
    // Portfolio limits (seed 002): worst-case loss with binary payoffs, percent of cash + positions at cost.
    .option('--no-portfolio-limits', 'turn the portfolio limits off (they are on by default)')
    .option(
      '--max-total-exposure-pct <pct>',
      `portfolio: worst-case loss of everything (default ${DEFAULTS.portfolio.maxTotalExposurePct})`,
    )
    .option(
      '--max-single-position-pct <pct>',
      `portfolio: worst-case loss in one market (default ${DEFAULTS.portfolio.maxSinglePositionPct})`,
    )
    .option(
      '--max-city-exposure-pct <pct>',
      `portfolio: worst-case loss in one city's ladders (default ${DEFAULTS.portfolio.maxCityExposurePct})`,
    )
    .option(
      '--max-region-exposure-pct <pct>',
      `portfolio: one correlated region on one date (default ${DEFAULTS.portfolio.maxRegionExposurePct})`,
    )
    .option(
      '--min-reserve-dollars <dollars>',
      `portfolio: cash left uncommitted after an order (default ${DEFAULTS.portfolio.minReserveDollars})`,
    )
    .option(
      '--max-positions-per-city <n>',
      `portfolio: markets held or resting in one city (default ${DEFAULTS.portfolio.maxPositionsPerCity})`,
    )
    .option(
      '--max-total-positions <n>',
      `portfolio: markets held or resting in all (default ${DEFAULTS.portfolio.maxTotalPositions})`,
    )
    .option('--seed <n>', `sim: seed (default ${DEFAULTS.sim.seed})`)
    .option('--sim-markets <n>', `sim: markets listed by the simulator (default ${DEFAULTS.sim.markets})`)
    .option('--sim-rate <per_s>', `sim: background actions per second (default ${DEFAULTS.sim.rate})`)
    .option(
      '--sim-balance <dollars>',
      `sim: the trader's starting cash (default ${DEFAULTS.sim.balanceDollars})`,
    )
    .action(async (flags: ConfigFlags & { notifyUrl?: string[] }) => {
      const code = await runStart(flags, process.env);
      process.exit(code);
    });
}
