/**
 * A fresh data folder seeded from the migrated template (src/persistence/pgdata-template.ts): it
 * opens as a database with every migration in place; a template another PGlite made, or a folder
 * that is not empty, is left alone.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate, openDatabase } from '../../src/persistence/index.js';
import { pgliteVersion, seedFromTemplate } from '../../src/persistence/pgdata-template.js';

const root = mkdtempSync(join(tmpdir(), 'tv3-pgtemplate-'));
const template = join(root, 'made', 'pgdata');
const stamp = (pglite: string) =>
  writeFileSync(`${template}.json`, JSON.stringify({ pglite, madeAt: 'test' }));

beforeAll(async () => {
  const database = await openDatabase({ dataDir: join(root, 'made') });
  await migrate(database);
  await database.close();
}, 120_000);
afterAll(() => rmSync(root, { recursive: true, force: true }));

function emptyPgdata(name: string): string {
  const pgdata = join(root, name, 'pgdata');
  mkdirSync(pgdata, { recursive: true });
  return pgdata;
}

describe('the migrated PGlite template', () => {
  it('seeds an empty folder, which opens with every migration applied', async () => {
    stamp(pgliteVersion());
    const pgdata = emptyPgdata('seeded');
    expect(seedFromTemplate(pgdata, template)).toBe(true);
    expect(existsSync(join(pgdata, 'PG_VERSION'))).toBe(true);
    const database = await openDatabase({ dataDir: join(root, 'seeded') });
    try {
      expect((await migrate(database)).applied).toBe(0);
      const [row] = await database.query<{ n: number }>('select count(*)::int as n from trading_sessions');
      expect(row?.n).toBe(0);
    } finally {
      await database.close();
    }
  }, 60_000);

  it('is not used when another PGlite made it', () => {
    stamp('0.0.1');
    const pgdata = emptyPgdata('other-version');
    expect(seedFromTemplate(pgdata, template)).toBe(false);
    expect(readdirSync(pgdata)).toEqual([]);
  });

  it('never touches a folder that already holds something', () => {
    stamp(pgliteVersion());
    const pgdata = emptyPgdata('not-empty');
    writeFileSync(join(pgdata, 'PG_VERSION'), '17\n');
    expect(seedFromTemplate(pgdata, template)).toBe(false);
    expect(readdirSync(pgdata)).toEqual(['PG_VERSION']);
  });

  it('is not used when there is none', () => {
    const pgdata = emptyPgdata('no-template');
    expect(seedFromTemplate(pgdata, join(root, 'nowhere'))).toBe(false);
    expect(readdirSync(pgdata)).toEqual([]);
  });
});
