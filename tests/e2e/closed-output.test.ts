/**
 * A reader that goes away (`traderv3 start | head -3`): the trader runs its course and exits 0,
 * with no EPIPE stack on stderr — its closing summary has nowhere to go, which is not a failure.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { spawnTrader } from './harness.js';

const dir = mkdtempSync(join(tmpdir(), 'tv3-closed-out-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('stdout closed by its reader', () => {
  it('does not crash the trader or change its exit code', async () => {
    const t = spawnTrader([
      'start',
      '--env',
      'sim',
      '--strategy',
      'none',
      '--duration',
      '2',
      '--data-dir',
      dir,
    ]);
    await t.waitForState('READY', 60_000);
    t.child.stdout?.destroy();
    const code = await t.exited;
    expect(t.stderr).not.toContain('EPIPE');
    expect(code, t.tail()).toBe(0);
  }, 120_000);
});
