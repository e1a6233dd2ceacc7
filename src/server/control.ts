/**
 * The control API: a small loopback HTTP server through which an operator (the `traderv3 status |
 * sync | halt | resume | cancel-all` commands) drives a running trader.
 *
 *   GET  /status       → target.status()
 *   POST /sync         → target.sync()          re-calibrate against the exchange now
 *   POST /halt         → target.halt(reason)    body: optional JSON {"reason": "..."}
 *   POST /resume       → target.resume()        the operator reset of halts and breakers
 *   POST /cancel-all   → target.cancelAll()
 *
 * Every request needs `Authorization: Bearer <token>`; the token (32 random bytes, hex) and the
 * URL are written to `<dataDir>/control.json` (mode 0600), which only the trader's user can read,
 * and removed on close. Answers are JSON: the target's result with 200, or `{"error":{code,message}}`
 * with 400/401/404/405/413/500. Results and messages are scrubbed of secrets; stacks never leave.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { redactSecrets, scrubSecretText } from '../config/index.js';

/** What the control API drives. The runtime implements it. */
export interface ControlTarget {
  status(): Promise<unknown>;
  sync(): Promise<unknown>;
  halt(reason: string): Promise<unknown>;
  resume(): Promise<unknown>;
  cancelAll(): Promise<unknown>;
}

export interface ControlServerOptions {
  target: ControlTarget;
  /** Where control.json goes (created if needed). */
  dataDir: string;
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** Told about requests the target failed (no secrets: the message is scrubbed). */
  onError?: (route: string, err: unknown) => void;
}

export interface ControlServer {
  /** e.g. http://127.0.0.1:40123 */
  readonly url: string;
  readonly token: string;
  /** Path of control.json. */
  readonly file: string;
  close(): Promise<void>;
}

/** Contents of `<dataDir>/control.json`. */
export interface ControlFile {
  url: string;
  token: string;
  pid: number;
  started_at: string;
}

export const CONTROL_FILE_NAME = 'control.json';
export const DEFAULT_HALT_REASON = 'operator halt';
const MAX_BODY_BYTES = 16 * 1024;
const MAX_REASON_LENGTH = 500;

export type ControlRoute = 'status' | 'sync' | 'halt' | 'resume' | 'cancel-all';

/** Route table: path → method and route name. */
export const CONTROL_ROUTES: Readonly<Record<string, { method: 'GET' | 'POST'; route: ControlRoute }>> = {
  '/status': { method: 'GET', route: 'status' },
  '/sync': { method: 'POST', route: 'sync' },
  '/halt': { method: 'POST', route: 'halt' },
  '/resume': { method: 'POST', route: 'resume' },
  '/cancel-all': { method: 'POST', route: 'cancel-all' },
};

export function controlFilePath(dataDir: string): string {
  return join(dataDir, CONTROL_FILE_NAME);
}

class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

function digest(s: string): Buffer {
  return createHash('sha256').update(s, 'utf8').digest();
}

/** Constant-time check of the Authorization header against the token. */
function authorized(header: string | undefined, expected: Buffer): boolean {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  // Compare digests so the comparison takes the same time whatever the presented length.
  return timingSafeEqual(digest(m?.[1] ?? ''), expected) && m !== null;
}

function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = `${JSON.stringify(redactSecrets(body) ?? null)}\n`;
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    ...headers,
  });
  res.end(text);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new HttpProblem(413, 'body_too_large', `request body over ${MAX_BODY_BYTES} bytes`));
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

async function haltReason(req: IncomingMessage): Promise<string> {
  const text = (await readBody(req)).trim();
  if (text === '') return DEFAULT_HALT_REASON;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new HttpProblem(400, 'bad_json', 'body must be JSON like {"reason":"..."}');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new HttpProblem(400, 'bad_body', 'body must be a JSON object like {"reason":"..."}');
  }
  const reason = (parsed as { reason?: unknown }).reason;
  if (reason === undefined) return DEFAULT_HALT_REASON;
  if (typeof reason !== 'string' || reason.trim() === '' || reason.length > MAX_REASON_LENGTH) {
    throw new HttpProblem(
      400,
      'bad_reason',
      `"reason" must be a non-empty string of at most ${MAX_REASON_LENGTH} characters`,
    );
  }
  return reason.trim();
}

function errorMessage(err: unknown): string {
  const raw = err instanceof Error ? err.message : typeof err === 'string' ? err : 'non-error thrown';
  return scrubSecretText(raw).slice(0, 1_000);
}

