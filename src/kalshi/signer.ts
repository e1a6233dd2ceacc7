/**
 * Kalshi request signing (KALSHI.md §2).
 *
 *   message   = timestamp_ms + METHOD + path      (no separators; path from the host root, with
 *                                                 `/trade-api/v2`, without the query string)
 *   signature = base64(RSA-PSS(SHA-256, MGF1-SHA-256, salt = 32 = digest length)(utf8(message)))
 *
 * The body is never signed. The private key is parsed once, when the signer is created, and lives
 * only in a private field: the signer never exposes the PEM, not through its properties, JSON or
 * util.inspect.
 */
import {
  constants,
  createPrivateKey,
  createPublicKey,
  generateKeyPair as generateKeyPairCallback,
  generateKeyPairSync,
  type KeyObject,
  sign,
  verify,
} from 'node:crypto';
import { inspect } from 'node:util';
import { KalshiError } from './errors.js';

export interface KalshiCredentials {
  keyId: string;
  privateKeyPem: string;
}

export type KalshiAuthHeaderName =
  | 'KALSHI-ACCESS-KEY'
  | 'KALSHI-ACCESS-SIGNATURE'
  | 'KALSHI-ACCESS-TIMESTAMP';

export interface Signer {
  readonly keyId: string;
  /**
   * Headers for one request. `path` is from the host root and includes `/trade-api/v2`
   * (or `/trade-api/ws/v2` for the WebSocket upgrade); a query string is stripped before signing.
   * `nowMs` defaults to the signer's clock.
   */
  headers(method: string, path: string, nowMs?: number): Record<KalshiAuthHeaderName, string>;
  /**
   * The same headers, the signature made on libuv's threadpool (Node's async `crypto.sign`) so the
   * event loop goes on meanwhile. Used to sign ahead (presign.ts); absent on signers that cannot.
   */
  headersAsync?(method: string, path: string, nowMs?: number): Promise<Record<KalshiAuthHeaderName, string>>;
}

export interface SignerOptions {
  /** Clock for the timestamp when `headers` is called without `nowMs` (default Date.now). */
  now?: () => number;
}

const PSS = {
  padding: constants.RSA_PKCS1_PSS_PADDING,
  saltLength: constants.RSA_PSS_SALTLEN_DIGEST,
} as const;

/** The exact bytes Kalshi signs. Exported for the simulator's logs and for tests. */
export function signingMessage(timestampMs: string, method: string, path: string): string {
  return timestampMs + method.toUpperCase() + signingPath(path);
}

/**
 * The path part of the message: query string and fragment stripped; a full URL is reduced to its
 * path. The path must start at the host root.
 */
