import { describe, expect, it } from 'vitest'
import { formatBucketTime, formatChange, formatDuration, formatNumber, formatPercent } from './format'

describe('formatting', () => {
  it('formats numbers compactly and never shows NaN', () => {
    expect(formatNumber(1234)).toBe('1,234')
    expect(formatNumber(12_345)).toBe('12.3K')
    expect(formatNumber(2_500_000)).toBe('2.5M')
    expect(formatNumber(0.456)).toBe('0.46')
    expect(formatNumber(null)).toBe('–')
    expect(formatNumber(Number.NaN)).toBe('–')
  })

  it('formats durations in the unit that reads best', () => {
    expect(formatDuration(0.25)).toBe('250 µs')
    expect(formatDuration(120.46)).toBe('120.5 ms')
    expect(formatDuration(1234)).toBe('1.2 s')
    expect(formatDuration(210_000)).toBe('3.5 min')
    expect(formatDuration(undefined)).toBe('–')
  })

  it('formats ratios as percentages', () => {
    expect(formatPercent(0.0123)).toBe('1.23%')
    expect(formatPercent(0.5)).toBe('50%')
    expect(formatPercent(0)).toBe('0%')
    expect(formatPercent(null)).toBe('–')
  })

  it('formats change against the previous period', () => {
    expect(formatChange(120, 100)).toEqual({ text: '+20%', direction: 'up' })
    expect(formatChange(97, 100)).toEqual({ text: '−3%', direction: 'down' })
    expect(formatChange(100, 100)).toEqual({ text: '0%', direction: 'flat' })
    expect(formatChange(5, 0)).toEqual({ text: 'new', direction: 'up' })
    expect(formatChange(5, null)).toEqual({ text: '', direction: 'none' })
  })

  it('formats bucket times by bucket size', () => {
    const t = Date.parse('2026-03-10T14:30:00Z')
    expect(formatBucketTime(t, 60_000)).toBe('14:30 UTC')
    expect(formatBucketTime(t, 3_600_000)).toBe('03-10 14:30')
    expect(formatBucketTime(t, 86_400_000)).toBe('2026-03-10')
  })
})
