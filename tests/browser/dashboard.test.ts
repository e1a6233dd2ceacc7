/**
 * The dashboard in headless Chromium (Debian's package, driven by playwright-core) against a live
 * simulator trader: it loads and shows READY, shows a fill when one happens, refuses an action
 * without the token, asks for confirmation, and halts the trader with the token — the page then
 * says HALTED. A screenshot goes to the test's tmp dir (and to docs/dashboard.png with
 * TRADERV3_UPDATE_SCREENSHOT=1).
 */
import { copyFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { MICROS_PER_DOLLAR } from '../../src/domain/index.js';
import { type Simulator, startSimulator } from '../../src/exchange-sim/index.js';
import { type RunningTrader, startTrader } from '../../src/runtime/index.js';
import { startServer, type TraderServer, traderViewFromRuntime } from '../../src/server/index.js';
import { buildDashboard } from '../../web/build.js';
import { simOrder } from '../sim-order.js';

const CHROMIUM = '/usr/bin/chromium';
const ROOT = join(import.meta.dirname, '..', '..');

let dir: string;
let sim: Simulator;
let trader: RunningTrader;
let server: TraderServer;
let browser: BrowserContext;
let page: Page;
let ticker: string;
const dialogs: string[] = [];
let answerDialogs = true;

beforeAll(async () => {
  if (!existsSync(CHROMIUM))
    throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (.ci/run does)`);
  dir = mkdtempSync(join(tmpdir(), 'tv3-browser-'));
  const dashboardDir = await buildDashboard(join(dir, 'dist'));
  sim = await startSimulator({ seed: 11, markets: 3, ratePerSec: 0, rateLimit: false });
  const creds = sim.createAccount({ balance: 250 * MICROS_PER_DOLLAR });
  const keyFile = join(dir, 'key.pem');
  writeFileSync(keyFile, creds.private_key_pem, { mode: 0o600 });
  ticker = sim.core.markets()[0]!.ticker;
  const config = loadConfig(
    {
      env: 'sim',
      apiUrl: creds.rest_url,
      wsUrl: creds.ws_url,
      keyId: creds.key_id,
      privateKey: keyFile,
      dataDir: join(dir, 'data'),
      strategy: 'none',
      rateLimitTier: 'prime',
      tickers: ticker,
    },
    {},
  );
  trader = await startTrader(config, { logger: pino({ level: 'silent' }) });
  server = await startServer({
    view: traderViewFromRuntime(trader, { extra: () => ({ strategy: 'none' }) })!,
    dataDir: config.dataDir,
    dashboardDir,
    stream: { flushMs: 100 },
  });
  // A fresh profile (playwright passes it as --user-data-dir).
  browser = await chromium.launchPersistentContext(join(dir, 'chromium-profile'), {
    executablePath: CHROMIUM,
    viewport: { width: 1400, height: 1100 },
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  page = await browser.newPage();
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void (answerDialogs ? d.accept() : d.dismiss());
  });
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await trader?.shutdown({ cancelOrders: true });
  await sim?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function untilState(state: string): Promise<void> {
  const end = Date.now() + 20_000;
  while (String(trader.actor!.getSnapshot().value) !== state) {
    if (Date.now() > end)
      throw new Error(`trader in ${String(trader.actor!.getSnapshot().value)}, not ${state}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('dashboard in headless Chromium', () => {
  it('loads against the live trader and shows READY', async () => {
    await untilState('READY');
    await page.goto(server.dashboardUrl);
    await page.getByTestId('machine-state').filter({ hasText: 'READY' }).waitFor({ timeout: 15_000 });
    expect(await page.getByTestId('trading-state').textContent()).toBe('trading');
    expect(await page.getByTestId('connection').textContent()).toBe('live');
    expect(await page.getByTestId('cash').textContent()).toBe('$250.0000');
    expect(await page.getByTestId('model').textContent()).toBe('none reported');
    expect(await page.getByTestId('panel-positions').textContent()).toContain('No positions');
    expect(await page.getByTestId('books').textContent()).toContain(ticker);
    // No record is exposed here: the page says so instead of showing an empty log as if it were one.
    await page
      .getByTestId('panel-reconciliation')
      .filter({ hasText: 'does not expose its record' })
      .waitFor();
  });

  it('updates when a fill happens', async () => {
    sim.core.openAccount('seller', 100 * MICROS_PER_DOLLAR);
    expect(
      sim.core.place(simOrder({ accountId: 'seller', ticker, bookSide: 'ask', yesPrice: 4_500 })).ok,
    ).toBe(true);
    trader.actor!.send({
      type: 'INTENT',
      intent: {
        ticker,
        bookSide: 'bid',
        yesPrice: 4_500,
        count: 400,
        timeInForce: 'immediate_or_cancel',
        strategy: 'test',
        reason: 'browser test',
      },
    });
    await page.getByTestId('fills').filter({ hasText: ticker }).waitFor({ timeout: 15_000 });
    expect(await page.getByTestId('fills').textContent()).toContain('bought YES');
    await page.getByTestId('positions').filter({ hasText: '4.00 YES' }).waitFor({ timeout: 10_000 });
    await page.getByTestId('decisions').filter({ hasText: 'browser test' }).waitFor({ timeout: 10_000 });
  });

  it('refuses an action without the token, and asks for confirmation', async () => {
    await page.getByTestId('btn-halt').click();
    await page
      .getByTestId('action-message')
      .filter({ hasText: 'refused (HTTP 401)' })
      .waitFor({ timeout: 10_000 });
    expect(dialogs.at(-1)).toContain('Halt trading now?');
    expect(String(trader.actor!.getSnapshot().value)).toBe('READY');

    await page.getByTestId('token').fill(server.token);
    answerDialogs = false;
    await page.getByTestId('btn-halt').click();
    await page
      .getByTestId('action-message')
      .filter({ hasText: 'halt: not confirmed' })
      .waitFor({ timeout: 10_000 });
    expect(String(trader.actor!.getSnapshot().value)).toBe('READY');
    answerDialogs = true;
  });

  it('halts the trader with the token and confirmation; the page says HALTED', async () => {
    await page.getByTestId('btn-halt').click();
    await page.getByTestId('machine-state').filter({ hasText: 'HALTED' }).waitFor({ timeout: 15_000 });
    await untilState('HALTED');
    expect(await page.getByTestId('trading-state').textContent()).toBe('halted');
    expect(await page.getByTestId('halt').textContent()).toContain('dashboard halt');
    // The equity chart has its live samples by now.
    await page.getByTestId('chart-equity').locator('canvas').waitFor({ timeout: 15_000 });
    const shot = join(dir, 'dashboard.png');
    await page.screenshot({ path: shot, fullPage: true });
    expect(existsSync(shot)).toBe(true);
    if (process.env.TRADERV3_UPDATE_SCREENSHOT === '1')
      copyFileSync(shot, join(ROOT, 'docs', 'dashboard.png'));
  });
});
