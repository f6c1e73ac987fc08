/**
 * The rollup tiers, named by bucket width: raw points are folded into 1-minute buckets as they arrive, and
 * each coarser tier is rolled up from a finer one. There is a tier for every bucket width a period shows
 * (12h's 10-minute buckets read two 5-minute rows each), so a report reads about one row per bucket and
 * series. `1w` (weeks from the epoch, so Thursday to Thursday, UTC) is no period's: a long period's totals read
 * whole weeks from it and days only at its edges, about 20 rows a series for 90 days instead of 90.
 */
export const TIERS = ['1m', '5m', '15m', '1h', '6h', '1d', '1w'] as const
export type Tier = (typeof TIERS)[number]

/** Bucket width of each tier, in milliseconds. */
export const TIER_MS: Record<Tier, number> = {
  '1m': 60_000,
  '5m': 300_000,
  '15m': 900_000,
  '1h': 3_600_000,
  '6h': 21_600_000,
  '1d': 86_400_000,
  '1w': 604_800_000,
}

/** The tiers a period reads its chart from (every tier but `1w`): what a metrics-fetch answer's `tier` can be. */
export const PERIOD_TIERS = ['1m', '5m', '15m', '1h', '6h', '1d'] as const satisfies readonly Tier[]
export type PeriodTier = (typeof PERIOD_TIERS)[number]

/** The periods a dashboard can ask for. */
export const PERIODS = ['1h', '6h', '12h', '1d', '7d', '30d', '90d'] as const
export type Period = (typeof PERIODS)[number]

export interface PeriodSpec {
  /** Length of the period. */
  durationMs: number
  /** Width of one chart bucket; a whole multiple of the source tier (at most two of its buckets). */
  bucketMs: number
  /** The rollup tier the buckets are read from. */
  tier: PeriodTier
  /** `Cache-Control: max-age` for metrics-fetch answers of this period. */
  cacheSeconds: number
}

const MINUTE = 60_000
const HOUR = 60 * MINUTE
const DAY = 24 * HOUR

/** Each period gives 60–180 buckets, read from the tier of their width (12h: two 5-minute rows per bucket). */
export const PERIOD_SPECS: Record<Period, PeriodSpec> = {
  '1h': { durationMs: HOUR, bucketMs: MINUTE, tier: '1m', cacheSeconds: 30 },
  '6h': { durationMs: 6 * HOUR, bucketMs: 5 * MINUTE, tier: '5m', cacheSeconds: 60 },
  '12h': { durationMs: 12 * HOUR, bucketMs: 10 * MINUTE, tier: '5m', cacheSeconds: 120 },
  '1d': { durationMs: DAY, bucketMs: 15 * MINUTE, tier: '15m', cacheSeconds: 300 },
  '7d': { durationMs: 7 * DAY, bucketMs: HOUR, tier: '1h', cacheSeconds: 900 },
  '30d': { durationMs: 30 * DAY, bucketMs: 6 * HOUR, tier: '6h', cacheSeconds: 3600 },
  '90d': { durationMs: 90 * DAY, bucketMs: DAY, tier: '1d', cacheSeconds: 3600 },
}

export const DEFAULT_PERIOD: Period = '7d'

export function isPeriod(value: unknown): value is Period {
  return typeof value === 'string' && (PERIODS as readonly string[]).includes(value)
}

/** Start of the bucket of width `bucketMs` that holds `timestampMs` (UTC-aligned). */
export function bucketStart(timestampMs: number, bucketMs: number): number {
  return Math.floor(timestampMs / bucketMs) * bucketMs
}
