/**
 * Keeping secrets out of everything a person or a file can see (DESIGN §6 rule 5): logs, errors,
 * the control API, the inspector, the database.
 *
 * Three layers:
 *  - SECRET_KEYS: property names whose values are always replaced (structured data).
 *  - scrubSecretText: replaces any PEM private-key block found inside free text (an error message, a
 *    serialized log line), complete or truncated.
 *  - redactedConfig: the configuration without the PEM, safe to log and to store with a session.
 */
import type { TraderConfig } from './schema.js';

export const REDACTED = '[redacted]';

/** Property names whose values never leave the process. Compared case-insensitively. */
export const SECRET_KEYS: readonly string[] = [
  'privateKeyPem',
  'private_key_pem',
  'privateKey',
  'private_key',
  'KALSHI-ACCESS-SIGNATURE',
  'authorization',
  'token',
  'password',
];

const SECRET_KEY_SET = new Set(SECRET_KEYS.map((k) => k.toLowerCase()));

export function isSecretKey(key: string): boolean {
  return SECRET_KEY_SET.has(key.toLowerCase());
}

/**
 * A PEM private-key block: BEGIN marker, then anything up to the END marker, or, when the text was
 * cut, up to the end of the string or of the JSON string it sits in (a `"`). A marker directly
 * followed by a quote is a quoted name in a message (`expected "-----BEGIN PRIVATE KEY-----"`), not
 * key material, and is left alone.
 */
const PEM_BLOCK =
  /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----(?!\\?["'`])(?:(?!-----END)[^"])*(?:-----END (?:[A-Z0-9]+ )*PRIVATE KEY-----)?/g;

/** Replaces private-key PEM blocks in free text. Cheap when there is none. */
export function scrubSecretText(text: string): string {
  if (!text.includes('PRIVATE KEY-----')) return text;
  return text.replace(PEM_BLOCK, REDACTED);
}

/**
 * A deep copy of a JSON-like value with secret-named properties replaced and PEM blocks scrubbed
 * from strings. Cycles become "[circular]", functions and symbols are dropped, bigints become
 * strings, depth is capped. For data leaving the process (HTTP answers, inspector events).
 */
export function redactSecrets(value: unknown, maxDepth = 12): unknown {
  const seen = new WeakSet<object>();
  const walk = (v: unknown, depth: number): unknown => {
    if (typeof v === 'string') return scrubSecretText(v);
    if (typeof v === 'bigint') return v.toString();
    if (typeof v === 'function' || typeof v === 'symbol') return undefined;
    if (v === null || typeof v !== 'object') return v;
    if (seen.has(v)) return '[circular]';
    if (depth >= maxDepth) return '[depth limit]';
    const withToJson = v as { toJSON?: () => unknown };
    if (typeof withToJson.toJSON === 'function' && !Array.isArray(v)) {
      return walk(withToJson.toJSON(), depth + 1);
    }
    seen.add(v);
    try {
      if (Array.isArray(v)) return v.map((item) => walk(item, depth + 1) ?? null);
      if (v instanceof Error) return { name: v.name, message: scrubSecretText(v.message) };
      if (v instanceof Map) return walk(Object.fromEntries(v), depth + 1);
      if (v instanceof Set) return walk([...v], depth + 1);
      const out: Record<string, unknown> = {};
      for (const [k, item] of Object.entries(v)) {
        const next = isSecretKey(k) ? REDACTED : walk(item, depth + 1);
        if (next !== undefined) out[k] = next;
      }
      return out;
    } finally {
      seen.delete(v);
    }
  };
  return walk(value, 0);
}

/** What of a TraderConfig may be logged or stored: everything but the private keys. */
export type RedactedTraderConfig = Omit<TraderConfig, 'credentials' | 'marketDataCredentials'> & {
  credentials?: { keyId: string; privateKeyPath: string | undefined };
  marketDataCredentials?: { keyId: string; privateKeyPath: string | undefined };
};

export function redactedConfig(config: TraderConfig): RedactedTraderConfig {
  const { credentials, marketDataCredentials, ...rest } = config;
  const out: RedactedTraderConfig = structuredClone(rest);
  if (credentials) {
    out.credentials = { keyId: credentials.keyId, privateKeyPath: credentials.privateKeyPath };
  }
  if (out.databaseUrl) out.databaseUrl = out.databaseUrl.replace(/(:\/\/[^:/@]+):[^@]*@/, '$1:***@');
  if (marketDataCredentials) {
    out.marketDataCredentials = {
      keyId: marketDataCredentials.keyId,
      privateKeyPath: marketDataCredentials.privateKeyPath,
    };
  }
  return out;
}
