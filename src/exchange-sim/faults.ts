/**
 * Fault injection for the simulator, controllable at run time (admin endpoint `POST /_sim/faults`,
 * or programmatically). Each fault is a counter of how many times it still fires, so a test can
 * ask for exactly one skipped sequence number or exactly three 429s.
 */

export interface HttpErrorRule {
  /** `METHOD /path` below /trade-api/v2; `*` matches any method; a trailing `*` matches a prefix. */
  endpoint: string;
  status: number;
  /** How many more requests it applies to. */
  remaining: number;
  /** Process the request first, then answer with the error (the nasty case: done, but the client can't know). */
  afterProcessing: boolean;
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
    };
  }
}

function matchesEndpoint(pattern: string, method: string, path: string): boolean {
  const [m = '', p = ''] = pattern.trim().split(/\s+/, 2);
  if (m !== '*' && m.toUpperCase() !== method.toUpperCase()) return false;
  const bare = path.replace(/^\/trade-api\/v2/, '');
  if (p.endsWith('*')) return bare.startsWith(p.slice(0, -1));
  return bare === p;
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
      if (typeof b.ms !== 'number' || !Number.isInteger(b.ms) || b.ms < 0 || b.ms > 60_000) {
        return 'ms must be an integer between 0 and 60000';
      }
      return b as FaultCommand;
    default:
      return `unknown action ${JSON.stringify(b.action)}; expected one of drop_ws_connections, reject_ws_upgrades, skip_seq, duplicate_deltas, reorder_deltas, drop_fill_messages, http_429, http_error, latency, pause_exchange, resume_exchange, clear`;
  }
}
