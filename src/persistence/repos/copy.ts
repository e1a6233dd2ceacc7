/**
 * Bulk rows by COPY: `COPY t (cols) FROM STDIN` in Postgres' text format, one round trip per batch
 * and no per-row parameter binding — about 3× the rows/s of the `unnest` insert (bench/persistence.ts)
 * on a Postgres server. PGlite takes the same text as a blob (`FROM '/dev/blob'`); both go through
 * `Database.copyFrom`.
 *
 * Encoding (Postgres COPY text format): columns separated by a tab, rows ended by a newline, NULL
 * as `\N`; inside a value a backslash, tab, newline and carriage return are escaped as `\\`, `\t`,
 * `\n`, `\r`. Values take the same forms as the unnest path: Dates (and epoch ms in a timestamptz
 * column) as ISO-8601 (UTC, ms), jsonb as JSON text, numbers and booleans as their text. A number
 * that is not finite is refused (it would be a corrupt row, not a missing one).
 */
import type { Database } from '../db.js';
import type { ArrayType, UnnestColumn } from './unnest.js';

export type CopyColumn<R> = UnnestColumn<R>;

export interface CopyInsert<R> {
  readonly statement: string;
  /** The rows as COPY text (exposed for tests). */
  encode(rows: readonly R[]): string;
  /** Writes the rows in one COPY; returns how many rows were given (0: nothing sent). */
  run(database: Database, rows: readonly R[]): Promise<number>;
}

const NEEDS_ESCAPE = /[\\\t\n\r]/;

function escapeText(s: string): string {
  if (!NEEDS_ESCAPE.test(s)) return s;
  let out = '';
  for (const ch of s) {
    if (ch === '\\') out += '\\\\';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else out += ch;
  }
  return out;
}

// Rows of one batch mostly share a few instants (a frame's receive time, a message's exchange
// time): the last conversion is kept.
let lastMs = Number.NaN;
let lastIso = '';
function isoOf(ms: number): string {
  if (ms !== lastMs) {
    lastIso = new Date(ms).toISOString();
    lastMs = ms;
  }
  return lastIso;
}

function field(type: ArrayType, value: unknown, column: string): string {
  if (value === undefined || value === null) return '\\N';
  switch (type) {
    case 'int4':
    case 'int8':
      if (typeof value !== 'number' || !Number.isFinite(value)) {
        throw new TypeError(`COPY column ${column}: expected a finite number, got ${String(value)}`);
      }
      return String(value);
    case 'bool':
      return value ? 't' : 'f';
    case 'timestamptz':
      if (value instanceof Date) return isoOf(value.getTime());
      if (typeof value === 'number') {
        if (!Number.isFinite(value)) {
          throw new TypeError(`COPY column ${column}: expected a finite epoch ms, got ${String(value)}`);
        }
        return isoOf(value);
      }
      return escapeText(String(value));
    case 'jsonb':
      return escapeText(JSON.stringify(value));
    case 'text':
      return escapeText(String(value));
  }
}

export function copyInsert<R>(table: string, columns: readonly CopyColumn<R>[]): CopyInsert<R> {
  const names = columns.map((c) => `"${c.name}"`).join(', ');
  const statement = `copy "${table}" (${names}) from stdin`;
  const last = columns.length - 1;
  const encode = (rows: readonly R[]): string => {
    let out = '';
    for (let r = 0; r < rows.length; r++) {
      const row = rows[r] as R;
      for (let c = 0; c <= last; c++) {
        const column = columns[c] as CopyColumn<R>;
        out += field(column.type, column.get(row), column.name);
        out += c === last ? '\n' : '\t';
      }
    }
    return out;
  };
  return {
    statement,
    encode,
    async run(database, rows) {
      if (rows.length === 0) return 0;
      await database.copyFrom(statement, encode(rows));
      return rows.length;
    },
  };
}
