import type { Clock } from '../app/clock'
import type { RetentionConfig } from '../app/config'
import type { RetentionTarget, Store } from '../store/store'

const STEP_ROWS = 2_000
const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve))

/**
 * Deletes what is older than each tier's retention, a couple of thousand rows per transaction with the
 * event loop free between them, so a large purge never stalls ingest. Answers rows deleted per target.
 */
export async function applyRetention(store: Store, clock: Clock, retention: RetentionConfig): Promise<Partial<Record<RetentionTarget, number>>> {
  const now = clock()
  const limits: [RetentionTarget, number | null][] = [
    ['raw', retention.rawMs],
    ['minute', retention.minuteMs],
    ['hour', retention.hourMs],
    ['day', retention.dayMs],
    ['events', retention.eventsMs],
    ['usage', retention.usageMs],
    ['heartbeats', retention.heartbeatsMs],
  ]
  const deleted: Partial<Record<RetentionTarget, number>> = {}
  for (const [target, age] of limits) {
    if (age === null) continue
    let total = 0
    for (;;) {
      const n = await store.purge(target, now - age, STEP_ROWS)
      total += n
      if (n < STEP_ROWS) break
      await yieldToEventLoop()
    }
    if (total > 0) deleted[target] = total
  }
  return deleted
}
