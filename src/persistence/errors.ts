/**
 * Errors of the persistence boundary: a string-literal `code`, a message that names what is wrong
 * (never a database password), and the `cause` kept.
 */

export const PERSISTENCE_ERROR_CODES = {
  PERSIST_BAD_URL: 'the database URL is not a postgres:// or postgresql:// URL',
  PERSIST_CONNECT_FAILED: 'the database cannot be opened or reached',
  PERSIST_DATADIR_LOCKED:
    'another live process has the data folder (a trader) or the embedded database (PGlite) in it open',
  PERSIST_MIGRATION_FAILED: 'applying the migrations failed',
  PERSIST_CLOSED: 'the database was used after close()',
  PERSIST_THREAD_DIED: "the embedded database's thread died; nothing more can be read or written",
  PERSIST_THREAD_PARSER: 'a result parser that transforms values cannot cross to the database thread',
} as const;

export type PersistenceErrorCode = keyof typeof PERSISTENCE_ERROR_CODES;

export class PersistenceError extends Error {
  readonly code: PersistenceErrorCode;

  constructor(code: PersistenceErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PersistenceError';
    this.code = code;
  }
}
