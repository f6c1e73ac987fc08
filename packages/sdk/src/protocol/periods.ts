/** The rollup tiers: raw points are folded into minute, hour and day buckets. */
export const TIERS = ['minute', 'hour', 'day'] as const
export type Tier = (typeof TIERS)[number]

export const TIER_MS: Record<Tier, number> = {
  minute: 60_000,
  hour: 3_600_000,
  day: 86_400_000,
}

/** The periods a dashboard can ask for. */
export const PERIODS = ['1h', '6h', '12h', '1d', '7d', '30d', '90d'] as const
export type Period = (typeof PERIODS)[number]

export interface PeriodSpec {
  /** Length of the period. */
  durationMs: number
  /** Width of one chart bucket; a whole multiple of the source tier. */
  bucketMs: number
  /** The rollup tier the buckets are read from. */
  tier: Tier
  /** `Cache-Control: max-age` for metrics-fetch answers of this period. */
  cacheSeconds: number
}

const MINUTE = 60_000
const HOUR = 60 * MINUTE
const DAY = 24 * HOUR

/** Each period gives 60–180 buckets from the coarsest tier that still resolves them. */
export const PERIOD_SPECS: Record<Period, PeriodSpec> = {
  '1h': { durationMs: HOUR, bucketMs: MINUTE, tier: 'minute', cacheSeconds: 30 },
  '6h': { durationMs: 6 * HOUR, bucketMs: 5 * MINUTE, tier: 'minute', cacheSeconds: 60 },
  '12h': { durationMs: 12 * HOUR, bucketMs: 10 * MINUTE, tier: 'minute', cacheSeconds: 120 },
  '1d': { durationMs: DAY, bucketMs: 15 * MINUTE, tier: 'minute', cacheSeconds: 300 },
  '7d': { durationMs: 7 * DAY, bucketMs: HOUR, tier: 'hour', cacheSeconds: 900 },
  '30d': { durationMs: 30 * DAY, bucketMs: 6 * HOUR, tier: 'hour', cacheSeconds: 3600 },
  '90d': { durationMs: 90 * DAY, bucketMs: DAY, tier: 'day', cacheSeconds: 3600 },
}

export const DEFAULT_PERIOD: Period = '7d'

export function isPeriod(value: unknown): value is Period {
  return typeof value === 'string' && (PERIODS as readonly string[]).includes(value)
}

/** Start of the bucket of width `bucketMs` that holds `timestampMs` (UTC-aligned). */
export function bucketStart(timestampMs: number, bucketMs: number): number {
  return Math.floor(timestampMs / bucketMs) * bucketMs
}
