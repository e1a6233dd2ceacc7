/**
 * The client side of the control API, for the CLI wrappers (and tests): find the running trader
 * through control.json and call one route.
 *
 * The token goes only to a loopback URL: a control.json whose URL points elsewhere (edited, or
 * planted by someone who can write the data dir) is refused before anything is sent
 * (CONTROL_NOT_LOOPBACK), so the token cannot be lured off the machine.
 */
import { ControlClientError } from './control-client-error.js';
import { controlFilePath, errorMessage, readControlFile } from './control-file.js';
import { CONTROL_ROUTES, type ControlRoute } from './control-routes.js';
import { isLoopbackUrl } from './security.js';

export interface CallControlOptions {
  /** Give up after this long (default 30 s). */
  timeoutMs?: number;
  /** JSON body (POST routes). */
  body?: unknown;
}

/** Calls one route of the running trader found in `dataDir`; returns its JSON answer. */
export async function callControl(
  dataDir: string,
  route: ControlRoute,
  options: CallControlOptions = {},
): Promise<unknown> {
  const control = readControlFile(dataDir);
  const path = `/${route}`;
  const spec = CONTROL_ROUTES[path];
  if (!spec) throw new TypeError(`unknown control route ${route}`);
  const file = controlFilePath(dataDir);
  if (!isLoopbackUrl(control.url) || !/^https?:/.test(control.url)) {
    throw new ControlClientError(
      'CONTROL_NOT_LOOPBACK',
      `${file} points at ${control.url}, which is not a loopback http URL; the token is not sent there`,
    );
  }
  let res: Response;
  try {
    res = await fetch(`${control.url}${path}`, {
      method: spec.method,
      headers: {
        authorization: `Bearer ${control.token}`,
        ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
      signal: AbortSignal.timeout(options.timeoutMs ?? 30_000),
      redirect: 'error',
    });
  } catch (err) {
    const e = err as { name?: string; cause?: { code?: string } };
    const why =
      e.name === 'TimeoutError'
        ? `no answer within ${Math.round((options.timeoutMs ?? 30_000) / 1000)} s`
        : (e.cause?.code ?? errorMessage(err));
    throw new ControlClientError(
      'CONTROL_UNREACHABLE',
      `the trader at ${control.url} does not answer (${why}); if it is no longer running, remove ${file}`,
      { cause: err },
    );
  }
  const text = await res.text();
  let body: unknown;
  try {
    body = text === '' ? null : JSON.parse(text);
  } catch {
    body = text;
  }
  if (res.status === 401) {
    throw new ControlClientError(
      'CONTROL_REFUSED',
      `the server at ${control.url} refused the token in ${file} (a stale file from another trader?)`,
    );
  }
  if (!res.ok) {
    const message = (body as { error?: { message?: unknown } } | null)?.error?.message;
    throw new ControlClientError(
      'CONTROL_FAILED',
      `${route}: HTTP ${res.status}${typeof message === 'string' ? `: ${message}` : ''}`,
    );
  }
  return body;
}
