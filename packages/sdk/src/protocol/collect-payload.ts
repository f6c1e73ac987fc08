// The metrics-collect body. Two point forms share one schema:
// - the seed's: `{ name, value, type, tags?, timestamp? }`, one observation;
// - the SDK's pre-aggregated: `{ name, type, count, sum, min, max, last?, sketch?, tags?, timestamp? }`, a whole
//   flush window of one series (timers carry a percentile sketch, gauges their last value).
// Both normalize to one `MetricPoint`, which is what the server stores.
import { z } from 'zod'
import { type EventDetails, type EventInput, eventInputSchema, type ServerEvent } from './events'
import {
  metricNameSchema,
  metricNumberSchema,
  serverIdSchema,
  tagsSchema,
  timestampSchema,
  timestampToMs,
} from './fields'
import {
  BATCH_ID_PATTERN,
  MAX_ABS_VALUE,
  MAX_BATCH_ID_LENGTH,
  MAX_EVENTS_PER_BATCH,
  MAX_FUTURE_SKEW_MS,
  MAX_POINT_AGE_MS,
  MAX_POINTS_PER_BATCH,
} from './limits'
import { METRIC_TYPE_ALIASES, type MetricType, type MetricTypeInput, normalizeMetricType } from './metric-types'
import { Sketch, type SketchJSON, sketchCount } from './sketch'
import { sketchJsonSchema } from './sketch-schema'
import type { Tags } from './tags'
import { type FastPoint, fastPoint } from './fast-point'
import { formatPath, issuesFromZod, type ParseResult, type ValidationIssue } from './validation'

const metricTypeInputSchema = z.enum(Object.keys(METRIC_TYPE_ALIASES) as [MetricTypeInput, ...MetricTypeInput[]])

export const metricPointInputSchema = z
  .object({
    name: metricNameSchema,
    type: metricTypeInputSchema,
    value: metricNumberSchema.optional(),
    count: z.number().int().positive().max(MAX_ABS_VALUE).optional(),
    sum: metricNumberSchema.optional(),
    min: metricNumberSchema.optional(),
    max: metricNumberSchema.optional(),
    last: metricNumberSchema.optional(),
    sketch: sketchJsonSchema.optional(),
    tags: tagsSchema.optional(),
    timestamp: timestampSchema.optional(),
  })
  .superRefine((p, ctx) => {
    const issue = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message })
    const type = normalizeMetricType(p.type)
    const aggregated = ['count', 'sum', 'min', 'max', 'last', 'sketch'].filter(
      (k) => p[k as keyof typeof p] !== undefined,
    )
    if (p.value !== undefined) {
      if (aggregated.length > 0) issue(aggregated[0] as string, 'send either value or count/sum/…, not both')
      if (type === 'timer' && p.value < 0) issue('value', 'timer values are durations and cannot be negative')
      return
    }
    if (p.count === undefined) return issue('value', 'value is required (or count and sum for an aggregated point)')
    if (p.sum === undefined) return issue('sum', 'sum is required with count')
    if (type === 'counter') return
    if (p.min === undefined) return issue('min', `min is required for an aggregated ${type}`)
    if (p.max === undefined) return issue('max', `max is required for an aggregated ${type}`)
    if (p.min > p.max) return issue('min', 'min must not exceed max')
    if (type === 'gauge' && p.last === undefined) return issue('last', 'last is required for an aggregated gauge')
    if (type === 'timer') {
      if (p.min < 0) return issue('min', 'timer values are durations and cannot be negative')
      if (!p.sketch) return issue('sketch', 'sketch is required for an aggregated timer')
      if (sketchCount(p.sketch) !== p.count) issue('sketch', 'sketch counts must add up to count')
    }
  })
/** A point on the wire: one `value`, or a pre-aggregated window (`count`, `sum`, …). */
export interface MetricPointInput {
  name: string
  type: MetricTypeInput
  value?: number
  count?: number
  sum?: number
  min?: number
  max?: number
  last?: number
  sketch?: SketchJSON
  tags?: Tags
  /** Epoch milliseconds or ISO 8601 with offset. */
  timestamp?: number | string
}

const batchIdSchema = z
  .string()
  .min(1)
  .max(MAX_BATCH_ID_LENGTH)
  .regex(BATCH_ID_PATTERN, 'must hold only letters, digits, _ . : -')

/** Everything of a collect body but its points. */
const collectEnvelopeSchema = z.object({
  server_id: serverIdSchema.optional(),
  batch_id: batchIdSchema.optional(),
  events: z.array(eventInputSchema).max(MAX_EVENTS_PER_BATCH).optional(),
  sdk: z.object({ name: z.string().min(1).max(64), version: z.string().min(1).max(64) }).optional(),
})

export const collectBatchInputSchema = collectEnvelopeSchema
  .extend({ metrics: z.array(metricPointInputSchema).max(MAX_POINTS_PER_BATCH).optional() })
  .refine((b) => (b.metrics?.length ?? 0) + (b.events?.length ?? 0) > 0, {
    message: 'a batch needs at least one metric or event',
    path: ['metrics'],
  })
/** A metrics-collect body on the wire. */
export interface CollectBatchInput {
  server_id?: string
  batch_id?: string
  metrics?: MetricPointInput[]
  events?: EventInput[]
  sdk?: { name: string; version: string }
}

/** One stored point: a single observation or a pre-aggregated window, in one shape. */
export interface MetricPoint {
  name: string
  type: MetricType
  /** Tags with keys sorted, so equal series serialize equally. */
  tags: Tags
  /** Epoch milliseconds. */
  timestamp: number
  count: number
  sum: number
  min: number
  max: number
  last: number
  /** Timers only. */
  sketch?: SketchJSON | undefined
}

