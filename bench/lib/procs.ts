/**
 * Real processes for the benchmarks and the soak: the simulator (`traderv3 exchange-sim`) and the
 * trader (`traderv3 start`), each through bin/traderv3.js as a user runs them, with their JSON log
 * lines readable as they come; and a scratch Postgres database beside TEST_DATABASE_URL.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BIN = join(ROOT, 'bin', 'traderv3.js');

export type LogLine = Record<string, unknown>;

export interface Proc {
  readonly child: ChildProcess;
  readonly lines: LogLine[];
  /** Resolves with the first line (already seen or to come) that matches; rejects on timeout or exit. */
  waitFor(match: (line: LogLine) => boolean, timeoutMs: number, what: string): Promise<LogLine>;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves with the exit code. */
  stop(graceMs?: number): Promise<number | null>;
  readonly exited: Promise<number | null>;
  stderr(): string;
}

export function spawnBin(
  args: readonly string[],
  opts: {
    env?: NodeJS.ProcessEnv;
    nodeArgs?: readonly string[];
    keepLines?: boolean;
    onLine?: (line: LogLine) => void;
  } = {},
): Proc {
  const child = spawn(process.execPath, [...(opts.nodeArgs ?? []), BIN, ...args], {
    cwd: ROOT,
    env: { ...process.env, ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: LogLine[] = [];
  const waiters = new Set<{ match: (l: LogLine) => boolean; resolve: (l: LogLine) => void }>();
  let err = '';
  child.stderr?.on('data', (d: Buffer) => {
    err = (err + d.toString()).slice(-20_000);
  });
  const rl = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  rl.on('line', (text) => {
    let line: LogLine;
    try {
      line = JSON.parse(text) as LogLine;
    } catch {
      return;
    }
    if (opts.keepLines !== false) lines.push(line);
    opts.onLine?.(line);
    for (const w of waiters) {
      if (w.match(line)) {
        waiters.delete(w);
        w.resolve(line);
      }
    }
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    lines,
    exited,
    stderr: () => err,
    waitFor(match, timeoutMs, what) {
      const seen = lines.find(match);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const w = {
          match,
          resolve: (l: LogLine) => {
            clearTimeout(timer);
            resolve(l);
          },
        };
        const timer = setTimeout(() => {
          waiters.delete(w);
          reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}\n${err.slice(-2000)}`));
        }, timeoutMs);
        waiters.add(w);
        void exited.then((code) => {
          if (!waiters.has(w)) return;
          waiters.delete(w);
          clearTimeout(timer);
          reject(new Error(`process exited (${code}) before ${what}\n${err.slice(-2000)}`));
        });
      });
    },
    async stop(graceMs = 10_000) {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

export interface Sim {
  readonly proc: Proc;
  readonly restUrl: string;
  readonly wsUrl: string;
  readonly base: string;
  /** POST /_sim/faults with this body. */
  fault(body: Record<string, unknown>): Promise<void>;
}

export async function startSim(opts: {
  markets: number;
  rate: number;
  credentials: string;
  rateLimit?: string;
  seed?: number;
  nodeArgs?: readonly string[];
}): Promise<Sim> {
  const proc = spawnBin(
    [
      'exchange-sim',
      '--port',
      '0',
      '--markets',
      String(opts.markets),
      '--rate',
      String(opts.rate),
      '--seed',
      String(opts.seed ?? 1),
      '--balance',
      '100000',
      '--credentials',
      opts.credentials,
      '--rate-limit',
      opts.rateLimit ?? 'off',
    ],
    { nodeArgs: opts.nodeArgs ?? [] },
  );
  const listening = await proc.waitFor((l) => l.event === 'listening', 120_000, 'the simulator to listen');
  const restUrl = String(listening.rest_url);
  const base = restUrl.replace(/\/trade-api\/v2$/, '');
  return {
    proc,
    restUrl,
    wsUrl: String(listening.ws_url),
    base,
    async fault(body) {
      const res = await fetch(`${base}/_sim/faults`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      if (!res.ok) throw new Error(`fault ${JSON.stringify(body)}: HTTP ${res.status} ${await res.text()}`);
    },
  };
}

export const isState = (to: string) => (l: LogLine) => l.event === 'state' && l.to === to;

export const PG_URL =
  process.env.DATABASE_URL ||
  process.env.TEST_DATABASE_URL ||
  'postgres://postgres@127.0.0.1:5432/traderv3_test';

/** A fresh database beside `url` (dropped by `drop`), or undefined when the server is unreachable. */
export async function scratchDatabase(
  tag: string,
  url = PG_URL,
): Promise<{ url: string; drop: () => Promise<void> } | undefined> {
  const name = `traderv3_${tag}_${process.pid}`;
  const admin = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3_000 });
  try {
    await admin.connect();
  } catch {
    return undefined;
  }
  try {
    await admin.query(`drop database if exists "${name}" with (force)`);
    await admin.query(`create database "${name}"`);
  } finally {
    await admin.end();
  }
  const scratch = new URL(url);
  scratch.pathname = `/${name}`;
  return {
    url: scratch.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      try {
        await c.query(`drop database if exists "${name}" with (force)`);
      } finally {
        await c.end();
      }
    },
  };
}
