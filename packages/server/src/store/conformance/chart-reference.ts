// What a chart row must be, computed independently of store/sql/chart-block.ts: a tier's rows of one bucket
// merged per chart group (name and type, and a counter's outcome), each group carrying its first series. Shared
// by the conformance tests and the test of the migration that backfills chart rows.
import { Sketch } from '@mcpdir/metrics/protocol'
import { expect } from 'vitest'
import { type Accumulator, type AggregateRow, accumulate } from '../../query/aggregations'

/** A row's chart group within its bucket. */
export const chartGroupOf = (r: AggregateRow) => `${r.bucket}|${r.series.name}|${r.series.type}|${r.series.type === 'counter' ? JSON.stringify(r.series.tags.outcome) : ''}`

/** Rows merged by `key`, in bucket and series id order: numbers, the sketch as JSON, and the first series id. */
export function mergedBy(rows: readonly AggregateRow[], key: (r: AggregateRow) => string) {
  const merged = new Map<string, { acc: Accumulator; firstId: number }>()
  for (const r of [...rows].sort((a, b) => a.bucket - b.bucket || a.series.id - b.series.id)) {
    const entry = merged.get(key(r))
    if (entry) accumulate(entry.acc, r)
    else merged.set(key(r), { acc: accumulate(undefined, r), firstId: r.series.id })
  }
  return new Map(
    [...merged].map(([k, { acc, firstId }]) => {
      const { count, sum, min, max, last, lastTs } = acc
      return [k, { count, sum, min, max, last, lastTs, sketch: acc.sketch ? Sketch.fromBytes(acc.sketch instanceof Sketch ? acc.sketch.toBytes() : acc.sketch).toJSON() : null, firstId }]
    }),
  )
}

/**
 * Checks chart rows against the tier rows of the same range: one row per bucket and group, carrying the group's
 * first series, equal to the group's tier rows merged.
 */
export function expectChartOf(chart: readonly AggregateRow[], tierRows: readonly AggregateRow[], label: string) {
  expect(new Set(chart.map(chartGroupOf)).size, label).toBe(chart.length)
  const own = new Map(chart.map((r) => [chartGroupOf(r), r.series.id]))
  const fromChart = new Map([...mergedBy(chart, chartGroupOf)].map(([k, v]) => [k, { ...v, firstId: own.get(k) }]))
  expect(fromChart, label).toEqual(mergedBy(tierRows, chartGroupOf))
}
