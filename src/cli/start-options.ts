/**
 * `traderv3 start`'s options (commander): every flag, its environment variable and its default,
 * as the help shows them. The command itself is start.ts.
 */
import type { Command } from 'commander';
import {
  type ConfigFlags,
  DEFAULTS,
  LOG_LEVELS,
  RATE_LIMIT_CHOICES,
  STRATEGIES,
  TRADER_ENVS,
} from '../config/index.js';
import { subcommand } from './options.js';
import { runStart } from './start.js';

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
      `${RATE_LIMIT_CHOICES.join(' | ')}: exchange asks Kalshi for the account's limits (GET /account/limits; basic until it answers) (env KALSHI_RATE_LIMIT_TIER; default exchange)`,
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
      '--calibration-page-size <items>',
      `items a page in calibration's reads of positions, orders, fills and settlements, 1-1000 (default ${DEFAULTS.calibrationPageSize})`,
    )
    .option(
      '--calibration-overlap <seconds>',
      `a calibration after the run's first reads fills from when the last one began, less this (default ${DEFAULTS.calibrationOverlapSec})`,
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
