// Folds live-stream messages into a fetched report, so live mode updates without refetching. Every part of the
// report takes them, as the service would have counted them: series, call buckets and summary, and the tool,
// resource, prompt and client breakdowns, so the cards, charts and tables of a page always agree. Counts, sums,
// min, max and last are exact. A bucket this merge built (one the fetched report did not have) keeps the
// merged sketch of the timer points it took, and its percentiles are read from that with the protocol's
// `sketchPercentiles`, as the service reads them. A bucket that already had fetched data has no sketch (the
// report carries none): its percentiles are a count-weighted blend of the fetched and the live ones, an
// approximation the next fetch corrects. When data moves the window forward, the buckets that fall off leave
// the charts but are still in the summaries and breakdowns: `useServerMetrics` then fetches the new window.
import {
  type Breakdown,
  type BucketValues,
  type CallBucket,
  isClientErrorOutcome,
  isErrorOutcome,
  MCP_METRICS,
  MCP_TAG,
  type MetricBucket,
  type MetricsFetchResponse,
  type Percentiles,
  PERCENTILES,
  Sketch,
  sketchPercentiles,
  STREAM_EVENT,
  type StreamMessages,
  type StreamPoint,
  type UsageBucket,
} from '@mcpdir/metrics/protocol'

const QUANTILES = Object.keys(PERCENTILES) as (keyof typeof PERCENTILES)[]
const USAGE_FIELD = { view: 'views', install: 'installs', test: 'tests', invoke: 'invokes' } as const

/** The merged sketch of a bucket a merge built, and the exact min and max of what it holds. */
interface LiveSketch {
  /** The bucket's start; undefined for a series summary (never dropped). */
  t: number | undefined
  sketch: Sketch
  min: number
  max: number
}

/**
 * Live sketches by bucket: `m<name>@<t>` a series bucket, `s<name>` a series summary, `c@<t>` a call bucket,
 * `b<breakdown>\n<key>` a breakdown row.
 * A map is never changed once it belongs to a report, nor is an entry, so earlier reports stay as they were.
 */
type LiveSketches = ReadonlyMap<string, LiveSketch>

/** The sketches of the buckets the merges that led to a report built; a fetched report has none. */
const sketchesOf = new WeakMap<MetricsFetchResponse, LiveSketches>()

function blend(a: number | null | undefined, aCount: number, b: number | null | undefined, bCount: number) {
  if (a === null || a === undefined) return b ?? undefined
  if (b === null || b === undefined) return a
  return (a * aCount + b * bCount) / (aCount + bCount)
}

/** Starts an empty live sketch for a bucket this merge just built. */
function startSketch(sketches: Map<string, LiveSketch>, key: string, t: number | undefined): void {
  sketches.set(key, { t, sketch: new Sketch(), min: Number.POSITIVE_INFINITY, max: Number.NEGATIVE_INFINITY })
}

/**
 * Adds a timer point's sketch to its bucket's live sketch and answers the bucket's percentiles from it;
 * undefined when the bucket has none (it held fetched data) or the point brings none, and then the bucket
 * is blended from here on.
 */
function addSketch(sketches: Map<string, LiveSketch>, key: string, point: StreamPoint): Percentiles | undefined {
  const live = sketches.get(key)
  if (!live) return undefined
  if (!point.sketch || point.min === undefined || point.max === undefined) {
    sketches.delete(key)
    return undefined
  }
  // a new sketch, not the old one changed: the previous report's merges keep theirs
  const sketch = new Sketch().merge(live.sketch).merge(Sketch.fromJSON(point.sketch))
  const next: LiveSketch = { t: live.t, sketch, min: Math.min(live.min, point.min), max: Math.max(live.max, point.max) }
  sketches.set(key, next)
  return sketchPercentiles(sketch, next.min, next.max)
}

