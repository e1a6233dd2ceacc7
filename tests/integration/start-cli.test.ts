/**
 * `traderv3 start`: configuration errors as a real child process (exit 2, a message naming the
 * problem, no key material), and the start/stop sequence in-process against a fake runtime.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/cli/logging.js';
import { runStart } from '../../src/cli/start.js';
import type { StartIo } from '../../src/cli/start-io.js';
import type { TraderConfig } from '../../src/config/index.js';
import type { Database } from '../../src/persistence/index.js';
import type { RunningTrader, StartTraderDeps, TraderSummary } from '../../src/runtime/types.js';
import { callControl } from '../../src/server/index.js';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'traderv3.js');

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'start-cli-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** The parent's environment without anything that configures a trader. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!k.startsWith('KALSHI_') && !k.startsWith('TRADERV3_') && !k.startsWith('RL_')) env[k] = v;
  }
  return { ...env, ...extra };
}

function start(args: string[], env: Record<string, string> = {}) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'start', ...args], {
      cwd: dir,
      env: cleanEnv(env),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('traderv3 start: configuration errors (child process)', () => {
  it('paper without credentials: exit 2, naming what is missing', async () => {
    const r = await start(['--env', 'paper']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      'traderv3 start: invalid configuration: paper needs KALSHI_API_KEY_ID (or --key-id) and KALSHI_PRIVATE_KEY_PATH (or --private-key)\n',
    );
  });

  it('production without confirmation: exit 2, saying KALSHI_PRODUCTION_CONFIRMED=true is needed', async () => {
    const keyFile = join(dir, 'garbage.pem');
    const secretLooking = 'TOPSECRETCONTENTOFTHEFILE';
    writeFileSync(keyFile, secretLooking);
    const r = await start(['--env', 'production'], {
      KALSHI_API_KEY_ID: 'kid',
      KALSHI_PRIVATE_KEY_PATH: keyFile,
    });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(
      '--env production trades real money and refuses to start unless KALSHI_PRODUCTION_CONFIRMED=true is set (it is unset)',
    );
    // The bad key file is named, its content is not shown.
    expect(r.stderr).toContain(`KALSHI_PRIVATE_KEY_PATH ${JSON.stringify(keyFile)}`);
    expect(r.stderr).not.toContain(secretLooking);
  });

  it('a bad --markets value: exit 2, naming the option and the value', async () => {
    const r = await start(['--env', 'sim', '--markets', 'many']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'traderv3 start: invalid configuration: --markets: expected an integer, got "many"\n',
    );
  });

  it('no --env, and an unknown option: exit 2', async () => {
    const [noEnv, unknown] = await Promise.all([start([]), start(['--env', 'sim', '--turbo'])]);
    expect(noEnv.code).toBe(2);
    expect(noEnv.stderr).toContain(
      '--env is required: sim, paper or production (nothing defaults to production)',
    );
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown option '--turbo'");
  });
});

// ---------------------------------------------------------------------------------------------

const SUMMARY: TraderSummary = {
  states: ['STARTUP', 'READY', 'SHUTDOWN'],
  orders_placed: 2,
  fills: 1,
  positions: { 'KX-1': 1 },
  realized_pnl_dollars: '0.0000',
  fees_dollars: '0.0000',
  net_pnl_dollars: '0.0000',
};

/** A fake runtime; with `hold`, shutdown() waits until release() is called. */
function fakeRuntime(hold = false) {
  const seen: { config?: TraderConfig; deps?: StartTraderDeps; shutdowns: Array<{ cancelOrders: boolean }> } =
    {
      shutdowns: [],
    };
  let finish: (s: TraderSummary) => void = () => {};
  const done = new Promise<TraderSummary>((resolve) => {
    finish = resolve;
  });
  const running: RunningTrader = {
    control: {
      status: async () => ({ state: 'READY' }),
      sync: async () => ({}),
      halt: async (reason) => ({ halted: true, reason }),
      resume: async () => ({}),
      cancelAll: async () => ({}),
    },
    done,
    async shutdown(opts) {
      seen.shutdowns.push(opts);
      if (!hold) finish(SUMMARY);
      return done;
    },
  };
  const startTrader = async (config: TraderConfig, deps: StartTraderDeps) => {
    seen.config = config;
    seen.deps = deps;
    return running;
  };
  return { seen, startTrader, release: () => finish(SUMMARY) };
}

