/**
 * All repositories over one open database. Normal CRUD goes through drizzle; the bulk paths
 * (decisions, transitions, market data, status) through one `unnest` statement per batch.
 */
import type { Database } from './db.js';
import { type BulkRepo, bulkRepo } from './repos/bulk.js';
import { type EdgeRepo, edgeRepo } from './repos/edge.js';
import { type ExchangeStateRepo, exchangeStateRepo } from './repos/exchange-state.js';
import { type MoneyRepo, moneyRepo } from './repos/money.js';
import { type OrdersRepo, ordersRepo } from './repos/orders.js';
import { type ReportsRepo, reportsRepo } from './repos/reports.js';
import { type SessionsRepo, sessionsRepo } from './repos/sessions.js';
import {
  type DecisionsRepo,
  decisionsRepo,
  type FillsRepo,
  fillsRepo,
  type LedgerRepo,
  ledgerRepo,
  type PositionsRepo,
  positionsRepo,
  type RiskRepo,
  riskRepo,
  type TransitionsRepo,
  transitionsRepo,
} from './repos/trading.js';

export interface Repositories {
  readonly sessions: SessionsRepo;
  readonly transitions: TransitionsRepo;
  readonly decisions: DecisionsRepo;
  readonly orders: OrdersRepo;
  readonly fills: FillsRepo;
  readonly positions: PositionsRepo;
  readonly ledger: LedgerRepo;
  readonly risk: RiskRepo;
  readonly bulk: BulkRepo;
  readonly reports: ReportsRepo;
  readonly exchangeState: ExchangeStateRepo;
  readonly money: MoneyRepo;
  readonly edge: EdgeRepo;
}

export function createRepositories(database: Database): Repositories {
  return {
    sessions: sessionsRepo(database),
    transitions: transitionsRepo(database),
    decisions: decisionsRepo(database),
    orders: ordersRepo(database),
    fills: fillsRepo(database),
    positions: positionsRepo(database),
    ledger: ledgerRepo(database),
    risk: riskRepo(database),
    bulk: bulkRepo(database),
    reports: reportsRepo(database),
    exchangeState: exchangeStateRepo(database),
    money: moneyRepo(database),
    edge: edgeRepo(database),
  };
}

export type {
  BulkRepo,
  DecisionsRepo,
  ExchangeStateRepo,
  FillsRepo,
  LedgerRepo,
  MoneyRepo,
  OrdersRepo,
  PositionsRepo,
  ReportsRepo,
  RiskRepo,
  SessionsRepo,
  TransitionsRepo,
};
