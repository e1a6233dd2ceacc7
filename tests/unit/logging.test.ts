/**
 * The logger: JSON lines with ISO-8601 UTC times, and no secret ever reaches the output.
 */
import { Writable } from 'node:stream';
import { beforeAll, describe, expect, it } from 'vitest';
import { createBus } from '../../src/bus.js';
import { createLogger } from '../../src/cli/logging.js';
import { loadConfig, redactSecrets, scrubSecretText } from '../../src/config/index.js';
import { createSigner, generateKeyPair } from '../../src/kalshi/signer.js';
import { BURST_LINES, projectLogs } from '../../src/runtime/logs.js';

let PEM = '';
let BODY_LINE = '';

beforeAll(() => {
  PEM = generateKeyPair().privateKeyPem;
  BODY_LINE = PEM.split('\n')[1] ?? '';
  expect(BODY_LINE.length).toBeGreaterThan(40);
});

function capture(level: 'debug' | 'info' = 'info') {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, cb) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      cb();
    },
  });
  const logger = createLogger({ level, destination });
  const text = () => lines.join('\n');
  const parsed = () => lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  return { logger, text, parsed };
}

describe('createLogger', () => {
  it('writes JSON lines with an ISO-8601 UTC time and the level name', () => {
    const { logger, parsed } = capture();
    logger.info({ event: 'x', n: 1 }, 'hello');
    logger.debug('not at info');
    const [line, ...rest] = parsed();
    expect(rest).toEqual([]);
    expect(line).toMatchObject({ level: 'info', event: 'x', n: 1, msg: 'hello' });
    expect(line?.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  it('censors every redact path', () => {
    const { logger, text, parsed } = capture();
    logger.info({
      privateKeyPem: PEM,
      private_key_pem: PEM,
      credentials: { keyId: 'kid', privateKeyPem: PEM },
      config: {
        credentials: { keyId: 'kid', privateKeyPem: PEM },
        marketDataCredentials: { keyId: 'kid2', privateKeyPem: PEM },
      },
      account: { creds: { private_key_pem: PEM } },
      headers: { 'KALSHI-ACCESS-SIGNATURE': 'c2lnbmF0dXJl', 'KALSHI-ACCESS-KEY': 'kid' },
      request: { headers: { authorization: 'Bearer abc' } },
      token: 'abcdef',
    });
    const out = text();
    expect(out).not.toContain(BODY_LINE);
    expect(out).not.toContain('PRIVATE KEY');
    expect(out).not.toContain('c2lnbmF0dXJl');
    expect(out).not.toContain('abcdef');
    expect(out).not.toContain('Bearer abc');
    const line = parsed()[0] as Record<string, Record<string, unknown>>;
    expect(line.credentials).toEqual({ keyId: 'kid', privateKeyPem: '[redacted]' });
    expect(line.headers?.['KALSHI-ACCESS-KEY']).toBe('kid');
    expect(line.headers?.['KALSHI-ACCESS-SIGNATURE']).toBe('[redacted]');
  });

  it('censors a secret-named field at any depth, in any case, whatever its value', () => {
    const { logger, text, parsed } = capture();
    logger.info({ a: { b: { c: { d: { token: 'deep-5' } } } } }, 'five levels down');
    logger.info({ Token: 'upper-T', PASSWORD: 'upper-P', Private_Key: 'mixed-K' }, 'cases');
    logger.info({ password: 'quote"and\\slash-tail', token: 123456789 }, 'escapes and numbers');
    logger.info({ list: [{ authorization: 'Bearer in-array' }] }, 'in an array');
    logger.warn({ authorization: { scheme: 'Bearer', value: 'object-secret' }, keep: 'kept' }, 'object');
    logger.warn({ nested: { privateKey: ['array', 'secret'] } }, 'array value');
    const out = text();
    for (const secret of ['deep-5', 'upper-T', 'upper-P', 'mixed-K', 'slash-tail', '123456789']) {
      expect(out).not.toContain(secret);
    }
    for (const secret of ['in-array', 'object-secret', 'secret"']) expect(out).not.toContain(secret);
    const lines = parsed();
    expect(lines).toHaveLength(6);
    expect(lines[4]).toMatchObject({ authorization: '[redacted]', keep: 'kept', msg: 'object' });
    expect(lines[5]).toMatchObject({ nested: { privateKey: '[redacted]' }, msg: 'array value' });
    expect(lines[2]).toMatchObject({
      password: '[redacted]',
      token: '[redacted]',
      msg: 'escapes and numbers',
    });
  });

  it("censors a URL's password and leaves the rest of the line alone", () => {
    const { logger, parsed } = capture();
    logger.warn(
      { error: 'connect postgres://trader:hunter2@db:5432/x refused', url: 'http://h:80/a@b' },
      'db',
    );
    const [line] = parsed();
    expect(line?.error).toBe('connect postgres://trader:***@db:5432/x refused');
    expect(line?.url).toBe('http://h:80/a@b');
    expect(line?.msg).toBe('db');
  });

  it('scrubs a PEM wherever it ends up: message, error message, unknown field, truncated', () => {
    const { logger, text } = capture();
    logger.info(`oops ${PEM}`);
    logger.error({ err: new Error(`cannot use ${PEM}`) }, 'failed');
    logger.warn({ somethingElse: { deep: { deeper: { text: PEM } } } }, 'nested');
    logger.warn({ partial: PEM.slice(0, 300) }, 'cut');
    const out = text();
    expect(out).not.toContain(BODY_LINE);
    expect(out.match(/\[redacted\]/g)?.length).toBeGreaterThanOrEqual(4);
  });

  it('logs a whole config without its key', () => {
    const config = loadConfig(
      { env: 'paper' },
      { KALSHI_API_KEY_ID: 'kid', KALSHI_PRIVATE_KEY_PATH: '/k.pem' },
      { readFile: () => PEM },
    );
    const { logger, text } = capture();
    logger.info({ config }, 'raw config by mistake');
    expect(text()).not.toContain(BODY_LINE);
    expect(text()).toContain('"keyId":"kid"');
  });

  it('our own key errors never include the key, and a quoted marker in a hint stays readable', () => {
    let message = '';
    try {
      createSigner({ keyId: 'kid', privateKeyPem: PEM.replace(BODY_LINE, 'AAAA') });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain('kid');
    expect(message).not.toContain(BODY_LINE);
    const hint = 'expected "-----BEGIN RSA PRIVATE KEY-----" or "-----BEGIN PRIVATE KEY-----"';
    expect(scrubSecretText(hint)).toBe(hint);
  });
});

describe('projectLogs', () => {
  const decision = { at: 0, ticker: 'KXT', strategy: 'policy', action: 'hold', reason: 'no edge' } as const;

  it('logs every decision at debug', () => {
    const { logger, parsed } = capture('debug');
    const bus = createBus();
    projectLogs(bus, logger);
    bus.emit('strategy.decided', decision);
    expect(parsed()).toMatchObject([{ event: 'decision', ticker: 'KXT', msg: 'policy hold KXT: no edge' }]);
  });

  it('builds nothing for a decision when debug is off', () => {
    const { logger, parsed } = capture('info');
    const bus = createBus();
    projectLogs(bus, logger);
    let reads = 0;
    const watched = new Proxy(decision, {
      get(target, key, receiver) {
        reads += 1;
        return Reflect.get(target, key, receiver);
      },
    });
    bus.emit('strategy.decided', watched);
    expect(parsed()).toEqual([]);
    expect(reads).toBe(0);
  });

  it('writes the first BURST_LINES per-item lines of one moment and counts the rest in one line', async () => {
    const { logger, parsed } = capture('info');
    const bus = createBus();
    projectLogs(bus, logger);
    // A calibration adopting many positions: one turn of the event loop.
    for (let i = 0; i < BURST_LINES + 40; i++)
      bus.emit('position.driftDetected', { ticker: `KX-${i}`, local: 0, exchange: 100, at: 0 });
    bus.emit('position.driftDetected', { ticker: 'ignored-kind-check', local: 0, exchange: 100, at: 0 });
    expect(parsed()).toHaveLength(BURST_LINES);
    await new Promise((r) => setImmediate(r));
    const lines = parsed();
    expect(lines.at(-1)).toMatchObject({
      event: 'log_burst',
      kind: 'position_drift',
      logged: BURST_LINES,
      more: 41,
    });
    // The next moment starts afresh.
    bus.emit('position.driftDetected', { ticker: 'KX-later', local: 0, exchange: 100, at: 0 });
    expect(parsed().at(-1)).toMatchObject({ event: 'position_drift', ticker: 'KX-later' });
  });
});

describe('redactSecrets', () => {
  it('replaces secret keys, scrubs strings, and survives cycles', () => {
    const cyclic: Record<string, unknown> = { name: 'a', token: 't', note: `x ${PEM}` };
    cyclic.self = cyclic;
    const out = redactSecrets(cyclic) as Record<string, unknown>;
    expect(out).toEqual({ name: 'a', token: '[redacted]', note: 'x [redacted]\n', self: '[circular]' });
  });
});
