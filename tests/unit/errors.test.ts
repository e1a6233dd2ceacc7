import { describe, expect, it } from 'vitest';
import {
  KALSHI_ERROR_CODES,
  KalshiAbortedError,
  KalshiError,
  type KalshiErrorCode,
  KalshiHttpError,
  KalshiNetworkError,
  KalshiTimeoutError,
  normalizeError,
  parseErrorBody,
  systemErrorCode,
  WireFormatError,
} from '../../src/kalshi/errors.js';

const ref = { method: 'POST', path: '/trade-api/v2/portfolio/events/orders' };

describe('the error catalog', () => {
  it('gives every code a description', () => {
    const codes = Object.keys(KALSHI_ERROR_CODES) as KalshiErrorCode[];
    expect(codes.length).toBeGreaterThan(0);
    for (const code of codes) {
      expect(code).toMatch(/^KALSHI_[A-Z]+_[A-Z_]+$/);
      expect(KALSHI_ERROR_CODES[code].trim().length).toBeGreaterThan(10);
    }
  });

  it('keeps the codes every error class uses inside the catalog', () => {
    const cause = new Error('x');
    const errors: KalshiError[] = [
      new KalshiError('KALSHI_WS_CLOSED', 'closed'),
      new WireFormatError('price', 'abc', 'not a decimal number'),
      new KalshiHttpError(ref, 400, undefined),
      new KalshiHttpError(ref, 429, { error: 'too many requests' }),
      new KalshiTimeoutError(ref, 10),
      new KalshiNetworkError(ref, { cause }),
      new KalshiAbortedError(ref),
      normalizeError('weird'),
    ];
    for (const e of errors) {
      expect(e).toBeInstanceOf(KalshiError);
      expect(e).toBeInstanceOf(Error);
      expect(Object.keys(KALSHI_ERROR_CODES)).toContain(e.code);
      expect(e.name).not.toBe('Error');
    }
  });
});

describe('causes are kept', () => {
  it('by every class that takes one', () => {
    const cause = new Error('root');
    expect(new KalshiError('KALSHI_WS_TIMEOUT', 'x', { cause }).cause).toBe(cause);
    expect(new KalshiHttpError(ref, 500, undefined, { cause }).cause).toBe(cause);
    expect(new KalshiTimeoutError(ref, 5, { cause }).cause).toBe(cause);
    expect(new KalshiNetworkError(ref, { cause }).cause).toBe(cause);
    expect(new KalshiAbortedError(ref, { cause }).cause).toBe(cause);
  });

  it('by normalizeError, which passes KalshiErrors through and wraps the rest', () => {
    const own = new KalshiError('KALSHI_WS_CLOSED', 'closed');
    expect(normalizeError(own)).toBe(own);

    const plain = new RangeError('boom');
    const wrapped = normalizeError(plain, ref);
    expect(wrapped.code).toBe('KALSHI_BOUNDARY_UNEXPECTED');
    expect(wrapped.cause).toBe(plain);
    expect(wrapped.message).toBe('POST /trade-api/v2/portfolio/events/orders: unexpected RangeError: boom');

    const thrownString = normalizeError('just a string');
    expect(thrownString.cause).toBe('just a string');
  });

  it('maps fetch failures to their typed errors', () => {
    const timeout = new DOMException('The operation was aborted due to timeout', 'TimeoutError');
    expect(normalizeError(timeout, ref)).toBeInstanceOf(KalshiTimeoutError);
    const abort = new DOMException('This operation was aborted', 'AbortError');
    expect(normalizeError(abort, ref)).toBeInstanceOf(KalshiAbortedError);
    const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    const net = normalizeError(new TypeError('fetch failed', { cause: refused }), ref);
    expect(net).toBeInstanceOf(KalshiNetworkError);
    expect((net as KalshiNetworkError).systemCode).toBe('ECONNREFUSED');
    expect(net.message).toBe(
      'POST /trade-api/v2/portfolio/events/orders failed before an answer arrived (ECONNREFUSED)',
    );
  });
});

describe('HTTP errors', () => {
  it('parse the Kalshi error body', () => {
    const e = new KalshiHttpError(ref, 400, {
      error: { code: 'invalid_order', message: 'invalid order', details: 'post only cross', service: 'oms' },
    });
    expect(e).toMatchObject({
      code: 'KALSHI_HTTP_STATUS',
      status: 400,
      apiCode: 'invalid_order',
      apiMessage: 'invalid order',
      details: 'post only cross',
      service: 'oms',
      isClientError: true,
      isServerError: false,
    });
    expect(e.message).toBe(
      'POST /trade-api/v2/portfolio/events/orders answered HTTP 400 (invalid_order: invalid order: post only cross)',
    );
  });

  it('parse the 429 body and give it its own code', () => {
    const e = new KalshiHttpError(ref, 429, { error: 'too many requests' });
    expect(e.code).toBe('KALSHI_HTTP_RATE_LIMITED');
    expect(e.apiMessage).toBe('too many requests');
    expect(e.apiCode).toBeUndefined();
  });

  it('tolerate bodies of other shapes', () => {
    expect(parseErrorBody(undefined)).toEqual({});
    expect(parseErrorBody('text')).toEqual({});
    expect(parseErrorBody({ code: 'x', message: 'y' })).toEqual({ apiCode: 'x', apiMessage: 'y' });
    expect(parseErrorBody({ error: { code: 'x', details: { why: 1 } } })).toEqual({
      apiCode: 'x',
      details: '{"why":1}',
    });
    expect(new KalshiHttpError(ref, 503, undefined).message).toBe(
      'POST /trade-api/v2/portfolio/events/orders answered HTTP 503',
    );
  });

  it('find the system code behind nested and aggregate causes', () => {
    const refused = () => Object.assign(new Error('x'), { code: 'ECONNREFUSED' });
    expect(systemErrorCode(new TypeError('fetch failed', { cause: refused() }))).toBe('ECONNREFUSED');
    const agg = new AggregateError([refused(), refused()]);
    expect(systemErrorCode(new TypeError('fetch failed', { cause: agg }))).toBe('ECONNREFUSED');
    const mixed = new AggregateError([refused(), Object.assign(new Error('y'), { code: 'ETIMEDOUT' })]);
    expect(systemErrorCode(mixed)).toBeUndefined();
    expect(systemErrorCode('nothing')).toBeUndefined();
  });
});
