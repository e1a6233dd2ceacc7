/**
 * Small HTTP helpers for the simulator: Kalshi's error bodies, JSON bodies, opaque cursors.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SimError } from './core-types.js';

export const MAX_BODY_BYTES = 1 << 20;

/** A failure the simulator answers with Kalshi's error body. */
export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: string = message,
  ) {
    super(message);
  }

  static from(e: SimError): HttpProblem {
    return new HttpProblem(e.status, e.code, e.message, e.details ?? e.message);
  }
}

export function badRequest(details: string, code = 'invalid_parameters'): HttpProblem {
  return new HttpProblem(400, code, code.replace(/_/g, ' '), details);
}

export function notFound(what: string): HttpProblem {
  return new HttpProblem(404, 'not_found', 'not found', what);
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

export function sendProblem(res: ServerResponse, p: HttpProblem): void {
  sendJson(res, p.status, {
    error: { code: p.code, message: p.message, details: p.details, service: 'exchange-sim' },
  });
}

/** Kalshi's 429 has a body of its own and no Retry-After header. */
export function sendTooManyRequests(res: ServerResponse): void {
  sendJson(res, 429, { error: 'too many requests' });
}

export async function readJsonBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > MAX_BODY_BYTES) throw badRequest(`request body larger than ${MAX_BODY_BYTES} bytes`);
    chunks.push(buf);
  }
  if (size === 0) return undefined;
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw badRequest('request body is not valid JSON', 'bad_request');
  }
}

// ---------- pagination ----------

export interface Page<T> {
  items: T[];
  cursor: string;
}

/** Cursor = opaque base64url of the next offset; '' on the last page. */
export function paginate<T>(
  all: T[],
  query: URLSearchParams,
  maxLimit: number,
  defaultLimit: number,
): Page<T> {
  const limit = intParam(query, 'limit', defaultLimit, 1, maxLimit);
  const rawCursor = query.get('cursor');
  let offset = 0;
  if (rawCursor) {
    const decoded = Buffer.from(rawCursor, 'base64url').toString('utf8');
    const m = /^o:(\d+)$/.exec(decoded);
    if (!m) throw badRequest('cursor is not one this server issued');
    offset = Number(m[1]);
  }
  const items = all.slice(offset, offset + limit);
  const next = offset + limit;
  return { items, cursor: next < all.length ? Buffer.from(`o:${next}`).toString('base64url') : '' };
}

export function intParam(
  query: URLSearchParams,
  name: string,
  fallback: number,
  min: number,
  max: number,
): number {
  const raw = query.get(name);
  if (raw === null || raw === '') return fallback;
  if (!/^-?\d+$/.test(raw)) throw badRequest(`${name} must be an integer (got ${JSON.stringify(raw)})`);
  const n = Number(raw);
  if (n < min || n > max) throw badRequest(`${name} must be between ${min} and ${max} (got ${n})`);
  return n;
}

export function optionalIntParam(query: URLSearchParams, name: string): number | undefined {
  const raw = query.get(name);
  if (raw === null || raw === '') return undefined;
  if (!/^\d+$/.test(raw))
    throw badRequest(`${name} must be a non-negative integer (got ${JSON.stringify(raw)})`);
  return Number(raw);
}

export function listParam(query: URLSearchParams, name: string): string[] | undefined {
  const values = query.getAll(name).flatMap((v) => v.split(','));
  const cleaned = values.map((v) => v.trim()).filter((v) => v.length > 0);
  return cleaned.length > 0 ? cleaned : undefined;
}
