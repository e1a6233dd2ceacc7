import { constants, createPrivateKey, createPublicKey, generateKeyPairSync, verify } from 'node:crypto';
import { inspect } from 'node:util';
import { KalshiAuth } from 'kalshi-typescript/dist/auth.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { KalshiError } from '../../src/kalshi/errors.js';
import {
  createSigner,
  generateKeyPair,
  generateKeyPairAsync,
  type Signer,
  signingMessage,
  verifySignature,
} from '../../src/kalshi/signer.js';

const KEY_ID = '3f1c2b9e-0d4a-4c5e-9a7b-1234567890ab';
let keys: { privateKeyPem: string; publicKeyPem: string };
let signer: Signer;

beforeAll(() => {
  keys = generateKeyPair();
  signer = createSigner({ keyId: KEY_ID, privateKeyPem: keys.privateKeyPem });
});

describe('key generation', () => {
  it('gives a PKCS#1 RSA-2048 private key as Kalshi hands out, and an SPKI public key', () => {
    expect(keys.privateKeyPem).toContain('-----BEGIN RSA PRIVATE KEY-----');
    expect(keys.publicKeyPem).toContain('-----BEGIN PUBLIC KEY-----');
    const key = createPrivateKey(keys.privateKeyPem);
    expect(key.asymmetricKeyType).toBe('rsa');
    expect(key.asymmetricKeyDetails?.modulusLength).toBe(2048);
  });

  it('gives the same kind of pair off the main thread, and its signatures verify', async () => {
    const pair = await generateKeyPairAsync();
    expect(pair.privateKeyPem).toContain('-----BEGIN RSA PRIVATE KEY-----');
    expect(pair.publicKeyPem).toContain('-----BEGIN PUBLIC KEY-----');
    expect(createPrivateKey(pair.privateKeyPem).asymmetricKeyDetails?.modulusLength).toBe(2048);
    const headers = createSigner({ keyId: KEY_ID, privateKeyPem: pair.privateKeyPem }).headers(
      'GET',
      '/trade-api/v2/portfolio/balance',
      1_700_000_000_000,
    );
    const ok = verifySignature(
      pair.publicKeyPem,
      '1700000000000',
      'GET',
      '/trade-api/v2/portfolio/balance',
      headers['KALSHI-ACCESS-SIGNATURE'],
    );
    expect(ok).toBe(true);
  });
});

describe('signing compatible with the official SDK', () => {
  it('verifies headers made by kalshi-typescript KalshiAuth with our verifySignature', () => {
    const path = '/trade-api/v2/portfolio/balance';
    const h = new KalshiAuth(KEY_ID, keys.privateKeyPem).generateAuthHeaders('GET', path);
    expect(h['KALSHI-ACCESS-KEY']).toBe(KEY_ID);
    const ts = h['KALSHI-ACCESS-TIMESTAMP'] ?? '';
    const sig = h['KALSHI-ACCESS-SIGNATURE'] ?? '';
    expect(ts).toMatch(/^\d{13}$/);
    expect(verifySignature(keys.publicKeyPem, ts, 'GET', path, sig)).toBe(true);
    expect(verifySignature(createPublicKey(keys.publicKeyPem), ts, 'GET', path, sig)).toBe(true);
  });

  it('makes signatures that Node crypto.verify accepts with PSS, SHA-256 and a 32-byte salt', () => {
    const path = '/trade-api/v2/portfolio/orders';
    const h = signer.headers('POST', path, 1703123456789);
    expect(h['KALSHI-ACCESS-TIMESTAMP']).toBe('1703123456789');
    expect(h['KALSHI-ACCESS-KEY']).toBe(KEY_ID);
    const ok = verify(
      'sha256',
      Buffer.from('1703123456789POST/trade-api/v2/portfolio/orders'),
      { key: keys.publicKeyPem, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 },
      Buffer.from(h['KALSHI-ACCESS-SIGNATURE'], 'base64'),
    );
    expect(ok).toBe(true);
  });

  it('signs what KalshiAuth signs for the same timestamp, method and path', () => {
    // PSS is randomized, so compare by cross-verification rather than bytes.
    const h = signer.headers('DELETE', '/trade-api/v2/portfolio/events/orders/abc', 1700000000000);
    expect(
      verifySignature(
        keys.publicKeyPem,
        '1700000000000',
        'DELETE',
        '/trade-api/v2/portfolio/events/orders/abc',
        h['KALSHI-ACCESS-SIGNATURE'],
      ),
    ).toBe(true);
  });
});

