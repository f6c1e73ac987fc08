// What metrics-fetch answers (the servers list is in servers-list.ts, metrics-stream's messages in stream.ts).
// Timestamps are epoch milliseconds (`t`, `timestamp`) so charts use them as they are; ISO strings are given
// where people read them.
import type { EventDetails, EventType } from './events'
import type { MetricType } from './metric-types'
import type { Period, PeriodTier } from './periods'

/**
 * The values of one bucket. Every type has `count` and `sum`; gauges add `min max avg last`; timers add
 * `min max avg p50 p95 p99` (percentiles from the merged sketch, within 1 %). Counters are summed, never
 * averaged.
 */
export interface BucketValues {
  count: number
  sum: number
  min?: number
  max?: number
  avg?: number
  last?: number
  p50?: number
  p95?: number
  p99?: number
}

export interface MetricBucket extends BucketValues {
  /** Bucket start, epoch ms (UTC-aligned to the period's bucket size). */
  t: number
}

export interface MetricSeries {
  name: string
  type: MetricType
  /** Buckets that have data, oldest first; missing buckets had none. */
  buckets: MetricBucket[]
  /** The whole period. */
  summary: BucketValues | null
  /** The period of the same length just before, for "% change". */
  previous: BucketValues | null
}

/** Calls, errors and latency of one tool, resource, prompt or client over the period. */
export interface Breakdown {
  key: string
  calls: number
  /** Calls with outcome `error` or `tool_error`. */
  errors: number
  /** Calls with outcome `client_error` (the callers' mistakes, not in `errors`); absent when there were none. */
  client_errors?: number
  error_rate: number
  p50: number | null
  p95: number | null
}

/** Tool calls in one bucket, from `mcp.tool.calls` and `mcp.tool.duration` (all tools and clients). */
export interface CallBucket {
  t: number
  calls: number
  /** Calls with outcome `error` or `tool_error`. */
  errors: number
  /** Calls with outcome `client_error` (the callers' mistakes, not in `errors`); absent when there were none. */
  client_errors?: number
  p50: number | null
  p95: number | null
  p99: number | null
}

export interface CallSummary {
  calls: number
  errors: number
  /** Calls with outcome `client_error` (the callers' mistakes, not in `errors`); absent when there were none. */
  client_errors?: number
  error_rate: number | null
  p50: number | null
  p95: number | null
  p99: number | null
}

export interface UsageCounts {
  views: number
  installs: number
  tests: number
  invokes: number
  /** Distinct visitor hashes; they rotate daily, so over several days a returning visitor counts once a day. */
  unique_visitors: number
}

export interface UsageBucket extends UsageCounts {
  t: number
}

export interface FetchedEvent {
  type: EventType
  timestamp: number
  details: EventDetails
}

export interface MetricsFetchResponse {
  success: true
  server: { id: string; name: string; is_private: boolean; last_seen: number | null }
  period: Period
  /** The rollup tier the buckets were read from, named by its width (`PERIOD_SPECS[period].tier`). */
  tier: PeriodTier
  bucket_ms: number
  /** Period start and end, epoch ms. */
  from: number
  to: number
  metrics: MetricSeries[]
  /** The tab's headline: tool calls, errors and latency per bucket, and over the period and the one before. */
  calls: { buckets: CallBucket[]; summary: CallSummary; previous: CallSummary }
  breakdowns: { tools: Breakdown[]; resources: Breakdown[]; prompts: Breakdown[]; clients: Breakdown[] }
  usage: { buckets: UsageBucket[]; totals: UsageCounts; previous: UsageCounts }
  /** Events other than heartbeats, newest first (at most 500). */
  events: FetchedEvent[]
  /** Share of minutes in the period with a heartbeat (0–1); null before the first heartbeat. */
  availability: number | null
  previous_availability: number | null
}