/** A validated collect batch. */
export interface CollectBatch {
  serverId: string
  batchId?: string
  points: MetricPoint[]
  events: ServerEvent[]
  sdk?: { name: string; version: string }
}

/** Tags with keys in sorted order: the object itself when it already is (as the SDK sends them). */
export function sortTags(tags: Tags | undefined): Tags {
  if (!tags) return {}
  const keys = Object.keys(tags)
  let sorted = true
  for (let i = 1; i < keys.length && sorted; i++) sorted = (keys[i - 1] as string) < (keys[i] as string)
  if (sorted) return tags
  const out: Tags = {}
  for (const key of keys.sort()) out[key] = tags[key] as string
  return out
}

type ParsedPoint = z.output<typeof metricPointInputSchema> | FastPoint

// One object literal with every field, in one order: object spreads and late-added fields here cost more
// than everything else on the ingest path together.
function normalizePoint(p: ParsedPoint, timestamp: number): MetricPoint {
  const type = normalizeMetricType(p.type)
  const tags = sortTags(p.tags)
  if (p.value !== undefined) {
    const v = p.value
    return { name: p.name, type, tags, timestamp, count: 1, sum: v, min: v, max: v, last: v, sketch: type === 'timer' ? Sketch.of([v]).toJSON() : undefined }
  }
  const sum = p.sum as number
  return {
    name: p.name,
    type,
    tags,
    timestamp,
    count: p.count as number,
    sum,
    min: p.min ?? sum,
    max: p.max ?? sum,
    last: p.last ?? sum,
    sketch: type === 'timer' ? p.sketch : undefined,
  }
}

export interface CollectParseOptions {
  /** Now, epoch milliseconds (injectable for tests). */
  nowMs: number
  /** Server id from the URL path, used when the body has none; a body id must then match it. */
  serverId?: string
  /** Oldest accepted point age; defaults to {@link MAX_POINT_AGE_MS}. */
  maxAgeMs?: number
}

/** Validates a collect body, checks every timestamp against the accepted window, and normalizes it. */
export function parseCollectBatch(input: unknown, options: CollectParseOptions): ParseResult<CollectBatch> {
  const early = checkArrayLengths(input)
  if (early) return { ok: false, issues: [early] }
  let body: { server_id?: string; batch_id?: string; metrics?: ParsedPoint[]; events?: z.output<typeof eventInputSchema>[]; sdk?: { name: string; version: string } }
  const fast = fastParse(input)
  if (fast) body = fast
  else {
    const result = collectBatchInputSchema.safeParse(input)
    if (!result.success) return { ok: false, issues: issuesFromZod(result.error) }
    body = result.data
  }

  const issues: ValidationIssue[] = []
  const serverId = body.server_id ?? options.serverId
  if (serverId === undefined) {
    issues.push({ path: 'server_id', code: 'invalid_type', message: 'server_id is required' })
  } else if (options.serverId !== undefined && body.server_id !== undefined && body.server_id !== options.serverId) {
    issues.push({ path: 'server_id', code: 'custom', message: 'server_id differs from the one in the URL' })
  }

  const oldest = options.nowMs - (options.maxAgeMs ?? MAX_POINT_AGE_MS)
  const newest = options.nowMs + MAX_FUTURE_SKEW_MS
  const when = (value: string | number | undefined, path: (string | number)[]): number => {
    if (value === undefined) return options.nowMs
    const ms = timestampToMs(value)
    if (ms < oldest) issues.push({ path: formatPath(path), code: 'too_old', message: 'timestamp is older than the raw retention' })
    else if (ms > newest) issues.push({ path: formatPath(path), code: 'too_new', message: 'timestamp is more than 5 minutes ahead' })
    return ms
  }

  const points = (body.metrics ?? []).map((p, i) => normalizePoint(p, when(p.timestamp, ['metrics', i, 'timestamp'])))
  const events = (body.events ?? []).map(
    (e, i): ServerEvent => ({
      type: e.type,
      timestamp: when(e.timestamp, ['events', i, 'timestamp']),
      details: (e.details ?? {}) as EventDetails,
    }),
  )
  if (issues.length > 0) return { ok: false, issues }
  return {
    ok: true,
    value: {
      serverId: serverId as string,
      ...(body.batch_id !== undefined && { batchId: body.batch_id }),
      points,
      events,
      ...(body.sdk !== undefined && { sdk: body.sdk }),
    },
  }
}

/** The batch when every point passes the fast path (see fast-point.ts) and the rest passes its schema. */
function fastParse(input: unknown) {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return undefined
  const { metrics, ...rest } = input as { metrics?: unknown }
  if (!Array.isArray(metrics)) return undefined
  const points: FastPoint[] = []
  for (const p of metrics) {
    const point = fastPoint(p)
    if (!point) return undefined
    points.push(point)
  }
  const envelope = collectEnvelopeSchema.safeParse(rest)
  if (!envelope.success || points.length + (envelope.data.events?.length ?? 0) === 0) return undefined
  return { ...envelope.data, metrics: points }
}

/** Refuses oversized arrays before validating every element of them. */
function checkArrayLengths(input: unknown): ValidationIssue | undefined {
  if (typeof input !== 'object' || input === null) return undefined
  const { metrics, events } = input as { metrics?: unknown; events?: unknown }
  if (Array.isArray(metrics) && metrics.length > MAX_POINTS_PER_BATCH) {
    return { path: 'metrics', code: 'too_big', message: `at most ${MAX_POINTS_PER_BATCH} points per batch` }
  }
  if (Array.isArray(events) && events.length > MAX_EVENTS_PER_BATCH) {
    return { path: 'events', code: 'too_big', message: `at most ${MAX_EVENTS_PER_BATCH} events per batch` }
  }
  return undefined
}
