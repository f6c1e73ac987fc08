import { TIERS } from '@mcpdir/metrics/protocol'
import type { Clock } from '../app/clock'
import { type RetentionConfig, tierRetentionMs } from '../app/config'
import type { PurgeStep, RetentionTarget, Store } from '../store/store'
import { USAGE_WIDTHS } from './usage-aggregates'

const STEP_ROWS = 2_000
const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve))

/** How long usage aggregates of each width (ms) are kept: the age of the metric tier of that width. */
export function usageAggregateAges(retention: RetentionConfig): [width: number, age: number | null][] {
  return Object.entries(USAGE_WIDTHS).map(([tier, width]) => [width, tierRetentionMs(retention, tier as keyof typeof USAGE_WIDTHS)])
}

/** Runs `purge(limit)` in steps until a step deletes less than a full one; answers what was deleted. */
async function purgeInSteps(purge: (limit: number) => Promise<PurgeStep>): Promise<number> {
  let total = 0
  for (;;) {
    const step = await purge(STEP_ROWS)
    total += step.deleted
    if (step.rows < STEP_ROWS) return total
    await yieldToEventLoop()
  }
}

/**
 * Deletes what is older than each tier's retention, a couple of thousand rows per transaction with the
 * event loop free between them, so a large purge never stalls ingest. Answers what was deleted per target:
 * raw points for `raw`, rows otherwise.
 */
export async function applyRetention(store: Store, clock: Clock, retention: RetentionConfig): Promise<Partial<Record<RetentionTarget, number>>> {
  const now = clock()
  const limits: [RetentionTarget, number | null][] = [
    ['raw', retention.rawMs],
    ...TIERS.map((tier): [RetentionTarget, number | null] => [tier, tierRetentionMs(retention, tier)]),
    ['events', retention.eventsMs],
    ['usage', retention.usageMs],
    ['heartbeats', retention.heartbeatsMs],
  ]
  const deleted: Partial<Record<RetentionTarget, number>> = {}
  for (const [target, age] of limits) {
    if (age === null) continue
    const total = await purgeInSteps((limit) => store.purge(target, now - age, limit))
    if (total > 0) deleted[target] = total
  }
  // usage aggregates count as usage rows
  for (const [width, age] of usageAggregateAges(retention)) {
    if (age === null) continue
    const total = await purgeInSteps(async (limit) => {
      const rows = await store.purgeUsageAggregates(width, now - age, limit)
      return { rows, deleted: rows }
    })
    if (total > 0) deleted.usage = (deleted.usage ?? 0) + total
  }
  return deleted
}
