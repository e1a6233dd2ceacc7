/**
 * One seeded chaos run: a simulator in this process (loopback sockets), the trader as a child
 * process on a fresh data folder, the fault schedule played against them one fault at a time
 * (each waits for the trader to be READY again, and that wait is the recovery time), then a
 * quiet end (faults cleared, operator halt, a reconcile interval) and the invariants checked
 * against the simulator's core.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Simulator, startSimulator } from '../exchange-sim/index.js';
import { type FaultContext, inject } from './faults.js';
import { type FaultKind, faultSchedule, type ScheduledFault } from './schedule.js';
import { control, type LogLine, simStartArgs, TraderChild, topState } from './trader.js';
import {
  checkInvariants,
  exchangeTruth,
  type ForbiddenWindow,
  type InvariantResult,
  readRecord,
} from './truth.js';

export interface ChaosRunOptions {
  seed: number;
  /** How long faults are injected for. */
  durationMs: number;
  /** How long the trader may take to be READY again after a fault (a breach past it). */
  recoveryBoundMs?: number;
  gapMs?: readonly [number, number];
  exclude?: readonly FaultKind[];
  /** Every fault kind exactly once (see ScheduleOptions.onePass). */
  onePass?: boolean;
  /** Record in this Postgres database (DATABASE_URL for the trader) instead of PGlite in the data folder. */
  databaseUrl?: string;
  /** Append the trader's log lines (every process of the run) to `<logDir>/chaos-seed-<seed>.jsonl`. */
  logDir?: string;
  /** Progress lines for a person (off in tests). */
  log?: (line: string) => void;
  /**
   * The trader's `--calibration-page-size`. Small (2), a six-market account's positions take more
   * than one page, so every calibration takes a big account's path: the check reads the newest
   * fills and settlements after the balance instead of the positions again.
   */
  calibrationPageSize?: number;
}

export interface FaultOutcome {
  readonly kind: FaultKind;
  /** When it was injected, ms after the run's start. */
  readonly atMs: number;
  readonly what: string;
  /** Time from the injection (or the lift, for held faults) to READY; undefined = never. */
  readonly recoveryMs: number | undefined;
  readonly withinBound: boolean;
  /** For a fault not recovered from: what the trader's status last said (state, halt, reduce-only). */
  readonly why?: string;
}

