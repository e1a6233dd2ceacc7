/**
 * Bulk rows in ONE statement: `INSERT INTO t (cols) SELECT * FROM unnest($1::type[], ...)`, one
 * array parameter per column, however many rows. drizzle's query building costs ~22 µs a row
 * (TOOLCHAIN §5), too slow for the orderbook stream; this costs one pass over the rows.
 *
 * Values are passed in forms both drivers serialize identically: Dates (and epoch ms in a
 * timestamptz column) as ISO-8601 strings (millisecond precision, UTC), jsonb as JSON text,
 * missing values as SQL NULL.
 */
import type { Database } from '../db.js';

export type ArrayType = 'text' | 'int4' | 'int8' | 'bool' | 'timestamptz' | 'jsonb';

export interface UnnestColumn<R> {
  readonly name: string;
  readonly type: ArrayType;
  readonly get: (row: R) => unknown;
}

export interface UnnestInsert<R> {
  readonly text: string;
  /** Inserts the rows in one statement; returns how many rows were given (0: no statement). */
  run(database: Database, rows: readonly R[]): Promise<number>;
}

function encode(type: ArrayType, value: unknown): unknown {
  if (value === undefined || value === null) return null;
  if (type === 'timestamptz') {
    if (value instanceof Date) return value.toISOString();
    return typeof value === 'number' ? new Date(value).toISOString() : value;
  }
  if (type === 'jsonb') return JSON.stringify(value);
  return value;
}

export function unnestInsert<R>(
  table: string,
  columns: readonly UnnestColumn<R>[],
  suffix = '',
): UnnestInsert<R> {
  const names = columns.map((c) => `"${c.name}"`).join(', ');
  const arrays = columns.map((c, i) => `$${i + 1}::${c.type}[]`).join(', ');
  const text = `insert into "${table}" (${names}) select * from unnest(${arrays})${suffix ? ` ${suffix}` : ''}`;
  return {
    text,
    async run(database, rows) {
      if (rows.length === 0) return 0;
      const params: unknown[][] = columns.map(() => new Array<unknown>(rows.length));
      for (let r = 0; r < rows.length; r++) {
        const row = rows[r] as R;
        for (let c = 0; c < columns.length; c++) {
          const column = columns[c] as UnnestColumn<R>;
          (params[c] as unknown[])[r] = encode(column.type, column.get(row));
        }
      }
      await database.query(text, params);
      return rows.length;
    },
  };
}
