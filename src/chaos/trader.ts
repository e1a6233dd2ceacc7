/**
 * The trader under test, as a real child process (`bin/traderv3.js start`), with its JSON log
 * lines kept and its control API (found through control.json in its data folder) at hand.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, type WriteStream, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { SimCredentials } from '../exchange-sim/index.js';
import { callControl } from '../server/control-client.js';
import type { ControlRoute } from '../server/control-routes.js';

export const TRADER_BIN = join(import.meta.dirname, '..', '..', 'bin', 'traderv3.js');

export type LogLine = Record<string, unknown> & { event?: string };

export class TraderChild {
  readonly lines: LogLine[] = [];
  private readonly raw: string[] = [];
  private stderr = '';
  readonly exited: Promise<number | null>;
  readonly startedMs = Date.now();

  private constructor(
    private readonly child: ChildProcess,
    log: WriteStream | undefined,
  ) {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      log?.write(`${line}\n`);
      this.raw.push(line);
      if (this.raw.length > 400) this.raw.shift();
      try {
        this.lines.push(JSON.parse(line) as LogLine);
      } catch {
        // kept in raw only
      }
    });
    child.stderr!.on('data', (d: Buffer) => {
      this.stderr = (this.stderr + d.toString()).slice(-8000);
    });
    this.exited = new Promise((resolve) =>
      child.once('exit', (code) => {
        log?.end();
        resolve(code);
      }),
    );
  }

  /** Starts `traderv3 …args`; with `logPath`, every stdout line is also appended to that file. */
  static spawn(args: readonly string[], env: Record<string, string> = {}, logPath?: string): TraderChild {
    const child = spawn(process.execPath, [TRADER_BIN, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...env, NO_COLOR: '1' },
    });
    return new TraderChild(
      child,
      logPath === undefined ? undefined : createWriteStream(logPath, { flags: 'a' }),
    );
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  kill(signal: NodeJS.Signals = 'SIGKILL'): void {
    if (this.alive) this.child.kill(signal);
  }

  /** The first log line (from index `from`) that `pred` accepts; throws past the timeout or on exit. */
  async waitFor(pred: (l: LogLine) => boolean, timeoutMs: number, from = 0): Promise<LogLine> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.lines.slice(from).find(pred);
      if (hit) return hit;
      if (!this.alive) throw new Error(`the trader exited before the line came\n${this.tail()}`);
      if (Date.now() > deadline) throw new Error(`timed out waiting for a log line\n${this.tail()}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  waitForState(state: string, timeoutMs: number, from = 0): Promise<LogLine> {
    return this.waitFor((l) => l.event === 'state' && l.to === state, timeoutMs, from);
  }

  /** The last `{"event":"summary"}` line, once the process has ended. */
  summary(): LogLine | undefined {
    return this.lines.findLast((l) => l.event === 'summary');
  }

  tail(n = 25): string {
    return `stdout:\n${this.raw.slice(-n).join('\n')}\nstderr:\n${this.stderr.slice(-3000)}`;
  }
}

/** Writes the account's key to a PEM file in `dir`; the CLI flags that use it. */
function credentialFlags(creds: SimCredentials, dir: string): string[] {
  const keyFile = join(dir, 'key.pem');
  writeFileSync(keyFile, creds.private_key_pem, { mode: 0o600 });
  return [
    '--api-url',
    creds.rest_url,
    '--ws-url',
    creds.ws_url,
    '--key-id',
    creds.key_id,
    '--private-key',
    keyFile,
  ];
}

/** `start --env sim` against that simulator account (its key written to a PEM file in `dir`). */
export function simStartArgs(creds: SimCredentials, dir: string): string[] {
  return ['start', '--env', 'sim', ...credentialFlags(creds, dir)];
}

/** One control call; undefined when the trader does not answer (dead, restarting). */
export async function control(
  dataDir: string,
  route: ControlRoute,
  body?: unknown,
  timeoutMs = 5_000,
): Promise<Record<string, unknown> | undefined> {
  try {
    return (await callControl(dataDir, route, {
      timeoutMs,
      ...(body === undefined ? {} : { body }),
    })) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/** The top-level machine state from a status answer (`state` may be nested). */
export function topState(status: Record<string, unknown> | undefined): string | undefined {
  const s = status?.state;
  if (typeof s === 'string') return s;
  if (s && typeof s === 'object') return Object.keys(s)[0];
  return undefined;
}