/** Adds `add` to `target`; percentiles are `merged` (from a live sketch) when given, else blended. */
function mergeValues(target: BucketValues, add: BucketValues, merged: Percentiles | undefined): void {
  const before = target.count
  for (const q of QUANTILES) {
    const v = merged ? merged[q] : blend(target[q], before, add[q], add.count)
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

/** The bucket at `t`, and whether it was just made. */
function bucketAt<T extends { t: number }>(list: T[], t: number, make: () => T): [T, boolean] {
  const found = list.find((b) => b.t === t)
  if (found) return [found, false]
  const bucket = make()
  list.push(bucket)
  list.sort((a, b) => a.t - b.t)
  return [bucket, true]
}

function mergeUsage(report: MetricsFetchResponse, { timestamp, actions }: StreamMessages['usage']): void {
  const t = Math.floor(timestamp / report.bucket_ms) * report.bucket_ms
  advance(report, t)
  const [bucket] = bucketAt<UsageBucket>(report.usage.buckets, t, () => ({ t, views: 0, installs: 0, tests: 0, invokes: 0, unique_visitors: 0 }))
  for (const action of actions) {
    bucket[USAGE_FIELD[action]]++
    report.usage.totals[USAGE_FIELD[action]]++
  }
}

/** The breakdowns of a report, each with the MCP kind whose series it counts and the tag it groups by (as the service's). */
const BREAKDOWNS = [
  { list: 'tools', kind: MCP_METRICS.tool, tag: MCP_METRICS.tool.tag },
  { list: 'resources', kind: MCP_METRICS.resource, tag: MCP_METRICS.resource.tag },
  { list: 'prompts', kind: MCP_METRICS.prompt, tag: MCP_METRICS.prompt.tag },
  { list: 'clients', kind: MCP_METRICS.tool, tag: MCP_TAG.client },
] as const

/** Folds an `mcp.<kind>.calls` or `.duration` point into the row of its tag's value in each breakdown it counts in. */
function mergeBreakdowns(report: MetricsFetchResponse, sketches: Map<string, LiveSketch>, point: StreamPoint): void {
  for (const { list, kind, tag } of BREAKDOWNS) {
    if (point.name !== kind.calls && point.name !== kind.duration) continue
    const key = point.tags[tag]
    if (key === undefined) continue
    const rows = report.breakdowns[list]
    const sketchKey = `b${list}\n${key}`
    let row = rows.find((r) => r.key === key)
    if (!row) {
      row = { key, calls: 0, errors: 0, error_rate: 0, p50: null, p95: null } satisfies Breakdown
      rows.push(row)
      startSketch(sketches, sketchKey, undefined)
    }
    if (point.name === kind.calls) {
      const outcome = point.tags[MCP_TAG.outcome]
      row.calls += point.sum
      if (isErrorOutcome(outcome)) row.errors += point.sum
      else if (isClientErrorOutcome(outcome)) row.client_errors = (row.client_errors ?? 0) + point.sum
      row.error_rate = row.calls > 0 ? row.errors / row.calls : 0
    } else {
      const merged = addSketch(sketches, sketchKey, point)
      const weight = Math.max(row.calls, 1)
      row.p50 = (merged ? merged.p50 : blend(row.p50, weight, point.p50, point.count)) ?? null
      row.p95 = (merged ? merged.p95 : blend(row.p95, weight, point.p95, point.count)) ?? null
    }
    rows.sort((a, b) => b.calls - a.calls || (a.key < b.key ? -1 : 1))
  }
}

/** Folds one point into its series (bucket and summary) and, for tool calls, into the call buckets. */
function mergePoint(report: MetricsFetchResponse, sketches: Map<string, LiveSketch>, point: StreamPoint, t: number): void {
  const timer = point.type === 'timer'
  let series = report.metrics.find((s) => s.name === point.name)
  if (!series) {
    series = { name: point.name, type: point.type, buckets: [], summary: null, previous: null }
    report.metrics.push(series)
    report.metrics.sort((a, b) => (a.name < b.name ? -1 : 1))
  }
  const [bucket, fresh] = bucketAt<MetricBucket>(series.buckets, t, () => ({ t, count: 0, sum: 0 }))
  const bucketKey = `m${point.name}@${t}`
  if (fresh && timer) startSketch(sketches, bucketKey, t)
  mergeValues(bucket, point, timer ? addSketch(sketches, bucketKey, point) : undefined)

  const summaryKey = `s${point.name}`
  if (!series.summary) {
    series.summary = { count: 0, sum: 0 }
    if (timer) startSketch(sketches, summaryKey, undefined)
  }
  mergeValues(series.summary, point, timer ? addSketch(sketches, summaryKey, point) : undefined)
  mergeBreakdowns(report, sketches, point)

  const { calls: callsName, duration: durationName } = MCP_METRICS.tool
  if (point.name !== callsName && point.name !== durationName) return
  const [calls, freshCalls] = bucketAt<CallBucket>(report.calls.buckets, t, () => ({ t, calls: 0, errors: 0, p50: null, p95: null, p99: null }))
  const callsKey = `c@${t}`
  if (freshCalls) startSketch(sketches, callsKey, t)
  if (point.name === callsName) {
    const summary = report.calls.summary
    const errors = isErrorOutcome(point.tags[MCP_TAG.outcome]) ? point.sum : 0
    calls.calls += point.sum
    calls.errors += errors
    summary.calls += point.sum
    summary.errors += errors
    summary.error_rate = summary.calls > 0 ? summary.errors / summary.calls : null
    if (isClientErrorOutcome(point.tags[MCP_TAG.outcome])) {
      calls.client_errors = (calls.client_errors ?? 0) + point.sum
      summary.client_errors = (summary.client_errors ?? 0) + point.sum
    }
    return
  }
  const merged = addSketch(sketches, callsKey, point)
  for (const q of QUANTILES) {
    calls[q] = (merged ? merged[q] : blend(calls[q], Math.max(calls.calls, 1), point[q], point.count)) ?? null
  }
}

/**
 * A new report with one stream message folded in (the input is not changed). Messages about the connection
 * (`ready`, `overflow`) change nothing and answer the input itself.
 */
export function mergeLive<K extends keyof StreamMessages>(previous: MetricsFetchResponse, event: K, data: StreamMessages[K]): MetricsFetchResponse {
  if (event !== STREAM_EVENT.metrics && event !== STREAM_EVENT.heartbeat && event !== STREAM_EVENT.usage) return previous
  const report = structuredClone(previous)
  const before = sketchesOf.get(previous) ?? new Map<string, LiveSketch>()
  if (event === STREAM_EVENT.heartbeat) {
    const { timestamp } = data as StreamMessages['heartbeat']
    report.server.last_seen = Math.max(report.server.last_seen ?? 0, timestamp)
    sketchesOf.set(report, before)
    return report
  }
  if (event === STREAM_EVENT.usage) {
    mergeUsage(report, data as StreamMessages['usage'])
    sketchesOf.set(report, before)
    return report
  }
  const { points, events, received_at } = data as StreamMessages['metrics']
  const sketches = new Map(before)
  report.server.last_seen = Math.max(report.server.last_seen ?? 0, received_at)
  for (const point of points) {
    const t = Math.floor(point.timestamp / report.bucket_ms) * report.bucket_ms
    advance(report, t)
    if (t >= report.from) mergePoint(report, sketches, point, t)
  }
  for (const [key, live] of sketches) if (live.t !== undefined && live.t < report.from) sketches.delete(key)
  sketchesOf.set(report, sketches)
  if (events.length > 0) report.events = [...[...events].reverse(), ...report.events].slice(0, 500)
  return report
}
