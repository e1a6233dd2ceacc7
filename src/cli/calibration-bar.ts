/**
 * `traderv3 start`'s bar over the first calibration (a large account's positions, orders, fills
 * and settlements take many pages): on stderr, and only for a person watching — stderr and stdout
 * at a terminal (stdout off a terminal means JSON log lines for a machine) and not in CI.
 */
import type { CalibrationProgress } from '../integrations/index.js';
import { createProgress, type Progress, type ProgressStream } from './progress.js';

export interface CalibrationBar {
  onProgress(p: CalibrationProgress): void;
  stop(): void;
}

/** A bar is for a person at a terminal: both streams a terminal, and no CI variable set. */
export function wantsBar(o: {
  stderrTty: boolean;
  stdoutTty: boolean;
  env: Readonly<Record<string, string | undefined>>;
}): boolean {
  const ci = o.env.CI?.trim();
  return o.stderrTty && o.stdoutTty && (ci === undefined || ci === '' || ci === '0' || ci === 'false');
}

export function calibrationBar(stream: ProgressStream): CalibrationBar {
  let bar: Progress | undefined;
  const stop = () => {
    bar?.stop();
    bar = undefined;
  };
  return {
    onProgress(p) {
      if (p.step === 'done') return stop();
      bar ??= createProgress({ label: 'calibrate', total: p.steps, stream, offTerminal: 'none' });
      bar.update(p.stepsDone, p.items > 0 ? `${p.step} ${p.items}` : p.step);
    },
    stop,
  };
}
