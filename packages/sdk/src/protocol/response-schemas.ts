// Zod schemas of what the service answers, one per response, each checked at compile time against the
// protocol's interface for it (below), so a schema and its type cannot drift apart. They are strict: a field
// this version does not define is refused, which is what docs/protocol.md's examples and the service's own
// tests are checked with. A client that must tolerate fields added by later versions should not parse with
// them. Browser bundles that do not import these do not carry zod (each protocol module is its own chunk).
import { z } from 'zod'
import type { MetricsAggregateResponse } from './aggregate'
import { BADGE_COLORS, BADGE_STYLES, type BadgeEndpointResponse } from './badges'
import { ERROR_CODES, type ErrorResponse } from './error-envelope'
import { EVENT_TYPES } from './events'
import type { BucketValues, MetricsFetchResponse } from './fetch-response'
import { METRIC_TYPES } from './metric-types'
import { PERIOD_TIERS, PERIODS } from './periods'
import { SERVER_SORTS, type ServersListResponse, SORT_ORDERS } from './servers-list'
import { sketchJsonSchema } from './sketch-schema'
import type { StreamEvent, StreamMessages } from './stream'
import type { StreamTokenResponse } from './stream-token'
import { USAGE_ACTIONS } from './usage'

const epochMs = z.number().int().nonnegative()
const whole = z.number().int().nonnegative()
const share = z.number().min(0).max(1)
const maybe = z.number().nullable()
const detailsSchema = z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()]))

/** The body of every refusal and failure, `ErrorResponse`. */
export const errorResponseSchema = z.strictObject({
  success: z.literal(false),
  error: z.strictObject({ code: z.enum(ERROR_CODES), message: z.string(), path: z.string().optional() }),
})

/** What metrics-collect and server-events answer for a batch they took. */
export const collectResponseSchema = z.strictObject({
  success: z.literal(true),
  /** Points in the batch (also for a duplicate, which stores nothing again). */
  metrics_processed: whole,
  /** server-events only: events in the batch. */
  events_processed: whole.optional(),
  /** Present when the batch id was seen within the dedupe window: acknowledged, not stored again. */
  duplicate: z.literal(true).optional(),
})
export type CollectResponse = z.infer<typeof collectResponseSchema>

/** What usage-track answers; `recorded` is false for bots and for unknown or disabled servers. */
export const usageTrackResponseSchema = z.strictObject({ success: z.literal(true), recorded: z.boolean() })
export type UsageTrackResponse = z.infer<typeof usageTrackResponseSchema>

/** What `GET /healthz` answers: 200 with `ok`, 503 with `unavailable`. */
export const healthzResponseSchema = z.strictObject({
  status: z.enum(['ok', 'unavailable']),
  database: z.enum(['sqlite', 'postgres']),
  uptime_seconds: whole,
})
export type HealthzResponse = z.infer<typeof healthzResponseSchema>

const bucketValuesShape = {
  count: z.number(),
  sum: z.number(),
  min: z.number().optional(),
  max: z.number().optional(),
  avg: z.number().optional(),
  last: z.number().optional(),
  p50: z.number().optional(),
  p95: z.number().optional(),
  p99: z.number().optional(),
}
const bucketValuesSchema = z.strictObject(bucketValuesShape)
const usageCountsShape = { views: whole, installs: whole, tests: whole, invokes: whole, unique_visitors: whole }
const breakdownSchema = z.strictObject({
  key: z.string(),
  calls: whole,
  errors: whole,
  client_errors: whole.optional(),
  error_rate: z.number(),
  p50: maybe,
  p95: maybe,
})
const callsShape = { calls: whole, errors: whole, client_errors: whole.optional(), p50: maybe, p95: maybe, p99: maybe }
const callSummarySchema = z.strictObject({ ...callsShape, error_rate: maybe })
const fetchedEventSchema = z.strictObject({ type: z.enum(EVENT_TYPES), timestamp: epochMs, details: detailsSchema })

/** What metrics-fetch answers, `MetricsFetchResponse`. */
export const metricsFetchResponseSchema = z.strictObject({
  success: z.literal(true),
  server: z.strictObject({ id: z.string(), name: z.string(), is_private: z.boolean(), last_seen: epochMs.nullable() }),
  period: z.enum(PERIODS),
  tier: z.enum(PERIOD_TIERS),
  bucket_ms: z.number().int().positive(),
  from: epochMs,
  to: epochMs,
  metrics: z.array(
    z.strictObject({
      name: z.string(),
      type: z.enum(METRIC_TYPES),
      buckets: z.array(z.strictObject({ t: epochMs, ...bucketValuesShape })),
      summary: bucketValuesSchema.nullable(),
      previous: bucketValuesSchema.nullable(),
    }),
  ),
  calls: z.strictObject({
    buckets: z.array(z.strictObject({ t: epochMs, ...callsShape })),
    summary: callSummarySchema,
    previous: callSummarySchema,
  }),
  breakdowns: z.strictObject({
    tools: z.array(breakdownSchema),
    resources: z.array(breakdownSchema),
    prompts: z.array(breakdownSchema),
    clients: z.array(breakdownSchema),
  }),
  usage: z.strictObject({
    buckets: z.array(z.strictObject({ t: epochMs, ...usageCountsShape })),
    totals: z.strictObject(usageCountsShape),
    previous: z.strictObject(usageCountsShape),
  }),
  events: z.array(fetchedEventSchema),
  availability: share.nullable(),
  previous_availability: share.nullable(),
})

