/**
 * `traderv3 exchange-sim`: run the Kalshi-compatible simulator alone, so any Kalshi client can talk
 * to it over real sockets.
 *
 * Contract (other tools rely on it): when listening, exactly one JSON line on stdout
 *   {"event":"listening","rest_url":"http://127.0.0.1:PORT/trade-api/v2","ws_url":"ws://127.0.0.1:PORT/trade-api/ws/v2"}
 * With --credentials FILE, FILE holds {"key_id","private_key_pem","rest_url","ws_url"} for a funded
 * account; an existing FILE's key is reused, so a restarted simulator accepts the same credentials.
 * SIGINT/SIGTERM stop it cleanly (exit 0), and so does its launcher's exit under npx (launcher.ts).
 * Everything else goes to stderr.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { type RateLimitTier, startSimulator } from '../exchange-sim/index.js';
import { parseDollars, RATE_LIMIT_TIERS } from '../kalshi/index.js';
import { watchLauncher } from './launcher.js';
import { integerIn, numberIn, oneOf } from './options.js';

interface ExchangeSimOptions {
  weather?: boolean;
  host: string;
  port: number;
  seed: number;
  markets: number;
  rate: number;
  balance: string;
  credentials?: string;
  rateLimit: RateLimitTier | 'off';
}

function readExistingCredentials(file: string): { keyId: string; privateKeyPem: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`--credentials ${file}: exists but is not readable JSON (${(err as Error).message})`);
  }
  const c = parsed as { key_id?: unknown; private_key_pem?: unknown };
  if (typeof c.key_id !== 'string' || typeof c.private_key_pem !== 'string') {
    throw new Error(`--credentials ${file}: exists but lacks string fields key_id and private_key_pem`);
  }
  return { keyId: c.key_id, privateKeyPem: c.private_key_pem };
}

export function registerExchangeSim(program: Command): void {
  const tiers = [...(Object.keys(RATE_LIMIT_TIERS) as RateLimitTier[]), 'off' as const];
  program
    .command('exchange-sim')
    .description('run the embedded Kalshi-compatible exchange simulator on its own')
    .option('--host <host>', 'interface to listen on', '127.0.0.1')
    .option('--port <n>', 'port (0 picks a free one)', integerIn(0, 65535), 0)
    .option(
      '--seed <n>',
      'seed for the market universe and synthetic participants',
      integerIn(0, 2 ** 31 - 1),
      1,
    )
    .option('--markets <n>', 'number of markets', integerIn(1, 20_000), 8)
    .option(
      '--rate <msgs_per_s>',
      'background activity, actions per second (0 = quiet)',
      numberIn(0, 10_000),
      20,
    )
    .option('--balance <dollars>', 'cash of the account written to --credentials', '1000')
    .option(
      '--weather',
      'the weather world: daily-high ladders settle on a true high, makers quote a lagged forecast, /nws serves forecasts',
    )
    .option('--credentials <file>', 'write (or reuse) API credentials for a funded account in this JSON file')
    .option(
      '--rate-limit <tier>',
      `token-bucket tier per API key (${tiers.join(', ')})`,
      oneOf(tiers),
      'basic',
    )
    .action(async (o: ExchangeSimOptions) => {
      let balance: number;
      try {
        balance = parseDollars(o.balance, '--balance');
        if (balance < 0) throw new Error('--balance must not be negative');
      } catch (err) {
        program.error(`error: ${(err as Error).message}`, { exitCode: 2 });
        return;
      }
      const existing =
        o.credentials && existsSync(o.credentials) ? readExistingCredentials(o.credentials) : undefined;
      const sim = await startSimulator({
        host: o.host,
        port: o.port,
        seed: o.seed,
        markets: o.markets,
        ratePerSec: o.rate,
        rateLimit: o.rateLimit === 'off' ? false : o.rateLimit,
        ...(o.weather === true ? { weather: {} } : {}),
      });
      const creds = sim.createAccount({ balance, ...(existing ?? {}) });
      if (o.credentials) {
        writeFileSync(o.credentials, `${JSON.stringify(creds, null, 2)}\n`, { mode: 0o600 });
        process.stderr.write(`exchange-sim: credentials for key ${creds.key_id} in ${o.credentials}\n`);
      } else {
        process.stderr.write(
          'exchange-sim: no --credentials given; POST /_sim/accounts creates a funded account\n',
        );
      }
      process.stdout.write(
        `${JSON.stringify({ event: 'listening', rest_url: sim.restUrl, ws_url: sim.wsUrl })}\n`,
      );

      let stopping = false;
      const stop = (signal: string) => {
        if (stopping) process.exit(1);
        stopping = true;
        process.stderr.write(`exchange-sim: ${signal}, stopping\n`);
        void sim.close().then(() => process.exit(0));
      };
      process.on('SIGINT', () => stop('SIGINT'));
      process.on('SIGTERM', () => stop('SIGTERM'));
      // Under npx, a SIGTERM to npm reaches only its shell: the launcher's death stops us too (and
      // is not a second signal when a Ctrl-C to the group already began the stop).
      watchLauncher(() => {
        if (!stopping) stop('launcher exited');
      });
    });
}
