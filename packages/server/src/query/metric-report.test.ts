import { MCP_METRICS, Sketch } from '@mcpdir/metrics/protocol'
import { describe, expect, it } from 'vitest'
import { type AggregateRow, perSeries, type SeriesInfo } from './aggregations'
import { breakdown, callReport, metricEntries, metricSeries, type ReportRows } from './metric-report'

const MIN = 60_000
const w = { from: 10 * MIN, to: 12 * MIN, previousFrom: 8 * MIN, bucketMs: MIN }
let nextId = 1
const series = (name: string, type: SeriesInfo['type'], tags: Record<string, string> = {}): SeriesInfo => ({ id: nextId++, name, type, tags })

function row(s: SeriesInfo, bucket: number, values: number[]): AggregateRow {
  const sum = values.reduce((a, b) => a + b, 0)
  const sketch = s.type === 'timer' ? Sketch.of(values).toBytes() : null
  const count = s.type === 'counter' ? 1 : values.length
  return { series: s, bucket, count, sum, min: Math.min(...values), max: Math.max(...values), last: values.at(-1) as number, lastTs: bucket, sketch }
}

describe('metric sections of a report', () => {
  it('keeps a name sent with two types as two series, and the call tables read only the documented types', () => {
    const timer = series(MCP_METRICS.tool.duration, 'timer', { tool: 'search', outcome: 'ok' })
    const gauge = series(MCP_METRICS.tool.duration, 'gauge', { tool: 'search', outcome: 'ok' })
    const calls = series(MCP_METRICS.tool.calls, 'counter', { tool: 'search', outcome: 'ok' })
    const wrongCalls = series(MCP_METRICS.tool.calls, 'gauge', { tool: 'search', outcome: 'ok' })
    const chart = [row(timer, 10 * MIN, [20, 40, 82]), row(gauge, 10 * MIN, [5000]), row(calls, 10 * MIN, [3]), row(wrongCalls, 10 * MIN, [999])]
    const rows: ReportRows = { chart, period: chart, previous: [] }

    const metrics = metricSeries(metricEntries(rows, w))
    expect(metrics.filter((m) => m.name === MCP_METRICS.tool.duration).map((m) => m.type)).toEqual(['gauge', 'timer'])
    const timerSeries = metrics.find((m) => m.name === MCP_METRICS.tool.duration && m.type === 'timer')
    // nearest rank on three values: the median, then the slowest; the gauge's 5000 never enters the sketch
    expect(timerSeries?.summary).toMatchObject({ count: 3, max: 82, p95: 82, p99: 82 })
    expect(timerSeries?.summary?.p50).toBeCloseTo(40, -0.5)

    const report = callReport(rows, w)
    expect(report.summary).toMatchObject({ calls: 3, errors: 0, p95: 82 })
    // the latency taken from the merged timer entry is the one merged apart
    expect(callReport(rows, w, metricEntries(rows, w))).toEqual(report)
    expect(breakdown(rows.period, 'tool', 'tool')).toEqual([{ key: 'search', calls: 3, errors: 0, error_rate: 0, p50: expect.any(Number), p95: 82 }])
  })

  it('never changes a stored row: every merge copies the sketch it starts from', () => {
    const timer = series(MCP_METRICS.tool.duration, 'timer', { tool: 't', outcome: 'ok' })
    const a = row(timer, 10 * MIN, [10, 10, 10])
    const b = row(timer, 11 * MIN, [500, 500, 500])
    const before = [Buffer.from(a.sketch as Uint8Array), Buffer.from(b.sketch as Uint8Array)]
    const rows: ReportRows = { chart: [a, b], period: [a, b], previous: [a] }
    const first = JSON.stringify([metricSeries(metricEntries(rows, w)), callReport(rows, w, metricEntries(rows, w)), breakdown([a, b], 'tool', 'tool')])
    // a second report over the same row objects answers the same: nothing was merged into them
    expect(JSON.stringify([metricSeries(metricEntries(rows, w)), callReport(rows, w), breakdown([a, b], 'tool', 'tool')])).toBe(first)
    expect(Buffer.from(a.sketch as Uint8Array).equals(before[0] as Buffer)).toBe(true)
    expect(Buffer.from(b.sketch as Uint8Array).equals(before[1] as Buffer)).toBe(true)
    const [minute] = metricSeries(metricEntries(rows, w))
    expect(minute?.buckets.map((x) => x.p50)).toEqual([10, 500].map((v) => expect.closeTo(v, 0)))
  })
})

