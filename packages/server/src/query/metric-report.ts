// The metric sections of a report (metrics, calls, breakdowns). A report reads three sets of rows: the
// period's tier for its chart buckets, and the fewest coarse rows that hold the period and the one before
// (tier-cover.ts) for their totals, breakdowns and "% change". Each row is merged once where it is needed.
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
import { type Accumulator, type ReportRow, accumulate, bucketValues, type SeriesInfo } from './aggregations'

/** The part of a period window (server-report.ts) the metric sections need. */
export interface ReportWindow {
  from: number
  to: number
  previousFrom: number
  bucketMs: number
}

/** The rows a report's metric sections are made from. */
export interface ReportRows {
  /** The period's tier over the period: one or two rows a chart bucket and chart group (`Store.chartRows`). */
  chart: readonly ReportRow[]
  /** Rows holding the whole period exactly once (coarser where they fit), per series. */
  period: readonly ReportRow[]
  /** Rows holding the period before exactly once, per chart group (`Store.coverRows`, `'chart'`). */
  previous: readonly ReportRow[]
}

/** A map's values mapped in time order (by key), without an entry pair per bucket. */
const byTime = <T, R>(map: Map<number, T>, each: (t: number, value: T) => R): R[] =>
  [...map.keys()].sort((a, b) => a - b).map((t) => each(t, map.get(t) as T))

interface SeriesEntry {
  name: string
  type: ReportRow['series']['type']
  buckets: Map<number, Accumulator>
  summary?: Accumulator
  previous?: Accumulator
}

/** The merged values of one metric name and type: per chart bucket, over the period, and over the one before. */
export type MetricEntries = ReadonlyMap<string, SeriesEntry>

const entryKey = (name: string, type: string) => `${name}\u0000${type}`

/** Merges a report's rows per metric name and type (all tag sets merged); a name sent with two types is two entries. */
export function metricEntries(rows: ReportRows, w: ReportWindow): MetricEntries {
  const entries = new Map<string, SeriesEntry>()
  // rows of one series share its SeriesInfo: the entry is looked up by name once per series, not once per row
  const bySeries = new Map<SeriesInfo, SeriesEntry>()
  const entryOf = (row: ReportRow) => {
    let entry = bySeries.get(row.series)
    if (entry) return entry
    const key = entryKey(row.series.name, row.series.type)
    entry = entries.get(key)
    if (!entry) entries.set(key, (entry = { name: row.series.name, type: row.series.type, buckets: new Map() }))
    bySeries.set(row.series, entry)
    return entry
  }
  for (const row of rows.chart) {
    const entry = entryOf(row)
    const t = Math.floor(row.bucket / w.bucketMs) * w.bucketMs
    entry.buckets.set(t, accumulate(entry.buckets.get(t), row, t))
  }
  for (const row of rows.period) {
    const entry = entryOf(row)
    entry.summary = accumulate(entry.summary, row, 0)
  }
  for (const row of rows.previous) {
    const entry = entryOf(row)
    entry.previous = accumulate(entry.previous, row, 0)
  }
  return entries
}

/** The report's `metrics`: one series per metric name and type, by name, never merged across types. */
export function metricSeries(entries: MetricEntries): MetricSeries[] {
  return [...entries.values()]
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.type < b.type ? -1 : 1))
    .map((entry) => ({
      name: entry.name,
      type: entry.type,
      buckets: byTime(entry.buckets, (t, acc) => ({ t, ...bucketValues(acc) })),
      summary: entry.summary ? bucketValues(entry.summary) : null,
      previous: entry.previous ? bucketValues(entry.previous) : null,
    }))
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

/**
 * What a row is to the call tables of `kind`: its calls (the counter `mcp.<kind>.calls`), its durations (the
 * timer `mcp.<kind>.duration`), or neither. A name sent with another type is neither, so it never corrupts them.
 */
function callRole(row: ReportRow, kind: McpKind): 'calls' | 'duration' | undefined {
  const { name, type } = row.series
  const names = MCP_METRICS[kind]
  if (name === names.calls) return type === 'counter' ? 'calls' : undefined
  if (name === names.duration) return type === 'timer' ? 'duration' : undefined
  return undefined
}

