/**
 * Rows the database would not take at shutdown are not dropped: they are saved as JSON lines
 * (`{"kind":…,"row":…}`) in `<data-dir>/unwritten/<session>-<time>.jsonl`, mode 0600, for an operator
 * to load once the database is back. (Secrets never reach these rows: they are the record's own.)
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export function dumpUnwritten(
  dataDir: string,
  sessionId: string,
  unwritten: ReadonlyArray<{ kind: string; rows: readonly unknown[] }>,
): string {
  const dir = resolve(dataDir, 'unwritten');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = join(dir, `${sessionId}-${new Date().toISOString().replace(/[:.]/g, '-')}.jsonl`);
  const lines = unwritten.flatMap(({ kind, rows }) => rows.map((row) => JSON.stringify({ kind, row })));
  writeFileSync(file, `${lines.join('\n')}\n`, { mode: 0o600 });
  return file;
}
