import { PERIOD_SPECS, PERIODS } from '@mcpdir/metrics/protocol'
import { describe, expect, it } from 'vitest'
import { aggregateUsage, USAGE_WIDTHS, usageWidthFor } from './usage-aggregates'
import { usageReport } from './usage-report'
import { periodWindow } from './server-report'

const MIN = 60_000
const NOW = Date.parse('2026-03-10T12:07:30Z')

describe('usage widths', () => {
  it('gives every period the widest kept width dividing its buckets (12h: 10-minute buckets read 5-minute rows)', () => {
    for (const period of PERIODS) {
      const { bucketMs } = PERIOD_SPECS[period]
      const width = usageWidthFor(bucketMs)
      expect(bucketMs % width, period).toBe(0)
      expect(Object.values(USAGE_WIDTHS).filter((w) => w > width && bucketMs % w === 0), period).toEqual([])
    }
    expect(usageWidthFor(10 * MIN)).toBe(5 * MIN)
    expect(usageWidthFor(PERIOD_SPECS['90d'].bucketMs)).toBe(USAGE_WIDTHS['1d'])
    expect(() => usageWidthFor(30_000)).toThrow()
  })

  it('aggregates rows per width, bucket and action, sorted by key (actions in protocol order)', () => {
    const rows = [
      { serverId: 'b', action: 'view' as const, visitorHash: 'x', timestamp: NOW },
      { serverId: 'a', action: 'view' as const, visitorHash: 'x', timestamp: NOW },
      { serverId: 'a', action: 'install' as const, visitorHash: 'y', timestamp: NOW + 1 },
      { serverId: 'a', action: 'view' as const, visitorHash: 'x', timestamp: NOW + 2 },
    ]
    const { counts, visitors } = aggregateUsage(rows)
    const widths = Object.values(USAGE_WIDTHS).length
    expect(counts).toHaveLength(3 * widths)
    expect(counts.slice(0, 2).map((c) => [c.serverId, c.width, c.action, c.count])).toEqual([
      ['a', MIN, 'view', 2],
      ['a', MIN, 'install', 1],
    ])
    expect(visitors.map((v) => [v.serverId, v.width, v.sketch.count()])).toEqual([
      ...Object.values(USAGE_WIDTHS).map((w) => ['a', w, 2]),
      ...Object.values(USAGE_WIDTHS).map((w) => ['b', w, 1]),
    ])
  })
})

describe('usageReport', () => {
  it('sums counts and merges sketches of the rows inside each bucket, the period and the one before', () => {
    const w = periodWindow('12h', NOW)
    const at = (minutesAfterFrom: number) => w.from + minutesAfterFrom * MIN
    const raw = [
      { action: 'view' as const, visitorHash: 'a', timestamp: at(1) },
      { action: 'view' as const, visitorHash: 'b', timestamp: at(6) }, // same 10-minute bucket, next 5-minute row
      { action: 'test' as const, visitorHash: 'a', timestamp: at(7) },
      { action: 'install' as const, visitorHash: 'c', timestamp: at(25) },
      { action: 'invoke' as const, visitorHash: 'p', timestamp: w.from - 1 }, // the period before
      { action: 'invoke' as const, visitorHash: 'q', timestamp: w.previousFrom - 1 }, // before that: ignored
    ]
    const { counts, visitors } = aggregateUsage(raw.map((r) => ({ ...r, serverId: 's' })))
    const width = usageWidthFor(w.bucketMs)
    const rows = {
      counts: counts.filter((c) => c.width === width),
      visitors: visitors.filter((v) => v.width === width).map((v) => ({ bucket: v.bucket, sketch: v.sketch.encode() })),
    }
    expect(usageReport(rows, w)).toEqual({
      buckets: [
        { t: at(0), views: 2, installs: 0, tests: 1, invokes: 0, unique_visitors: 2 },
        { t: at(20), views: 0, installs: 1, tests: 0, invokes: 0, unique_visitors: 1 },
      ],
      totals: { views: 2, installs: 1, tests: 1, invokes: 0, unique_visitors: 3 },
      previous: { views: 0, installs: 0, tests: 0, invokes: 1, unique_visitors: 1 },
    })
    const empty = { views: 0, installs: 0, tests: 0, invokes: 0, unique_visitors: 0 }
    expect(usageReport({ counts: [], visitors: [] }, w)).toEqual({ buckets: [], totals: empty, previous: empty })
  })
})
