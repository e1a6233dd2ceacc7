/**
 * Correlation groups (seed 002 §5): cities whose daily highs move together. The portfolio limit
 * caps the worst-case loss of one region on one target date (RISK_PORTFOLIO_REGION).
 *
 * CITY_REGIONS is seed 002's table, verbatim: the default. config/cities.json gives every city a
 * region of its own (the same names where the seed lists the city), and a user file can change it.
 * `ladderMarketsMeta` builds the portfolio check's market metadata for one validated ladder.
 */
import type { Ladder } from './ladder.js';
import type { MarketMeta } from './portfolio-limits.js';

export const CITY_REGIONS: Readonly<Record<string, readonly string[]>> = Object.freeze({
  east_asia: ['seoul', 'tokyo', 'beijing', 'shanghai'],
  us_northeast: ['nyc', 'boston', 'philadelphia'],
  us_southeast: ['atlanta', 'miami', 'houston'],
  us_midwest: ['chicago', 'detroit'],
  us_west: ['seattle', 'portland', 'san_francisco', 'los_angeles'],
  europe: ['london', 'paris', 'berlin'],
  oceania: ['wellington', 'sydney', 'melbourne'],
});

/** The region a city belongs to in `table` (case-insensitive), or undefined. */
export function regionOf(
  city: string,
  table: Readonly<Record<string, readonly string[]>> = CITY_REGIONS,
): string | undefined {
  const c = city.toLowerCase();
  for (const [region, cities] of Object.entries(table)) if (cities.includes(c)) return region;
  return undefined;
}

/** Market metadata for every bracket of a ladder: one mutually exclusive, exhaustive event. */
export function ladderMarketsMeta(ladder: Ladder, city: string, region?: string): Map<string, MarketMeta> {
  const eventMarkets = ladder.brackets.map((b) => b.ticker);
  const meta: MarketMeta = {
    eventTicker: ladder.eventTicker,
    eventMarkets,
    city,
    targetDate: ladder.date,
    ...(region !== undefined ? { region } : {}),
  };
  return new Map(eventMarkets.map((t) => [t, meta]));
}
