/**
 * Runs `traderv3` as a child process and reads its JSON log lines as they arrive.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { simStartArgs as simStartArgsIn } from '../../src/chaos/trader.js';
import type { SimCredentials } from '../../src/exchange-sim/index.js';

export const BIN = join(import.meta.dirname, '..', '..', 'bin', 'traderv3.js');

export type LogLine = Record<string, unknown> & { event?: string };

export class TraderProcess {
  readonly lines: LogLine[] = [];
  readonly raw: string[] = [];
  stderr = '';
  private waiters: Array<() => void> = [];
  readonly exited: Promise<number | null>;

  constructor(readonly child: ChildProcess) {
    const rl = createInterface({ input: child.stdout! });
    rl.on('line', (line) => {
      this.raw.push(line);
      try {
        this.lines.push(JSON.parse(line) as LogLine);
      } catch {
        // Not JSON (should not happen off a TTY); kept in raw for the failure message.
      }
      for (const w of this.waiters.splice(0)) w();
    });
    child.stderr!.on('data', (d: Buffer) => {
      this.stderr += d.toString();
    });
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  }

  /** The states the machine entered, in order (from the `"event":"state"` lines). */
  states(): string[] {
    return this.lines.filter((l) => l.event === 'state').map((l) => String(l.to));
  }

  async waitFor(pred: (l: LogLine) => boolean, timeoutMs: number, from = 0): Promise<LogLine> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.lines.slice(from).find(pred);
      if (hit) return hit;
      if (this.child.exitCode !== null)
        throw new Error(`trader exited (${this.child.exitCode}) before the line came.\n${this.tail()}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for a log line.\n${this.tail()}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.min(left, 500));
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  waitForState(state: string, timeoutMs: number, from = 0): Promise<LogLine> {
    return this.waitFor((l) => l.event === 'state' && l.to === state, timeoutMs, from);
  }

  /**
   * An order that reached the exchange (resting, executed or canceled there), logged after line
   * `from`. READY ⇄ ACTING moves are at debug, so trading shows in the order lines.
   */
  waitForOrderSent(timeoutMs: number, from = 0): Promise<LogLine> {
    return this.waitFor((l) => l.event === 'order' && typeof l.order_id === 'string', timeoutMs, from);
  }

  /**
   * The exit code, once the trader stops by itself (`--duration`) or is stopped with SIGTERM (a
   * graceful stop that flushes its record) because `done` held; `done` is checked every 250 ms.
   */
  async stopWhen(done: () => boolean): Promise<number | null> {
    const poll = setInterval(() => {
      if (done()) this.kill('SIGTERM');
    }, 250);
    return this.exited.finally(() => clearInterval(poll));
  }

  tail(n = 30): string {
    return `stdout:\n${this.raw.slice(-n).join('\n')}\nstderr:\n${this.stderr.slice(-4000)}`;
  }

  kill(signal: NodeJS.Signals = 'SIGKILL'): void {
    if (this.child.exitCode === null) this.child.kill(signal);
  }
}

export function spawnTrader(args: string[], env: Record<string, string> = {}): TraderProcess {
  const child = spawn(process.execPath, [BIN, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env, NO_COLOR: '1' },
  });
  return new TraderProcess(child);
}

/** `start --env sim` against the simulator account (its key written to a fresh folder by default). */
export function simStartArgs(creds: SimCredentials, dir = mkdtempSync(join(tmpdir(), 'tv3-key-'))): string[] {
  return simStartArgsIn(creds, dir);
}
