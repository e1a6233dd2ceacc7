/**
 * The Notifier delivers notifications to webhooks off the trading path:
 *
 *  - `notify()` returns at once; it never awaits the network and never throws.
 *  - Each target has its own bounded queue (default 100) and one delivery at a time, so a slow
 *    or dead webhook delays only its own queue. When full, the oldest waiting notification is
 *    dropped; drops are counted and logged.
 *  - A delivery times out (default 10 s); network errors, timeouts, 429 and 5xx are retried with
 *    the project's backoff (equal jitter, doubling from `baseMs` to `maxMs`) up to `maxAttempts`;
 *    other 4xx answers are final. A notification that cannot be delivered is counted as failed.
 *  - Timers are unref'd and close() aborts what is in flight after a grace period, so a hanging
 *    webhook never keeps the process alive.
 *  - Text and data are redacted (config/redact.ts) before they leave; logs name a target only by
 *    its label (format and host), never by its URL (webhook URLs carry tokens).
 */
import { backoffDelay } from '../../machines/index.js';
import { redactSecrets, scrubSecretText } from '../config/index.js';
import { body, type NotifyTarget } from './targets.js';
import type { Notification } from './types.js';

export interface NotifyLog {
  warn(obj: Record<string, unknown>, msg: string): void;
  info?(obj: Record<string, unknown>, msg: string): void;
}

export interface NotifierOptions {
  targets: readonly NotifyTarget[];
  fetch?: typeof fetch;
  /** Per target (default 100). */
  queueSize?: number;
  /** Tries per notification (default 5). */
  maxAttempts?: number;
  backoff?: { baseMs: number; maxMs: number };
  /** Per request (default 10 s). */
  timeoutMs?: number;
  random?: () => number;
  log?: NotifyLog;
}

export interface NotifierStats {
  sent: number;
  failed: number;
  dropped: number;
  queued: number;
}

interface Lane {
  target: NotifyTarget;
  queue: Notification[];
  running: boolean;
}

export class Notifier {
  private readonly lanes: Lane[];
  private readonly counts = { sent: 0, failed: 0, dropped: 0 };
  private readonly abort = new AbortController();
  private closed = false;
  private readonly idleWaiters: Array<() => void> = [];

  constructor(private readonly o: NotifierOptions) {
    this.lanes = o.targets.map((target) => ({ target, queue: [], running: false }));
  }

  get targets(): string[] {
    return this.lanes.map((l) => l.target.label);
  }

  notify(n: Notification): void {
    if (this.closed || this.lanes.length === 0) return;
    const safe: Notification = {
      ...n,
      title: scrubSecretText(n.title),
      text: scrubSecretText(n.text),
      ...(n.data ? { data: redactSecrets(n.data) as Record<string, unknown> } : {}),
    };
    const limit = this.o.queueSize ?? 100;
    for (const lane of this.lanes) {
      lane.queue.push(safe);
      if (lane.queue.length > limit) {
        const lost = lane.queue.shift()!;
        this.counts.dropped += 1;
        this.o.log?.warn(
          {
            event: 'notify_dropped',
            target: lane.target.label,
            kind: lost.kind,
            dropped_total: this.counts.dropped,
          },
          `notification queue full for ${lane.target.label}: dropped the oldest`,
        );
      }
      if (!lane.running) void this.run(lane);
    }
  }

  stats(): NotifierStats {
    return { ...this.counts, queued: this.lanes.reduce((s, l) => s + l.queue.length, 0) };
  }

  /** Resolves when every queue is empty and nothing is in flight. */
  idle(): Promise<void> {
    if (this.lanes.every((l) => !l.running && l.queue.length === 0)) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Stops taking notifications; waits up to `graceMs` for the queues, then aborts the rest. */
  async close(graceMs = 2_000): Promise<void> {
    this.closed = true;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.idle(), new Promise<void>((r) => (timer = setTimeout(r, graceMs)))]);
    if (timer) clearTimeout(timer);
    this.abort.abort();
    for (const lane of this.lanes) {
      this.counts.dropped += lane.queue.length;
      lane.queue.length = 0;
    }
    await this.idle(); // the aborted requests settle at once
  }

  private async run(lane: Lane): Promise<void> {
    lane.running = true;
    try {
      while (lane.queue.length > 0 && !this.abort.signal.aborted) {
        const n = lane.queue.shift()!;
        if (await this.deliver(lane.target, n)) this.counts.sent += 1;
        else this.counts.failed += 1;
      }
    } finally {
      lane.running = false;
      if (this.lanes.every((l) => !l.running && l.queue.length === 0)) {
        for (const w of this.idleWaiters.splice(0)) w();
      }
    }
  }

  private async deliver(target: NotifyTarget, n: Notification): Promise<boolean> {
    const fetchFn = this.o.fetch ?? fetch;
    const attempts = this.o.maxAttempts ?? 5;
    const { baseMs, maxMs } = this.o.backoff ?? { baseMs: 1_000, maxMs: 60_000 };
    const payload = JSON.stringify(body(target.format, n));
    let why = '';
    for (let attempt = 1; attempt <= attempts; attempt++) {
      if (this.abort.signal.aborted) return false;
      try {
        const res = await fetchFn(target.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'user-agent': 'traderv3-notify' },
          body: payload,
          redirect: 'error',
          signal: AbortSignal.any([AbortSignal.timeout(this.o.timeoutMs ?? 10_000), this.abort.signal]),
        });
        await res.arrayBuffer().catch(() => undefined);
        if (res.ok) return true;
        why = `HTTP ${res.status}`;
        if (res.status !== 429 && res.status < 500) break;
      } catch (err) {
        const e = err as { name?: string; cause?: { code?: string } };
        why = e.name === 'TimeoutError' ? 'timed out' : (e.cause?.code ?? e.name ?? 'network error');
      }
      if (attempt < attempts)
        await this.sleep(
          backoffDelay(attempt, baseMs, Math.max(baseMs, maxMs), (this.o.random ?? Math.random)()),
        );
    }
    this.o.log?.warn(
      { event: 'notify_failed', target: target.label, kind: n.kind, why },
      `notification to ${target.label} failed (${why})`,
    );
    return false;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(resolve, ms);
      t.unref();
      this.abort.signal.addEventListener(
        'abort',
        () => {
          clearTimeout(t);
          resolve();
        },
        { once: true },
      );
    });
  }
}
