/**
 * The server's closed catalog of coded errors. Every error answer is
 * `{"error":{"code":<code>,"message":<text>}}` with the status below; messages are scrubbed of
 * secrets and never carry a stack. (The codes keep the control API's original lower-case names.)
 */

export const SERVER_ERRORS = {
  bad_json: { status: 400, why: 'the body is not JSON' },
  bad_body: { status: 400, why: 'the body or query does not match the route schema' },
  bad_reason: { status: 400, why: '"reason" is not a non-empty string of at most 500 characters' },
  unauthorized: { status: 401, why: 'missing or wrong bearer token' },
  forbidden_origin: { status: 403, why: 'a browser page from another origin (CSRF guard)' },
  forbidden_host: { status: 403, why: 'the Host header is not this server (DNS-rebinding guard)' },
  not_found: { status: 404, why: 'no such route' },
  method_not_allowed: { status: 405, why: 'the route exists with another method (see Allow)' },
  body_too_large: { status: 413, why: 'the body is over the route limit' },
  unsupported_media_type: { status: 415, why: 'the body has a content type the route does not take' },
  target_failed: { status: 500, why: 'the trader failed the command; the message says why' },
  internal: { status: 500, why: 'a bug in the server' },
  not_available: { status: 503, why: 'the trader does not provide this (yet), e.g. no record' },
  dashboard_not_built: { status: 503, why: 'web/dist is missing: run `npm run build:dashboard`' },
} as const;

export type ServerErrorCode = keyof typeof SERVER_ERRORS;

export class ServerError extends Error {
  readonly status: number;
  constructor(
    readonly code: ServerErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ServerError';
    this.status = SERVER_ERRORS[code].status;
  }
}

/** The one error body shape. */
export function errorBody(
  code: ServerErrorCode,
  message: string,
): { error: { code: string; message: string } } {
  return { error: { code, message } };
}
