// metrics-fetch in the seed's shape (`format=seed`): what the seed design's own front end reads, so a directory
// built on it can switch its backend to this service without touching its UI. The service maps its normal
// report (`MetricsFetchResponse`) onto it; nothing is computed apart.
import { z } from 'zod'
import { PERIODS, type Period } from './periods'

/** metrics-fetch's `format` parameter: the report (`MetricsFetchResponse`, the default) or the seed's shape. */
export const METRICS_FETCH_FORMATS = ['report', 'seed'] as const
/** One of {@link METRICS_FETCH_FORMATS}. */
export type MetricsFetchFormat = (typeof METRICS_FETCH_FORMATS)[number]
/** The query parameter of metrics-fetch that picks the answer's shape. */
export const METRICS_FETCH_FORMAT_PARAM = 'format'

/**
 * The metric names each seed series is read from, in order of preference: the first one the report has wins
 * (the SDK's MCP instrumentation first, then the names servers sending the seed's own payload use). Whatever
 * series is not read into one of these, and is not the instrumentation's own (`isBuiltInMetric`), is in
 * `other_metrics` under its name.
 */
export const SEED_METRIC_SOURCES = {
  latency: ['mcp.tool.duration', 'response_time', 'latency'],
  requests: ['mcp.tool.calls', 'requests', 'request_count'],
  memory: ['memory_usage', 'memory'],
  uptime: ['uptime'],
} as const satisfies Record<string, readonly string[]>

/**
 * One point of a seed series: the bucket's start (ISO 8601, UTC) and its value (a counter's sum, a gauge's or
 * timer's average; usage counts; availability in percent).
 */
export interface SeedMetricPoint {
  timestamp: string
  value: number
}

/** The `metrics` of a seed-shaped answer: one series of points per field, oldest first, buckets with data only. */
export interface SeedServerMetrics {
  server_id: string
  server_name: string
  period: Period
  /**
   * The server's own `uptime` series when it sends one; otherwise its availability over the period in percent
   * (share of ended minutes with a heartbeat × 100) as one point at the period's start, none before a heartbeat.
   */
  uptime: SeedMetricPoint[]
  /** Average duration per bucket, in ms (see {@link SEED_METRIC_SOURCES}). */
  latency: SeedMetricPoint[]
  /** Calls per bucket. */
  requests: SeedMetricPoint[]
  /** Average per bucket. */
  memory: SeedMetricPoint[]
  /** Page views per bucket (usage-track). */
  views: SeedMetricPoint[]
  /** Installs per bucket (usage-track). */
  installs: SeedMetricPoint[]
  /** Every other series the server sends, by name (a name sent with two types: the second as `name:type`). */
  other_metrics: Record<string, SeedMetricPoint[]>
}

/** What metrics-fetch answers with `format=seed`. Refusals are the usual `ErrorResponse`. */
export interface SeedMetricsFetchResponse {
  success: true
  metrics: SeedServerMetrics
}

const seedPointsSchema = z.array(z.strictObject({ timestamp: z.iso.datetime(), value: z.number() }))

/** Validates a {@link SeedMetricsFetchResponse} (strict: a field this version does not define is refused). */
export const seedMetricsFetchResponseSchema = z.strictObject({
  success: z.literal(true),
  metrics: z.strictObject({
    server_id: z.string(),
    server_name: z.string(),
    period: z.enum(PERIODS),
    uptime: seedPointsSchema,
    latency: seedPointsSchema,
    requests: seedPointsSchema,
    memory: seedPointsSchema,
    views: seedPointsSchema,
    installs: seedPointsSchema,
    other_metrics: z.record(z.string(), seedPointsSchema),
  }),
})

// Compile-time check: the schema's output is exactly the interface.
type Same<X, Y> = (<T>() => T extends X ? 1 : 2) extends <T>() => T extends Y ? 1 : 2 ? true : false
type Holds<T extends true> = T
type _SeedSchemaMatchesItsType = Holds<Same<z.infer<typeof seedMetricsFetchResponseSchema>, SeedMetricsFetchResponse>>
