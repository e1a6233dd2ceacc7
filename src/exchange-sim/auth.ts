/**
 * The simulator's API keys: key id → public key → account. Requests are authenticated exactly as
 * Kalshi does (KALSHI.md §2): RSA-PSS/SHA-256 over timestamp_ms + METHOD + path (path from the host
 * root, no query string), with the three KALSHI-ACCESS-* headers.
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import { verifySignature } from '../kalshi/index.js';

/** How far a request's timestamp may be from the simulator's clock (Kalshi's window is unpublished). */
export const MAX_CLOCK_SKEW_MS = 5 * 60_000;

export type AuthResult = { ok: true; accountId: string; keyId: string } | { ok: false; details: string };

export class KeyRegistry {
  private readonly keys = new Map<string, { publicKey: KeyObject; accountId: string }>();

  register(keyId: string, publicKeyPem: string, accountId: string): void {
    this.keys.set(keyId, { publicKey: createPublicKey(publicKeyPem), accountId });
  }

  has(keyId: string): boolean {
    return this.keys.has(keyId);
  }

  accountOf(keyId: string): string | undefined {
    return this.keys.get(keyId)?.accountId;
  }

  authenticate(
    headers: Record<string, string | string[] | undefined>,
    method: string,
    path: string,
    nowMs: number,
  ): AuthResult {
    const keyId = header(headers, 'kalshi-access-key');
    const timestamp = header(headers, 'kalshi-access-timestamp');
    const signature = header(headers, 'kalshi-access-signature');
    if (!keyId || !timestamp || !signature) return { ok: false, details: 'MISSING_HEADERS' };
    const entry = this.keys.get(keyId);
    if (!entry) return { ok: false, details: 'NOT_FOUND' };
    if (!/^\d{13}$/.test(timestamp)) return { ok: false, details: 'INVALID_TIMESTAMP' };
    if (Math.abs(Number(timestamp) - nowMs) > MAX_CLOCK_SKEW_MS)
      return { ok: false, details: 'TIMESTAMP_EXPIRED' };
    const bare = path.split('?')[0] ?? path;
    if (!verifySignature(entry.publicKey, timestamp, method.toUpperCase(), bare, signature)) {
      return { ok: false, details: 'INVALID_SIGNATURE' };
    }
    return { ok: true, accountId: entry.accountId, keyId };
  }
}

function header(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}