export function signingPath(path: string): string {
  let p = path;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(p)) p = new URL(p).pathname;
  const cut = p.search(/[?#]/);
  if (cut >= 0) p = p.slice(0, cut);
  return p;
}

class RsaPssSigner implements Signer {
  readonly keyId: string;
  readonly #key: KeyObject;
  readonly #now: () => number;

  constructor(keyId: string, key: KeyObject, now: () => number) {
    this.keyId = keyId;
    this.#key = key;
    this.#now = now;
  }

  headers(method: string, path: string, nowMs?: number): Record<KalshiAuthHeaderName, string> {
    const { timestamp, message } = this.#message(method, path, nowMs);
    const signature = sign('sha256', message, { key: this.#key, ...PSS }).toString('base64');
    return this.#headers(timestamp, signature);
  }

  headersAsync(method: string, path: string, nowMs?: number): Promise<Record<KalshiAuthHeaderName, string>> {
    let msg: { timestamp: string; message: Buffer };
    try {
      msg = this.#message(method, path, nowMs);
    } catch (err) {
      return Promise.reject(err);
    }
    return new Promise((resolve, reject) => {
      sign('sha256', msg.message, { key: this.#key, ...PSS }, (err, signature) => {
        if (err) reject(new KalshiError('KALSHI_AUTH_BAD_KEY', 'RSA-PSS signing failed', { cause: err }));
        else resolve(this.#headers(msg.timestamp, signature.toString('base64')));
      });
    });
  }

  #message(method: string, path: string, nowMs: number | undefined) {
    const p = signingPath(path);
    if (!p.startsWith('/')) {
      throw new TypeError(`Kalshi signer: path must start at the host root ("/trade-api/…"), got "${p}"`);
    }
    const timestamp = String(Math.trunc(nowMs ?? this.#now()));
    return { timestamp, message: Buffer.from(signingMessage(timestamp, method, p), 'utf8') };
  }

  #headers(timestamp: string, signature: string): Record<KalshiAuthHeaderName, string> {
    return {
      'KALSHI-ACCESS-KEY': this.keyId,
      'KALSHI-ACCESS-SIGNATURE': signature,
      'KALSHI-ACCESS-TIMESTAMP': timestamp,
    };
  }

  toJSON(): { keyId: string } {
    return { keyId: this.keyId };
  }

  [inspect.custom](): string {
    return `Signer { keyId: ${JSON.stringify(this.keyId)} }`;
  }

  toString(): string {
    return `Signer(${this.keyId})`;
  }
}

/**
 * Parses and checks the key once; a PEM that is not a usable RSA private key gives
 * KalshiError KALSHI_AUTH_BAD_KEY. Error messages never contain key material.
 */
export function createSigner(creds: KalshiCredentials, options: SignerOptions = {}): Signer {
  if (typeof creds.keyId !== 'string' || creds.keyId.trim() === '') {
    throw new KalshiError('KALSHI_AUTH_BAD_KEY', 'Kalshi API key id is empty');
  }
  const keyId = creds.keyId.trim();
  if (typeof creds.privateKeyPem !== 'string' || !creds.privateKeyPem.includes('-----BEGIN')) {
    throw new KalshiError(
      'KALSHI_AUTH_BAD_KEY',
      `private key for Kalshi key id ${keyId} is not a PEM (expected "-----BEGIN RSA PRIVATE KEY-----" or "-----BEGIN PRIVATE KEY-----")`,
    );
  }
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: creds.privateKeyPem, format: 'pem' });
  } catch (cause) {
    // Node's parse errors name the decoder problem, never the input; keep them as the cause.
    throw new KalshiError(
      'KALSHI_AUTH_BAD_KEY',
      `private key for Kalshi key id ${keyId} cannot be parsed as a PEM private key (encrypted, truncated or damaged?)`,
      { cause },
    );
  }
  if (key.asymmetricKeyType !== 'rsa') {
    throw new KalshiError(
      'KALSHI_AUTH_BAD_KEY',
      `private key for Kalshi key id ${keyId} is a ${key.asymmetricKeyType ?? 'non-asymmetric'} key; Kalshi needs RSA`,
    );
  }
  try {
    sign('sha256', Buffer.from('probe'), { key, ...PSS });
  } catch (cause) {
    throw new KalshiError(
      'KALSHI_AUTH_BAD_KEY',
      `private key for Kalshi key id ${keyId} cannot make an RSA-PSS signature (key too small?)`,
      { cause },
    );
  }
  return new RsaPssSigner(keyId, key, options.now ?? Date.now);
}

/**
 * Checks a Kalshi signature (for the simulator). Rebuilds the message exactly as the signer does
 * (method upper-cased, query stripped). Returns false, never throws, on any garbage input.
 */
export function verifySignature(
  publicKeyPem: string | KeyObject,
  timestampMs: string,
  method: string,
  path: string,
  signatureB64: string,
): boolean {
  try {
    if (!/^\d{1,16}$/.test(timestampMs)) return false;
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(signatureB64)) return false;
    const key = typeof publicKeyPem === 'string' ? createPublicKey(publicKeyPem) : publicKeyPem;
    return verify(
      'sha256',
      Buffer.from(signingMessage(timestampMs, method, path), 'utf8'),
      { key, ...PSS },
      Buffer.from(signatureB64, 'base64'),
    );
  } catch {
    return false;
  }
}

const KEY_PAIR_OPTIONS = {
  modulusLength: 2048,
  publicKeyEncoding: { type: 'spki', format: 'pem' },
  privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
} as const;

/** A fresh RSA-2048 key pair: PKCS#1 private PEM (as Kalshi hands out) and SPKI public PEM. */
export function generateKeyPair(): { privateKeyPem: string; publicKeyPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', KEY_PAIR_OPTIONS);
  return { privateKeyPem: privateKey, publicKeyPem: publicKey };
}

/**
 * generateKeyPair off the JavaScript thread (libuv's pool): a start makes its simulator account's
 * key while the main thread opens the database, instead of blocking it for ~0.1 s.
 */
export function generateKeyPairAsync(): Promise<{ privateKeyPem: string; publicKeyPem: string }> {
  return new Promise((resolve, reject) => {
    generateKeyPairCallback('rsa', KEY_PAIR_OPTIONS, (err, publicKey, privateKey) => {
      if (err) reject(err);
      else resolve({ privateKeyPem: privateKey, publicKeyPem: publicKey });
    });
  });
}
