/**
 * Bulk rows by COPY: `COPY t (cols) FROM STDIN WITH (FORMAT binary)`, one round trip per batch and
 * no per-row parameter binding. node-postgres streams the bytes (pg-copy-streams); PGlite reads the
 * same bytes as a blob (`FROM '/dev/blob'`); both go through `Database.copyFrom`.
 *
 * Why binary and not text (planning/decisions.md, "COPY in binary"): the server parses no text —
 * a timestamptz in text is a date parse per field, in binary 8 bytes — and the encoder formats no
 * text: no ISO string per time, no escaping per field. Both sides were the limit of the write queue
 * → Postgres path (bench/persistence.ts).
 *
 * Encoding (Postgres COPY binary format): the 11-byte signature, a 32-bit flags word and a 32-bit
 * header-extension length (both 0); per row a 16-bit field count, then per field a 32-bit byte
 * length (−1: NULL) and the value's bytes; a 16-bit −1 ends the data. All integers big-endian.
 * Values (undefined and null are NULL):
 *   text         the UTF-8 bytes of `String(value)`, nothing escaped (a NUL is refused by the server)
 *   int4 / int8  a 32 / 64-bit two's-complement integer; a number that is not an integer of that
 *                width is refused here (a corrupt row, not a missing one)
 *   bool         one byte, 1 or 0 (truthiness, as the text format's `t` / `f` was)
 *   timestamptz  a Date or epoch ms: microseconds since 2000-01-01 UTC, 64-bit; anything else, or a
 *                value that is not finite, is refused
 *   jsonb        the version byte 1, then the UTF-8 JSON text of `JSON.stringify(value)`
 * A refused value throws a TypeError from `encode` (so `run` rejects and nothing of the batch is sent).
 */
import type { Database } from '../db.js';
import type { ArrayType, UnnestColumn } from './unnest.js';

export type CopyColumn<R> = UnnestColumn<R>;

export interface CopyInsert<R> {
  readonly statement: string;
  /** The rows in COPY's binary format (exposed for tests). */
  encode(rows: readonly R[]): Buffer;
  /** Writes the rows in one COPY; returns how many rows were given (0: nothing sent). */
  run(database: Database, rows: readonly R[]): Promise<number>;
}

const SIGNATURE = [0x50, 0x47, 0x43, 0x4f, 0x50, 0x59, 0x0a, 0xff, 0x0d, 0x0a, 0x00]; // PGCOPY\n\377\r\n\0
const HEADER_BYTES = SIGNATURE.length + 8;
/** 2000-01-01T00:00:00Z, Postgres' epoch, in Unix ms. */
const PG_EPOCH_MS = 946_684_800_000;
const TWO_32 = 4_294_967_296;
/** |ms − PG_EPOCH_MS| below this times 1000 is still an exact double (< 2^53). */
const EXACT_MS = 9_007_199_254_740;
/** Bytes a row needs besides its values: the field count and one length word per field. */
const ROW_OVERHEAD = (columns: number) => 2 + 4 * columns;

/** A growing byte buffer with big-endian writes; `ensure` before writing. */
class Bytes {
  buf: Buffer;
  pos = 0;

  constructor(size: number) {
    this.buf = Buffer.allocUnsafe(Math.max(64, size));
  }

  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  i16(v: number): void {
    const b = this.buf;
    const p = this.pos;
    b[p] = (v >>> 8) & 0xff;
    b[p + 1] = v & 0xff;
    this.pos = p + 2;
  }

  i32(v: number): void {
    const b = this.buf;
    const p = this.pos;
    b[p] = (v >>> 24) & 0xff;
    b[p + 1] = (v >>> 16) & 0xff;
    b[p + 2] = (v >>> 8) & 0xff;
    b[p + 3] = v & 0xff;
    this.pos = p + 4;
  }

  /** A 64-bit integer given as an exact double (|v| < 2^53). */
  i64(v: number): void {
    const hi = Math.floor(v / TWO_32);
    this.i32(hi | 0);
    this.i32((v - hi * TWO_32) >>> 0);
  }

