/**
 * Keeping secrets out of everything a person or a file can see (DESIGN §6 rule 5): logs, errors,
 * the control API, the inspector, the database.
 *
 * Four layers:
 *  - SECRET_KEYS: property names whose values are always replaced (structured data).
 *  - scrubSecretText: replaces any PEM private-key block found inside free text (an error message, a
 *    serialized log line), complete or truncated.
 *  - scrubSecretLine: a serialized JSON line (a log line) with both of the above applied to the
 *    text, at any depth, plus a URL's password.
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

const KEY_ALTERNATION = SECRET_KEYS.join('|'); // letters, '_' and '-': nothing to escape
/**
 * A secret-named key in compact serialized JSON: a key follows `{` or `,`. Inside a string a quote
 * is always escaped (`\"`), so `,"token":` in a string's text, or a key ending in `"token`,
 * cannot match. (The `{` or `,` is matched, not looked behind for: a lookbehind made the scan of a
 * 9 KB line 6× slower, 22 µs against 3.6 µs.)
 */
const SECRET_KEY_AT = new RegExp(`[{,]"(?:${KEY_ALTERNATION})":`, 'i');
/** A secret-named key whose value is an object or an array: those are redacted structurally. */
const SECRET_KEY_OVER_STRUCTURE = new RegExp(`[{,]"(?:${KEY_ALTERNATION})":[[{]`, 'i');
/** A secret-named key and its scalar value: a JSON string (escapes included), number or literal. */
const SECRET_FIELD = new RegExp(
  `([{,])"(${KEY_ALTERNATION})":(?:"(?:[^"\\\\]|\\\\.)*"|-?[0-9][0-9.eE+-]*|true|false|null)`,
  'gi',
);
/** `scheme://user:password@`: the password goes (as redactedConfig does to the database URL). */
const URL_PASSWORD = /(:\/\/[^:/@\s"\\]+):[^@\s"\\/]+@/g;

/**
 * A serialized JSON line (what the logger writes) with no secret left in it: PEM blocks anywhere
 * (scrubSecretText), the value of every secret-named key at any depth (SECRET_KEYS, any case), and
 * the password of any `scheme://user:password@` URL. A line with no secret-named key costs one
 * regular-expression scan. A secret-named key over an object or array is redacted by parsing the
 * line and rebuilding it (redactSecrets); a line that is not JSON then is replaced by a notice
 * rather than written with the secret.
 *
 * This replaces pino's wildcard `redact` paths (`*.token`, `*.*.token`), which walked every logged
 * object once per path: 26 µs on a six-field line, where the whole line otherwise costs 2 µs.
 */
export function scrubSecretLine(line: string): string {
  let out = scrubSecretText(line);
  if (out.includes('://')) out = out.replace(URL_PASSWORD, '$1:***@');
  if (!SECRET_KEY_AT.test(out)) return out;
  if (!SECRET_KEY_OVER_STRUCTURE.test(out)) {
    return out.replace(
      SECRET_FIELD,
      (_field, before: string, key: string) => `${before}"${key}":"${REDACTED}"`,
    );
  }
  const newline = out.endsWith('\n') ? '\n' : '';
  try {
    return JSON.stringify(redactSecrets(JSON.parse(out))) + newline;
  } catch {
    return `{"msg":"a log line was withheld: it held a secret-named field and was not JSON"}${newline}`;
  }
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
