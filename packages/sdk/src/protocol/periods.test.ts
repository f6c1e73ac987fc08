import { describe, expect, it } from 'vitest'
import { PERIOD_SPECS, PERIOD_TIERS, PERIODS, TIER_MS, TIERS, type Tier, bucketStart, isPeriod } from './periods'

describe('periods', () => {
  it('give 60–300 buckets each, whole multiples of their tier', () => {
    for (const period of PERIODS) {
      const spec = PERIOD_SPECS[period]
      const buckets = spec.durationMs / spec.bucketMs
      expect(buckets, period).toBeGreaterThanOrEqual(60)
      expect(buckets, period).toBeLessThanOrEqual(300)
      expect(spec.bucketMs % TIER_MS[spec.tier], period).toBe(0)
      // a report merges at most two rows of its tier into one bucket
      expect(spec.bucketMs / TIER_MS[spec.tier], period).toBeLessThanOrEqual(2)
    }
  })

  it('name the tiers periods read, which are every tier but the week', () => {
    expect(new Set(Object.values(PERIOD_SPECS).map((spec) => spec.tier))).toEqual(new Set(PERIOD_TIERS))
    expect(TIERS.filter((tier) => !(PERIOD_TIERS as readonly string[]).includes(tier))).toEqual(['1w'])
  })

  it('name tiers by their width, finest first, each a whole multiple of the one before', () => {
    expect(TIERS).toEqual(['1m', '5m', '15m', '1h', '6h', '1d', '1w'])
    for (let i = 1; i < TIERS.length; i++) {
      expect(TIER_MS[TIERS[i] as Tier] % TIER_MS[TIERS[i - 1] as Tier], TIERS[i]).toBe(0)
    }
  })

  it('cache from 30 s for 1h up to an hour for 30d and 90d', () => {
    expect(PERIOD_SPECS['1h'].cacheSeconds).toBe(30)
    expect(PERIOD_SPECS['30d'].cacheSeconds).toBe(3600)
    expect(PERIOD_SPECS['90d'].cacheSeconds).toBe(3600)
  })

  it('align buckets to UTC', () => {
    expect(bucketStart(Date.parse('2025-06-02T14:37:12Z'), 15 * 60_000)).toBe(Date.parse('2025-06-02T14:30:00Z'))
    // weeks from the epoch, a Thursday: that Monday's week began the Thursday before, at midnight UTC
    expect(bucketStart(Date.parse('2025-06-02T14:37:12Z'), TIER_MS['1w'])).toBe(Date.parse('2025-05-29T00:00:00Z'))
    expect(isPeriod('7d')).toBe(true)
    expect(isPeriod('2d')).toBe(false)
  })
})
