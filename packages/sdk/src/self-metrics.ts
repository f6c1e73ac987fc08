import type { MetricPointInput } from './protocol/index'

/**
 * The SDK's own counters: what it had to drop or refuse, sent as `mcpdir.sdk.*` counters in the next batch
 * so an author sees loss on the dashboard instead of silently missing data.
 */
export class SelfMetrics {
  /** Updates with a non-finite, negative (timers, counters) or oversized value, or an invalid name or tags. */
  invalidValues = 0
  /** Updates folded into an overflow series because the window's series limit was reached. */
  droppedSeries = 0
  /** Events beyond the per-window bound. */
  droppedEvents = 0
  /** Batches dropped because the queue was full (oldest first), and the points in them (own counters aside). */
  droppedBatches = 0
  droppedPoints = 0
  /** Batches the service refused for good (4xx other than 408/413/429). */
  rejectedBatches = 0

  /** Counts a batch dropped unsent (queue or spool full). */
  dropBatch(serializedPoints: readonly string[]): void {
    this.droppedBatches++
    this.droppedPoints += serializedPoints.length - this.restore(serializedPoints)
  }

  /**
   * Adds back the counts a dropped batch was carrying, so a report lost with its batch is sent again later
   * rather than lost: every drop is eventually reported exactly once.
   */
  private restore(serializedPoints: readonly string[]): number {
    let restored = 0
    for (const json of serializedPoints) {
      if (!json.startsWith('{"name":"mcpdir.sdk.')) continue
      const { name, sum } = JSON.parse(json) as { name: string; sum: number }
      const field = FIELDS[name.slice('mcpdir.sdk.'.length)]
      if (field) this[field] += sum
      restored++
    }
    return restored
  }

  collect(timestamp: number): MetricPointInput[] {
    const points: MetricPointInput[] = []
    const add = (name: string, value: number) => {
      if (value > 0) points.push({ name: `mcpdir.sdk.${name}`, type: 'counter', count: 1, sum: value, timestamp })
    }
    add('invalid_values', this.invalidValues)
    add('dropped_series', this.droppedSeries)
    add('dropped_events', this.droppedEvents)
    add('dropped_batches', this.droppedBatches)
    add('dropped_points', this.droppedPoints)
    add('rejected_batches', this.rejectedBatches)
    this.invalidValues = 0
    this.droppedSeries = 0
    this.droppedEvents = 0
    this.droppedBatches = 0
    this.droppedPoints = 0
    this.rejectedBatches = 0
    return points
  }
}

type Counts = 'invalidValues' | 'droppedSeries' | 'droppedEvents' | 'droppedBatches' | 'droppedPoints' | 'rejectedBatches'

const FIELDS: Record<string, Counts> = {
  invalid_values: 'invalidValues',
  dropped_series: 'droppedSeries',
  dropped_events: 'droppedEvents',
  dropped_batches: 'droppedBatches',
  dropped_points: 'droppedPoints',
  rejected_batches: 'rejectedBatches',
}