export interface ChaosRunResult {
  readonly seed: number;
  readonly faults: readonly FaultOutcome[];
  readonly invariants: readonly InvariantResult[];
  readonly restarts: number;
  readonly exchangeOrders: number;
  readonly exchangeFills: number;
  readonly ok: boolean;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
/** Requests that reached the simulator before a kill -9 are still processed: this long after. */
const KILL_GRACE_MS = 300;
/** The trader's --reconcile-interval: the end waits two of them before it judges. */
const RECONCILE_INTERVAL_S = 3;
/** A restart (process start, database open, calibration) on a busy 2-core machine takes long. */
const RESTART_BOUND_MS = 90_000;

/** READY (or ACTING), not halted, no market reduce-only. */
function recovered(status: Record<string, unknown> | undefined): boolean {
  const state = topState(status);
  if (state !== 'READY' && state !== 'ACTING') return false;
  if (status?.halt !== null) return false;
  const reducing = status.reducing_markets;
  return !Array.isArray(reducing) || reducing.length === 0;
}

/** Why a status is not `recovered` (for the NOT RECOVERED line): state, halt, reduce-only markets. */
function whyNotRecovered(status: Record<string, unknown> | undefined): string {
  if (status === undefined) return 'status not answered';
  const parts = [`state ${topState(status) ?? '?'}`];
  if (status.halt !== null && status.halt !== undefined) parts.push(`halt ${JSON.stringify(status.halt)}`);
  const reducing = status.reducing_markets;
  if (Array.isArray(reducing) && reducing.length > 0) parts.push(`reduce-only ${JSON.stringify(reducing)}`);
  return parts.join(', ');
}

/** Epoch ms of the first `READY` state line of a trader process (its own timestamp). */
function readyAt(trader: TraderChild): number | undefined {
  const line = trader.lines.find((l: LogLine) => l.event === 'state' && l.to === 'READY');
  return typeof line?.time === 'string' ? Date.parse(line.time) : undefined;
}

export async function runChaos(options: ChaosRunOptions): Promise<ChaosRunResult> {
  const log = options.log ?? (() => undefined);
  const bound = options.recoveryBoundMs ?? 45_000;
  const root = mkdtempSync(join(tmpdir(), `tv3-chaos-${options.seed}-`));
  const dataDir = join(root, 'data');
  let sim: Simulator | undefined;
  let trader: TraderChild | undefined;
  try {
    sim = await startSimulator({ seed: options.seed, markets: 6, ratePerSec: 25 });
    const creds = sim.createAccount({ balance: 1_000_000_000 });
    const racer = sim.createAccount({ balance: 1_000_000_000_000 });
    const accountId = sim.accountOf(creds.key_id)!;
    const racerAccountId = sim.accountOf(racer.key_id)!;
    const flags = [
      ...simStartArgs(creds, root),
      '--markets',
      '3',
      '--data-dir',
      dataDir,
      '--breaker-errors',
      '1000',
      '--max-daily-loss-dollars',
      '100000',
      '--max-drawdown-pct',
      '100',
      '--reconcile-interval',
      String(RECONCILE_INTERVAL_S),
      '--book-check-interval',
      '3',
      // The exchange-side kill switch (contracts matched per rolling 15 s) is for a runaway; the
      // hardcoded strategy churning a busy chaos book trips the default (500) now and then, and
      // its halt is operator-only by design (tests/integration/money-safety.test.ts covers it).
      '--order-group-limit',
      '1000000',
      ...(options.calibrationPageSize === undefined
        ? []
        : ['--calibration-page-size', String(options.calibrationPageSize)]),
      // 2 s, against the trader's 900: each calibration after a run's first reads the fills from
      // the last one's start less this, so in a few minutes of faults every reconnect reads a
      // narrowed window, as a long run's do.
      '--calibration-overlap',
      '2',
    ];
    const forbidden: ForbiddenWindow[] = [];
    let restarts = 0;
    /** The last status a wait saw that was not recovered, said in words (for NOT RECOVERED). */
    let lastWhy = '';
    const waitRecovered = async (boundMs: number): Promise<number | undefined> => {
      const start = Date.now();
      while (Date.now() - start < boundMs) {
        if (trader && !trader.alive) {
          lastWhy = 'the trader exited';
          return undefined;
        }
        const status = await control(dataDir, 'status', undefined, 2_000);
        if (recovered(status)) return Date.now() - start;
        lastWhy = whyNotRecovered(status);
        await sleep(100);
      }
      return undefined;
    };
    /** Starts the trader; the time from its spawn to its READY line is forbidden for orders. */
    const startTrader = async (fromMs: number, why: string): Promise<number | undefined> => {
      trader = TraderChild.spawn(
        flags,
        options.databaseUrl ? { DATABASE_URL: options.databaseUrl } : {},
        options.logDir === undefined ? undefined : join(options.logDir, `chaos-seed-${options.seed}.jsonl`),
      );
      const took = await waitRecovered(Math.max(bound, RESTART_BOUND_MS));
      forbidden.push({ fromMs, toMs: readyAt(trader) ?? Date.now(), why });
      return took;
    };
    const ctx: FaultContext = {
      sim,
      accountId,
      racerAccountId,
      dataDir,
      tradedTickers: async () => {
        const s = await control(dataDir, 'status');
        const markets = Array.isArray(s?.markets) ? (s.markets as Array<{ ticker: string }>) : [];
        return markets.map((m) => m.ticker);
      },
    };

    if ((await startTrader(Date.now(), 'starting')) === undefined) {
      throw new Error(`the trader never reached READY\n${trader!.tail()}`);
    }
    const t0 = Date.now();
    const outcomes: FaultOutcome[] = [];
    for (const fault of faultSchedule({
      seed: options.seed,
      durationMs: options.durationMs,
      ...(options.gapMs ? { gapMs: options.gapMs } : {}),
      ...(options.exclude ? { exclude: options.exclude } : {}),
      ...(options.onePass ? { onePass: true } : {}),
    })) {
      const wait = t0 + fault.atMs - Date.now();
      if (wait > 0) await sleep(wait);
      const atMs = Date.now() - t0;
      const { what, recoveryMs } = await playFault(fault);
      outcomes.push({
        kind: fault.kind,
        atMs,
        what,
        recoveryMs,
        withinBound: recoveryMs !== undefined,
        ...(recoveryMs === undefined ? { why: lastWhy } : {}),
      });
      log(
        `  ${(atMs / 1000).toFixed(1).padStart(6)} s ${new Date(t0 + atMs).toISOString().slice(11, 23)}  ${fault.kind.padEnd(27)} ${what}` +
          ` → ${recoveryMs === undefined ? `NOT RECOVERED (${lastWhy})` : `READY in ${recoveryMs} ms`}`,
      );
      if (recoveryMs === undefined && !trader!.alive) {
        log(`  the trader exited:\n${trader!.tail(10)}`);
        restarts += 1;
        await startTrader(Date.now(), 'restart after an exit');
      }
    }

    // The quiet end: no faults, the exchange open, an operator halt that cancels our orders, and
    // a reconcile interval for the record to converge; then a graceful stop.
    sim.faults.clear();
    sim.applyFault({ action: 'resume_exchange' });
    await waitRecovered(bound);
    await sleep(2 * RECONCILE_INTERVAL_S * 1000 + 500);
    const halted = await control(dataDir, 'halt', { reason: 'chaos: end of run' }, 30_000);
    const haltedMs = Date.now();
    log(`  ${new Date(haltedMs).toISOString().slice(11, 23)} halted for the end`);
    await sleep(4_000);
    trader!.kill('SIGTERM');
    const code = await Promise.race([trader!.exited, sleep(30_000).then(() => 'timeout' as const)]);
    if (code === 'timeout') trader!.kill('SIGKILL');
    forbidden.push({ fromMs: haltedMs, toMs: Date.now(), why: 'halted at the end' });
    const summary = trader!.summary();
    const localPositions = (summary?.positions ?? {}) as Record<string, number>;

    const exchange = exchangeTruth(sim, accountId);
    const record = await readRecord(options.databaseUrl ? { url: options.databaseUrl } : { dataDir });
    const invariants = [
      ...checkInvariants({ exchange, record, localPositions, forbidden }),
      {
        name: 'the final halt and a graceful stop',
        held: halted !== undefined && code === 0 && summary !== undefined,
        detail:
          halted === undefined ? 'halt failed' : code === 0 ? '' : `exit ${String(code)}\n${trader!.tail()}`,
      },
      {
        name: `back in READY within ${bound / 1000} s after every fault`,
        held: outcomes.every((o) => o.withinBound),
        detail: outcomes
          .filter((o) => !o.withinBound)
          .map((o) => `${o.kind} at ${o.atMs} ms (${o.why ?? '?'})`)
          .join('; '),
      },
    ];
    return {
      seed: options.seed,
      faults: outcomes,
      invariants,
      restarts,
      exchangeOrders: exchange.orders.length,
      exchangeFills: exchange.tradeIds.length,
      ok: invariants.every((i) => i.held),
    };

    async function playFault(
      fault: ScheduledFault,
    ): Promise<{ what: string; recoveryMs: number | undefined }> {
      if (fault.kind === 'kill9') {
        trader!.kill('SIGKILL');
        await trader!.exited;
        restarts += 1;
        const recoveryMs = await startTrader(Date.now() + KILL_GRACE_MS, 'killed (kill -9), restarting');
        return { what: `kill -9, restart on the same data folder`, recoveryMs };
      }
      if (fault.kind === 'operator_halt') {
        const answer = await control(dataDir, 'halt', { reason: 'chaos: operator halt' }, 30_000);
        const fromMs = Date.now();
        await sleep(fault.holdMs);
        forbidden.push({ fromMs, toMs: Date.now(), why: 'operator halt' });
        await control(dataDir, 'resume', undefined, 30_000);
        const what = answer === undefined ? 'halt NOT ANSWERED' : `halted ${fault.holdMs} ms, then resumed`;
        return { what, recoveryMs: await waitRecovered(bound) };
      }
      const what = await inject(fault, ctx);
      await sleep(300);
      const recoveryMs = await waitRecovered(bound);
      return { what, recoveryMs: recoveryMs === undefined ? undefined : recoveryMs + 300 };
    }
  } finally {
    if (trader?.alive) {
      trader.kill('SIGKILL');
      await trader.exited;
    }
    await sim?.close();
    rmSync(root, { recursive: true, force: true });
  }
}
