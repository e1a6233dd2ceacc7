/**
 * Fault injection for the simulator, controllable at run time (admin endpoint `POST /_sim/faults`,
 * or programmatically). Each fault is a counter of how many times it still fires, so a test can
 * ask for exactly one skipped sequence number or exactly three 429s.
 *
 * The quiet faults (nothing on the wire says something went wrong):
 *  - withhold_private: the private messages (user_order, fill, market_position) caused by the
 *    request that creates each of the next `count` API orders are dropped, or sent `ms` later, as
 *    a disconnect at that moment would lose them. Only orders created through REST count (not the
 *    synthetic participants'), and only orders the exchange accepted. Later messages about the
 *    order (a fill of its resting remainder, a cancel) are delivered as usual.
 *  - corrupt_book: the next `count` orderbook deltas (of one market, or any) reach every
 *    subscriber wrong, with the right seq. mode "size" (default) doubles a positive delta and
 *    halves a negative one (toward zero; a delta of 0.01 is left alone and the next one taken), so
 *    the client's level ends above the truth and no later delta can drive it negative: the error
 *    stays until a snapshot. mode "price" moves a positive delta one tick down its ladder (negative
 *    deltas are left alone): silent at once, though a later cancel there may surface it as a
 *    negative level. The exchange's own book is never touched.
 *  - drift_position / drift_balance: what REST (and market_position messages) report moves by
 *    `delta` without any fill or ledger entry; the exchange's own ledger is unchanged. They add up
 *    and last until `clear`.
 */
import type { Count, Micros, Price } from '../domain/index.js';

export interface HttpErrorRule {
  /** `METHOD /path` below /trade-api/v2; `*` matches any method; a trailing `*` matches a prefix. */
  endpoint: string;
  status: number;
  /** How many more requests it applies to. */
  remaining: number;
  /** Process the request first, then answer with the error (the nasty case: done, but the client can't know). */
  afterProcessing: boolean;
}

export type PrivateChannel = 'fill' | 'user_orders' | 'market_positions';
const PRIVATE_CHANNELS: readonly PrivateChannel[] = ['fill', 'user_orders', 'market_positions'];

export interface WithholdRule {
  remaining: number;
  /** Delay instead of drop. */
  ms?: number;
  /** Only this channel's messages (default: all three). */
  channel?: PrivateChannel;
}

/** The order being created right now whose private messages are withheld. */
export interface Withholding {
  accountId: string;
  clientOrderId: string;
  ticker: string;
  ms?: number;
  channel?: PrivateChannel;
}

export type CorruptMode = 'size' | 'price';

export interface CorruptRule {
  ticker?: string;
  remaining: number;
  mode: CorruptMode;
}

export interface FaultSnapshot {
  skipSeq: number;
  duplicateDeltas: number;
  reorderDeltas: number;
  dropFillMessages: number;
  http429: number;
  rejectWsUpgrades: number;
  httpErrors: HttpErrorRule[];
  latencyMs: number;
  withholdPrivate: WithholdRule[];
  corruptBook: CorruptRule[];
  /** accountId → ticker → count units. */
  positionDrift: Record<string, Record<string, Count>>;
  /** accountId → micros. */
  balanceDrift: Record<string, Micros>;
}

/** The JSON body of `POST /_sim/faults`. */
export type FaultCommand =
  /** Drops every connection, or only those with a subscription on `channel`. */
  | { action: 'drop_ws_connections'; channel?: string }
  /** Answers the next `count` WebSocket upgrades with `status` (default 503; 401 = key refused). */
  | { action: 'reject_ws_upgrades'; count?: number; status?: number }
  | { action: 'skip_seq'; count?: number }
  | { action: 'duplicate_deltas'; count?: number }
  | { action: 'reorder_deltas'; count?: number }
  | { action: 'drop_fill_messages'; count?: number }
  | { action: 'http_429'; count?: number }
  | { action: 'http_error'; endpoint: string; status?: number; count?: number; after_processing?: boolean }
  | { action: 'latency'; ms: number }
  | { action: 'withhold_private'; count?: number; ms?: number; channel?: PrivateChannel }
  | { action: 'corrupt_book'; ticker?: string; count?: number; mode?: CorruptMode }
  /** `delta`: contracts (a number, or a signed fixed-point string such as "-2.50"). */
  | { action: 'drift_position'; ticker: string; delta: number | string; key_id?: string }
  /** `delta_dollars`: a signed dollar amount ("-12.50" or a number). */
  | { action: 'drift_balance'; delta_dollars: number | string; key_id?: string }
  | { action: 'pause_exchange' }
  | { action: 'resume_exchange' }
  | { action: 'clear' };

export class FaultInjector {
  skipSeq = 0;
  duplicateDeltas = 0;
  reorderDeltas = 0;
  dropFillMessages = 0;
  http429 = 0;
  rejectWsUpgrades = 0;
  /** The HTTP status a rejected upgrade is answered with. */
  rejectWsUpgradeStatus = 503;
  latencyMs = 0;
  readonly httpErrors: HttpErrorRule[] = [];
  readonly withholdRules: WithholdRule[] = [];
  readonly corruptRules: CorruptRule[] = [];
  readonly positionDrift = new Map<string, Map<string, Count>>();
  readonly balanceDrift = new Map<string, Micros>();
  /** Set by the REST layer around the creation of an order the withhold fault applies to. */
  withholding: Withholding | undefined;

