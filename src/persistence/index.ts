/**
 * Persistence: the one Postgres schema (drizzle), the database connection (node-postgres with
 * DATABASE_URL, embedded PGlite otherwise), the migrations, and the repositories.
 */
export {
  type AppDatabase,
  type Database,
  DEFAULT_DATA_DIR,
  type DriverName,
  describeTarget,
  maskDatabaseUrl,
  type OpenDatabaseOptions,
  openDatabase,
  type Schema,
  TRADER_PGLITE,
} from './db.js';
export { PERSISTENCE_ERROR_CODES, PersistenceError, type PersistenceErrorCode } from './errors.js';
export { type FolderLock, lockDataDir, lockFolder, TRADER_LOCK_FILE } from './lock.js';
export { MIGRATIONS_FOLDER, type MigrationReport, migrate } from './migrate.js';
export { preparePglite } from './pglite-wasm.js';
export {
  OPERATOR_HALT,
  OPERATOR_HALT_KEEP_ORDERS,
  Recorder,
  type RecorderDeps,
  type SettlementRecord,
} from './recorder.js';
export type {
  EdgeOrderRow,
  EdgeRepo,
  EdgeReportRow,
  EdgeSignalRow,
  ForecastRow,
} from './repos/edge.js';
export type { ExchangeFact } from './repos/exchange-state.js';
export type { MoneyFact, MoneyFacts } from './repos/money.js';
export {
  type DecisionCountRow,
  type DecisionRow,
  type DeltaRecord,
  type DeltaRow,
  decisionRow,
  type FillRow,
  fillRow,
  hashJson,
  type LedgerRecord,
  type LedgerRow,
  type LifecycleEventRow,
  type MarketPriceRow,
  type OrderUpsertResult,
  type PnlReportRow,
  type PositionRow,
  positionRow,
  type RiskEventRow,
  type SessionListRow,
  type SessionRecord,
  type SessionStart,
  type SnapshotRow,
  type StatusSnapshotRow,
  type StoredOrder,
  type TransitionRow,
} from './repos/rows.js';
export type { BreakerEventRow } from './repos/trading.js';
export {
  type BulkRepo,
  createRepositories,
  type DecisionsRepo,
  type ExchangeStateRepo,
  type FillsRepo,
  type LedgerRepo,
  type OrdersRepo,
  type PositionsRepo,
  type ReportsRepo,
  type Repositories,
  type RiskRepo,
  type SessionsRepo,
  type TransitionsRepo,
} from './repositories.js';
export * as tables from './schema.js';
export {
  ALL_TABLES,
  type BookLeg,
  type DecisionAction,
  type LedgerKind,
  OPEN_ORDER_STATUSES,
  type SessionEnvironment,
  type SessionStatus,
  type SnapshotLevel,
} from './schema.js';
export * from './write-queue.js';
