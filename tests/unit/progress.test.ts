/** The progress helper: JSON lines off a terminal (throttled, with a last line), a bar on one. */
import { describe, expect, it } from 'vitest';
import { createProgress } from '../../src/cli/progress.js';

function sink(isTTY: boolean) {
  const chunks: string[] = [];
  return { chunks, isTTY, columns: 100, write: (c: string) => chunks.push(c) > 0 };
}

describe('progress', () => {
  it('writes quiet JSON lines when not a terminal: one per interval and the last at stop', () => {
    let now = 0;
    const out = sink(false);
    const p = createProgress({
      label: 'replay',
      total: 10,
      stream: out,
      intervalMs: 1_000,
      clock: () => now,
    });
    for (let i = 0; i < 10; i++) {
      now += 300;
      p.tick();
    }
    p.stop();
    p.stop();
    const lines = out.chunks.map((c) => JSON.parse(c));
    expect(lines).toEqual([
      { event: 'progress', label: 'replay', done: 1, total: 10, pct: 10 },
      { event: 'progress', label: 'replay', done: 5, total: 10, pct: 50 },
      { event: 'progress', label: 'replay', done: 9, total: 10, pct: 90 },
      { event: 'progress', label: 'replay', done: 10, total: 10, pct: 100 },
    ]);
  });

  it('draws a bar at a terminal', () => {
    const out = sink(true);
    const p = createProgress({ label: 'migrate', total: 4, stream: out });
    p.update(2);
    p.setTotal(5);
    p.tick(3);
    p.stop();
    const text = out.chunks.join('');
    expect(text).toContain('migrate [');
    expect(text).toContain('100% | 5/5');
    expect(text).not.toContain('"event":"progress"');
  });
});
