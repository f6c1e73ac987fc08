// Turns a server's stored rows into what metrics-fetch and the servers list answer.
import {
  type Breakdown,
  type CallBucket,
  type CallSummary,
  type FetchedEvent,
  isErrorOutcome,
  MCP_METRICS,
  MCP_TAG,
  type McpKind,
  type MetricSeries,
  PERIOD_SPECS,
  type Period,
  type UsageBucket,
  type UsageCounts,
} from '@mcpdir/metrics/protocol'
import { type Accumulator, type AggregateRow, accumulate, bucketValues, tagsOf } from './aggregations'
import { availability } from './availability'
import type { ServerRecord, Store, UsageReadRow } from '../store/store'

/** The period ending with the bucket that holds `now`, and the one before it. */
export function periodWindow(period: Period, now: number) {
  const spec = PERIOD_SPECS[period]
  const to = Math.floor(now / spec.bucketMs) * spec.bucketMs + spec.bucketMs
  const from = to - spec.durationMs
  return { ...spec, from, to, previousFrom: from - spec.durationMs }
}

type Window = ReturnType<typeof periodWindow>

function mergeAll(rows: Iterable<AggregateRow>): Accumulator | undefined {
  let acc: Accumulator | undefined
  for (const row of rows) acc = accumulate(acc, row, 0)
  return acc
}

const inRange = (from: number, to: number) => (r: { bucket: number }) => r.bucket >= from && r.bucket < to

/** Per metric name (all tag sets merged): buckets over the period, and summaries of it and the one before. */
export function metricSeries(rows: readonly AggregateRow[], w: Window): MetricSeries[] {
  const byName = new Map<string, AggregateRow[]>()
  for (const row of rows) {
    const list = byName.get(row.name)
    if (list) list.push(row)
    else byName.set(row.name, [row])
  }
  const series: MetricSeries[] = []
  for (const [name, list] of [...byName].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const current = list.filter(inRange(w.from, w.to))
    const buckets = new Map<number, Accumulator>()
    for (const row of current) {
      const t = Math.floor(row.bucket / w.bucketMs) * w.bucketMs
      buckets.set(t, accumulate(buckets.get(t), row, t))
    }
    const summary = mergeAll(current)
    const previous = mergeAll(list.filter(inRange(w.previousFrom, w.from)))
    series.push({
      name,
      type: (list[0] as AggregateRow).type,
      buckets: [...buckets.entries()].sort(([a], [b]) => a - b).map(([t, acc]) => ({ t, ...bucketValues(acc) })),
      summary: summary ? bucketValues(summary) : null,
      previous: previous ? bucketValues(previous) : null,
    })
  }
  return series
}

/** Calls, errors and latency per value of `tag` on `mcp.<kind>.calls` / `mcp.<kind>.duration`. */
export function breakdown(rows: readonly AggregateRow[], kind: McpKind, tag: string): Breakdown[] {
  const names = MCP_METRICS[kind]
  const calls = new Map<string, { calls: number; errors: number; duration?: Accumulator }>()
  const entry = (key: string) => {
    let e = calls.get(key)
    if (!e) {
      e = { calls: 0, errors: 0 }
      calls.set(key, e)
    }
    return e
  }
  for (const row of rows) {
    if (row.name !== names.calls && row.name !== names.duration) continue
    const tags = tagsOf(row)
    const key = tags[tag]
    if (key === undefined) continue
    const e = entry(key)
    if (row.name === names.calls) {
      e.calls += row.sum
      if (isErrorOutcome(tags[MCP_TAG.outcome])) e.errors += row.sum
    } else {
      e.duration = accumulate(e.duration, row, 0)
    }
  }
  return [...calls.entries()]
    .map(([key, e]) => {
      const d = e.duration ? bucketValues(e.duration) : undefined
      return { key, calls: e.calls, errors: e.errors, error_rate: e.calls > 0 ? e.errors / e.calls : 0, p50: d?.p50 ?? null, p95: d?.p95 ?? null }
    })
    .sort((a, b) => b.calls - a.calls || (a.key < b.key ? -1 : 1))
}

