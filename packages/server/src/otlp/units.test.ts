import { describe, expect, it } from 'vitest'
import { isDurationUnit, toStoreUnit } from './units'

describe('units', () => {
  it('converts s, ms, us and ns (and min, h, d) to milliseconds', () => {
    expect(toStoreUnit(1.5, 's')).toBe(1500)
    expect(toStoreUnit(12.25, 'ms')).toBe(12.25)
    expect(toStoreUnit(1500, 'us')).toBe(1.5)
    expect(toStoreUnit(2_500_000, 'ns')).toBe(2.5)
    expect(toStoreUnit(2, 'min')).toBe(120_000)
    expect(toStoreUnit(1, 'h')).toBe(3_600_000)
    expect(toStoreUnit(1, ' d ')).toBe(86_400_000)
  })

  it('rounds durations to the nanosecond, so differences of cumulative values come out exact', () => {
    expect(0.35 - 0.15).not.toBe(0.2)
    expect(toStoreUnit(0.35 - 0.15, 's')).toBe(200)
    expect(toStoreUnit(0.3 - 0.1, 'ms')).toBe(0.2)
    expect(toStoreUnit(1, 'ns')).toBe(0.000001)
  })

  it('keeps every other unit as sent', () => {
    for (const unit of ['', '1', 'By', '{request}', 'KiBy', 'S']) {
      expect(isDurationUnit(unit)).toBe(false)
      expect(toStoreUnit(0.1 + 0.2, unit)).toBe(0.1 + 0.2)
    }
    expect(isDurationUnit('s')).toBe(true)
  })
})
