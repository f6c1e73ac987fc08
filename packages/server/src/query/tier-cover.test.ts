import { TIER_MS, TIERS } from '@mcpdir/metrics/protocol'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { coverRange } from './tier-cover'

const M = TIER_MS['1m']
const H = TIER_MS['1h']
const D = TIER_MS['1d']
const T0 = Date.parse('2026-03-10T00:00:00Z')

describe('coverRange', () => {
  it('reads whole coarse buckets inside the range and finer ones at its edges', () => {
    // 10:17 → 12:42 on minute bounds: minutes to 10:20, 5-minute rows to 10:30, a quarter to 10:45, hour 11:00–12:00,
    // quarters to 12:30, 5 minutes to 12:40, minutes to 12:42
    const from = T0 + 10 * H + 17 * M
    const to = T0 + 12 * H + 42 * M
    expect(coverRange('1m', from, to).map((s) => [s.tier, (s.from - T0) / M, (s.to - T0) / M])).toEqual([
      ['1m', 617, 620],
      ['5m', 620, 630],
      ['15m', 630, 660],
      ['1h', 660, 720],
      ['15m', 720, 750],
      ['5m', 750, 760],
      ['1m', 760, 762],
    ])
  })

  it('a week before a week on hour bounds is a few hours, six days and a few hours', () => {
    const to = T0 + 3 * D + 5 * H
    const spans = coverRange('1h', to - 14 * D, to - 7 * D)
    expect(spans.map((s) => s.tier)).toEqual(['1h', '6h', '1d', '1h'])
    expect(spans.reduce((n, s) => n + (s.to - s.from) / TIER_MS[s.tier], 0)).toBe(1 + 3 + 6 + 5)
  })

  it('reads a 90-day range on day bounds as its whole weeks and the days at its edges', () => {
    // 2025-12-10 (a Wednesday) to 2026-03-10 (a Tuesday); weeks run Thursday to Thursday
    const spans = coverRange('1d', T0 - 90 * D, T0)
    expect(spans.map((s) => [s.tier, new Date(s.from).toISOString().slice(0, 10), (s.to - s.from) / TIER_MS[s.tier]])).toEqual([
      ['1d', '2025-12-10', 1],
      ['1w', '2025-12-11', 12],
      ['1d', '2026-03-05', 5],
    ])
  })

  it('never reads finer than it is asked to, and refuses ranges off its bounds', () => {
    expect(coverRange('1h', T0, T0 + H)).toEqual([{ tier: '1h', from: T0, to: T0 + H }])
    expect(coverRange('15m', T0, T0)).toEqual([])
    expect(() => coverRange('1h', T0 + M, T0 + H)).toThrow(RangeError)
  })

  it('holds every bucket of the finest tier exactly once, in order, each span on its own bounds', () => {
    fc.assert(
      fc.property(fc.constantFrom(...TIERS), fc.integer({ min: 0, max: 2000 }), fc.integer({ min: 0, max: 3000 }), (finest, a, n) => {
        const width = TIER_MS[finest]
        const from = Math.floor(T0 / width) * width + a * width
        const to = from + n * width
        const spans = coverRange(finest, from, to)
        let at = from
        for (const span of spans) {
          expect(span.from).toBe(at)
          expect(span.from % TIER_MS[span.tier]).toBe(0)
          expect(span.to % TIER_MS[span.tier]).toBe(0)
          expect(span.to).toBeGreaterThan(span.from)
          expect(TIERS.indexOf(span.tier)).toBeGreaterThanOrEqual(TIERS.indexOf(finest))
          at = span.to
        }
        expect(at).toBe(to)
      }),
    )
  })
})
