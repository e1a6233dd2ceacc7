/**
 * PGlite on a thread of its own. The embedded Postgres is WebAssembly that runs to completion on
 * whatever thread calls it: in-process, its opening (~0.6 s), its migrations and every write of
 * the record run on the trader's event loop, between a book delta and the order it prompts. Here
 * it runs in a worker (pglite-worker.js) and this client speaks to it by messages, so the main
 * thread only posts queries and reads answers.
 *
 * The client is what drizzle's PGlite driver needs (`query`, `transaction`) and what db.ts's raw
 * paths need (`query` with a COPY blob, `close`). Queries are answered in the order they are
 * asked; a transaction holds the connection for its whole length, as PGlite's own does, so a
 * query from outside waits for it rather than landing inside it. Should the worker die, every
 * pending and later query fails with PERSIST_THREAD_DIED naming the cause.
 */
import { Worker } from 'node:worker_threads';
import { PersistenceError } from './errors.js';

/** The worker's file, two folders below the project root from src/persistence and dist/chunks alike. */
const WORKER_FILE = new URL('../../src/persistence/pglite-worker.js', import.meta.url);

export interface ThreadedPgliteOptions {
  /** PGlite's data directory (`<dataDir>/pgdata`), or `memory://`. */
  readonly dataDir: string;
  /** Postgres compiled ahead (pglite-wasm.ts); the worker compiles its own without it. */
  readonly wasmModule?: WebAssembly.Module | undefined;
  /** Postgres's command line (PGlite's `startParams`). */
  readonly startParams?: readonly string[] | undefined;
  /** The worker's file (default pglite-worker.js); tests give one that fails. */
  readonly workerFile?: URL | undefined;
}

/** A query's answer, as PGlite gives it. */
export interface ThreadResults<T> {
  rows: T[];
  fields: Array<{ name: string; dataTypeID: number }>;
  affectedRows?: number;
}

/** The options drizzle and db.ts pass to `query`. */
export interface ThreadQueryOptions {
  rowMode?: 'array' | 'object';
  /** Per type oid, a parser; only parsers that hand the text back unchanged can cross threads. */
  parsers?: Record<number, (value: string, typeId: number) => unknown>;
  /** A COPY's rows (db.ts's copyFrom); the thread makes the blob PGlite reads. */
  blob?: Uint8Array;
}

interface Queryable {
  query<T>(text: string, params?: unknown[], options?: ThreadQueryOptions): Promise<ThreadResults<T>>;
}

interface Pending {
  resolve: (value: unknown) => void;
  reject: (err: Error) => void;
  /** The caller's stack, so a database error points at the code that asked. */
  asked: Error;
}

/** The oids whose parser hands the text back unchanged (drizzle's for dates and intervals). */
function passThroughOids(parsers: ThreadQueryOptions['parsers']): number[] | undefined {
  if (parsers === undefined) return undefined;
  const oids: number[] = [];
  for (const [oid, parse] of Object.entries(parsers)) {
    const probe = '2026-01-01 00:00:00+00';
    if (parse(probe, Number(oid)) !== probe) {
      throw new PersistenceError(
        'PERSIST_THREAD_PARSER',
        `a result parser for type oid ${oid} transforms its value; the threaded PGlite passes only text through`,
      );
    }
    oids.push(Number(oid));
  }
  return oids;
}

function rebuild(shape: Record<string, unknown>, asked: Error): Error {
  const err = new Error(String(shape.message)) as Error & Record<string, unknown>;
  for (const [key, value] of Object.entries(shape)) if (key !== 'message') err[key] = value;
  err.stack = `${String(shape.name)}: ${String(shape.message)}\n${asked.stack?.split('\n').slice(1).join('\n') ?? ''}`;
  return err;
}

export class ThreadedPglite implements Queryable {
  readonly #worker: Worker;
  readonly #pending = new Map<number, Pending>();
  #nextId = 1;
  /** The connection: each query, and each transaction as a whole, runs after the one before. */
  #turn: Promise<unknown> = Promise.resolve();
  #died: Error | undefined;
  #closed = false;
  /** Resolves when Postgres is up in the worker; rejects with the reason it could not start. */
  readonly waitReady: Promise<void>;

