/**
 * The one server of a running trader (fastify): the control API, the live stream, the dashboard,
 * /metrics, /health, the record endpoints and the XState inspector relay — each a plugin of its
 * own file, mounted when its inputs are given.
 *
 *   GET  /                 the dashboard (web/dist)                       no token
 *   GET  /stream           live stream WebSocket (stream.ts)              read-only without token
 *   GET  /api/equity       equity curve + drawdown from the record        no token
 *   GET  /api/reconciliation  reconciliation log from the record          no token
 *   GET  /metrics          Prometheus text (metrics.ts)                   no token
 *   GET  /health           freqtrade-style health (health.ts)             no token
 *   GET  /status, POST /sync /halt /resume /cancel-all  (control-routes.ts)  bearer token
 *   GET  /inspect/…        the inspector relay (inspect.ts)               no token
 *
 * Loopback bind by default. Browsers' requests from other origins, or with a foreign Host header,
 * are refused with 403 before any route runs (security.ts). Errors: `{"error":{code,message}}`
 * (errors.ts). The token and URL go to `<dataDir>/control.json` (0600) when the control API is on.
 */
import fastifyWebsocket from '@fastify/websocket';
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import { scrubSecretText } from '../config/index.js';
import { removeControlFileIfOurs, writeControlFile } from './control-file.js';
import { type ControlTarget, controlRoutes } from './control-routes.js';
import { dashboardRoutes } from './dashboard.js';
import { errorBody, SERVER_ERRORS, ServerError, type ServerErrorCode } from './errors.js';
import { type HealthOptions, healthRoutes } from './health.js';
import { INSPECT_PREFIX, type InspectorHub, inspectorRoutes } from './inspect.js';
import { LiveState } from './live-state.js';
import { TraderMetrics } from './metrics.js';
import { hostAllowed, newToken, type OriginPolicy, originAllowed, tokenChecker } from './security.js';
import { STREAM_PATH, StreamHub, streamRoutes } from './stream.js';
import type { TraderView } from './view.js';

export interface ServerOptions {
  /** Default 127.0.0.1. Anything else is an explicit choice (and its host is then allowed). */
  host?: string;
  /** 0 (default) picks a free port. */
  port?: number;
  /** Where control.json goes; required with `control`. */
  dataDir?: string;
  /** The control API's target (usually view.control). */
  control?: ControlTarget;
  /** The running trader: enables the stream, dashboard, metrics and health. */
  view?: TraderView;
  /** Mounts the inspector relay under /inspect/. */
  inspector?: InspectorHub;
  /** Metrics to serve (created from the view when absent). */
  metrics?: TraderMetrics;
  health?: HealthOptions;
  /** Where the built dashboard is (default web/dist of this checkout). */
  dashboardDir?: string;
  /** Extra origins a browser may come from (e.g. behind a TLS proxy). */
  allowedOrigins?: string[];
  /** The token (default: 32 random bytes, hex). */
  token?: string;
  clock?: () => number;
  /** Stream timings (tests shorten them). */
  stream?: { flushMs?: number; statsMs?: number };
  /** Told about requests the target failed (no secrets: the message is scrubbed). */
  onError?: (route: string, err: unknown) => void;
}

export interface BuiltServer {
  readonly app: FastifyInstance;
  readonly token: string;
  readonly live?: LiveState;
  readonly stream?: StreamHub;
  readonly metrics?: TraderMetrics;
}

export interface TraderServer extends BuiltServer {
  /** e.g. http://127.0.0.1:40123 */
  readonly url: string;
  /** control.json, when the control API is on. */
  readonly file: string | undefined;
  readonly dashboardUrl: string;
  readonly streamUrl: string;
  readonly inspectUrl: string | undefined;
  readonly inspectWsUrl: string | undefined;
  close(): Promise<void>;
}

function codeFor(err: FastifyError): ServerErrorCode {
  if (err.validation) {
    return err.validation.some((v) => v.instancePath.startsWith('/reason')) ? 'bad_reason' : 'bad_body';
  }
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return 'body_too_large';
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return 'unsupported_media_type';
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return 'bad_json';
  }
  const status = err.statusCode ?? 500;
  if (status === 413) return 'body_too_large';
  if (status === 415) return 'unsupported_media_type';
  if (status === 404) return 'not_found';
  return status >= 400 && status < 500 ? 'bad_body' : 'internal';
}

