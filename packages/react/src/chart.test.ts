import { describe, expect, it } from 'vitest'
import { isolatedIndices, tickLabel } from './chart'
import { formatDuration, formatNumber } from './format'

describe('chart helpers', () => {
  it('find the values a line cannot be drawn through (no value on either side)', () => {
    expect(isolatedIndices([null, 1, null, 2, 3, null, 4])).toEqual([1, 6])
    expect(isolatedIndices([5])).toEqual([0])
    expect(isolatedIndices([0, null, null])).toEqual([0])
    expect(isolatedIndices([1, 2, 3])).toEqual([])
    expect(isolatedIndices([null, undefined, null])).toEqual([])
  })

  it('label a zero tick 0 in any unit', () => {
    expect(tickLabel(formatDuration, 0)).toBe('0')
    expect(tickLabel(formatDuration, 0.5)).toBe('500 µs')
    expect(tickLabel(formatDuration, 250)).toBe('250 ms')
    expect(tickLabel(formatNumber, 0)).toBe('0')
  })
})
