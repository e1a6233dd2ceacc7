/**
 * A pid-file lock on a folder: `<dir>/<file>` holds the owner's pid. A second live process (or a
 * second lock in this process) is refused with PERSIST_DATADIR_LOCKED; a lock left by a process
 * that died (kill -9) is taken over. Used for the embedded database's files (pgdata.lock) and for
 * the trader's data folder as a whole (trader.lock: one trader per data folder, whatever database
 * it records to, since control.json lives there).
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PersistenceError } from './errors.js';

/** Locks held by this process (a second one on the same file would defeat the lock). */
const heldHere = new Set<string>();

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface FolderLock {
  readonly file: string;
  release(): void;
}

/**
 * Takes the lock `<dir>/<file>` (creating `dir`). `what` names what the lock protects, for the
 * message ("the embedded database in DIR", "the data folder DIR").
 */
export function lockFolder(dir: string, file: string, what: string): FolderLock {
  const folder = resolve(dir);
  const path = join(folder, file);
  if (heldHere.has(path)) {
    throw new PersistenceError('PERSIST_DATADIR_LOCKED', `${what} is already in use in this process`);
  }
  mkdirSync(folder, { recursive: true, mode: 0o700 });
  for (let attempt = 0; ; attempt++) {
    try {
      writeFileSync(path, `${process.pid}\n`, { flag: 'wx', mode: 0o600 });
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw err;
      let holder = Number.NaN;
      try {
        holder = Number.parseInt(readFileSync(path, 'utf8'), 10);
      } catch {
        // vanished or unreadable: treat as stale
      }
      if (Number.isSafeInteger(holder) && holder > 0 && holder !== process.pid && isAlive(holder)) {
        throw new PersistenceError(
          'PERSIST_DATADIR_LOCKED',
          `${what} is in use by process ${holder} (a running trader?); stop it or use another --data-dir. ` +
            `If no such process is yours, delete ${path}`,
        );
      }
      rmSync(path, { force: true }); // left by a process that died
    }
  }
  heldHere.add(path);
  let released = false;
  return {
    file: path,
    release() {
      if (released) return;
      released = true;
      heldHere.delete(path);
      try {
        if (Number.parseInt(readFileSync(path, 'utf8'), 10) === process.pid) rmSync(path, { force: true });
      } catch {
        // already gone
      }
    },
  };
}

/** One trader per data folder: `<data-dir>/trader.lock` holds its pid while it runs. */
export const TRADER_LOCK_FILE = 'trader.lock';

/** The trader's lock on its data folder (control.json, the embedded database, unwritten rows). */
export function lockDataDir(dataDir: string): FolderLock {
  return lockFolder(dataDir, TRADER_LOCK_FILE, `the data folder ${resolve(dataDir)}`);
}
