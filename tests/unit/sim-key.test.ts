/**
 * The embedded simulator's account key lives in the data folder, so a warm start reads it instead
 * of making a fresh RSA key on the start's critical path (src/runtime/sim-key.ts).
 */
import { createPrivateKey } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SIM_KEY_FILE, simAccountKey } from '../../src/runtime/sim-key.js';

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'tv3-simkey-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function recordingLogger() {
  const warnings: Array<{ obj: Record<string, unknown>; msg: string }> = [];
  return { warnings, warn: (obj: Record<string, unknown>, msg: string) => warnings.push({ obj, msg }) };
}

describe('the embedded simulator account key', () => {
  it('is made once, kept owner-only in the data folder, and read back on the next start', async () => {
    const dir = tempDir();
    const log = recordingLogger();
    const first = await simAccountKey(dir, log as never);
    expect(() => createPrivateKey(first)).not.toThrow();
    const file = join(dir, SIM_KEY_FILE);
    expect(readFileSync(file, 'utf8')).toBe(first);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    // A fresh RSA key would differ: the second start reads the first one.
    expect(await simAccountKey(dir, log as never)).toBe(first);
    expect(readdirSync(dir)).toEqual([SIM_KEY_FILE]);
    expect(log.warnings).toEqual([]);
  });

  it('replaces a file that is not a private key, with a warning that names the file and not its content', async () => {
    const dir = tempDir();
    const file = join(dir, SIM_KEY_FILE);
    writeFileSync(file, 'not a key: s3cret-looking-text', { mode: 0o600 });
    const log = recordingLogger();
    const pem = await simAccountKey(dir, log as never);
    expect(() => createPrivateKey(pem)).not.toThrow();
    expect(readFileSync(file, 'utf8')).toBe(pem);
    expect(log.warnings).toHaveLength(1);
    expect(log.warnings[0]?.obj.event).toBe('sim_key_replaced');
    expect(log.warnings[0]?.msg).toContain(file);
    expect(JSON.stringify(log.warnings)).not.toContain('s3cret');
  });
});
