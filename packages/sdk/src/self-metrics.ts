import { type MetricPointInput, SDK_METRIC_PREFIX, SDK_SELF_METRICS, type SdkSelfMetric } from './protocol/index'

/**
 * The SDK's own counters: what it had to drop or refuse, sent as `mcpdir.sdk.*` counters in the next batch
 * so an author sees loss on the dashboard instead of silently missing data. Each field is sent under its
 * name in the protocol's `SDK_SELF_METRICS`.
 */
export class SelfMetrics {
  /**
   * Updates refused: a value that is not a number, not finite, beyond ±MAX_ABS_VALUE or negative (timers,
   * counters); an invalid or unreadable name or tags; `time()` given a non-function.
   */
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
      if (!json.startsWith(SELF_POINT_START)) continue
      const { name, sum } = JSON.parse(json) as { name: string; sum: number }
      const field = FIELD_BY_NAME.get(name)
      if (field) this[field] += sum
      restored++
    }
    return restored
  }

  collect(timestamp: number): MetricPointInput[] {
    const points: MetricPointInput[] = []
    for (const field of FIELDS) {
      const value = this[field]
      if (value > 0) points.push({ name: SDK_SELF_METRICS[field], type: 'counter', count: 1, sum: value, timestamp })
      this[field] = 0
    }
    return points
  }
}

/** The fields, in the order their points are sent. */
const FIELDS = Object.keys(SDK_SELF_METRICS) as SdkSelfMetric[]
const FIELD_BY_NAME = new Map<string, SdkSelfMetric>(FIELDS.map((field) => [SDK_SELF_METRICS[field], field]))
/** How a serialized self-metric point starts (points serialize `name` first). */
const SELF_POINT_START = `{"name":${JSON.stringify(SDK_METRIC_PREFIX)}`.slice(0, -1)
