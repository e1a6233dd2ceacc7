/**
 * A migrated, empty PGlite data folder made once at install (`.pgdata-template/` at the project
 * root; `npm ci` runs `prepare`, which runs scripts/pgdata-template.ts). `traderv3 start` copies it
 * into a fresh data folder at its first open (`openDatabase({ fromTemplate: true })`) instead of
 * running initdb in WebAssembly there, ~3–15 s. The copy is used only when the PGlite installed now
 * made it (its version is stamped beside it) and the folder is still empty, under the folder's
 * lock. Any problem — no template, another PGlite, a failed copy — leaves the open to initdb as
 * before; migrations run after the open either way, so a template made before a new migration is
 * brought up to date like any database. `migrate` and the tests open fresh folders from scratch.
 */
import { cpSync, existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** `.pgdata-template/` at the project root (this file sits two folders below it in src/ and dist/). */
export const PGDATA_TEMPLATE_DIR = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  '.pgdata-template',
);
/** Beside it: which PGlite made it (PgdataTemplateStamp). */
export const PGDATA_TEMPLATE_STAMP = `${PGDATA_TEMPLATE_DIR}.json`;

export interface PgdataTemplateStamp {
  /** The @electric-sql/pglite version that made it. */
  readonly pglite: string;
  readonly madeAt: string;
}

/** The installed PGlite's version. */
export function pgliteVersion(): string {
  const require = createRequire(import.meta.url);
  const entry = require.resolve('@electric-sql/pglite');
  // …/node_modules/@electric-sql/pglite/dist/index.cjs → the package folder
  let dir = dirname(entry);
  while (!existsSync(join(dir, 'package.json'))) dir = dirname(dir);
  return (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string }).version;
}

/** Whether `template` is a data folder stamped by the PGlite installed now. */
export function templateIsCurrent(template = PGDATA_TEMPLATE_DIR): boolean {
  try {
    if (!existsSync(join(template, 'PG_VERSION'))) return false;
    const stamp = JSON.parse(readFileSync(`${template}.json`, 'utf8')) as Partial<PgdataTemplateStamp>;
    return stamp.pglite === pgliteVersion();
  } catch {
    return false;
  }
}

/**
 * Copies the template into `pgdata` when `pgdata` is empty and the template was made by the PGlite
 * installed now. Returns whether it did. The caller holds the data folder's lock.
 */
export function seedFromTemplate(pgdata: string, template = PGDATA_TEMPLATE_DIR): boolean {
  try {
    if (readdirSync(pgdata).length > 0) return false;
    if (!templateIsCurrent(template)) return false;
    cpSync(template, pgdata, { recursive: true });
    return true;
  } catch {
    // A half copy is not a database: back to an empty folder, which initdb fills.
    try {
      for (const name of readdirSync(pgdata)) rmSync(join(pgdata, name), { recursive: true, force: true });
    } catch {
      // the open reports what is wrong with the folder
    }
    return false;
  }
}