  /** A length word, then the UTF-8 bytes of `s` (and `prefix` bytes before them, e.g. jsonb's version). */
  text(s: string, prefix = -1): void {
    const len = s.length;
    this.ensure(4 + 1 + 3 * len);
    const b = this.buf;
    const start = this.pos + 4;
    let p = start;
    if (prefix >= 0) b[p++] = prefix;
    // ASCII (tickers, ids, sides) byte by byte; the first other character hands the rest to the
    // UTF-8 encoder (surrogate pairs and lone surrogates as Buffer#write does them).
    let i = 0;
    for (; i < len; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) break;
      b[p++] = c;
    }
    if (i < len) p += b.write(s.slice(i), p);
    this.i32(p - start);
    this.pos = p;
  }
}

type FieldWriter = (out: Bytes, value: unknown, column: string) => void;

function refuse(column: string, expected: string, value: unknown): never {
  throw new TypeError(`COPY column ${column}: expected ${expected}, got ${String(value)}`);
}

function integer(column: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) refuse(column, 'a finite number', value);
  return value;
}

const WRITERS: { readonly [T in ArrayType]: FieldWriter } = {
  text: (out, value) => out.text(typeof value === 'string' ? value : String(value)),
  int4: (out, value, column) => {
    const n = integer(column, value);
    if ((n | 0) !== n) refuse(column, 'an integer in the int4 range', value);
    out.ensure(8);
    out.i32(4);
    out.i32(n);
  },
  int8: (out, value, column) => {
    const n = integer(column, value);
    if (!Number.isSafeInteger(n)) refuse(column, 'a safe integer', value);
    out.ensure(12);
    out.i32(8);
    out.i64(n);
  },
  bool: (out, value) => {
    out.ensure(5);
    out.i32(1);
    out.buf[out.pos++] = value ? 1 : 0;
  },
  timestamptz: (out, value, column) => {
    let ms: number;
    if (typeof value === 'number') ms = value;
    else if (value instanceof Date) ms = value.getTime();
    else refuse(column, 'a Date or an epoch ms', value);
    if (!Number.isFinite(ms)) refuse(column, 'a finite epoch ms', value);
    // Whole ms, as a Date of that number would hold it (it truncates toward zero).
    const sincePgEpoch = Math.trunc(ms) - PG_EPOCH_MS;
    out.ensure(12);
    out.i32(8);
    if (Math.abs(sincePgEpoch) < EXACT_MS) out.i64(sincePgEpoch * 1000);
    else {
      // Beyond ±285 years of 2000 the product is not an exact double: BigInt (never on a hot path).
      out.buf.writeBigInt64BE(BigInt(sincePgEpoch) * 1000n, out.pos);
      out.pos += 8;
    }
  },
  jsonb: (out, value, column) => {
    const json = JSON.stringify(value);
    if (json === undefined) refuse(column, 'a JSON value', value);
    out.text(json, 1);
  },
};

export function copyInsert<R>(table: string, columns: readonly CopyColumn<R>[]): CopyInsert<R> {
  const names = columns.map((c) => `"${c.name}"`).join(', ');
  const statement = `copy "${table}" (${names}) from stdin with (format binary)`;
  const count = columns.length;
  const gets = columns.map((c) => c.get);
  const writers = columns.map((c) => WRITERS[c.type]);
  const labels = columns.map((c) => c.name);
  const overhead = ROW_OVERHEAD(count);
  const encode = (rows: readonly R[]): Buffer => {
    // A guess at the size (grown when short): the fixed part plus ~12 bytes a value.
    const out = new Bytes(HEADER_BYTES + 2 + rows.length * (overhead + 12 * count));
    out.ensure(HEADER_BYTES + 2);
    for (const byte of SIGNATURE) out.buf[out.pos++] = byte;
    out.i32(0); // flags
    out.i32(0); // header extension length
    for (let r = 0; r < rows.length; r++) {
      const row = rows[r] as R;
      out.ensure(overhead);
      out.i16(count);
      for (let c = 0; c < count; c++) {
        const value = (gets[c] as (row: R) => unknown)(row);
        if (value === undefined || value === null) {
          out.ensure(4);
          out.i32(-1);
        } else (writers[c] as FieldWriter)(out, value, labels[c] as string);
      }
    }
    out.ensure(2);
    out.i16(-1);
    return out.buf.subarray(0, out.pos);
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