const headlineShape = {
  calls: whole,
  errors: whole,
  error_rate: maybe,
  p50_ms: maybe,
  p95_ms: maybe,
  availability: share.nullable(),
  views: whole,
  installs: whole,
  unique_visitors: whole,
}

/** What the servers list answers, `ServersListResponse`. */
export const serversListResponseSchema = z.strictObject({
  success: z.literal(true),
  period: z.enum(PERIODS),
  sort: z.enum(SERVER_SORTS),
  order: z.enum(SORT_ORDERS),
  from: epochMs,
  to: epochMs,
  servers: z.array(
    z.strictObject({
      id: z.string(),
      name: z.string(),
      is_private: z.boolean(),
      last_seen: epochMs.nullable(),
      ...headlineShape,
      previous: z.strictObject(headlineShape),
    }),
  ),
  next_cursor: z.string().nullable(),
  total: whole,
  computed_at: epochMs,
})

/** What metrics-aggregate answers, `MetricsAggregateResponse`. */
export const metricsAggregateResponseSchema = z.strictObject({
  success: z.literal(true),
  date: z.iso.date(),
  metrics_aggregated: whole,
  retention_days: z.number().int().positive(),
  deleted: z.record(z.string(), whole.optional()),
})

const streamPointSchema = z.strictObject({
  name: z.string(),
  type: z.enum(METRIC_TYPES),
  tags: z.record(z.string(), z.string()),
  timestamp: epochMs,
  ...bucketValuesShape,
  sketch: sketchJsonSchema.optional(),
})

/** The `data` of each metrics-stream event, `StreamMessages`, by event name. */
export const streamMessageSchemas = {
  ready: z.strictObject({ server_id: z.string() }),
  metrics: z.strictObject({ server_id: z.string(), received_at: epochMs, points: z.array(streamPointSchema), events: z.array(fetchedEventSchema) }),
  heartbeat: z.strictObject({ server_id: z.string(), timestamp: epochMs }),
  usage: z.strictObject({ server_id: z.string(), timestamp: epochMs, actions: z.array(z.enum(USAGE_ACTIONS)) }),
  overflow: z.strictObject({ reason: z.string() }),
} satisfies { [K in StreamEvent]: z.ZodType }

/** What `POST` metrics-stream/token answers, `StreamTokenResponse`: a short-lived token for `?stream_token=`. */
export const streamTokenResponseSchema = z.strictObject({
  success: z.literal(true),
  server_id: z.string(),
  token: z.string().min(1),
  expires_at: epochMs,
})

/** What `GET /badge/{server_id}/{metric}.json` answers, `BadgeEndpointResponse`: a shields.io endpoint badge. */
export const badgeEndpointResponseSchema = z.strictObject({
  schemaVersion: z.literal(1),
  label: z.string(),
  message: z.string().min(1),
  color: z.enum(BADGE_COLORS),
  cacheSeconds: whole,
  style: z.enum(BADGE_STYLES).optional(),
})

// Compile-time checks: each schema's output is the very type the protocol's interface for it declares (a field
// missing, added, optional or typed differently on either side fails to compile).
type Same<X, Y> = (<T>() => T extends X ? 1 : 2) extends <T>() => T extends Y ? 1 : 2 ? true : false
type Holds<T extends true> = T
type _ResponseSchemasMatchTheirTypes = [
  Holds<Same<z.infer<typeof errorResponseSchema>, ErrorResponse>>,
  Holds<Same<z.infer<typeof bucketValuesSchema>, BucketValues>>,
  Holds<Same<z.infer<typeof metricsFetchResponseSchema>, MetricsFetchResponse>>,
  Holds<Same<z.infer<typeof serversListResponseSchema>, ServersListResponse>>,
  Holds<Same<z.infer<typeof metricsAggregateResponseSchema>, MetricsAggregateResponse>>,
  Holds<Same<z.infer<typeof streamTokenResponseSchema>, StreamTokenResponse>>,
  Holds<Same<z.infer<typeof badgeEndpointResponseSchema>, BadgeEndpointResponse>>,
  Holds<Same<{ [K in StreamEvent]: z.infer<(typeof streamMessageSchemas)[K]> }, StreamMessages>>,
]
