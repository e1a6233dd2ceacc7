/**
 * What a failed stage (connect, calibrate) tells the machine: the machine gives up before its first
 * calibration on a failure marked `permanent` (planning/statechart.md), so the runtime says which
 * failures cannot heal by waiting, and words every failure so that a person knows what to fix:
 *
 *   HTTP 401/403 from REST, or a WebSocket upgrade refused with 401/403   → permanent: the exchange
 *                                                        refused the API key (named by its id)
 *   no answer at all (DNS, refused connection, timeout)  → transient: names the host
 *   anything else                                         → transient, as it is
 */
import type { StageFailure } from '../../machines/index.js';
import { KalshiError, KalshiHttpError, KalshiWsUpgradeError } from '../kalshi/index.js';

export class StageError extends Error implements StageFailure {
  readonly permanent: boolean;

  constructor(message: string, permanent: boolean, cause: unknown) {
    super(message, { cause });
    this.name = 'StageError';
    this.permanent = permanent;
  }
}

export interface StageErrorContext {
  readonly keyId: string | undefined;
  /** The REST and WebSocket URLs the stage talks to (their hosts name an unreachable exchange). */
  readonly restUrl: string;
  readonly wsUrl: string;
}

const UNREACHABLE = new Set(['KALSHI_HTTP_NETWORK', 'KALSHI_HTTP_TIMEOUT']);

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

export function classifyStageError(error: unknown, ctx: StageErrorContext): unknown {
  const status =
    error instanceof KalshiHttpError || error instanceof KalshiWsUpgradeError ? error.status : undefined;
  if (status === 401 || status === 403) {
    const key = ctx.keyId === undefined ? 'the API key' : `API key ${ctx.keyId}`;
    return new StageError(
      `the exchange at ${hostOf(ctx.restUrl)} refused ${key} (HTTP ${status}): check the key id, that the ` +
        `private key is that key's, and that the key was made for this exchange (demo and production keys differ) ` +
        `— ${(error as Error).message}`,
      true,
      error,
    );
  }
  if (error instanceof KalshiError && UNREACHABLE.has(error.code)) {
    return new StageError(`cannot reach ${hostOf(ctx.restUrl)}: ${error.message}`, false, error);
  }
  if (
    error instanceof KalshiError &&
    error.code === 'KALSHI_WS_CLOSED' &&
    !(error instanceof KalshiWsUpgradeError)
  ) {
    return new StageError(`cannot reach ${hostOf(ctx.wsUrl)}: ${error.message}`, false, error);
  }
  return error;
}