  constructor(options: ThreadedPgliteOptions) {
    this.#worker = new Worker(options.workerFile ?? WORKER_FILE, {
      workerData: {
        dataDir: options.dataDir,
        wasmModule: options.wasmModule,
        startParams: options.startParams ? [...options.startParams] : undefined,
      },
      // The process's Node flags, less those that only mean something for `node -e` (a worker
      // started from a file refuses --input-type).
      execArgv: process.execArgv.filter((flag) => !flag.startsWith('--input-type')),
      // Postgres's own chatter would land among the log lines on stdout: dropped. Its stderr
      // (a crash's last words) goes to the process's stderr, for a person.
      stdout: true,
      stderr: false,
    });
    this.#worker.stdout.resume();
    this.waitReady = new Promise<void>((resolve, reject) => {
      const onFirst = (message: { ready?: true; failed?: Record<string, unknown> }) => {
        if (message.ready) resolve();
        else if (message.failed) reject(rebuild(message.failed, new Error()));
        this.#worker.off('message', onFirst);
        this.#worker.on('message', (m: { id: number; result?: unknown; error?: Record<string, unknown> }) =>
          this.#answered(m),
        );
        this.#idle();
      };
      this.#worker.on('message', onFirst);
      this.#worker.once('error', (err) => {
        this.#die(err);
        reject(err);
      });
      this.#worker.once('exit', (code) => {
        if (!this.#closed) {
          const err = new Error(`the database thread exited with code ${code}`);
          this.#die(err);
          reject(err);
        }
      });
    });
    this.waitReady.catch(() => undefined);
  }

  /** Whether the worker has died (its cause), for diagnostics. */
  get died(): Error | undefined {
    return this.#died;
  }

  query<T>(text: string, params: unknown[] = [], options?: ThreadQueryOptions): Promise<ThreadResults<T>> {
    const asked = new Error();
    return this.#inTurn(() => this.#send<ThreadResults<T>>(text, params, options, asked));
  }

  /**
   * Runs `fn` in one transaction; nothing else reaches the database until it commits or rolls
   * back. `fn`'s client must be used for its queries (the outer one waits for the transaction).
   */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    return this.#inTurn(async () => {
      await this.#send('BEGIN', []);
      const tx: Queryable = {
        query: <R>(text: string, params: unknown[] = [], options?: ThreadQueryOptions) =>
          this.#send<ThreadResults<R>>(text, params, options, new Error()),
      };
      try {
        const result = await fn(tx);
        await this.#send('COMMIT', []);
        return result;
      } catch (err) {
        await this.#send('ROLLBACK', []).catch(() => undefined);
        throw err;
      }
    });
  }

  /** Closes Postgres (a clean shutdown: its files are consistent) and ends the thread. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    await this.waitReady.catch(() => undefined);
    try {
      if (this.#died === undefined) await this.#inTurn(() => this.#post({ op: 'close' }));
    } catch (err) {
      // A thread that dies while closing has nothing left to close; any other failure is news.
      if (this.#died === undefined) throw err;
    } finally {
      this.#closed = true;
      await this.#worker.terminate();
    }
  }

  #inTurn<T>(run: () => Promise<T>): Promise<T> {
    const next = this.#turn.then(run);
    this.#turn = next.catch(() => undefined);
    return next;
  }

  #send<T>(text: string, params: unknown[], options?: ThreadQueryOptions, asked = new Error()): Promise<T> {
    const message: Record<string, unknown> = { op: 'query', text, params };
    if (options?.rowMode) message.rowMode = options.rowMode;
    const oids = passThroughOids(options?.parsers);
    if (oids !== undefined) message.passThrough = oids;
    if (options?.blob !== undefined) message.blob = options.blob;
    return this.#post(message, asked) as Promise<T>;
  }

  async #post(message: Record<string, unknown>, asked = new Error()): Promise<unknown> {
    if (this.#died) throw this.#deathError();
    if (this.#closed) throw new PersistenceError('PERSIST_CLOSED', 'query on a closed database thread');
    await this.waitReady;
    const id = this.#nextId++;
    const answer = new Promise<unknown>((resolve, reject) =>
      this.#pending.set(id, { resolve, reject, asked }),
    );
    if (this.#pending.size === 1) this.#worker.ref();
    this.#worker.postMessage({ ...message, id });
    return answer;
  }

  #answered(m: { id: number; result?: unknown; error?: Record<string, unknown> }): void {
    const pending = this.#pending.get(m.id);
    if (pending === undefined) return;
    this.#pending.delete(m.id);
    this.#idle();
    if (m.error !== undefined) pending.reject(rebuild(m.error, pending.asked));
    else pending.resolve(m.result);
  }

  /** An idle thread does not keep the process alive (an in-process PGlite would not either). */
  #idle(): void {
    if (this.#pending.size === 0) this.#worker.unref();
  }

  #deathError(): PersistenceError {
    return new PersistenceError(
      'PERSIST_THREAD_DIED',
      `the embedded database's thread is gone: ${this.#died?.message ?? 'unknown cause'}`,
      { cause: this.#died },
    );
  }

  #die(err: Error): void {
    if (this.#died !== undefined) return;
    this.#died = err;
    const death = this.#deathError();
    for (const p of this.#pending.values()) p.reject(death);
    this.#pending.clear();
  }
}