function writeControlFile(file: string, content: ControlFile): void {
  // Write a 0600 temp file and rename it over: the mode holds even if an old file existed.
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(content, null, 2)}\n`, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, file);
}

function removeControlFileIfOurs(file: string, token: string): void {
  try {
    const current = JSON.parse(readFileSync(file, 'utf8')) as Partial<ControlFile>;
    if (current.token !== token) return; // another trader took over this data dir
  } catch {
    return;
  }
  rmSync(file, { force: true });
}

export async function startControlServer(options: ControlServerOptions): Promise<ControlServer> {
  const { target, dataDir, host = '127.0.0.1', port = 0, onError } = options;
  const token = randomBytes(32).toString('hex');
  const expected = digest(token);

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (!authorized(req.headers.authorization, expected)) {
      send(
        res,
        401,
        { error: { code: 'unauthorized', message: 'missing or wrong bearer token' } },
        {
          'www-authenticate': 'Bearer',
        },
      );
      req.resume();
      return;
    }
    const path = new URL(req.url ?? '/', 'http://control').pathname;
    const entry = CONTROL_ROUTES[path];
    if (!entry) {
      send(res, 404, { error: { code: 'not_found', message: `no route ${path}` } });
      req.resume();
      return;
    }
    if (req.method !== entry.method) {
      send(
        res,
        405,
        {
          error: { code: 'method_not_allowed', message: `${path} takes ${entry.method}, got ${req.method}` },
        },
        { allow: entry.method },
      );
      req.resume();
      return;
    }
    if (entry.route !== 'halt') req.resume(); // no body expected; drain anything sent
    try {
      let result: unknown;
      switch (entry.route) {
        case 'status':
          result = await target.status();
          break;
        case 'sync':
          result = await target.sync();
          break;
        case 'halt':
          result = await target.halt(await haltReason(req));
          break;
        case 'resume':
          result = await target.resume();
          break;
        case 'cancel-all':
          result = await target.cancelAll();
          break;
      }
      send(res, 200, result ?? { ok: true });
    } catch (err) {
      if (err instanceof HttpProblem) {
        send(res, err.status, { error: { code: err.code, message: err.message } });
        return;
      }
      onError?.(entry.route, err);
      send(res, 500, {
        error: { code: 'target_failed', message: `${entry.route} failed: ${errorMessage(err)}` },
      });
    }
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) {
        send(res, 500, { error: { code: 'internal', message: errorMessage(err) } });
      } else {
        res.destroy();
      }
    });
  });
  server.headersTimeout = 10_000;
  server.requestTimeout = 0; // sync and cancel-all may take a while; the client has its own timeout

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const hostPart = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${hostPart}:${address.port}`;

  const file = controlFilePath(dataDir);
  try {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    writeControlFile(file, { url, token, pid: process.pid, started_at: new Date().toISOString() });
  } catch (err) {
    server.close();
    throw new Error(`control API: cannot write ${file}: ${errorMessage(err)}`, { cause: err });
  }

  let closed: Promise<void> | undefined;
  return {
    url,
    token,
    file,
    close() {
      closed ??= new Promise<void>((resolve) => {
        removeControlFileIfOurs(file, token);
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closed;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Client side, for the CLI wrappers (and tests): find the running trader and call it.

export class ControlClientError extends Error {
  constructor(
    readonly code:
      | 'CONTROL_NOT_RUNNING'
      | 'CONTROL_BAD_FILE'
      | 'CONTROL_UNREACHABLE'
      | 'CONTROL_REFUSED'
      | 'CONTROL_FAILED',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ControlClientError';
  }
}

/** Reads `<dataDir>/control.json`, with an error saying clearly when no trader is running. */
export function readControlFile(dataDir: string): ControlFile {
  const file = controlFilePath(dataDir);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (code === 'ENOENT') {
      throw new ControlClientError('CONTROL_NOT_RUNNING', `no running trader found: ${file} does not exist`);
    }
    throw new ControlClientError('CONTROL_BAD_FILE', `cannot read ${file}: ${errorMessage(err)}`, {
      cause: err,
    });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new ControlClientError('CONTROL_BAD_FILE', `${file} is not valid JSON`);
  }
  const p = parsed as Partial<ControlFile> | null;
  if (!p || typeof p.url !== 'string' || typeof p.token !== 'string') {
    throw new ControlClientError('CONTROL_BAD_FILE', `${file} lacks the string fields "url" and "token"`);
  }
  return {
    url: p.url,
    token: p.token,
    pid: typeof p.pid === 'number' ? p.pid : 0,
    started_at: typeof p.started_at === 'string' ? p.started_at : '',
  };
}

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