/** Builds the server without listening (tests use `app.inject`). */
export async function buildServer(options: ServerOptions = {}): Promise<BuiltServer> {
  const clock = options.clock ?? Date.now;
  const token = options.token ?? newToken();
  const tokens = tokenChecker(token);
  const app = Fastify({
    logger: false,
    bodyLimit: 16 * 1024,
    forceCloseConnections: true,
    return503OnClosing: true,
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, allErrors: false } },
  });

  const policy: OriginPolicy = {
    port: () => {
      const a = app.server.address();
      return a && typeof a === 'object' ? a.port : undefined;
    },
    boundHost: () => {
      const h = options.host;
      return h === undefined || h === '127.0.0.1' ? undefined : h;
    },
    allowedOrigins: options.allowedOrigins ?? [],
  };
  // WebSocket upgrades are checked by verifyClient below (a reply here would not reach the client).
  const browserOk = (host: string | undefined, origin: string | undefined) =>
    hostAllowed(host, policy) && originAllowed(origin, policy);
  app.addHook('onRequest', async (req, reply) => {
    if (req.headers.upgrade !== undefined) return;
    if (!hostAllowed(req.headers.host, policy)) {
      return reply
        .code(403)
        .send(errorBody('forbidden_host', 'this server answers only to its own host name'));
    }
    if (!originAllowed(req.headers.origin, policy)) {
      return reply.code(403).send(errorBody('forbidden_origin', 'requests from other sites are refused'));
    }
  });
  app.addHook('onSend', async (_req, reply, payload) => {
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
    return payload;
  });
  app.setErrorHandler((err: FastifyError, _req, reply) => {
    if (err instanceof ServerError) {
      return reply.code(err.status).send(errorBody(err.code, scrubSecretText(err.message)));
    }
    const code = codeFor(err);
    if (code === 'internal') options.onError?.('server', err);
    const message = code === 'internal' ? 'internal error' : scrubSecretText(err.message).slice(0, 500);
    return reply.code(SERVER_ERRORS[code].status).send(errorBody(code, message));
  });
  app.setNotFoundHandler((req, reply) =>
    reply.code(404).send(errorBody('not_found', `no route ${req.method} ${req.url.split('?')[0]}`)),
  );

  await app.register(fastifyWebsocket, {
    options: {
      maxPayload: 64 * 1024,
      verifyClient: (info, done) => {
        const ok = browserOk(info.req.headers.host, info.origin || undefined);
        done(ok, ok ? undefined : 403, ok ? undefined : 'Forbidden');
      },
    },
  });

  const control = options.control ?? options.view?.control;
  if (control) {
    await app.register(controlRoutes, {
      target: control,
      authorized: (req) => tokens.header(req.headers.authorization),
      ...(options.onError ? { onError: options.onError } : {}),
    });
  }
  if (options.inspector) await app.register(inspectorRoutes, { hub: options.inspector });

  let live: LiveState | undefined;
  let stream: StreamHub | undefined;
  let metrics = options.metrics;
  const view = options.view;
  if (view) {
    live = new LiveState(view.bus, clock, view.snapshot().machine?.state);
    stream = new StreamHub({
      view,
      live,
      clock,
      tokenOk: tokens.raw,
      ...(options.stream ?? {}),
      ...(options.onError ? { onError: options.onError } : {}),
    });
    metrics ??= new TraderMetrics({ clock });
    metrics.attach(view, live);
    await app.register(streamRoutes, { hub: stream });
    await app.register(healthRoutes, { view, live, clock, ...(options.health ?? {}) });
  }
  if (metrics) {
    const m = metrics;
    app.get('/metrics', async (_req, reply) => reply.type(m.registry.contentType).send(await m.render()));
  }
  await app.register(dashboardRoutes, {
    ...(view ? { view } : {}),
    ...(options.dashboardDir ? { dir: options.dashboardDir } : {}),
  });
  app.addHook('onClose', async () => {
    stream?.close();
    live?.close();
    metrics?.detach();
  });
  return {
    app,
    token,
    ...(live ? { live } : {}),
    ...(stream ? { stream } : {}),
    ...(metrics ? { metrics } : {}),
  };
}

/** Builds and listens; writes control.json when the control API is on. */
export async function startServer(options: ServerOptions = {}): Promise<TraderServer> {
  const built = await buildServer(options);
  const { app, token } = built;
  const host = options.host ?? '127.0.0.1';
  await app.listen({ host, port: options.port ?? 0 });
  const address = app.server.address();
  if (!address || typeof address === 'string') throw new Error('server: no TCP address');
  const hostPart = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${hostPart}:${address.port}`;

  let file: string | undefined;
  if (options.control ?? options.view?.control) {
    if (!options.dataDir) {
      await app.close();
      throw new Error('server: the control API needs a dataDir for control.json');
    }
    try {
      file = writeControlFile(options.dataDir, {
        url,
        token,
        pid: process.pid,
        started_at: new Date().toISOString(),
      });
    } catch (err) {
      await app.close();
      throw new Error(
        `control API: cannot write control.json in ${options.dataDir}: ${(err as Error).message}`,
        {
          cause: err,
        },
      );
    }
  }
  let closing: Promise<void> | undefined;
  return {
    ...built,
    url,
    file,
    dashboardUrl: `${url}/`,
    streamUrl: `ws://${hostPart}:${address.port}${STREAM_PATH}`,
    inspectUrl: options.inspector ? `${url}${INSPECT_PREFIX}/` : undefined,
    inspectWsUrl: options.inspector ? `ws://${hostPart}:${address.port}${INSPECT_PREFIX}/ws` : undefined,
    close() {
      closing ??= (async () => {
        if (file) removeControlFileIfOurs(file, token);
        await app.close();
      })();
      return closing;
    },
  };
}