/** Adds one row of `role` to a tally. */
function tally(t: CallTally, row: ReportRow, role: 'calls' | 'duration', bucket: number): void {
  if (role === 'calls') {
    const outcome = row.series.tags[MCP_TAG.outcome]
    t.calls += row.sum
    if (isErrorOutcome(outcome)) t.errors += row.sum
    else if (isClientErrorOutcome(outcome)) t.clientErrors += row.sum
  } else {
    t.duration = accumulate(t.duration, row, bucket)
  }
}

/** Calls, errors and latency per value of `tag` on `mcp.<kind>.calls` / `mcp.<kind>.duration`. */
export function breakdown(rows: readonly ReportRow[], kind: McpKind, tag: string): Breakdown[] {
  const calls = new Map<string, CallTally>()
  for (const row of rows) {
    const role = callRole(row, kind)
    const key = role && row.series.tags[tag]
    if (key === undefined || role === undefined) continue
    let e = calls.get(key)
    if (!e) calls.set(key, (e = newTally()))
    tally(e, row, role, 0)
  }
  return [...calls.entries()]
    .map(([key, e]) => {
      const d = e.duration ? bucketValues(e.duration) : undefined
      return { key, calls: e.calls, errors: e.errors, ...clientErrors(e.clientErrors), error_rate: e.calls > 0 ? e.errors / e.calls : 0, p50: d?.p50 ?? null, p95: d?.p95 ?? null }
    })
    .sort((a, b) => b.calls - a.calls || (a.key < b.key ? -1 : 1))
}

function callSummary(t: CallTally | undefined): CallSummary {
  const d = t?.duration ? bucketValues(t.duration) : undefined
  const calls = t?.calls ?? 0
  const errors = t?.errors ?? 0
  return { calls, errors, ...clientErrors(t?.clientErrors ?? 0), error_rate: calls > 0 ? errors / calls : null, p50: d?.p50 ?? null, p95: d?.p95 ?? null, p99: d?.p99 ?? null }
}

/**
 * Tool calls, errors and latency: per bucket of the period, and summed over it and over the one before. The
 * latency is the merged `mcp.tool.duration` timer, the entry `metricEntries` already made of the same rows:
 * given `entries`, it is taken from there instead of being merged a second time.
 */
export function callReport(rows: ReportRows, w: ReportWindow, entries?: MetricEntries) {
  const durations = entries && (entries.get(entryKey(MCP_METRICS.tool.duration, 'timer')) ?? null)
  const counts = (row: ReportRow) => {
    const role = callRole(row, 'tool')
    return role === 'calls' || (role === 'duration' && durations === undefined) ? role : undefined
  }
  const buckets = new Map<number, CallTally>()
  for (const row of rows.chart) {
    const role = counts(row)
    if (!role) continue
    const t = Math.floor(row.bucket / w.bucketMs) * w.bucketMs
    let b = buckets.get(t)
    if (!b) buckets.set(t, (b = newTally()))
    tally(b, row, role, t)
  }
  if (durations) {
    for (const [t, duration] of durations.buckets) {
      let b = buckets.get(t)
      if (!b) buckets.set(t, (b = newTally()))
      b.duration = duration
    }
  }
  const total = (list: readonly ReportRow[], duration: Accumulator | undefined) => {
    let sum: CallTally | undefined
    for (const row of list) {
      const role = counts(row)
      if (role) tally((sum ??= newTally()), row, role, 0)
    }
    if (duration) (sum ??= newTally()).duration = duration
    return callSummary(sum)
  }
  return {
    buckets: byTime(buckets, (t, b): CallBucket => {
      const { calls, errors, p50, p95, p99 } = callSummary(b)
      return { t, calls, errors, ...clientErrors(b.clientErrors), p50, p95, p99 }
    }),
    summary: total(rows.period, durations?.summary),
    previous: total(rows.previous, durations?.previous),
  }
}
