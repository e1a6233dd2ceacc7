/**
 * `npm run bench:calibration`: calibration of a big account — 10,000 positions and 10,000 resting
 * orders (issue 12) — served by an external simulator (`traderv3 exchange-sim`, rate limits off,
 * its own process), side by side with the official `kalshi-typescript` SDK paging the same data.
 *
 *  - ours: `traderv3 start --env sim` against that account, as a user runs it; the figure is the
 *    `durationMs` of its first calibration (log line `calibrated`): positions, resting orders,
 *    fills and settlements of the run, balance, adopting every order and position, and the
 *    invariant's check (a big account: the newest fills and settlements after the balance, and
 *    the positions again only when needed). On the embedded PGlite (the default; on its own
 *    thread since 2026-11-30) and, when TEST_DATABASE_URL's server answers, on Postgres. The
 *    trader takes the account's rate limits from the exchange (GET /account/limits), which here
 *    reports none (rate limits off); the row at `--rate-limit-tier basic` shows what holding the
 *    reads to Basic's 20 a second costs the same calibration.
 *  - ours, reads only: our REST client paging positions and resting orders the way calibration
 *    asks for them, in this process (the like-for-like of the SDK row).
 *  - SDK: PortfolioApi.getPositions and OrdersApi.getOrders paged with its largest page (1,000),
 *    one list after the other, the way its README pages — the best case we could give it.
 *
 *  - the same at --latency-ms (default 50) added to every request by the simulator: a remote
 *    exchange, where the reads wait on the network rather than on the simulator's CPU (on this
 *    loopback both share the machine's 2 cores). Printed beside the main rows; the target is
 *    judged on the rows above.
 *
 * Options: --positions N --orders N (10000 each), --markets N (10000), --runs N (3),
 *          --latency-ms N (50; 0 skips those rows), --json FILE.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import axios from 'axios';
import { Configuration, OrdersApi, PortfolioApi } from 'kalshi-typescript';
import { CALIBRATION_PAGE_LIMITS } from '../src/integrations/calibration.js';
import { collect, createSigner, KalshiRestClient } from '../src/kalshi/index.js';
import { scratchDatabase, spawnBin, startSim } from './lib/procs.js';
import { argNumber, emitSummary, fmt, median, textTable } from './lib/report.js';

const POSITIONS = argNumber('positions', 10_000);
const ORDERS = argNumber('orders', 10_000);
const MARKETS = argNumber('markets', 10_000);
const RUNS = argNumber('runs', 3);
const LATENCY_MS = argNumber('latency-ms', 50, { allowZero: true });
const TARGET_S = 1;
const TARGET_RATIO = 0.7;

type SdkAxios = NonNullable<ConstructorParameters<typeof PortfolioApi>[2]>;

async function timed<T>(run: () => Promise<T>): Promise<{ s: number; value: T }> {
  const t0 = performance.now();
  const value = await run();
  return { s: (performance.now() - t0) / 1000, value };
}

async function sdkReads(config: Configuration): Promise<{ positions: number; orders: number }> {
  // The SDK installs its signing interceptor on the axios instance it is given.
  const portfolio = new PortfolioApi(config, undefined, axios.create() as unknown as SdkAxios);
  const ordersApi = new OrdersApi(config, undefined, axios.create() as unknown as SdkAxios);
  let positions = 0;
  let cursor: string | undefined;
  do {
    const { data } = await portfolio.getPositions(cursor, 1000);
    positions += data.market_positions?.length ?? 0;
    cursor = data.cursor || undefined;
  } while (cursor);
  let orders = 0;
  cursor = undefined;
  do {
    const { data } = await ordersApi.getOrders(
      undefined,
      undefined,
      undefined,
      undefined,
      'resting',
      1000,
      cursor,
    );
    orders += data.orders.length;
    cursor = data.cursor || undefined;
  } while (cursor);
  return { positions, orders };
}

async function ourReads(rest: KalshiRestClient): Promise<{ positions: number; orders: number }> {
  const [positions, orders] = await Promise.all([
    collect(rest.allPositions({ limit: CALIBRATION_PAGE_LIMITS.positions })),
    collect(rest.allOrders({ status: 'resting', limit: CALIBRATION_PAGE_LIMITS.orders })),
  ]);
  return { positions: positions.length, orders: orders.length };
}

/** Starts `traderv3 start` on the account (one watched market) and reads its first calibration. */
async function traderCalibration(
  dataDir: string,
  creds: string,
  databaseUrl?: string,
  extra: readonly string[] = [],
): Promise<{ calibrationS: number; readyS: number }> {
  const started = performance.now();
  const trader = spawnBin(
    [
      'start',
      '--env',
      'sim',
      '--credentials',
      creds,
      '--data-dir',
      dataDir,
      '--markets',
      '1',
      '--strategy',
      'none',
      '--order-group-limit',
      '1000000',
      // The next run reads the same account: its orders stay on the book.
      '--keep-orders',
      ...extra,
    ],
    databaseUrl ? { env: { DATABASE_URL: databaseUrl } } : {},
  );
  try {
    const line = await trader.waitFor((l) => l.event === 'calibrated', 120_000, 'the first calibration');
    const counted = { positions: line.positions, orders: line.restingOrders };
    if (counted.positions !== POSITIONS || counted.orders !== ORDERS)
      throw new Error(`the trader calibrated ${JSON.stringify(counted)}`);
    const calibrationS = Number(line.durationMs) / 1000;
    await trader.waitFor((l) => l.event === 'state' && l.to === 'READY', 60_000, 'READY');
    return { calibrationS, readyS: (performance.now() - started) / 1000 };
  } catch (err) {
    const tail = trader.lines.slice(-8).map((l) => JSON.stringify(l).slice(0, 400));
    throw new Error(`${(err as Error).message}\nthe trader's last log lines:\n${tail.join('\n')}`);
  } finally {
    await trader.stop();
  }
}

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'traderv3-bench-calibration-'));
  const simCreds = join(work, 'sim-creds.json');
  const t0 = performance.now();
  const sim = await startSim({ markets: MARKETS, rate: 0, credentials: simCreds, rateLimit: 'off' });
  try {
    const res = await fetch(`${sim.base}/_sim/accounts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ positions: POSITIONS, resting_orders: ORDERS, balance_dollars: '1000000' }),
    });
    if (res.status !== 201) throw new Error(`seeding the account: HTTP ${res.status} ${await res.text()}`);
    const account = (await res.json()) as {
      key_id: string;
      private_key_pem: string;
      seeded: { positions: number; resting_orders: number; skipped: number };
    };
    const setupS = (performance.now() - t0) / 1000;
    const creds = join(work, 'creds.json');
    const file = {
      key_id: account.key_id,
      private_key_pem: account.private_key_pem,
      rest_url: sim.restUrl,
      ws_url: sim.wsUrl,
    };
    writeFileSync(creds, JSON.stringify(file), { mode: 0o600 });
    console.log(
      `calibration — ${fmt(MARKETS)} markets, account seeded with ${fmt(account.seeded.positions)} positions and ${fmt(account.seeded.resting_orders)} resting orders (setup ${setupS.toFixed(1)} s); simulator rate limits off; ${RUNS} runs; load avg ${loadavg()[0]!.toFixed(1)} on 2 cores`,
    );

    const config = new Configuration({
      apiKey: account.key_id,
      privateKeyPem: account.private_key_pem,
      basePath: sim.restUrl,
    });
    const rest = new KalshiRestClient({
      baseUrl: sim.restUrl,
      signer: createSigner({ keyId: account.key_id, privateKeyPem: account.private_key_pem }),
      rateLimiter: false,
    });
    const sdk: number[] = [];
    const reads: number[] = [];
    const calib: number[] = [];
    const calibPg: number[] = [];
    const calibBasic: number[] = [];
    const toReady: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      const a = await timed(() => sdkReads(config));
      if (a.value.positions !== POSITIONS || a.value.orders !== ORDERS)
        throw new Error(`SDK read ${JSON.stringify(a.value)}`);
      sdk.push(a.s);
      const b = await timed(() => ourReads(rest));
      if (b.value.positions !== POSITIONS || b.value.orders !== ORDERS)
        throw new Error(`our client read ${JSON.stringify(b.value)}`);
      reads.push(b.s);

      // The trader itself, on the embedded database (the default) and on Postgres.
      const embedded = await traderCalibration(join(work, `data-${run}`), creds);
      calib.push(embedded.calibrationS);
      toReady.push(embedded.readyS);
      const basic = await traderCalibration(join(work, `data-basic-${run}`), creds, undefined, [
        '--rate-limit-tier',
        'basic',
      ]);
      calibBasic.push(basic.calibrationS);
      const scratch = await scratchDatabase(`calib${run}`);
      if (scratch) {
        try {
          const pg = await traderCalibration(join(work, `data-pg-${run}`), creds, scratch.url);
          calibPg.push(pg.calibrationS);
        } finally {
          await scratch.drop();
        }
      }
    }

    // A remote exchange: every request waits LATENCY_MS at the simulator first.
    const sdkFar: number[] = [];
    const calibFar: number[] = [];
    if (LATENCY_MS > 0) {
      await sim.fault({ action: 'latency', ms: LATENCY_MS });
      try {
        for (let run = 0; run < RUNS; run++) {
          const a = await timed(() => sdkReads(config));
          sdkFar.push(a.s);
          calibFar.push((await traderCalibration(join(work, `data-far-${run}`), creds)).calibrationS);
        }
      } finally {
        await sim.fault({ action: 'latency', ms: 0 });
      }
    }

    const row = (name: string, xs: number[]) => [
      name,
      median(xs).toFixed(3),
      Math.min(...xs).toFixed(3),
      Math.max(...xs).toFixed(3),
    ];
    console.log(
      textTable(
        ['path', 'median s', 'min s', 'max s'],
        [
          row('kalshi-typescript SDK: positions then resting orders, limit 1,000', sdk),
          row('ours, reads only: the same two lists (calibration page sizes, both at once)', reads),
          row("ours: the trader's first calibration (durationMs), embedded PGlite", calib),
          row('  the trader: process start to READY (a fresh data folder)', toReady),
          ...(calibPg.length > 0 ? [row("ours: the trader's first calibration, Postgres", calibPg)] : []),
          row('ours: the same at --rate-limit-tier basic (reads held to 20/s), PGlite', calibBasic),
          ...(sdkFar.length > 0
            ? [
                row(`at ${LATENCY_MS} ms a request (a remote exchange): the SDK's reads`, sdkFar),
                row(`at ${LATENCY_MS} ms a request: ours, the trader's first calibration`, calibFar),
              ]
            : []),
        ],
      ),
    );
    const farRatio = sdkFar.length > 0 ? median(calibFar) / median(sdkFar) : Number.NaN;
    if (sdkFar.length > 0)
      console.log(
        `at ${LATENCY_MS} ms a request: calibration ${median(calibFar).toFixed(3)} s vs the SDK's reads ${median(sdkFar).toFixed(3)} s: ${farRatio.toFixed(2)}×`,
      );
    const ours = median(calib);
    const ratio = ours / median(sdk);
    const met = ours < TARGET_S && ratio <= TARGET_RATIO;
    console.log(
      `calibration ${ours.toFixed(3)} s vs the SDK's reads ${median(sdk).toFixed(3)} s: ${ratio.toFixed(2)}× (target < ${TARGET_S} s and ≤ ${TARGET_RATIO}×: ${met ? 'met' : 'NOT met'})`,
    );
    emitSummary([
      {
        bench: `calibration, ${fmt(POSITIONS)} positions + ${fmt(ORDERS)} resting orders (external sim, rate limits off)`,
        metric: 'median s',
        ours: ours.toFixed(3),
        versus: `${median(sdk).toFixed(3)} (kalshi-typescript SDK paging the same lists)`,
        ratio: `${ratio.toFixed(2)}×`,
        target: `< ${TARGET_S} s and ≤ ${TARGET_RATIO}× the SDK`,
        met,
        note: `the trader's first calibration (durationMs) on the embedded PGlite, incl. fills, settlements, balance, adoption and the invariant's check (the newest fills and settlements after the balance; the positions again only when needed); on Postgres ${calibPg.length > 0 ? `${median(calibPg).toFixed(3)} s` : 'not run'}; held to Basic's 20 reads/s ${median(calibBasic).toFixed(3)} s; our client's reads of the same two lists ${median(reads).toFixed(3)} s; ${sdkFar.length > 0 ? `at ${LATENCY_MS} ms a request (a remote exchange) ${median(calibFar).toFixed(3)} s vs the SDK's ${median(sdkFar).toFixed(3)} s, ${farRatio.toFixed(2)}×; ` : ''}${RUNS} runs; load avg ${loadavg()[0]!.toFixed(1)} on 2 cores`,
      },
    ]);
  } finally {
    await sim.proc.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
