// The usage section as release 0 computed it, from every raw usage row of the period and the one before: the
// brute-force reference the pre-aggregated usage is checked against (conformance and migration tests).
import type { UsageAction, UsageBucket, UsageCounts } from '@mcpdir/metrics/protocol'
import { expect } from 'vitest'
import { HLL_STANDARD_ERROR, SPARSE_LIMIT } from '../../query/visitor-sketch'
import type { UsageWindow } from '../../query/usage-report'

/** A raw usage row as `server_usage` holds it. */
export interface RawUsage {
  action: UsageAction
  visitorHash: string
  timestamp: number
}

const FIELD = { view: 'views', install: 'installs', test: 'tests', invoke: 'invokes' } as const

function countUsage(rows: readonly RawUsage[]): UsageCounts {
  const counts: UsageCounts = { views: 0, installs: 0, tests: 0, invokes: 0, unique_visitors: 0 }
  const visitors = new Set<string>()
  for (const row of rows) {
    counts[FIELD[row.action]]++
    visitors.add(row.visitorHash)
  }
  counts.unique_visitors = visitors.size
  return counts
}

/** Release 0's `usageReport`, unchanged. */
export function referenceUsageReport(rows: readonly RawUsage[], w: UsageWindow) {
  const current = rows.filter((r) => r.timestamp >= w.from && r.timestamp < w.to)
  const byBucket = new Map<number, RawUsage[]>()
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

/**
 * Checks a usage section against the reference: the same buckets, counts exactly, unique visitors exactly up
 * to the sketch's exact limit and within three standard errors of the HyperLogLog above it.
 */
export function expectUsageMatches(actual: ReturnType<typeof referenceUsageReport>, expected: ReturnType<typeof referenceUsageReport>, label: string) {
  const split = (c: UsageCounts) => {
    const { unique_visitors, ...counts } = c
    return { counts, unique_visitors }
  }
  const pairs: [UsageCounts, UsageCounts, string][] = [
    [actual.totals, expected.totals, 'totals'],
    [actual.previous, expected.previous, 'previous'],
    ...expected.buckets.map((b, i): [UsageCounts, UsageCounts, string] => [actual.buckets[i] as UsageCounts, b, `bucket ${b.t}`]),
  ]
  expect(actual.buckets.map((b) => b.t), `${label}: bucket times`).toEqual(expected.buckets.map((b) => b.t))
  for (const [a, e, where] of pairs) {
    const got = split(a)
    const want = split(e)
    expect(got.counts, `${label} ${where}`).toEqual(want.counts)
    if (want.unique_visitors <= SPARSE_LIMIT) expect(got.unique_visitors, `${label} ${where}: unique visitors`).toBe(want.unique_visitors)
    else expect(Math.abs(got.unique_visitors - want.unique_visitors), `${label} ${where}: unique visitors ${got.unique_visitors} for ${want.unique_visitors}`).toBeLessThanOrEqual(3 * HLL_STANDARD_ERROR * want.unique_visitors)
  }
}
