// A decoded OTLP request into what the store takes: points ready to store (deltas, gauges), cumulative points
// to turn into deltas against their stored state (temporality.ts), the services' versions, and the data points
// refused, each with a reason (OTLP's partial success). Structurally invalid data (histogram bucket counts that do
// not add up, bounds not increasing) refuses the whole request with a 400 instead.
//
// | OTLP | stored as |
// | Gauge | gauge |
// | Sum, monotonic, delta | counter (a zero increase stores nothing) |
// | Sum, monotonic, cumulative | counter of the increase since the series' previous point |
// | Sum, not monotonic, cumulative (an UpDownCounter) | gauge of its value |
// | Histogram, ExponentialHistogram (either temporality) | timer with a sketch (bucket-sketch.ts) |
// | `mcp.server.operation.duration` | the MCP series (semconv-mcp.ts) |
// | Summary; Sum not monotonic and delta; Sum of unspecified temporality | refused (partial success) |
import { createHash } from 'node:crypto'
import { MAX_ABS_VALUE, MAX_FUTURE_SKEW_MS, MAX_NAME_LENGTH, type MetricPoint, NAME_PATTERN, type Tags } from '@mcpdir/metrics/protocol'
import { ApiError } from '../http/api-error'
import { attributeTags, tagValue } from './attributes'
import { type PointTarget, pointsOf, timerOf } from './map-points'
import type { Attributes, ExpHistogramPoint, HistogramPoint, OtlpMetric, OtlpRequest } from './otlp-model'
import { MCP_SERVER_DURATION } from './semconv-mcp'
import { type CumulativeState, type CumulativeValue, countsWhole } from './temporality'

/** A cumulative point waiting for its series' stored state, and where its delta goes. */
export interface CumulativeSource {
  /** The series' state key: service instance, scope, name, unit, kind, attributes and start time, hashed. */
  key: string
  state: CumulativeState
  /** Whether the point counts whole when its series has no state (see `countsWhole`). */
  countsWhole: boolean
  target: PointTarget
}

/** A service's version as a resource reports it (`service.name`, `service.version`). */
export interface ServiceVersion {
  service: string
  version: string
}

/** What a request maps to. */
export interface MappedRequest {
  points: MetricPoint[]
  cumulative: CumulativeSource[]
  versions: ServiceVersion[]
  /** Data points refused, and the first few reasons. */
  rejected: number
  reasons: string[]
}

export interface MapOptions {
  nowMs: number
  /** The oldest point age accepted (the service's raw retention less the protocol's margin). */
  maxAgeMs: number
  /** Resource attributes kept as tags of every point of their resource (`ServiceConfig.otlpResourceTags`). */
  resourceTags?: readonly string[]
}

const MAX_REASONS = 5

/**
 * The resource attributes that tell a cumulative series' sender apart (OpenTelemetry's identity of a service
 * instance). Not the whole resource: attributes that come and go (a version, a detector answering late) must not
 * make an old series look new and count it whole again; the start time in the key already tells restarts apart.
 */
const IDENTITY = ['service.namespace', 'service.name', 'service.instance.id'] as const

const sortedEntries = (attributes: Attributes) => Object.entries(attributes).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))

/** Maps every data point of `request`; throws a 400 for structurally invalid histograms. */
export function mapRequest(request: OtlpRequest, options: MapOptions): MappedRequest {
  const out: MappedRequest = { points: [], cumulative: [], versions: [], rejected: 0, reasons: [] }
  for (const resource of request.resources) {
    const identity = JSON.stringify(IDENTITY.map((key) => resource.attributes[key] ?? null))
    const service = resource.attributes['service.name'] ?? ''
    const version = resource.attributes['service.version']
    if (version !== undefined && !out.versions.some((v) => v.service === service)) out.versions.push({ service, version })
    const resourceTags: Tags = {}
    for (const key of options.resourceTags ?? []) {
      const value = resource.attributes[key]
      if (value !== undefined) resourceTags[key] = tagValue(value)
    }
    for (const metric of resource.metrics) mapMetric(metric, identity, resourceTags, options, out)
  }
  return out
}