/** Tool calls, errors and latency per bucket of `bucketMs` (0: one bucket for everything). */
function callBuckets(rows: readonly AggregateRow[], bucketMs: number): Map<number, { calls: number; errors: number; duration?: Accumulator }> {
  const buckets = new Map<number, { calls: number; errors: number; duration?: Accumulator }>()
  for (const row of rows) {
    const isCalls = row.name === MCP_METRICS.tool.calls
    if (!isCalls && row.name !== MCP_METRICS.tool.duration) continue
    const t = bucketMs > 0 ? Math.floor(row.bucket / bucketMs) * bucketMs : 0
    let b = buckets.get(t)
    if (!b) {
      b = { calls: 0, errors: 0 }
      buckets.set(t, b)
    }
    if (isCalls) {
      b.calls += row.sum
      if (isErrorOutcome(tagsOf(row)[MCP_TAG.outcome])) b.errors += row.sum
    } else {
      b.duration = accumulate(b.duration, row, t)
    }
  }
  return buckets
}

function callSummary(b: { calls: number; errors: number; duration?: Accumulator } | undefined): CallSummary {
  const d = b?.duration ? bucketValues(b.duration) : undefined
  const calls = b?.calls ?? 0
  const errors = b?.errors ?? 0
  return { calls, errors, error_rate: calls > 0 ? errors / calls : null, p50: d?.p50 ?? null, p95: d?.p95 ?? null, p99: d?.p99 ?? null }
}

export function callReport(rows: readonly AggregateRow[], w: Window) {
  const current = rows.filter(inRange(w.from, w.to))
  const buckets: CallBucket[] = [...callBuckets(current, w.bucketMs).entries()]
    .sort(([a], [b]) => a - b)
    .map(([t, b]) => {
      const { calls, errors, p50, p95, p99 } = callSummary(b)
      return { t, calls, errors, p50, p95, p99 }
    })
  return {
    buckets,
    summary: callSummary(callBuckets(current, 0).get(0)),
    previous: callSummary(callBuckets(rows.filter(inRange(w.previousFrom, w.from)), 0).get(0)),
  }
}

const emptyCounts = (): UsageCounts => ({ views: 0, installs: 0, tests: 0, invokes: 0, unique_visitors: 0 })
const FIELD = { view: 'views', install: 'installs', test: 'tests', invoke: 'invokes' } as const

function countUsage(rows: readonly UsageReadRow[]): UsageCounts {
  const counts = emptyCounts()
  const visitors = new Set<string>()
  for (const row of rows) {
    counts[FIELD[row.action]]++
    visitors.add(row.visitorHash)
  }
  counts.unique_visitors = visitors.size
  return counts
}

export function usageReport(rows: readonly UsageReadRow[], w: Window) {
  const current = rows.filter((r) => r.timestamp >= w.from && r.timestamp < w.to)
  const byBucket = new Map<number, UsageReadRow[]>()
  for (const row of current) {
    const t = Math.floor(row.timestamp / w.bucketMs) * w.bucketMs
    const list = byBucket.get(t)
    if (list) list.push(row)
    else byBucket.set(t, [row])
  }
  const buckets: UsageBucket[] = [...byBucket.entries()].sort(([a], [b]) => a - b).map(([t, list]) => ({ t, ...countUsage(list) }))
  return {
    buckets,
    totals: countUsage(current),
    previous: countUsage(rows.filter((r) => r.timestamp >= w.previousFrom && r.timestamp < w.from)),
  }
}

export async function serverReport(store: Store, server: ServerRecord, period: Period, now: number, names?: readonly string[]) {
  const w = periodWindow(period, now)
  const rows = await store.tierRows(server.id, w.tier, w.previousFrom, w.to, names)
  const current = rows.filter(inRange(w.from, w.to))
  const events: FetchedEvent[] = await store.listEvents(server.id, w.from, w.to, 500)
  return {
    window: w,
    metrics: metricSeries(rows, w),
    calls: callReport(rows, w),
    breakdowns: {
      tools: breakdown(current, 'tool', MCP_METRICS.tool.tag),
      resources: breakdown(current, 'resource', MCP_METRICS.resource.tag),
      prompts: breakdown(current, 'prompt', MCP_METRICS.prompt.tag),
      clients: breakdown(current, 'tool', MCP_TAG.client),
    },
    usage: usageReport(await store.usageRows(server.id, w.previousFrom, w.to), w),
    events,
    availability: await availability(store, server.id, w.from, w.to, now),
    previousAvailability: await availability(store, server.id, w.previousFrom, w.from, now),
  }
}

