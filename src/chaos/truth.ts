/**
 * The chaos suite's judge: what the exchange (the simulator's own core, not its API and not the
 * trader's logs) holds for the trader's account, what the trader recorded in its database, and the
 * invariants between them.
 *
 *  1. no client_order_id on two exchange orders
 *  2. local positions = exchange positions (the trader's final summary and its status)
 *  3. every exchange fill recorded once (the fills table is the exchange's fill set, no extra, no
 *     missing; the primary key makes "once" a fact of the schema, the count proves it)
 *  4. ledger balance = exchange balance (the last ledger row's balance_after)
 *  5. no order created on the exchange while the trader was not allowed to trade (operator-halted
 *     windows, and the windows when the trader process was dead or restarting and not yet READY)
 *  6. every order on the exchange was written ahead in the record
 */
import { COUNT_SCALE, type Micros } from '../domain/index.js';
import type { Simulator } from '../exchange-sim/index.js';
import { migrate, openDatabase } from '../persistence/index.js';

export interface ExchangeTruth {
  readonly orders: ReadonlyArray<{ clientOrderId: string; orderId: string; createdMs: number }>;
  readonly tradeIds: readonly string[];
  /** fill id → when the exchange made it (for the breach report). */
  readonly fillTimes: ReadonlyMap<string, number>;
  /** ticker → contracts, non-zero only. */
  readonly positions: Readonly<Record<string, number>>;
  readonly cash: Micros;
}

export function exchangeTruth(sim: Simulator, accountId: string): ExchangeTruth {
  const positions: Record<string, number> = {};
  for (const p of sim.core.positions(accountId)) {
    if (p.position !== 0) positions[p.ticker] = p.position / COUNT_SCALE;
  }
  return {
    orders: sim.core
      .orders(accountId)
      .map((o) => ({ clientOrderId: o.clientOrderId, orderId: o.orderId, createdMs: o.createdMs })),
    tradeIds: sim.core.fills(accountId).map((f) => f.fillId),
    fillTimes: new Map(sim.core.fills(accountId).map((f) => [f.fillId, f.createdMs])),
    positions,
    cash: sim.core.balance(accountId).cash,
  };
}

export interface TraderRecord {
  readonly clientOrderIds: readonly string[];
  readonly fillIds: readonly string[];
  readonly lastLedgerBalance: Micros | undefined;
  readonly sessions: readonly string[];
}

/** Reads the trader's record (PGlite in its data folder, or Postgres); the trader must be stopped. */
export async function readRecord(where: { dataDir: string } | { url: string }): Promise<TraderRecord> {
  const db = await openDatabase(where);
  try {
    await migrate(db);
    const orders = await db.query<{ client_order_id: string }>('select client_order_id from orders');
    const fills = await db.query<{ fill_id: string }>('select fill_id from fills');
    const ledger = await db.query<{ balance_after: number | string | null }>(
      'select balance_after from ledger where balance_after is not null order by id desc limit 1',
    );
    const sessions = await db.query<{ status: string }>(
      'select status from trading_sessions order by started_at',
    );
    const last = ledger[0]?.balance_after;
    return {
      clientOrderIds: orders.map((o) => o.client_order_id),
      fillIds: fills.map((f) => f.fill_id),
      lastLedgerBalance: last === null || last === undefined ? undefined : Number(last),
      sessions: sessions.map((s) => s.status),
    };
  } finally {
    await db.close();
  }
}

/** A span of epoch ms in which the trader must not create orders, and why. */
export interface ForbiddenWindow {
  readonly fromMs: number;
  readonly toMs: number;
  readonly why: string;
}

export interface InvariantResult {
  readonly name: string;
  readonly held: boolean;
  /** What breached it, in words (empty when held). */
  readonly detail: string;
}

export interface InvariantInput {
  readonly exchange: ExchangeTruth;
  readonly record: TraderRecord;
  /** The trader's own positions at the end (its summary line), ticker → contracts. */
  readonly localPositions: Readonly<Record<string, number>>;
  readonly forbidden: readonly ForbiddenWindow[];
}

function nonZero(p: Readonly<Record<string, number>>): Record<string, number> {
  return Object.fromEntries(Object.entries(p).filter(([, v]) => v !== 0));
}

function diffPositions(a: Readonly<Record<string, number>>, b: Readonly<Record<string, number>>): string[] {
  const out: string[] = [];
  for (const t of new Set([...Object.keys(a), ...Object.keys(b)])) {
    if ((a[t] ?? 0) !== (b[t] ?? 0)) out.push(`${t}: local ${a[t] ?? 0} vs exchange ${b[t] ?? 0}`);
  }
  return out;
}

const show = (items: readonly string[], n = 5) =>
  items.length <= n ? items.join('; ') : `${items.slice(0, n).join('; ')}; … (${items.length} in all)`;

/** Every invariant, held or not, in a fixed order. */
export function checkInvariants(input: InvariantInput): InvariantResult[] {
  const { exchange, record } = input;
  const results: InvariantResult[] = [];
  const add = (name: string, breaches: readonly string[]) =>
    results.push({ name, held: breaches.length === 0, detail: show(breaches) });

  const seen = new Map<string, number>();
  for (const o of exchange.orders) seen.set(o.clientOrderId, (seen.get(o.clientOrderId) ?? 0) + 1);
  add(
    'no client_order_id on two exchange orders',
    [...seen].filter(([, n]) => n > 1).map(([id, n]) => `${id} ×${n}`),
  );

  add(
    'local positions = exchange positions',
    diffPositions(nonZero(input.localPositions), exchange.positions),
  );

  const exchangeFills = new Set(exchange.tradeIds);
  const recorded = new Set(record.fillIds);
  add('every exchange fill recorded once', [
    ...exchange.tradeIds
      .filter((id) => !recorded.has(id))
      .map((id) => `missing ${id} (made ${new Date(exchange.fillTimes.get(id) ?? 0).toISOString()})`),
    ...record.fillIds.filter((id) => !exchangeFills.has(id)).map((id) => `not on the exchange ${id}`),
    ...(recorded.size !== record.fillIds.length ? ['a fill id recorded twice'] : []),
  ]);

  add(
    'ledger balance = exchange balance',
    record.lastLedgerBalance === exchange.cash
      ? []
      : [`ledger ${record.lastLedgerBalance ?? 'none'} µ$ vs exchange ${exchange.cash} µ$`],
  );

  add(
    'no order created while not allowed to trade',
    exchange.orders.flatMap((o) =>
      input.forbidden
        .filter((w) => o.createdMs > w.fromMs && o.createdMs < w.toMs)
        .map(
          (w) =>
            `${o.clientOrderId} at ${new Date(o.createdMs).toISOString()}, ${o.createdMs - w.fromMs} ms into "${w.why}"`,
        ),
    ),
  );

  const written = new Set(record.clientOrderIds);
  add(
    'every exchange order written ahead',
    exchange.orders.filter((o) => !written.has(o.clientOrderId)).map((o) => o.clientOrderId),
  );
  return results;
}
