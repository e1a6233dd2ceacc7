/** The progress helper: JSON lines off a terminal (throttled, with a last line), a bar on one. */
import { describe, expect, it } from 'vitest';
import { createProgress, progressOnFirstUpdate } from '../../src/cli/progress.js';
import { fromScenarios } from '../../src/cli/train-edge.js';

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

  it('shows an unknown eta as "?", not cli-progress\'s clipped INF / NULL ("NFs", "LLs")', async () => {
    const out = sink(true);
    const p = createProgress({ label: 'calibrate', total: 6, stream: out });
    // Items arrive while no step finishes: no rate to estimate from.
    p.update(0, 'positions 1000');
    await new Promise((r) => setTimeout(r, 20));
    p.update(0, 'positions 2000');
    p.stop();
    const text = out.chunks.join('');
    expect(text).toContain('positions 2000');
    expect(text).toContain('eta ? |');
    expect(text).not.toMatch(/eta (NF|LL)s/);
  });

  it('writes nothing off a terminal when asked (migrate, start), and draws at one all the same', () => {
    const off = sink(false);
    const p = createProgress({ label: 'migrate', total: 3, stream: off, offTerminal: 'none' });
    p.update(3);
    p.stop();
    expect(off.chunks).toEqual([]);
    const on = sink(true);
    createProgress({ label: 'migrate', total: 3, stream: on, offTerminal: 'none' }).stop();
    expect(on.chunks.join('')).toContain('migrate [');
  });

  it('is made with the first figures, so it never says 0/0; the detail rides along', () => {
    const out = sink(false);
    const p = progressOnFirstUpdate({ label: 'train', stream: out, intervalMs: 0 });
    p.stop();
    expect(out.chunks).toEqual([]);
    const q = progressOnFirstUpdate({ label: 'train', stream: out, intervalMs: 0 });
    q.update(1, 12, 'epoch 1/3');
    q.stop();
    expect(out.chunks.map((c) => JSON.parse(c))).toEqual([
      { event: 'progress', label: 'train', done: 1, total: 12, pct: 8, detail: 'epoch 1/3' },
      { event: 'progress', label: 'train', done: 1, total: 12, pct: 8, detail: 'epoch 1/3' },
    ]);
  });

  it('train-edge ticks once per simulator seed and stops, even when a seed fails', async () => {
    const counts = { tick: 0, stop: 0 };
    const progress = { tick: () => void counts.tick++, stop: () => void counts.stop++ };
    const row = { features: {}, label: 1 as const };
    const rows = await fromScenarios([1, 2, 3], {
      log: () => {},
      progress,
      run: async (seed) => ({ samples: Array.from({ length: seed }, () => row) }),
    });
    expect(rows).toHaveLength(6);
    expect(counts).toEqual({ tick: 3, stop: 1 });
    await expect(
      fromScenarios([1, 2], {
        log: () => {},
        progress,
        run: async (seed) => {
          if (seed === 2) throw new Error('scenario failed');
          return { samples: [] };
        },
      }),
    ).rejects.toThrow('scenario failed');
    expect(counts).toEqual({ tick: 4, stop: 2 });
  });
});
