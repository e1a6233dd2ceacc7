/**
 * Who may talk to the server: the bearer token (constant-time check) for anything that acts, and
 * for browsers the Origin and Host checks that stop other sites' pages from driving or reading a
 * loopback trader (CSRF and DNS rebinding).
 *
 *  - Origin: absent (curl, the CLI, Node clients) or a loopback origin (127.0.0.0/8, localhost,
 *    [::1]) on this server's port, or one listed in `allowedOrigins`. Anything else → 403.
 *  - Host: a loopback name, the address the server is bound to, or a listed origin's host. A page
 *    on evil.example that rebinds its name to 127.0.0.1 sends `Host: evil.example` → 403.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export function newToken(): string {
  return randomBytes(32).toString('hex');
}

function digest(s: string): Buffer {
  return createHash('sha256').update(s, 'utf8').digest();
}

/** A checker for `Authorization: Bearer <token>` (or a bare token, for WebSocket messages). */
export function tokenChecker(token: string): {
  header(h: string | undefined): boolean;
  raw(t: unknown): boolean;
} {
  const expected = digest(token);
  const raw = (t: unknown): boolean => typeof t === 'string' && timingSafeEqual(digest(t), expected);
  return {
    header(h) {
      const m = /^Bearer\s+(\S+)\s*$/i.exec(h ?? '');
      // Compare digests so the time taken does not depend on the presented token.
      return timingSafeEqual(digest(m?.[1] ?? ''), expected) && m !== null;
    },
    raw,
  };
}

/** 127.0.0.0/8, ::1, localhost (and *.localhost), without brackets or port. */
export function isLoopbackHostname(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (h === '::1' || h === '0:0:0:0:0:0:0:1') return true;
  if (/^::ffff:127\.\d+\.\d+\.\d+$/.test(h)) return true;
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/** True when `url` (http, https, ws, wss) points at a loopback host. */
export function isLoopbackUrl(url: string): boolean {
  try {
    return isLoopbackHostname(new URL(url).hostname);
  } catch {
    return false;
  }
}

export interface OriginPolicy {
  /** The port the server listens on, once known (loopback origins must use it). */
  port(): number | undefined;
  /** The address the server is bound to (a non-loopback bind allows its own host). */
  boundHost(): string | undefined;
  /** Extra origins allowed, e.g. "https://trader.example:8443". */
  allowedOrigins: readonly string[];
}

function splitHost(hostHeader: string): { hostname: string; port: number | undefined } {
  const m = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(hostHeader.trim());
  if (!m) return { hostname: '', port: undefined };
  return { hostname: m[1]!, port: m[2] === undefined ? undefined : Number(m[2]) };
}

export function originAllowed(origin: string | undefined, policy: OriginPolicy): boolean {
  if (origin === undefined || origin === '') return true;
  if (policy.allowedOrigins.includes(origin)) return true;
  let u: URL;
  try {
    u = new URL(origin);
  } catch {
    return false;
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return false;
  const port = policy.port();
  const originPort = u.port === '' ? (u.protocol === 'https:' ? 443 : 80) : Number(u.port);
  const bound = policy.boundHost();
  const sameHost = isLoopbackHostname(u.hostname) || (bound !== undefined && u.hostname === bound);
  return sameHost && (port === undefined || originPort === port);
}

export function hostAllowed(hostHeader: string | undefined, policy: OriginPolicy): boolean {
  if (hostHeader === undefined || hostHeader === '') return false;
  const { hostname } = splitHost(hostHeader);
  if (isLoopbackHostname(hostname)) return true;
  const bound = policy.boundHost();
  if (bound !== undefined && (hostname === bound || hostname === `[${bound}]`)) return true;
  return policy.allowedOrigins.some((o) => {
    try {
      return new URL(o).hostname === hostname.replace(/^\[|\]$/g, '');
    } catch {
      return false;
    }
  });
}
