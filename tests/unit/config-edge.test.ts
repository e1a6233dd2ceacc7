/**
 * loadConfig for `--strategy edge`: which ladders it watches by default (every enabled city's
 * series; on the embedded simulator every city the simulator lists) and the edge config file's
 * portfolio limits mapped onto config.portfolio (the RiskController's), flags still winning.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, type ConfigFlags, loadConfig } from '../../src/config/index.js';
import { SIMULATOR_CITY_IDS } from '../../src/forecast/index.js';
import { generateKeyPair } from '../../src/kalshi/signer.js';

const EDGE_FILE = '/cfg/edge.json';
let PEM = '';
beforeAll(() => {
  PEM = generateKeyPair().privateKeyPem;
});

function load(flags: ConfigFlags, edgeConfig?: object) {
  const files: Record<string, string> = edgeConfig ? { [EDGE_FILE]: JSON.stringify(edgeConfig) } : {};
  return loadConfig(
    {
      env: 'sim',
      strategy: 'edge',
      edgeModel: 'none',
      ...(edgeConfig ? { edgeConfig: EDGE_FILE } : {}),
      ...flags,
    },
    {},
    {
      readFile: (path) => {
        const content = files[path];
        if (content === undefined) throw Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' });
        return content;
      },
    },
  );
}

describe('loadConfig --strategy edge', () => {
  it('on the simulator trades every city the simulator lists, one series each; elsewhere Chicago', () => {
    const c = load({});
    expect(c.edge?.settings.enabled_cities).toEqual([...SIMULATOR_CITY_IDS]);
    expect(c.marketSelection).toEqual({
      kind: 'series',
      series: ['KXHIGHCHI', 'KXHIGHNY', 'KXHIGHMIA', 'KXHIGHAUS', 'KXHIGHDEN', 'KXHIGHLAX', 'KXHIGHPHIL'],
    });
    const paper = loadConfig(
      { env: 'paper', strategy: 'edge', edgeModel: 'none', nwsContact: 'x@example.invalid' },
      { KALSHI_API_KEY_ID: 'k', KALSHI_PRIVATE_KEY_PATH: '/k.pem' },
      { readFile: () => PEM },
    );
    expect(paper.marketSelection).toEqual({ kind: 'series', series: ['KXHIGHCHI'] });
  });

  it("a config file's enabled_cities decides, and --series still overrides the selection", () => {
    expect(load({}, { enabled_cities: ['nyc', 'denver'] }).marketSelection).toEqual({
      kind: 'series',
      series: ['KXHIGHNY', 'KXHIGHDEN'],
    });
    expect(load({ series: 'KXHIGHMIA,KXHIGHAUS' }).marketSelection).toEqual({
      kind: 'series',
      series: ['KXHIGHMIA', 'KXHIGHAUS'],
    });
  });

  it("maps the edge config's portfolio limits onto config.portfolio; a flag wins", () => {
    const c = load(
      { maxTotalPositions: '7' },
      {
        max_total_exposure_pct: 60,
        max_single_position_pct: 10,
        max_city_exposure_pct: 30,
        max_correlated_exposure_pct: 35,
        min_balance_reserve_usd: 5,
        max_positions_per_city: 2,
        max_total_positions: 12,
      },
    );
    expect(c.portfolio).toEqual({
      maxTotalExposurePct: 60,
      maxSinglePositionPct: 10,
      maxCityExposurePct: 30,
      maxRegionExposurePct: 35,
      minReserveDollars: '5.0000',
      minReserveMicros: 5_000_000,
      maxPositionsPerCity: 2,
      maxTotalPositions: 7,
    });
    // Unset keys keep the RiskController's defaults.
    expect(load({}, { aggressiveness: 0.5 }).portfolio).toMatchObject({
      maxTotalExposurePct: 80,
      maxPositionsPerCity: 4,
    });
  });

  it('refuses a fractional percent (the RiskController takes whole percent), naming the key', () => {
    let err: unknown;
    try {
      load({}, { max_city_exposure_pct: 33.5 });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toContain('max_city_exposure_pct');
  });
});