  /** Takes one firing of a counter fault; true when it fires. */
  take(
    name:
      | 'skipSeq'
      | 'duplicateDeltas'
      | 'reorderDeltas'
      | 'dropFillMessages'
      | 'http429'
      | 'rejectWsUpgrades',
  ): boolean {
    if (this[name] <= 0) return false;
    this[name] -= 1;
    return true;
  }

  /** The error rule for this request, if one applies (consumes one firing). */
  takeHttpError(method: string, path: string): HttpErrorRule | undefined {
    const index = this.httpErrors.findIndex((rule) => matchesEndpoint(rule.endpoint, method, path));
    if (index < 0) return undefined;
    const rule = this.httpErrors[index]!;
    rule.remaining -= 1;
    if (rule.remaining <= 0) this.httpErrors.splice(index, 1);
    return rule;
  }

  /** Before an API order is placed: marks it withheld when a withhold rule is pending. */
  beginWithhold(accountId: string, clientOrderId: string, ticker: string): void {
    const rule = this.withholdRules[0];
    if (!rule) return;
    this.withholding = { accountId, clientOrderId, ticker };
    if (rule.ms !== undefined) this.withholding.ms = rule.ms;
    if (rule.channel !== undefined) this.withholding.channel = rule.channel;
  }

  /** After the placement: a firing is spent only on an order the exchange accepted. */
  endWithhold(placed: boolean): void {
    if (this.withholding && placed) {
      const rule = this.withholdRules[0] as WithholdRule;
      rule.remaining -= 1;
      if (rule.remaining <= 0) this.withholdRules.shift();
    }
    this.withholding = undefined;
  }

  /** Whether a private message about (account, client order id | ticker) on `channel` is withheld now. */
  withheld(
    channel: PrivateChannel,
    about: { accountId: string; clientOrderId?: string; ticker?: string },
  ): Withholding | undefined {
    const w = this.withholding;
    if (!w || about.accountId !== w.accountId) return undefined;
    if (w.channel !== undefined && w.channel !== channel) return undefined;
    if (about.clientOrderId !== undefined) return about.clientOrderId === w.clientOrderId ? w : undefined;
    return about.ticker === w.ticker ? w : undefined;
  }

  /**
   * The corrupted form of a delta about to be sent, consuming one firing, or undefined (no rule
   * for this market, or this delta cannot be corrupted in the rule's mode). `step` is the market's
   * price tick.
   */
  takeCorruption(
    ticker: string,
    price: Price,
    delta: Count,
    step: Price,
  ): { price: Price; delta: Count } | undefined {
    const index = this.corruptRules.findIndex((r) => r.ticker === undefined || r.ticker === ticker);
    if (index < 0) return undefined;
    const rule = this.corruptRules[index] as CorruptRule;
    const wrong = corruptDelta(rule.mode, price, delta, step);
    if (!wrong) return undefined;
    rule.remaining -= 1;
    if (rule.remaining <= 0) this.corruptRules.splice(index, 1);
    return wrong;
  }

  addPositionDrift(accountId: string, ticker: string, delta: Count): void {
    const byTicker = this.positionDrift.get(accountId) ?? new Map<string, Count>();
    byTicker.set(ticker, (byTicker.get(ticker) ?? 0) + delta);
    this.positionDrift.set(accountId, byTicker);
  }

  addBalanceDrift(accountId: string, delta: Micros): void {
    this.balanceDrift.set(accountId, (this.balanceDrift.get(accountId) ?? 0) + delta);
  }

  clear(): void {
    this.skipSeq = 0;
    this.duplicateDeltas = 0;
    this.reorderDeltas = 0;
    this.dropFillMessages = 0;
    this.http429 = 0;
    this.rejectWsUpgrades = 0;
    this.rejectWsUpgradeStatus = 503;
    this.latencyMs = 0;
    this.httpErrors.length = 0;
    this.withholdRules.length = 0;
    this.corruptRules.length = 0;
    this.positionDrift.clear();
    this.balanceDrift.clear();
  }

  snapshot(): FaultSnapshot {
    return {
      skipSeq: this.skipSeq,
      duplicateDeltas: this.duplicateDeltas,
      reorderDeltas: this.reorderDeltas,
      dropFillMessages: this.dropFillMessages,
      http429: this.http429,
      rejectWsUpgrades: this.rejectWsUpgrades,
      httpErrors: this.httpErrors.map((r) => ({ ...r })),
      latencyMs: this.latencyMs,
      withholdPrivate: this.withholdRules.map((r) => ({ ...r })),
      corruptBook: this.corruptRules.map((r) => ({ ...r })),
      positionDrift: Object.fromEntries(
        [...this.positionDrift].map(([account, byTicker]) => [account, Object.fromEntries(byTicker)]),
      ),
      balanceDrift: Object.fromEntries(this.balanceDrift),
    };
  }
}

