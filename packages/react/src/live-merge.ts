// Folds live-stream messages into a fetched report, so live mode updates without refetching. Counts, sums,
// min, max and last are exact; percentiles of a bucket that already had data are a count-weighted blend
// (the stream carries no sketch), corrected by the next fetch.
import type {
  BucketValues,
  CallBucket,
  MetricBucket,
  MetricsFetchResponse,
  StreamMessages,
  UsageBucket,
} from '@mcpdir/metrics/protocol'

const ERROR_OUTCOMES = new Set(['error', 'tool_error'])
const USAGE_FIELD = { view: 'views', install: 'installs', test: 'tests', invoke: 'invokes' } as const

function blend(a: number | null | undefined, aCount: number, b: number | null | undefined, bCount: number) {
  if (a === null || a === undefined) return b ?? undefined
  if (b === null || b === undefined) return a
  return (a * aCount + b * bCount) / (aCount + bCount)
}

function mergeValues(target: BucketValues, add: BucketValues): void {
  const before = target.count
  for (const q of ['p50', 'p95', 'p99'] as const) {
    const v = blend(target[q], before, add[q], add.count)
    if (v !== undefined) target[q] = v
  }
  target.count += add.count
  target.sum += add.sum
  if (add.min !== undefined) target.min = target.min === undefined ? add.min : Math.min(target.min, add.min)
  if (add.max !== undefined) target.max = target.max === undefined ? add.max : Math.max(target.max, add.max)
  if (add.last !== undefined) target.last = add.last
  if (target.min !== undefined) target.avg = target.sum / target.count
}

/** Moves the window forward when `t` is past its end; old buckets fall off the front. */
function advance(report: MetricsFetchResponse, t: number): void {
  if (t < report.to) return
  const shift = Math.floor((t - report.to) / report.bucket_ms + 1) * report.bucket_ms
  report.from += shift
  report.to += shift
  const keep = <T extends { t: number }>(list: T[]) => list.filter((b) => b.t >= report.from)
  for (const series of report.metrics) series.buckets = keep(series.buckets)
  report.calls.buckets = keep(report.calls.buckets)
  report.usage.buckets = keep(report.usage.buckets)
}

function bucketAt<T extends { t: number }>(list: T[], t: number, make: () => T): T {
  let bucket = list.find((b) => b.t === t)
  if (!bucket) {
    bucket = make()
    list.push(bucket)
    list.sort((a, b) => a.t - b.t)
  }
  return bucket
}

/** A new report with one stream message folded in (the input is not changed). */
export function mergeLive<K extends keyof StreamMessages>(previous: MetricsFetchResponse, event: K, data: StreamMessages[K]): MetricsFetchResponse {
  const report = structuredClone(previous)
  if (event === 'heartbeat') {
    const { timestamp } = data as StreamMessages['heartbeat']
    report.server.last_seen = Math.max(report.server.last_seen ?? 0, timestamp)
    return report
  }
  if (event === 'usage') {
    const { timestamp, actions } = data as StreamMessages['usage']
    const t = Math.floor(timestamp / report.bucket_ms) * report.bucket_ms
    advance(report, t)
    const bucket = bucketAt<UsageBucket>(report.usage.buckets, t, () => ({ t, views: 0, installs: 0, tests: 0, invokes: 0, unique_visitors: 0 }))
    for (const action of actions) {
      bucket[USAGE_FIELD[action]]++
      report.usage.totals[USAGE_FIELD[action]]++
    }
    return report
  }
  const { points, events, received_at } = data as StreamMessages['metrics']
  report.server.last_seen = Math.max(report.server.last_seen ?? 0, received_at)
  for (const point of points) {
    const t = Math.floor(point.timestamp / report.bucket_ms) * report.bucket_ms
    advance(report, t)
    if (t < report.from) continue
    const values: BucketValues = { ...point }
    let series = report.metrics.find((s) => s.name === point.name)
    if (!series) {
      series = { name: point.name, type: point.type, buckets: [], summary: null, previous: null }
      report.metrics.push(series)
      report.metrics.sort((a, b) => (a.name < b.name ? -1 : 1))
    }
    const bucket = bucketAt<MetricBucket>(series.buckets, t, () => ({ t, count: 0, sum: 0 }))
    mergeValues(bucket, values)
    if (!series.summary) series.summary = { count: 0, sum: 0 }
    mergeValues(series.summary, values)

    if (point.name === 'mcp.tool.calls' || point.name === 'mcp.tool.duration') {
      const calls = bucketAt<CallBucket>(report.calls.buckets, t, () => ({ t, calls: 0, errors: 0, p50: null, p95: null, p99: null }))
      const summary = report.calls.summary
      if (point.name === 'mcp.tool.calls') {
        const errors = ERROR_OUTCOMES.has(point.tags.outcome ?? '') ? point.sum : 0
        calls.calls += point.sum
        calls.errors += errors
        summary.calls += point.sum
        summary.errors += errors
        summary.error_rate = summary.calls > 0 ? summary.errors / summary.calls : null
      } else {
        for (const q of ['p50', 'p95', 'p99'] as const) {
          calls[q] = blend(calls[q], Math.max(calls.calls, 1), point[q], point.count) ?? null
        }
      }
    }
  }
  if (events.length > 0) report.events = [...[...events].reverse(), ...report.events].slice(0, 500)
  return report
}
