/**
 * Progress for long commands (calibration, replay, training, migrations): a bar at a terminal
 * (cli-progress), and off a terminal either nothing (`offTerminal: 'none'`: migrate, start) or
 * quiet JSON lines (the default: replay, train, train-edge) —
 *   {"event":"progress","label":"replay","done":1200,"total":5000,"pct":24}
 * at most one per `intervalMs` (default 2 s) plus the last one at stop(), so logs and CI output
 * stay readable. Written to stderr by default: stdout stays the command's own JSON.
 */
import type cliProgress from 'cli-progress';
import { lazyPackage } from '../lazy.js';

// Loaded only when a bar is drawn (src/lazy.ts).
const bars = lazyPackage<typeof cliProgress>('cli-progress');

export interface ProgressStream {
  write(chunk: string): boolean;
  isTTY?: boolean;
  columns?: number;
}

export interface ProgressOptions {
  label: string;
  total: number;
  stream?: ProgressStream;
  /** Force the bar (true) or the JSON lines (false); default: the stream's isTTY. */
  tty?: boolean;
  intervalMs?: number;
  clock?: () => number;
  /** Off a terminal: JSON lines (default) or nothing at all. */
  offTerminal?: 'json' | 'none';
}

export interface Progress {
  /** Adds `n` (default 1) to what is done. */
  tick(n?: number): void;
  /** Sets what is done; `detail` is a few words shown after the figures ("fills 1200"). */
  update(done: number, detail?: string): void;
  setTotal(total: number): void;
  /** Final line (JSON) or the finished bar. Idempotent. */
  stop(): void;
}

export function createProgress(o: ProgressOptions): Progress {
  const stream = o.stream ?? process.stderr;
  const tty = o.tty ?? stream.isTTY === true;
  if (!tty && o.offTerminal === 'none') return { tick() {}, update() {}, setTotal() {}, stop() {} };
  let done = 0;
  let detail = '';
  let total = Math.max(0, o.total);
  let stopped = false;

  if (tty) {
    const { Format, Presets, SingleBar } = bars();
    const bar = new SingleBar(
      {
        format: `${o.label} [{bar}] {percentage}% | {value}/{total} | eta {eta_formatted}{detail}`,
        // Without a rate (updates that finish nothing) cli-progress's eta is 'INF' or 'NULL', which
        // its two-character padding prints as "NFs" / "LLs": say it is not known.
        formatTime: (t, options, roundTo) =>
          typeof t === 'number' && Number.isFinite(t) ? Format.TimeFormat(t, options, roundTo) : '?',
        stream: stream as NodeJS.WritableStream,
        hideCursor: false,
        clearOnComplete: false,
        etaBuffer: 50,
        fps: 10,
      },
      Presets.shades_classic,
    );
    bar.start(total, 0, { detail: '' });
    return {
      tick(n = 1) {
        done += n;
        bar.update(done);
      },
      update(value, words) {
        done = value;
        bar.update(done, { detail: words === undefined ? '' : ` | ${words}` });
      },
      setTotal(t) {
        total = t;
        bar.setTotal(t);
      },
      stop() {
        if (stopped) return;
        stopped = true;
        bar.stop();
      },
    };
  }

  const clock = o.clock ?? Date.now;
  const every = o.intervalMs ?? 2_000;
  let last = Number.NEGATIVE_INFINITY;
  const line = () => {
    last = clock();
    const pct = total > 0 ? Math.min(100, Math.floor((done * 100) / total)) : 0;
    const row = { event: 'progress', label: o.label, done, total, pct, ...(detail ? { detail } : {}) };
    stream.write(`${JSON.stringify(row)}\n`);
  };
  const maybe = () => {
    if (!stopped && clock() - last >= every) line();
  };
  return {
    tick(n = 1) {
      done += n;
      maybe();
    },
    update(value, words) {
      done = value;
      detail = words ?? '';
      maybe();
    },
    setTotal(t) {
      total = t;
    },
    stop() {
      if (stopped) return;
      stopped = true;
      line();
    },
  };
}

/** A progress whose total is known only with the first figures: made then, so it never shows 0/0. */
export function progressOnFirstUpdate(o: Omit<ProgressOptions, 'total'>): {
  update(done: number, total: number, detail?: string): void;
  stop(): void;
} {
  let progress: Progress | undefined;
  return {
    update(done, total, detail) {
      progress ??= createProgress({ ...o, total });
      progress.setTotal(total);
      progress.update(done, detail);
    },
    stop() {
      progress?.stop();
    },
  };
}
