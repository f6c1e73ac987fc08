// The usage section of a report, from the pre-aggregated rows (usage-aggregates.ts): counts summed and visitor
// sketches merged per chart bucket, over the period and over the one before.
import type { UsageBucket, UsageCounts } from '@mcpdir/metrics/protocol'
import type { Store, UsageAggregates } from '../store/store'
import { usageWidthFor } from './usage-aggregates'
import { VisitorSketch } from './visitor-sketch'

const FIELD = { view: 'views', install: 'installs', test: 'tests', invoke: 'invokes' } as const

/** The window a usage section covers: the period [from, to) in buckets of `bucketMs`, and [previousFrom, from). */
export interface UsageWindow {
  from: number
  to: number
  previousFrom: number
  bucketMs: number
}

interface Tally {
  counts: UsageCounts
  /** The union of the sketches added so far (the first one itself: no copy). */
  visitors: VisitorSketch | undefined
}

const newTally = (): Tally => ({ counts: { views: 0, installs: 0, tests: 0, invokes: 0, unique_visitors: 0 }, visitors: undefined })

function addVisitors(tally: Tally, sketch: VisitorSketch): void {
  if (tally.visitors) tally.visitors.merge(sketch)
  else tally.visitors = sketch
}

const finish = ({ counts, visitors }: Tally): UsageCounts => ({ ...counts, unique_visitors: visitors?.count() ?? 0 })

function addCounts(into: UsageCounts, from: UsageCounts): void {
  into.views += from.views
  into.installs += from.installs
  into.tests += from.tests
  into.invokes += from.invokes
}

/**
 * Buckets (only those with usage, by time), totals and previous totals. `rows` are of one width that divides
 * `w.bucketMs`, with buckets in [w.previousFrom, w.to); unique visitors are the union of the buckets' sketches.
 */
export function usageReport(rows: UsageAggregates, w: UsageWindow) {
  const buckets = new Map<number, Tally>()
  const previous = newTally()
  const tally = (bucket: number): Tally => {
    if (bucket < w.from) return previous
    const t = Math.floor(bucket / w.bucketMs) * w.bucketMs
    let entry = buckets.get(t)
    if (!entry) buckets.set(t, (entry = newTally()))
    return entry
  }
  const inWindow = (r: { bucket: number }) => r.bucket >= w.previousFrom && r.bucket < w.to
  for (const row of rows.counts) if (inWindow(row)) tally(row.bucket).counts[FIELD[row.action]] += row.count
  for (const row of rows.visitors) if (inWindow(row)) addVisitors(tally(row.bucket), VisitorSketch.decode(row.sketch))

  const totals: Tally = { ...newTally(), visitors: new VisitorSketch() }
  const sorted = [...buckets.entries()].sort(([a], [b]) => a - b)
  for (const [, entry] of sorted) {
    addCounts(totals.counts, entry.counts)
    if (entry.visitors) totals.visitors?.merge(entry.visitors)
  }
  return {
    buckets: sorted.map(([t, entry]): UsageBucket => ({ t, ...finish(entry) })),
    totals: finish(totals),
    previous: finish(previous),
  }
}

/** A server's usage section: its pre-aggregated rows at the widest width dividing the buckets, over both periods. */
export async function usageSection(store: Store, serverId: string, w: UsageWindow) {
  return usageReport(await store.usageAggregates(serverId, usageWidthFor(w.bucketMs), w.previousFrom, w.to), w)
}
