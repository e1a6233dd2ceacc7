/**
 * Progress for long commands (calibration, replay, training, migrations): a bar at a terminal
 * (cli-progress), quiet JSON lines otherwise —
 *   {"event":"progress","label":"replay","done":1200,"total":5000,"pct":24}
 * at most one per `intervalMs` (default 2 s) plus the last one at stop(), so logs and CI output
 * stay readable. Written to stderr by default: stdout stays the command's own JSON.
 */
import { Presets, SingleBar } from 'cli-progress';

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
}

export interface Progress {
  /** Adds `n` (default 1) to what is done. */
  tick(n?: number): void;
  /** Sets what is done. */
  update(done: number): void;
  setTotal(total: number): void;
  /** Final line (JSON) or the finished bar. Idempotent. */
  stop(): void;
}

export function createProgress(o: ProgressOptions): Progress {
  const stream = o.stream ?? process.stderr;
  const tty = o.tty ?? stream.isTTY === true;
  let done = 0;
  let total = Math.max(0, o.total);
  let stopped = false;

  if (tty) {
    const bar = new SingleBar(
      {
        format: `${o.label} [{bar}] {percentage}% | {value}/{total} | eta {eta_formatted}`,
        stream: stream as NodeJS.WritableStream,
        hideCursor: false,
        clearOnComplete: false,
        etaBuffer: 50,
        fps: 10,
      },
      Presets.shades_classic,
    );
    bar.start(total, 0);
    return {
      tick(n = 1) {
        done += n;
        bar.update(done);
      },
      update(value) {
        done = value;
        bar.update(done);
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
    stream.write(`${JSON.stringify({ event: 'progress', label: o.label, done, total, pct })}\n`);
  };
  const maybe = () => {
    if (!stopped && clock() - last >= every) line();
  };
  return {
    tick(n = 1) {
      done += n;
      maybe();
    },
    update(value) {
      done = value;
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
