// The metric sections of a report (metrics, calls, breakdowns), from the rows of the period's tier. Each row is
// merged once: into its chart bucket (at most two rows of a series per bucket) or into the previous period's
// summary; the period's summary is then merged from its buckets, not from the rows again.
import {
  type Breakdown,
  type CallBucket,
  type CallSummary,
  isClientErrorOutcome,
  isErrorOutcome,
  MCP_METRICS,
  MCP_TAG,
  type McpKind,
  type MetricSeries,
} from '@mcpdir/metrics/protocol'
import { type Accumulator, type AggregateRow, accumulate, bucketValues, combine } from './aggregations'

/** The part of a period window (server-report.ts) the metric sections need. */
export interface ReportWindow {
  from: number
  to: number
  previousFrom: number
  bucketMs: number
}

const inRange = (from: number, to: number) => (r: { bucket: number }) => r.bucket >= from && r.bucket < to

/** Merges accumulators in order into one (bucket 0); `undefined` for none. */
function mergeAccumulators(list: Iterable<Accumulator>): Accumulator | undefined {
  let acc: Accumulator | undefined
  for (const item of list) acc = combine(acc, item, 0)
  return acc
}

const byTime = <T>(map: Map<number, T>) => [...map.entries()].sort(([a], [b]) => a - b)

/** Per metric name (all tag sets merged): buckets over the period, and summaries of it and the one before. */
export function metricSeries(rows: readonly AggregateRow[], w: ReportWindow): MetricSeries[] {
  const byName = new Map<string, { first: AggregateRow; buckets: Map<number, Accumulator>; previous?: Accumulator }>()
  for (const row of rows) {
    let entry = byName.get(row.series.name)
    if (!entry) byName.set(row.series.name, (entry = { first: row, buckets: new Map() }))
    if (row.bucket >= w.from && row.bucket < w.to) {
      const t = Math.floor(row.bucket / w.bucketMs) * w.bucketMs
      entry.buckets.set(t, accumulate(entry.buckets.get(t), row, t))
    } else if (row.bucket >= w.previousFrom && row.bucket < w.from) {
      entry.previous = accumulate(entry.previous, row, 0)
    }
  }
  return [...byName]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([name, entry]) => {
      const buckets = byTime(entry.buckets)
      const summary = mergeAccumulators(buckets.map(([, acc]) => acc))
      return {
        name,
        type: entry.first.series.type,
        buckets: buckets.map(([t, acc]) => ({ t, ...bucketValues(acc) })),
        summary: summary ? bucketValues(summary) : null,
        previous: entry.previous ? bucketValues(entry.previous) : null,
      }
    })
}

/** Calls, errors (the server's), client errors (the callers') and the merged duration of some rows. */
interface CallTally {
  calls: number
  errors: number
  clientErrors: number
  duration?: Accumulator
}

const newTally = (): CallTally => ({ calls: 0, errors: 0, clientErrors: 0 })

/** `client_errors` when there were any: reports of data without them stay as they were before the field. */
const clientErrors = (n: number) => (n > 0 ? { client_errors: n } : {})

/** Calls, errors and latency per value of `tag` on `mcp.<kind>.calls` / `mcp.<kind>.duration`. */
export function breakdown(rows: readonly AggregateRow[], kind: McpKind, tag: string): Breakdown[] {
  const names = MCP_METRICS[kind]
  const calls = new Map<string, CallTally>()
  for (const row of rows) {
    const { name, tags } = row.series
    if (name !== names.calls && name !== names.duration) continue
    const key = tags[tag]
    if (key === undefined) continue
    let e = calls.get(key)
    if (!e) calls.set(key, (e = newTally()))
    if (name === names.calls) {
      e.calls += row.sum
      if (isErrorOutcome(tags[MCP_TAG.outcome])) e.errors += row.sum
      else if (isClientErrorOutcome(tags[MCP_TAG.outcome])) e.clientErrors += row.sum
    } else {
      e.duration = accumulate(e.duration, row, 0)
    }
  }
  return [...calls.entries()]
    .map(([key, e]) => {
      const d = e.duration ? bucketValues(e.duration) : undefined
      return { key, calls: e.calls, errors: e.errors, ...clientErrors(e.clientErrors), error_rate: e.calls > 0 ? e.errors / e.calls : 0, p50: d?.p50 ?? null, p95: d?.p95 ?? null }
    })
    .sort((a, b) => b.calls - a.calls || (a.key < b.key ? -1 : 1))
}

/** Adds one tool-call row to a tally. */
function tally(t: CallTally, row: AggregateRow, bucket: number): void {
  if (row.series.name === MCP_METRICS.tool.calls) {
    t.calls += row.sum
    if (isErrorOutcome(row.series.tags[MCP_TAG.outcome])) t.errors += row.sum
    else if (isClientErrorOutcome(row.series.tags[MCP_TAG.outcome])) t.clientErrors += row.sum
  } else {
    t.duration = accumulate(t.duration, row, bucket)
  }
}

function callSummary(t: CallTally | undefined): CallSummary {
  const d = t?.duration ? bucketValues(t.duration) : undefined
  const calls = t?.calls ?? 0
  const errors = t?.errors ?? 0
  return { calls, errors, ...clientErrors(t?.clientErrors ?? 0), error_rate: calls > 0 ? errors / calls : null, p50: d?.p50 ?? null, p95: d?.p95 ?? null, p99: d?.p99 ?? null }
}

/** Tool calls, errors and latency: per bucket of the period, and summed over it and over the one before. */
export function callReport(rows: readonly AggregateRow[], w: ReportWindow) {
  const buckets = new Map<number, CallTally>()
  const previous = newTally()
  let seenPrevious = false
  for (const row of rows) {
    if (row.series.name !== MCP_METRICS.tool.calls && row.series.name !== MCP_METRICS.tool.duration) continue
    if (row.bucket >= w.from && row.bucket < w.to) {
      const t = Math.floor(row.bucket / w.bucketMs) * w.bucketMs
      let b = buckets.get(t)
      if (!b) buckets.set(t, (b = newTally()))
      tally(b, row, t)
    } else if (row.bucket >= w.previousFrom && row.bucket < w.from) {
      tally(previous, row, 0)
      seenPrevious = true
    }
  }
  const sorted = byTime(buckets)
  const total = newTally()
  for (const [, b] of sorted) {
    total.calls += b.calls
    total.errors += b.errors
    total.clientErrors += b.clientErrors
    if (b.duration) total.duration = combine(total.duration, b.duration, 0)
  }
  return {
    buckets: sorted.map(([t, b]): CallBucket => {
      const { calls, errors, p50, p95, p99 } = callSummary(b)
      return { t, calls, errors, ...clientErrors(b.clientErrors), p50, p95, p99 }
    }),
    summary: callSummary(sorted.length > 0 ? total : undefined),
    previous: callSummary(seenPrevious ? previous : undefined),
  }
}

/** The rows of the period itself (not the one before), for the breakdowns. */
export const currentRows = (rows: readonly AggregateRow[], w: ReportWindow) => rows.filter(inRange(w.from, w.to))
