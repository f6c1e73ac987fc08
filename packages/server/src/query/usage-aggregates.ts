// Usage pre-aggregated as it is recorded: per server, bucket width, bucket and action a count, and per server,
// width and bucket a sketch of the unique visitors. Every width a period's buckets need is kept, so a usage
// section reads about buckets × actions rows whatever the traffic.
import { PERIOD_TIERS, type PeriodTier, TIER_MS, USAGE_ACTIONS, type UsageAction } from '@mcpdir/metrics/protocol'
import type { UsageRow } from '../store/store'
import { hash53, VisitorSketch } from './visitor-sketch'

/**
 * The bucket widths usage is kept at, named as the metric tiers of the same width (and purged at their ages);
 * a period's buckets read the widest that divides them. Every tier a period reads has one (`PeriodTier`).
 */
export const USAGE_WIDTHS = Object.fromEntries(PERIOD_TIERS.map((tier) => [tier, TIER_MS[tier]])) as Record<PeriodTier, number>

/** The widest kept width dividing `bucketMs` (10-minute buckets read the 5-minute rows). */
export function usageWidthFor(bucketMs: number): number {
  const widths = Object.values(USAGE_WIDTHS).filter((width) => bucketMs % width === 0)
  const widest = widths.at(-1)
  if (widest === undefined) throw new Error(`no usage width divides buckets of ${bucketMs} ms`)
  return widest
}

/** What some usage adds to one count row. */
export interface UsageCountDelta {
  serverId: string
  width: number
  bucket: number
  action: UsageAction
  count: number
}

/** What some usage adds to one bucket's visitors. */
export interface UsageVisitorsDelta {
  serverId: string
  width: number
  bucket: number
  sketch: VisitorSketch
}

const WIDTHS: readonly number[] = Object.values(USAGE_WIDTHS)

/** One (server, width, bucket) being aggregated: its counts per action and its visitors. */
interface Entry {
  serverId: string
  width: number
  bucket: number
  counts: Record<UsageAction, number>
  sketch: VisitorSketch
}

const byKey = (a: Entry, b: Entry) => (a.serverId < b.serverId ? -1 : a.serverId > b.serverId ? 1 : a.width - b.width || a.bucket - b.bucket)

/**
 * What usage rows add at every width: counts per (server, width, bucket, action) and a visitor sketch per
 * (server, width, bucket). Sorted by key, so writers sharing a database lock rows in one order.
 */
export function aggregateUsage(rows: readonly Pick<UsageRow, 'serverId' | 'action' | 'visitorHash' | 'timestamp'>[]) {
  // per width: server → bucket index → entry. Bucket indexes (time / width) are small integers, so the maps
  // neither build key strings nor box numbers per row and width; the visitor is hashed once for all widths.
  const byWidth = WIDTHS.map(() => new Map<string, Map<number, Entry>>())
  const entries: Entry[] = []
  for (const row of rows) {
    const hash = hash53(row.visitorHash)
    for (let i = 0; i < WIDTHS.length; i++) {
      const width = WIDTHS[i] as number
      const index = Math.floor(row.timestamp / width)
      const servers = byWidth[i] as Map<string, Map<number, Entry>>
      let buckets = servers.get(row.serverId)
      if (!buckets) servers.set(row.serverId, (buckets = new Map()))
      let entry = buckets.get(index)
      if (!entry) {
        entry = { serverId: row.serverId, width, bucket: index * width, counts: { view: 0, install: 0, test: 0, invoke: 0 }, sketch: new VisitorSketch() }
        buckets.set(index, entry)
        entries.push(entry)
      }
      entry.counts[row.action]++
      entry.sketch.addHash(hash)
    }
  }
  entries.sort(byKey)
  return {
    counts: entries.flatMap((e) =>
      USAGE_ACTIONS.filter((action) => e.counts[action] > 0).map((action): UsageCountDelta => ({ serverId: e.serverId, width: e.width, bucket: e.bucket, action, count: e.counts[action] })),
    ),
    visitors: entries.map(({ serverId, width, bucket, sketch }): UsageVisitorsDelta => ({ serverId, width, bucket, sketch })),
  }
}
