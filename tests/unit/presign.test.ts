/**
 * Order-create headers signed ahead (src/kalshi/presign.ts): single use, a maximum age, inline
 * signing when the pool is empty or stale, refill after use and on a timer only while active, and
 * no timer left after close.
 */
import { inspect } from 'node:util';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { PresigningSigner } from '../../src/kalshi/presign.js';
import { createSigner, generateKeyPair, type Signer, verifySignature } from '../../src/kalshi/signer.js';

const ORDERS = '/trade-api/v2/portfolio/events/orders';
let keys: { privateKeyPem: string; publicKeyPem: string };
let signer: Signer;

beforeAll(() => {
  keys = generateKeyPair();
  signer = createSigner({ keyId: 'k-1', privateKeyPem: keys.privateKeyPem });
});

afterEach(() => {
  vi.useRealTimers();
});

/**
 * Resolves once `test` holds (signatures ahead finish on the threadpool). Bounded by time, not by
 * turns of the event loop: on a loaded machine a signature can take longer than 500 immediates.
 */
async function until(test: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!test() && Date.now() < end) await new Promise((r) => setTimeout(r, 2));
  expect(test()).toBe(true);
}

function make(clock: { t: number }, maxAgeMs = 1_000) {
  return new PresigningSigner(signer, {
    requests: [{ method: 'POST', path: ORDERS }],
    maxAgeMs,
    now: () => clock.t,
  });
}

const valid = (h: Record<string, string>, path = ORDERS) =>
  verifySignature(
    keys.publicKeyPem,
    h['KALSHI-ACCESS-TIMESTAMP']!,
    'POST',
    path,
    h['KALSHI-ACCESS-SIGNATURE']!,
  );

describe('pre-signed order-create headers', () => {
  it('signs inline when the pool is empty, then hands out a pre-signed header made meanwhile', async () => {
    const clock = { t: 1_700_000_000_000 };
    const p = make(clock);
    const first = p.headers('POST', ORDERS, clock.t);
    expect(p.stats.lastPresigned).toBe(false);
    expect(valid(first)).toBe(true);
    await until(() => p.readyCount('POST', ORDERS) === 1);
    clock.t += 200;
    const second = p.headers('POST', ORDERS, clock.t);
    expect(p.stats.lastPresigned).toBe(true);
    // signed 200 ms ago, before this request existed, and valid
    expect(second['KALSHI-ACCESS-TIMESTAMP']).toBe(String(clock.t - 200));
    expect(valid(second)).toBe(true);
    expect(p.stats).toMatchObject({ presigned: 1, inline: 1 });
    p.close();
  });

  it('uses each pre-signed header for exactly one request', async () => {
    const clock = { t: 1_700_000_000_000 };
    const p = make(clock);
    p.headers('POST', ORDERS, clock.t);
    await until(() => p.readyCount('POST', ORDERS) === 1);
    const a = p.headers('POST', ORDERS, clock.t);
    // the refill after that use has not finished yet: the next request signs inline
    const b = p.headers('POST', ORDERS, clock.t);
    expect(p.stats).toMatchObject({ presigned: 1, inline: 2 });
    expect(b['KALSHI-ACCESS-SIGNATURE']).not.toBe(a['KALSHI-ACCESS-SIGNATURE']);
    await until(() => p.readyCount('POST', ORDERS) === 1);
    const c = p.headers('POST', ORDERS, clock.t);
    expect(c['KALSHI-ACCESS-SIGNATURE']).not.toBe(a['KALSHI-ACCESS-SIGNATURE']);
    expect(p.stats.presigned).toBe(2);
    p.close();
  });

  it('never uses a header older than the maximum age (nor one from the future): signs inline', async () => {
    const clock = { t: 1_700_000_000_000 };
    const p = make(clock, 500);
    p.headers('POST', ORDERS, clock.t);
    await until(() => p.readyCount('POST', ORDERS) === 1);
    clock.t += 501;
    const h = p.headers('POST', ORDERS, clock.t);
    expect(p.stats.lastPresigned).toBe(false);
    expect(p.stats.expired).toBe(1);
    expect(h['KALSHI-ACCESS-TIMESTAMP']).toBe(String(clock.t));
    expect(valid(h)).toBe(true);
    await until(() => p.readyCount('POST', ORDERS) === 1);
    // a request whose clock is behind the header's timestamp
    p.headers('POST', ORDERS, clock.t - 1);
    expect(p.stats.lastPresigned).toBe(false);
    p.close();
  });

  it('leaves every other request to the wrapped signer', () => {
    const clock = { t: 1_700_000_000_000 };
    const p = make(clock);
    const h = p.headers('GET', '/trade-api/v2/portfolio/balance', clock.t);
    expect(p.stats).toMatchObject({ presigned: 0, inline: 0, signedAhead: 0 });
    expect(h['KALSHI-ACCESS-TIMESTAMP']).toBe(String(clock.t));
    expect(p.readyCount('POST', ORDERS)).toBe(0);
    p.close();
  });

  it('signs ahead on a timer only while active, and leaves no timer after close', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const clock = { t: 1_700_000_000_000 };
    const p = make(clock);
    expect(vi.getTimerCount()).toBe(0);
    p.setActive(true);
    expect(p.active).toBe(true);
    expect(vi.getTimerCount()).toBe(1);
    await until(() => p.readyCount('POST', ORDERS) === 1);
    // past half its age the timer replaces it
    clock.t += 600;
    vi.advanceTimersByTime(500);
    expect(p.stats.expired).toBe(1);
    await until(() => p.stats.signedAhead === 2 && p.readyCount('POST', ORDERS) === 1);
    const h = p.headers('POST', ORDERS, clock.t);
    expect(p.stats.lastPresigned).toBe(true);
    expect(h['KALSHI-ACCESS-TIMESTAMP']).toBe(String(clock.t));
    await until(() => p.readyCount('POST', ORDERS) === 1);
    p.setActive(false);
    expect(vi.getTimerCount()).toBe(0);
    // inactive: what is ready stays usable while fresh, and is not replaced by a timer
    expect(p.readyCount('POST', ORDERS)).toBe(1);
    p.setActive(true);
    p.close();
    expect(vi.getTimerCount()).toBe(0);
    expect(p.active).toBe(false);
    expect(p.readyCount('POST', ORDERS)).toBe(0);
    p.setActive(true);
    expect(vi.getTimerCount()).toBe(0);
    // closed: signed inline, nothing signed ahead
    const before = p.stats.signedAhead;
    p.headers('POST', ORDERS, clock.t);
    await new Promise((r) => setTimeout(r, 20));
    expect(p.stats.signedAhead).toBe(before);
    expect(p.readyCount('POST', ORDERS)).toBe(0);
  });

  it('never shows the key: not in its JSON or inspection', () => {
    const p = make({ t: 1 });
    const text = JSON.stringify(p) + String(p) + inspect(p, { depth: 5, showHidden: true });
    expect(text).not.toContain('PRIVATE KEY');
    expect(text).not.toContain(keys.privateKeyPem.split('\n')[1]!);
    p.close();
  });
});
