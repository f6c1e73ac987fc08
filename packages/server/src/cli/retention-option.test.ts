import { describe, expect, it } from 'vitest'
import { DEFAULT_RETENTION } from '../app/config'
import { minimumTierRetentionMs, parseRetention } from './retention-option'

const DAY = 86_400_000

describe('parseRetention', () => {
  it('overrides the defaults it names, by tier width or by the names of release 0', () => {
    expect(parseRetention('raw=3d, minute=1d,day=400d')).toEqual({ ...DEFAULT_RETENTION, rawMs: 3 * DAY, minuteMs: DAY, dayMs: 400 * DAY })
    expect(parseRetention('1m=3h,5m=2d,15m=3d,1h=30d,6h=90d,1d=365d')).toEqual({
      ...DEFAULT_RETENTION,
      minuteMs: 3 * 3_600_000,
      fiveMinuteMs: 2 * DAY,
      fifteenMinuteMs: 3 * DAY,
      hourMs: 30 * DAY,
      sixHourMs: 90 * DAY,
      dayMs: 365 * DAY,
    })
    expect(parseRetention('hour=20d').hourMs).toBe(20 * DAY)
    expect(parseRetention('')).toEqual(DEFAULT_RETENTION)
    expect(parseRetention('day=forever').dayMs).toBeNull()
    expect(parseRetention('1d=forever').dayMs).toBeNull()
  })

  it('keeps every tier by default at least as long as its longest period and the one before', () => {
    expect(minimumTierRetentionMs('1m')).toBe(2 * 3_600_000)
    expect(minimumTierRetentionMs('5m')).toBe(DAY)
    expect(minimumTierRetentionMs('15m')).toBe(2 * DAY)
    expect(minimumTierRetentionMs('1h')).toBe(14 * DAY)
    expect(minimumTierRetentionMs('6h')).toBe(60 * DAY)
    expect(minimumTierRetentionMs('1d')).toBe(180 * DAY)
  })

  it('names what is wrong', () => {
    expect(() => parseRetention('rawx=1d')).toThrow('expected one of raw')
    // the week tier is kept as long as the day tier, not apart
    expect(() => parseRetention('1w=400d')).toThrow('expected one of raw')
    expect(parseRetention('1d=400d')).toMatchObject({ dayMs: 400 * DAY })
    expect(() => parseRetention('raw=7 days')).toThrow('30m, 12h or 7d')
    expect(() => parseRetention('raw=forever')).toThrow('only the 1d tier')
    expect(() => parseRetention('hour=7d')).toThrow('the 1h tier must be kept at least 14d')
    expect(() => parseRetention('6h=30d')).toThrow('the 6h tier must be kept at least 60d')
    expect(() => parseRetention('minute=1h')).toThrow('the 1m tier must be kept at least 2h')
    expect(() => parseRetention('raw=1h')).toThrow('at least 2h')
    expect(() => parseRetention('heartbeats=6d')).toThrow('heartbeats must be kept at least as long as raw points (7d)')
    expect(() => parseRetention('raw=30d,heartbeats=29d')).toThrow('(30d)')
    expect(parseRetention('raw=3d,heartbeats=3d')).toMatchObject({ rawMs: 3 * DAY, heartbeatsMs: 3 * DAY })
  })
})