/** See corrupt_book in the header; undefined when this delta cannot be corrupted in `mode`. */
export function corruptDelta(
  mode: CorruptMode,
  price: Price,
  delta: Count,
  step: Price,
): { price: Price; delta: Count } | undefined {
  if (mode === 'price') {
    if (delta <= 0) return undefined;
    return { price: price - step >= step ? price - step : price + step, delta };
  }
  if (delta > 0) return { price, delta: delta * 2 };
  if (delta <= -2) return { price, delta: Math.trunc(delta / 2) };
  return undefined;
}

function matchesEndpoint(pattern: string, method: string, path: string): boolean {
  const [m = '', p = ''] = pattern.trim().split(/\s+/, 2);
  if (m !== '*' && m.toUpperCase() !== method.toUpperCase()) return false;
  const bare = path.replace(/^\/trade-api\/v2/, '');
  if (p.endsWith('*')) return bare.startsWith(p.slice(0, -1));
  return bare === p;
}

const FAULT_ACTIONS = [
  'drop_ws_connections',
  'reject_ws_upgrades',
  'skip_seq',
  'duplicate_deltas',
  'reorder_deltas',
  'drop_fill_messages',
  'http_429',
  'http_error',
  'latency',
  'withhold_private',
  'corrupt_book',
  'drift_position',
  'drift_balance',
  'pause_exchange',
  'resume_exchange',
  'clear',
];

function isMs(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 60_000;
}

/** Validates an untrusted fault command; returns an error message naming the problem, or the command. */
export function parseFaultCommand(body: unknown): FaultCommand | string {
  if (typeof body !== 'object' || body === null) return 'body must be a JSON object';
  const b = body as Record<string, unknown>;
  const count = b.count;
  if (count !== undefined && (typeof count !== 'number' || !Number.isInteger(count) || count < 1)) {
    return 'count must be a positive integer';
  }
  switch (b.action) {
    case 'drop_ws_connections':
      if (b.channel !== undefined && typeof b.channel !== 'string') return 'channel must be a channel name';
      return b as FaultCommand;
    case 'reject_ws_upgrades':
      if (
        b.status !== undefined &&
        (typeof b.status !== 'number' || !Number.isInteger(b.status) || b.status < 400 || b.status > 599)
      ) {
        return 'status must be an HTTP error status (400–599)';
      }
      return b as FaultCommand;
    case 'pause_exchange':
    case 'resume_exchange':
    case 'clear':
    case 'skip_seq':
    case 'duplicate_deltas':
    case 'reorder_deltas':
    case 'drop_fill_messages':
    case 'http_429':
      return b as FaultCommand;
    case 'http_error': {
      if (typeof b.endpoint !== 'string' || !/^(\*|[A-Z]+)\s+\/\S*$/.test(b.endpoint)) {
        return 'endpoint must look like "POST /portfolio/events/orders" (or "* /portfolio/*")';
      }
      const status = b.status ?? 500;
      if (typeof status !== 'number' || status < 400 || status > 599) return 'status must be 400..599';
      if (b.after_processing !== undefined && typeof b.after_processing !== 'boolean') {
        return 'after_processing must be a boolean';
      }
      return b as FaultCommand;
    }
    case 'latency':
      if (!isMs(b.ms)) return 'ms must be an integer between 0 and 60000';
      return b as FaultCommand;
    case 'withhold_private':
      if (b.ms !== undefined && !isMs(b.ms)) return 'ms must be an integer between 0 and 60000';
      if (b.channel !== undefined && !(PRIVATE_CHANNELS as readonly unknown[]).includes(b.channel)) {
        return `channel must be one of ${PRIVATE_CHANNELS.join(', ')}`;
      }
      return b as FaultCommand;
    case 'corrupt_book':
      if (b.ticker !== undefined && (typeof b.ticker !== 'string' || b.ticker === '')) {
        return 'ticker must be a market ticker';
      }
      if (b.mode !== undefined && b.mode !== 'size' && b.mode !== 'price')
        return 'mode must be size or price';
      return b as FaultCommand;
    case 'drift_position':
      if (typeof b.ticker !== 'string' || b.ticker === '') return 'ticker must be a market ticker';
      if (typeof b.delta !== 'number' && typeof b.delta !== 'string') {
        return 'delta must be a signed number of contracts (e.g. 3 or "-2.50")';
      }
      if (b.key_id !== undefined && typeof b.key_id !== 'string') return 'key_id must be an API key id';
      return b as FaultCommand;
    case 'drift_balance':
      if (typeof b.delta_dollars !== 'number' && typeof b.delta_dollars !== 'string') {
        return 'delta_dollars must be a signed dollar amount (e.g. "-12.50")';
      }
      if (b.key_id !== undefined && typeof b.key_id !== 'string') return 'key_id must be an API key id';
      return b as FaultCommand;
    default:
      return `unknown action ${JSON.stringify(b.action)}; expected one of ${FAULT_ACTIONS.join(', ')}`;
  }
}
