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
import {
  type ConfigEnv,
  ConfigError,
  type ConfigFlags,
  configWarnings,
  loadConfig,
  redactedConfig,
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
import { type FolderLock, lockDataDir, PersistenceError } from '../persistence/index.js';
import type { RunningTrader, TraderSummary } from '../runtime/index.js';
import type { ControlTarget, InspectorHub, TraderServer } from '../server/index.js';
import { calibrationBar, wantsBar } from './calibration-bar.js';
import { flushLogger } from './logging.js';
import { defaultStartIo, type StartIo } from './start-io.js';

/** An error that is ordinary misconfiguration (exit 2, one line), or undefined. */
function misconfiguration(err: unknown): { code: string; message: string } | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  if (err instanceof PersistenceError) return { code: err.code, message: err.message };
  if (code === 'EXCHANGE_IDENTITY_UNKNOWN') return { code, message: (err as Error).message };
  if (typeof code === 'string' && code.startsWith('POLICY_MODEL_'))
    return { code, message: (err as Error).message };
  return undefined;
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