function fakeIo(startTrader: ReturnType<typeof fakeRuntime>['startTrader']) {
  const out: string[] = [];
  const logLines: string[] = [];
  const errors: string[] = [];
  let signalHandler: ((s: string) => void) | undefined;
  const destination = new Writable({
    write(chunk: Buffer, _enc, cb) {
      logLines.push(...chunk.toString().split('\n').filter(Boolean));
      out.push(...chunk.toString().split('\n').filter(Boolean));
      cb();
    },
  });
  const io: StartIo = {
    stdout: async (text) => {
      out.push(...text.split('\n').filter(Boolean));
    },
    stderr: (text) => {
      errors.push(text);
    },
    loadRuntime: async () => startTrader,
    // The fake runtime opens nothing: the database it is handed is a stand-in it closes.
    openEmbeddedDatabase: async () => ({ close: async () => undefined }) as unknown as Database,
    createLogger: (config) => createLogger({ level: config.logLevel, destination }),
    onSignals: (handler) => {
      signalHandler = handler;
      return () => {
        signalHandler = undefined;
      };
    },
    forceExit: (code) => {
      throw new Error(`forced exit ${code}`);
    },
  };
  const events = () => logLines.map((l) => JSON.parse(l) as { event?: string; url?: string });
  return { io, out, errors, events, signal: (s: string) => signalHandler?.(s) };
}

async function until(pred: () => boolean): Promise<void> {
  for (let i = 0; i < 1000 && !pred(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(pred()).toBe(true);
}

describe('runStart with a fake runtime (in-process)', () => {
  it('serves the control API while running; first signal shuts down gracefully, second forces exit 1', async () => {
    const dataDir = join(dir, 'run-signal');
    const { seen, startTrader, release } = fakeRuntime(true);
    const f = fakeIo(startTrader);
    const exit = runStart({ env: 'sim', dataDir, inspect: true }, {}, f.io);
    await until(() => f.events().some((e) => e.event === 'control'));
    expect(f.events().find((e) => e.event === 'control')?.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(f.events().find((e) => e.event === 'inspect')?.url).toMatch(
      /^http:\/\/127\.0\.0\.1:\d+\/inspect\/$/,
    );
    const dashboard = f.events().find((e) => e.event === 'dashboard')?.url;
    expect(dashboard).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(await callControl(dataDir, 'status')).toEqual({ state: 'READY', dashboard_url: dashboard });
    expect(seen.deps?.inspect).toBeDefined();
    // The embedded database was begun before the runtime loaded, and handed to it.
    expect(seen.deps?.database).toBeInstanceOf(Promise);

    f.signal('SIGINT');
    expect(seen.shutdowns).toEqual([{ cancelOrders: true }]);
    expect(() => f.signal('SIGINT')).toThrow('forced exit 1');
    expect(f.errors.join('')).toContain('second SIGINT, forcing exit');

    release();
    expect(await exit).toBe(0);
    expect(existsSync(join(dataDir, 'control.json'))).toBe(false);
  });

  it('--duration stops gracefully (keeping orders with --keep-orders) and the summary is the last line', async () => {
    const { seen, startTrader } = fakeRuntime();
    const f = fakeIo(startTrader);
    expect(
      await runStart(
        { env: 'sim', duration: '0.2', keepOrders: true, dataDir: join(dir, 'run-duration') },
        {},
        f.io,
      ),
    ).toBe(0);
    expect(seen.config?.env).toBe('sim');
    expect(seen.shutdowns).toEqual([{ cancelOrders: false }]);
    const events = f.events().map((e) => e.event);
    expect(events).toEqual(['config', 'control', 'dashboard', 'shutdown', 'stopped']);
    expect(f.out.at(-1)).toBe(JSON.stringify({ event: 'summary', ...SUMMARY }));
  });

  it('never logs the private key', async () => {
    const { privateKeyPem } = (await import('../../src/kalshi/signer.js')).generateKeyPair();
    const keyFile = join(dir, 'key.pem');
    writeFileSync(keyFile, privateKeyPem, { mode: 0o600 });
    const { startTrader } = fakeRuntime();
    const f = fakeIo(startTrader);
    const exit = runStart(
      { env: 'paper', duration: '0.1', dataDir: join(dir, 'run-paper') },
      { KALSHI_API_KEY_ID: 'kid', KALSHI_PRIVATE_KEY_PATH: keyFile },
      f.io,
    );
    expect(await exit).toBe(0);
    const all = f.out.join('\n');
    expect(all).toContain('"keyId":"kid"');
    expect(all).not.toContain(privateKeyPem.split('\n')[1]);
    expect(readFileSync(keyFile, 'utf8')).toBe(privateKeyPem);
  });
});
