// Turns a server's stored rows into what metrics-fetch and the servers list answer.
import { MCP_METRICS, MCP_TAG, PERIOD_SPECS, type Period } from '@mcpdir/metrics/protocol'
import { breakdown, callReport, metricEntries, metricSeries } from './metric-report'
import { coverRange } from './tier-cover'
import { availabilities } from './availability'
import { perSeries } from './aggregations'
import { usageSection } from './usage-report'
import type { ServerRecord, Store } from '../store/store'

/** The period ending with the bucket that holds `now`, and the one before it. */
export function periodWindow(period: Period, now: number) {
  const spec = PERIOD_SPECS[period]
  const to = Math.floor(now / spec.bucketMs) * spec.bucketMs + spec.bucketMs
  const from = to - spec.durationMs
  return { ...spec, from, to, previousFrom: from - spec.durationMs }
}

export interface ReportOptions {
  /** Read the chart's buckets (default); without them the report has only totals, breakdowns and the rest. */
  chart?: boolean
}

/** Everything metrics-fetch answers about a server for a period, at `now`; only metrics in `names` when given. */
export async function serverReport(store: Store, server: ServerRecord, period: Period, now: number, names?: readonly string[], options: ReportOptions = {}) {
  const w = periodWindow(period, now)
  const withChart = options.chart ?? true
  // Every read below is independent of the others, so they are all asked at once: on PostgreSQL each is a round
  // trip, and a report's answer then waits for the slowest one, not for their sum.
  // The chart from the period's tier: a row per bucket and chart group, merged when the bucket was rolled up
  // (Store.chartRows). The period's totals and breakdowns need every tag: they read the fewest tier rows that hold
  // the period, per series. The period before needs totals only: it reads the fewest chart rows that hold it.
  const chartRows = withChart ? store.chartRows(server.id, w.tier, w.from, w.to, names) : Promise.resolve([])
  const readCover = (from: number, to: number, kind: 'tier' | 'chart') => store.coverRows(server.id, coverRange(w.tier, from, to), kind, names)
  const [chart, current, previous, events, usage, [availabilityNow, availabilityBefore]] = await Promise.all([
    chartRows,
    readCover(w.from, w.to, 'tier'),
    readCover(w.previousFrom, w.from, 'chart'),
    store.listEvents(server.id, w.from, w.to, 500),
    usageSection(store, server.id, w),
    availabilities(store, server.id, [
      [w.from, w.to],
      [w.previousFrom, w.from],
    ], now),
  ])
  // every total of the period merges these rows: merged per series first, each stored sketch is decoded once
  const totals = perSeries(current)
  const rows = { chart, period: totals, previous }
  const entries = metricEntries(rows, w)
  return {
    window: w,
    metrics: metricSeries(entries),
    calls: callReport(rows, w, entries),
    breakdowns: {
      tools: breakdown(totals, 'tool', MCP_METRICS.tool.tag),
      resources: breakdown(totals, 'resource', MCP_METRICS.resource.tag),
      prompts: breakdown(totals, 'prompt', MCP_METRICS.prompt.tag),
      clients: breakdown(totals, 'tool', MCP_TAG.client),
    },
    usage,
    events,
    availability: availabilityNow ?? null,
    previousAvailability: availabilityBefore ?? null,
  }
}

