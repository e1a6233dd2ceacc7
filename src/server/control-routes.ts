/**
 * The control API's routes, on the one server:
 *
 *   GET  /status       → target.status()
 *   POST /sync         → target.sync()          re-calibrate against the exchange now
 *   POST /halt         → target.halt(reason, {keepOrders})   body: optional {"reason": "...", "keep_orders": true}
 *   POST /reduce       → target.reduce(reason)  reduce-only for every market until resume
 *   POST /resume       → target.resume()        the operator reset of halts, breakers and reduce-only
 *   POST /cancel-all   → target.cancelAll()
 *   POST /record       → target.record(query)   `sessions` / `report` / the edge report from the trader's own database
 *
 * Every one needs `Authorization: Bearer <token>` (401 before anything else, even a wrong method).
 * A wrong method answers 405 with Allow. Bodies are JSON whatever the content type says (the CLI
 * sends application/json; a browser's fetch of a string says text/plain), at most 16 KiB. Results
 * are scrubbed of secrets; a failing target answers 500 `target_failed` with the scrubbed message.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { redactSecrets } from '../config/index.js';
import { parseRecordQuery, type RecordQuery } from '../report/index.js';
import { errorMessage } from './control-file.js';
import { errorBody, ServerError } from './errors.js';

/** What the control API drives. The runtime implements it. */
export interface ControlTarget {
  status(): Promise<unknown>;
  sync(): Promise<unknown>;
  /** A halt cancels our resting orders (and triggers the order group) unless `keepOrders`. */
  halt(reason: string, options?: { keepOrders?: boolean }): Promise<unknown>;
  /** Reduce-only: only orders that reduce a position pass, until resume. */
  reduce?(reason: string): Promise<unknown>;
  resume(): Promise<unknown>;
  cancelAll(): Promise<unknown>;
  /** `traderv3 sessions` / `report` (`--strategy edge` too) answered from the trader's own database connection. */
  record?(query: RecordQuery): Promise<unknown>;
}

export type ControlRoute = 'status' | 'sync' | 'halt' | 'reduce' | 'resume' | 'cancel-all' | 'record';

/** Route table: path → method and route name. */
export const CONTROL_ROUTES: Readonly<Record<string, { method: 'GET' | 'POST'; route: ControlRoute }>> = {
  '/status': { method: 'GET', route: 'status' },
  '/sync': { method: 'POST', route: 'sync' },
  '/halt': { method: 'POST', route: 'halt' },
  '/reduce': { method: 'POST', route: 'reduce' },
  '/resume': { method: 'POST', route: 'resume' },
  '/cancel-all': { method: 'POST', route: 'cancel-all' },
  '/record': { method: 'POST', route: 'record' },
};

export const DEFAULT_HALT_REASON = 'operator halt';
export const DEFAULT_REDUCE_REASON = 'operator reduce-only';
export const MAX_REASON_LENGTH = 500;
export const MAX_BODY_BYTES = 16 * 1024;

const REASON_SCHEMA = { type: 'string', minLength: 1, maxLength: MAX_REASON_LENGTH, pattern: '\\S' } as const;
const HALT_BODY_SCHEMA = {
  type: 'object',
  properties: { reason: REASON_SCHEMA, keep_orders: { type: 'boolean' } },
} as const;
const REDUCE_BODY_SCHEMA = { type: 'object', properties: { reason: REASON_SCHEMA } } as const;

/** What a command's body may carry (`record`: a RecordQuery, checked by parseRecordQuery). */
export interface ControlCommandBody {
  readonly reason?: string;
  readonly keep_orders?: boolean;
  readonly [field: string]: unknown;
}

/** Runs one command on the target (shared by the HTTP routes and the stream's commands). */
export async function runControl(
  target: ControlTarget,
  route: ControlRoute,
  body: ControlCommandBody = {},
): Promise<unknown> {
  // Only halt and reduce validate their body; other routes ignore it, whatever its shape.
  const reason = typeof body.reason === 'string' ? body.reason.trim() : undefined;
  switch (route) {
    case 'status':
      return target.status();
    case 'sync':
      return target.sync();
    case 'halt':
      return target.halt(reason || DEFAULT_HALT_REASON, body.keep_orders ? { keepOrders: true } : {});
    case 'reduce':
      if (!target.reduce) throw new ServerError('not_found', 'this trader has no reduce-only mode');
      return target.reduce(reason || DEFAULT_REDUCE_REASON);
    case 'resume':
      return target.resume();
    case 'cancel-all':
      return target.cancelAll();
    case 'record': {
      if (!target.record) throw new ServerError('not_found', 'this trader does not serve its record');
      let query: RecordQuery;
      try {
        query = parseRecordQuery(body);
      } catch (err) {
        throw new ServerError('bad_body', errorMessage(err));
      }
      return target.record(query);
    }
  }
}

export interface ControlRoutesOptions {
  target: ControlTarget;
  /** True when the request carries the right bearer token. */
  authorized: (req: FastifyRequest) => boolean;
  onError?: (route: string, err: unknown) => void;
}

function refuse(reply: FastifyReply): FastifyReply {
  return reply
    .code(401)
    .header('www-authenticate', 'Bearer')
    .send(errorBody('unauthorized', 'missing or wrong bearer token'));
}

const OTHER_METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH'] as const;

/** Registers the control routes (an encapsulated plugin: its body parser is its own). */
export async function controlRoutes(app: FastifyInstance, options: ControlRoutesOptions): Promise<void> {
  const { target, authorized, onError } = options;
  // Any content type; an empty body is {}; anything else must be JSON.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string', bodyLimit: MAX_BODY_BYTES }, (_req, body, done) => {
    const text = String(body).trim();
    if (text === '') return done(null, {});
    try {
      done(null, JSON.parse(text));
    } catch {
      done(new ServerError('bad_json', 'body must be JSON like {"reason":"..."}'), undefined);
    }
  });
  app.addHook('onRequest', async (req, reply) => {
    if (!authorized(req)) return refuse(reply);
  });
  // A POST without a body is an empty object (no parser runs for it).
  app.addHook('preValidation', async (req) => {
    req.body ??= {};
  });

  for (const [path, spec] of Object.entries(CONTROL_ROUTES)) {
    app.route({
      method: spec.method,
      url: path,
      bodyLimit: MAX_BODY_BYTES,
      ...(spec.route === 'halt' ? { schema: { body: HALT_BODY_SCHEMA } } : {}),
      ...(spec.route === 'reduce' ? { schema: { body: REDUCE_BODY_SCHEMA } } : {}),
      handler: async (req, reply) => {
        const body = (req.body ?? {}) as ControlCommandBody;
        try {
          const result = await runControl(target, spec.route, body);
          return reply
            .header('cache-control', 'no-store')
            .type('application/json; charset=utf-8')
            .send(`${JSON.stringify(redactSecrets(result ?? { ok: true }) ?? null)}\n`);
        } catch (err) {
          if (err instanceof ServerError) throw err;
          onError?.(spec.route, err);
          throw new ServerError('target_failed', `${spec.route} failed: ${errorMessage(err)}`, {
            cause: err,
          });
        }
      },
    });
    const others = OTHER_METHODS.filter((m) => m !== spec.method);
    app.route({
      method: [...others],
      url: path,
      handler: async (req, reply) =>
        reply
          .code(405)
          .header('allow', spec.method)
          .send(errorBody('method_not_allowed', `${path} takes ${spec.method}, got ${req.method}`)),
    });
  }
}
