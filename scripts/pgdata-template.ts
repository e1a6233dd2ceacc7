/**
 * Makes `.pgdata-template/` (src/persistence/pgdata-template.ts): a PGlite data folder after
 * initdb and every migration, which a fresh data folder copies at its first open instead of running
 * initdb. Runs in `prepare` (so `npm ci` leaves one) when there is none or another PGlite made it;
 * `--force` makes it again. A failure only warns: without the template, the first open runs initdb
 * as it always did.
 */
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { migrate, openDatabase } from '../src/persistence/index.js';
import {
  PGDATA_TEMPLATE_DIR,
  PGDATA_TEMPLATE_STAMP,
  type PgdataTemplateStamp,
  pgliteVersion,
  templateIsCurrent,
} from '../src/persistence/pgdata-template.js';

export async function buildPgdataTemplate(): Promise<string> {
  const work = mkdtempSync(join(tmpdir(), 'traderv3-pgdata-template-'));
  try {
    // The stamp goes first so that a fresh folder here does not copy a stale template.
    rmSync(PGDATA_TEMPLATE_STAMP, { force: true });
    rmSync(PGDATA_TEMPLATE_DIR, { recursive: true, force: true });
    const database = await openDatabase({ dataDir: work });
    try {
      await migrate(database);
    } finally {
      await database.close();
    }
    cpSync(join(work, 'pgdata'), PGDATA_TEMPLATE_DIR, { recursive: true });
    const stamp: PgdataTemplateStamp = { pglite: pgliteVersion(), madeAt: new Date().toISOString() };
    writeFileSync(PGDATA_TEMPLATE_STAMP, `${JSON.stringify(stamp)}\n`);
    return PGDATA_TEMPLATE_DIR;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

const invokedDirectly = process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1];
if (invokedDirectly) {
  if (!process.argv.includes('--force') && templateIsCurrent()) {
    console.log(`traderv3: the database template in ${PGDATA_TEMPLATE_DIR} is current`);
  } else {
    try {
      const t0 = Date.now();
      const dir = await buildPgdataTemplate();
      console.log(`traderv3: made the database template ${dir} (${Date.now() - t0} ms)`);
    } catch (err) {
      console.warn(
        `traderv3: no database template (${(err as Error).message}); a fresh data folder runs initdb at its first open`,
      );
    }
  }
}