function mapMetric(m: OtlpMetric, identity: string, resourceTags: Tags, options: MapOptions, out: MappedRequest): void {
  const reject = (n: number, reason: string) => {
    out.rejected += n
    if (out.reasons.length < MAX_REASONS) out.reasons.push(`${m.name || '(no name)'} (${m.path}): ${reason}`)
  }
  const live = m.points.filter((p) => !p.noValue).length
  if (m.name.length > MAX_NAME_LENGTH || !NAME_PATTERN.test(m.name)) return reject(live, `the name is not a metric name (a letter, then letters, digits, _ . : / -; at most ${MAX_NAME_LENGTH})`)
  if (m.kind === 'summary') return reject(live, 'Summary is not supported; record a histogram instead')
  if (m.kind === 'sum' && m.temporality === 'unspecified') return reject(live, 'a Sum needs an aggregation temporality (delta or cumulative)')
  if (m.kind === 'sum' && !m.monotonic && m.temporality === 'delta') return reject(live, 'a non-monotonic delta Sum is not supported; send it cumulative (it is stored as a gauge)')
  if ((m.kind === 'histogram' || m.kind === 'exponentialHistogram') && m.temporality === 'unspecified') return reject(live, 'a histogram needs an aggregation temporality (delta or cumulative)')

  const mcp = m.name === MCP_SERVER_DURATION && (m.kind === 'histogram' || m.kind === 'exponentialHistogram')
  const numberAs = m.kind === 'sum' && m.monotonic ? 'counter' : 'gauge'
  m.points.forEach((p, i) => {
    if (p.noValue) return
    const timestamp = p.timeMs > 0 ? p.timeMs : options.nowMs
    if (timestamp < options.nowMs - options.maxAgeMs) return reject(1, 'the point is older than the raw retention')
    if (timestamp > options.nowMs + MAX_FUTURE_SKEW_MS) return reject(1, 'the point is more than 5 minutes ahead')
    const tags = mcp ? { ok: true as const, tags: resourceTags } : attributeTags(p.attributes, resourceTags)
    if (!tags.ok) return reject(1, tags.reason)
    const target: PointTarget = { name: m.name, unit: m.unit, numberAs, mcp, tags: tags.tags, attributes: p.attributes, timestamp }
    const value = valueOf(m, i)
    if (value.kind === 'number') {
      if (!(Math.abs(value.value) <= MAX_ABS_VALUE)) return reject(1, `values beyond ${MAX_ABS_VALUE} are refused`)
      if (numberAs === 'counter' && value.value < 0) return reject(1, 'a monotonic Sum cannot be negative')
    } else {
      if (value.count === 0) return
      if (Number.isNaN(value.sum)) return reject(1, 'a histogram point without sum cannot be a timer')
      const timer = timerOf(value, m.unit)
      if (!timer.ok) return reject(1, timer.reason)
    }
    if (m.kind !== 'gauge' && m.temporality === 'cumulative' && !(m.kind === 'sum' && !m.monotonic)) {
      const key = createHash('sha256').update(JSON.stringify([identity, m.scope, m.name, m.unit, m.kind, sortedEntries(p.attributes), p.startNs])).digest('base64url').slice(0, 24)
      out.cumulative.push({ key, state: { timeMs: timestamp, value }, countsWhole: countsWhole(p.startMs, options.nowMs), target })
    } else {
      out.points.push(...pointsOf(target, value))
    }
  })
}

const invalid = (path: string, message: string) => new ApiError(400, 'invalid_body', `${path}: ${message}`, path)

/** Point `i` of `m` as a value, its histogram structure checked (a 400 when it does not hold together). */
function valueOf(m: OtlpMetric, i: number): CumulativeValue {
  const path = `${m.path}.${m.kind}.dataPoints[${i}]`
  switch (m.kind) {
    case 'gauge':
    case 'sum':
      return { kind: 'number', value: (m.points[i] as { value: number }).value }
    case 'histogram':
      return histogramValue(m.points[i] as HistogramPoint, path)
    case 'exponentialHistogram':
      return expValue(m.points[i] as ExpHistogramPoint, path)
    default:
      throw new Error(`no value for ${m.kind}`)
  }
}

const total = (counts: readonly number[]) => counts.reduce((a, b) => a + b, 0)
const extremes = (p: { min: number | undefined; max: number | undefined }) => ({ ...(p.min !== undefined && { min: p.min }), ...(p.max !== undefined && { max: p.max }) })

function histogramValue(p: HistogramPoint, path: string): CumulativeValue {
  // no buckets at all: one bucket holding every value
  const counts = p.counts.length === 0 && p.bounds.length === 0 ? [p.count] : p.counts
  if (counts.length !== p.bounds.length + 1) throw invalid(path, `${counts.length} bucket counts for ${p.bounds.length} explicit bounds; there must be one more count than bounds`)
  if (p.bounds.some((b, i) => i > 0 && b <= (p.bounds[i - 1] as number))) throw invalid(`${path}.explicitBounds`, 'explicit bounds must increase')
  if (total(counts) !== p.count) throw invalid(`${path}.count`, `count ${p.count} is not the sum of the bucket counts (${total(counts)})`)
  return { kind: 'histogram', count: p.count, sum: p.sum ?? Number.NaN, ...extremes(p), bounds: p.bounds, counts }
}

function expValue(p: ExpHistogramPoint, path: string): CumulativeValue {
  if (p.scale < -10 || p.scale > 20) throw invalid(`${path}.scale`, `scale ${p.scale} is outside -10..20`)
  const counted = p.zeroCount + total(p.positive.counts) + total(p.negative.counts)
  if (counted !== p.count) throw invalid(`${path}.count`, `count ${p.count} is not the sum of the zero and bucket counts (${counted})`)
  return { kind: 'exp', count: p.count, sum: p.sum ?? Number.NaN, ...extremes(p), scale: p.scale, zeroCount: p.zeroCount, positive: p.positive, negative: p.negative }
}
