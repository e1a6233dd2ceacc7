/**
 * `migrate` tells its progress over the migration files (the `traderv3 migrate` bar): every count
 * from 0 to the number of files once, in order, whether it applies them or finds them applied.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MIGRATIONS_FOLDER, migrate } from '../../src/persistence/index.js';
import { DRIVERS } from './drivers.js';

const FILES = (
  JSON.parse(readFileSync(join(MIGRATIONS_FOLDER, 'meta', '_journal.json'), 'utf8')) as { entries: unknown[] }
).entries.length;

describe.each(DRIVERS)('migrate progress on $name', (driver) => {
  if (driver.skip) {
    it.skip(`is skipped: ${driver.skip}`, () => undefined);
    return;
  }

  it('counts the files one by one, applying them and again when they are applied', async () => {
    const { database, dispose } = await driver.open();
    try {
      const every = Array.from({ length: FILES + 1 }, (_, i) => [i, FILES]);
      const first: number[][] = [];
      expect((await migrate(database, { onProgress: (d, t) => first.push([d, t]) })).applied).toBe(FILES);
      expect(first).toEqual(every);
      const again: number[][] = [];
      expect((await migrate(database, { onProgress: (d, t) => again.push([d, t]) })).applied).toBe(0);
      expect(again).toEqual(every);
    } finally {
      await dispose();
    }
  }, 120_000);
});