describe('call tables from the merged timer entry', () => {
  it('answer what merging the durations apart answers, bucket by bucket, with and without durations at all', () => {
    const t1 = series(MCP_METRICS.tool.duration, 'timer', { tool: 'a', outcome: 'ok' })
    const t2 = series(MCP_METRICS.tool.duration, 'timer', { tool: 'b', outcome: 'error' })
    const c1 = series(MCP_METRICS.tool.calls, 'counter', { tool: 'a', outcome: 'ok' })
    const c2 = series(MCP_METRICS.tool.calls, 'counter', { tool: 'b', outcome: 'error' })
    const other = series('queue_depth', 'gauge')
    const chart = [
      row(t1, 10 * MIN, [12, 30, 31]),
      row(t2, 10 * MIN, [400, 900]),
      row(c1, 10 * MIN, [3]),
      row(c2, 10 * MIN, [2]),
      row(c1, 11 * MIN, [1]), // a bucket with calls and no durations
      row(c2, 11 * MIN + 30_000, [4]),
      row(other, 11 * MIN, [5]),
    ]
    const previous = [row(t2, 8 * MIN, [100, 120]), row(c2, 9 * MIN, [2])]
    for (const rows of [{ chart, period: chart, previous }, { chart: chart.filter((r) => r.series.type !== 'timer'), period: [], previous }] satisfies ReportRows[]) {
      const apart = callReport(rows, w)
      expect(callReport(rows, w, metricEntries(rows, w))).toEqual(apart)
    }
    expect(callReport({ chart, period: chart, previous }, w).buckets.map((b) => [b.calls, b.errors, b.p95])).toEqual([
      [5, 2, 900],
      [5, 4, null],
    ])
  })
})

describe('period rows merged per series first (perSeries)', () => {
  it('answer every total, breakdown and percentile the rows answer, and change no stored row', () => {
    const clients = ['claude-ai', 'cursor']
    const rows: AggregateRow[] = []
    // two tools, two clients, ok and error, over 90 daily rows, interleaved by day as a cover reads them
    for (let day = 0; day < 90; day++) {
      for (const tool of ['search', 'fetch']) {
        for (const client of clients) {
          for (const outcome of ['ok', 'error']) {
            const tags = { client, outcome, tool }
            const key = JSON.stringify(tags)
            const timer = (known.get(`t${key}`) ?? known.set(`t${key}`, series(MCP_METRICS.tool.duration, 'timer', tags)).get(`t${key}`)) as SeriesInfo
            const calls = (known.get(`c${key}`) ?? known.set(`c${key}`, series(MCP_METRICS.tool.calls, 'counter', tags)).get(`c${key}`)) as SeriesInfo
            const base = 10 + ((day * 7 + tool.length * 3 + client.length) % 400)
            rows.push(row(timer, day * 86_400_000, [base, base * 2, base * 5]), { ...row(calls, day * 86_400_000, [3]), sum: 3 + (day % 4) })
          }
        }
      }
    }
    const before = rows.map((r) => (r.sketch ? Buffer.from(r.sketch) : null))
    const merged = perSeries(rows)
    expect(merged).toHaveLength(16)
    // each series once, by id
    expect(merged.map((m) => m.series)).toEqual([...new Set(rows.map((r) => r.series))].sort((a, b) => a.id - b.id))

    const report = (period: ReportRows['period']) => {
      const r: ReportRows = { chart: [], period, previous: [] }
      const entries = metricEntries(r, w)
      return {
        metrics: metricSeries(entries),
        calls: callReport(r, w, entries).summary,
        tools: breakdown(period, 'tool', 'tool'),
        clients: breakdown(period, 'tool', 'client'),
      }
    }
    // whole numbers: the sums are exact in either order, so the answers are equal, percentiles included
    expect(report(merged)).toEqual(report(rows))
    // per tool: 2 clients × 2 outcomes × (90 days × 3 + 133, the days' extra 0, 1, 2, 3 in turn)
    expect(report(merged).tools.map((t) => t.calls)).toEqual([4 * 403, 4 * 403])
    expect(rows.map((r) => (r.sketch ? Buffer.from(r.sketch) : null))).toEqual(before)
  })
})

const known = new Map<string, SeriesInfo>()

describe("a gauge's last between series stamped at the same instant", () => {
  it('is the same whatever order the rows come in: the one of the highest series id, as in chart rows', () => {
    const a = series('heap', 'gauge', { host: 'a' })
    const b = series('heap', 'gauge', { host: 'b' })
    const at = 10 * MIN + 5_000
    const rowOf = (s: SeriesInfo, value: number): AggregateRow => ({ series: s, bucket: 10 * MIN, count: 1, sum: value, min: value, max: value, last: value, lastTs: at, sketch: null })
    const lastOf = (period: AggregateRow[]) => metricSeries(metricEntries({ chart: [], period: perSeries(period), previous: [] }, w))[0]?.summary?.last
    expect(lastOf([rowOf(a, 1), rowOf(b, 2)])).toBe(2)
    expect(lastOf([rowOf(b, 2), rowOf(a, 1)])).toBe(2)
  })
})