describe('the signed message', () => {
  it('is timestamp + upper-case method + path without the query string', () => {
    expect(signingMessage('1703123456789', 'get', '/trade-api/v2/portfolio/orders?limit=5&cursor=x')).toBe(
      '1703123456789GET/trade-api/v2/portfolio/orders',
    );
  });

  it('strips the query string itself, so a signature for a path with a query verifies without it', () => {
    const h = signer.headers('get', '/trade-api/v2/portfolio/orders?limit=5', 1703123456789);
    const sig = h['KALSHI-ACCESS-SIGNATURE'];
    expect(
      verifySignature(keys.publicKeyPem, '1703123456789', 'GET', '/trade-api/v2/portfolio/orders', sig),
    ).toBe(true);
    // The SDK's own auth signs the query verbatim — the classic 401 — and that does not verify.
    const sdk = new KalshiAuth(KEY_ID, keys.privateKeyPem).generateAuthHeaders(
      'GET',
      '/trade-api/v2/portfolio/orders?limit=5',
    );
    const raw = verify(
      'sha256',
      Buffer.from(`${sdk['KALSHI-ACCESS-TIMESTAMP']}GET/trade-api/v2/portfolio/orders`),
      { key: keys.publicKeyPem, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 },
      Buffer.from(sdk['KALSHI-ACCESS-SIGNATURE'] ?? '', 'base64'),
    );
    expect(raw).toBe(false);
  });

  it('fails verification for a different path, method or timestamp', () => {
    const path = '/trade-api/v2/portfolio/balance';
    const sig = signer.headers('GET', path, 1703123456789)['KALSHI-ACCESS-SIGNATURE'];
    expect(verifySignature(keys.publicKeyPem, '1703123456789', 'GET', path, sig)).toBe(true);
    expect(verifySignature(keys.publicKeyPem, '1703123456789', 'GET', '/portfolio/balance', sig)).toBe(false);
    expect(verifySignature(keys.publicKeyPem, '1703123456789', 'POST', path, sig)).toBe(false);
    expect(verifySignature(keys.publicKeyPem, '1703123456790', 'GET', path, sig)).toBe(false);
  });

  it('fails verification against another key', () => {
    const other = generateKeyPair();
    const sig = signer.headers('GET', '/trade-api/v2/x', 1)['KALSHI-ACCESS-SIGNATURE'];
    expect(verifySignature(other.publicKeyPem, '1', 'GET', '/trade-api/v2/x', sig)).toBe(false);
  });

  it('returns false, never throws, on garbage', () => {
    expect(verifySignature('not a key', '1', 'GET', '/x', 'AAAA')).toBe(false);
    expect(verifySignature(keys.publicKeyPem, 'abc', 'GET', '/x', 'AAAA')).toBe(false);
    expect(verifySignature(keys.publicKeyPem, '1', 'GET', '/x', '!!!not base64')).toBe(false);
    expect(verifySignature(keys.publicKeyPem, '1', 'GET', '/x', '')).toBe(false);
    expect(verifySignature(keys.publicKeyPem, '1', 'GET', '/x', 'AAAA')).toBe(false);
  });

  it('uses the injected clock when no timestamp is given', () => {
    const s = createSigner(
      { keyId: KEY_ID, privateKeyPem: keys.privateKeyPem },
      { now: () => 1234567890123 },
    );
    expect(s.headers('GET', '/trade-api/ws/v2')['KALSHI-ACCESS-TIMESTAMP']).toBe('1234567890123');
  });

  it('refuses a path that does not start at the host root', () => {
    expect(() => signer.headers('GET', 'portfolio/balance')).toThrow(/host root/);
  });
});

describe('bad keys', () => {
  const cases: Array<[string, string]> = [
    ['empty', ''],
    ['not a PEM', 'hello'],
    ['truncated PEM', '-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\n-----END RSA PRIVATE KEY-----\n'],
  ];
  for (const [name, pem] of cases) {
    it(`rejects a ${name} key with KALSHI_AUTH_BAD_KEY and a message free of key material`, () => {
      let thrown: unknown;
      try {
        createSigner({ keyId: KEY_ID, privateKeyPem: pem });
      } catch (e) {
        thrown = e;
      }
      expect(thrown).toBeInstanceOf(KalshiError);
      const err = thrown as KalshiError;
      expect(err.code).toBe('KALSHI_AUTH_BAD_KEY');
      expect(err.message).toContain(KEY_ID);
      expect(err.message).not.toContain('MIIE');
    });
  }

  it('rejects a public key given as the private key', () => {
    expect(() => createSigner({ keyId: KEY_ID, privateKeyPem: keys.publicKeyPem })).toThrow(
      expect.objectContaining({ code: 'KALSHI_AUTH_BAD_KEY' }),
    );
  });

  it('rejects a non-RSA key with a message naming the key type', () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({
      type: 'pkcs8',
      format: 'pem',
    });
    expect(() => createSigner({ keyId: KEY_ID, privateKeyPem: String(ec) })).toThrow(
      /ec key; Kalshi needs RSA/,
    );
  });

  it('rejects an empty key id', () => {
    expect(() => createSigner({ keyId: ' ', privateKeyPem: keys.privateKeyPem })).toThrow(
      expect.objectContaining({ code: 'KALSHI_AUTH_BAD_KEY' }),
    );
  });

  it('accepts a PKCS#8 private key as well', () => {
    const pkcs8 = String(createPrivateKey(keys.privateKeyPem).export({ type: 'pkcs8', format: 'pem' }));
    const s = createSigner({ keyId: KEY_ID, privateKeyPem: pkcs8 });
    const sig = s.headers('GET', '/trade-api/v2/x', 5)['KALSHI-ACCESS-SIGNATURE'];
    expect(verifySignature(keys.publicKeyPem, '5', 'GET', '/trade-api/v2/x', sig)).toBe(true);
  });
});

describe('the signer keeps the key to itself', () => {
  const body = () => keys.privateKeyPem.split('\n')[1] ?? 'unreachable';

  it('has no enumerable property holding the PEM', () => {
    for (const value of Object.values(signer)) expect(String(value)).not.toContain(body());
    expect(Object.keys(signer)).toEqual(['keyId']);
  });

  it('does not reveal the PEM through JSON.stringify, util.inspect or String()', () => {
    expect(JSON.stringify(signer)).toBe(JSON.stringify({ keyId: KEY_ID }));
    for (const text of [inspect(signer, { showHidden: true, depth: 10 }), String(signer), `${signer}`]) {
      expect(text).not.toContain(body());
      expect(text).not.toContain('PRIVATE KEY');
      expect(text).toContain(KEY_ID);
    }
  });
});
