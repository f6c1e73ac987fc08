// OTLP/HTTP request bodies into plain values (otlp-model.ts). Decoding is protobufjs (maintained, the
// reference JavaScript implementation of protobuf, CommonJS with no native code, Node ≥ 12) over the official
// opentelemetry-proto definitions (v1.11.0, vendored unmodified in packages/server/proto/ and loaded from the
// JSON descriptor generated from them, otlp-proto.json). `@opentelemetry/otlp-transformer` was the other
// candidate: since 0.200 it only serializes (a hand-written writer, no decoder), and its current major needs
// Node ≥ 22. JSON bodies use protobufjs' ProtoJSON parser (the protobuf JSON mapping OTLP/JSON is: lowerCamelCase
// fields, 64-bit integers as strings or numbers, enums as numbers).
import protobuf from 'protobufjs/light.js'
import protojson from 'protobufjs/ext/protojson.js'
import { ApiError } from '../http/api-error'
import { readJson } from '../http/read-json'
import type { Attributes, ExpBuckets, OtlpKind, OtlpMetric, OtlpRequest, PointBase, Temporality } from './otlp-model'
import descriptor from './otlp-proto.json'

const root = protobuf.Root.fromJSON(descriptor as protobuf.INamespace)
/** `ExportMetricsServiceRequest`, the body of `POST /v1/metrics`. */
export const RequestType = root.lookupType('opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest')
/** `ExportMetricsServiceResponse`, the body of its 200. */
export const ResponseType = root.lookupType('opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse')

/** The body encodings OTLP/HTTP defines. */
export type OtlpEncoding = 'protobuf' | 'json'

/** The encoding a `Content-Type` names (parameters such as `charset` ignored), or a 415. */
export function encodingOf(contentType: string | undefined): OtlpEncoding {
  const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase()
  if (type === 'application/x-protobuf' || type === 'application/protobuf') return 'protobuf'
  if (type === 'application/json') return 'json'
  throw new ApiError(415, 'unsupported_media_type', `Content-Type ${type || '(none)'} is not OTLP; send application/x-protobuf or application/json`)
}

/**
 * A decoded message, read by field name: a protobufjs message (fields present in the body are its own
 * properties, defaults sit on its prototype) or ProtoJSON's plain object (only the fields present).
 */
type Msg = Record<string, unknown>

/** True when a message has `field` set: the one way to tell a oneof's member or an `optional` field apart in both forms. */
const has = (message: Msg | null | undefined, field: string): boolean =>
  !!message && Object.prototype.hasOwnProperty.call(message, field) && message[field] !== undefined && message[field] !== null

const invalid = (path: string, message: string) => new ApiError(400, 'invalid_body', `${path}: ${message}`, path)

/** Decodes an (inflated) body of `encoding` into the request it holds, or a 400 that says what is wrong. */
export function decodeRequest(body: Uint8Array, encoding: OtlpEncoding): OtlpRequest {
  let message: Msg
  if (encoding === 'protobuf') {
    try {
      message = RequestType.decode(body) as unknown as Msg
    } catch (error) {
      throw new ApiError(400, 'invalid_body', `the body is not a protobuf ExportMetricsServiceRequest: ${(error as Error).message}`)
    }
  } else {
    const json = readJson(body)
    try {
      message = protojson.fromJson(RequestType, json, { ignoreUnknownFields: true }) as unknown as Msg
    } catch (error) {
      throw new ApiError(400, 'invalid_body', `the body is not an OTLP/JSON ExportMetricsServiceRequest: ${(error as Error).message}`)
    }
  }
  return normalize(message)
}

/** A 64-bit integer (protobufjs' Long, a string or a number) as a number. */
function int(value: unknown): number {
  if (typeof value === 'number') return value
  if (typeof value === 'string') return Number(value)
  if (value && typeof (value as { toNumber?: unknown }).toNumber === 'function') return (value as { toNumber(): number }).toNumber()
  return 0
}

/** A 64-bit integer's decimal digits. */
const digits = (value: unknown): string => (typeof value === 'number' ? BigInt(Math.trunc(value)).toString() : String(value ?? 0))

/** A double that must be finite: NaN and infinities are refused (they would poison every sum they join). */
function finite(value: unknown, path: string): number {
  const n = typeof value === 'number' ? value : Number(value)
  if (!Number.isFinite(n)) throw invalid(path, `${String(value)} is not a finite number; NaN and infinite values are refused`)
  return n
}

const list = (value: unknown): Msg[] => (Array.isArray(value) ? (value as Msg[]) : [])

/** An attribute value as tag text: scalars as written, arrays and maps as JSON, bytes as hex. */
const ANY_VALUE_FIELDS = ['stringValue', 'boolValue', 'intValue', 'doubleValue', 'bytesValue', 'arrayValue', 'kvlistValue'] as const

function anyValue(value: Msg | null | undefined): unknown {
  if (!value) return ''
  switch (ANY_VALUE_FIELDS.find((field) => has(value, field))) {
    case 'stringValue':
      return value.stringValue
    case 'boolValue':
      return value.boolValue
    case 'intValue':
      return int(value.intValue)
    case 'doubleValue':
      return value.doubleValue
    case 'bytesValue':
      return Buffer.from(value.bytesValue as Uint8Array).toString('hex')
    case 'arrayValue':
      return list((value.arrayValue as Msg | null)?.values).map((v) => anyValue(v))
    case 'kvlistValue':
      return Object.fromEntries(list((value.kvlistValue as Msg | null)?.values).map((kv) => [String(kv.key), anyValue(kv.value as Msg)]))
    default:
      return ''
  }
}

function attributes(values: unknown): Attributes {
  const out: Attributes = {}
  for (const kv of list(values)) {
    const value = anyValue(kv.value as Msg | null)
    out[String(kv.key)] = typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value)
  }
  return out
}

function base(point: Msg): PointBase {
  const start = point.startTimeUnixNano
  return {
    attributes: attributes(point.attributes),
    startNs: digits(start),
    startMs: Math.floor(int(start) / 1e6),
    timeMs: Math.floor(int(point.timeUnixNano) / 1e6),
    noValue: (int(point.flags) & 1) === 1,
  }
}

const optional = (point: Msg, field: 'sum' | 'min' | 'max', path: string) => (has(point, field) ? finite(point[field], `${path}.${field}`) : undefined)

/** What both kinds of histogram point hold before their buckets: the common fields, count, and optional sum, min and max. */
const histogramHead = (p: Msg, path: string) => ({
  ...base(p),
  count: int(p.count),
  sum: optional(p, 'sum', path),
  min: optional(p, 'min', path),
  max: optional(p, 'max', path),
})

const buckets = (side: Msg | null | undefined): ExpBuckets => ({ offset: int(side?.offset), counts: list(side?.bucketCounts).map(int) })

const TEMPORALITY: Record<number, Temporality> = { 1: 'delta', 2: 'cumulative' }
const KINDS: readonly OtlpKind[] = ['gauge', 'sum', 'histogram', 'exponentialHistogram', 'summary']

function metric(m: Msg, path: string, scope: string): OtlpMetric {
  const kind = KINDS.find((k) => has(m, k))
  const name = String(m.name ?? '')
  if (!kind) throw invalid(path, `metric ${name} has no data of a known type (gauge, sum, histogram, exponentialHistogram, summary)`)
  const data = m[kind] as Msg
  const head = { name, unit: String(m.unit ?? ''), path, scope, temporality: TEMPORALITY[int(data.aggregationTemporality)] ?? 'unspecified', monotonic: data.isMonotonic === true }
  const points = list(data.dataPoints)
  const at = (i: number) => `${path}.${kind}.dataPoints[${i}]`
  switch (kind) {
    case 'gauge':
    case 'sum':
      return {
        ...head,
        kind,
        points: points.map((p, i) => {
          const noValue = (int(p.flags) & 1) === 1
          if (!has(p, 'asInt') && !has(p, 'asDouble') && !noValue) throw invalid(at(i), 'a number point needs asDouble or asInt')
          const value = has(p, 'asInt') ? int(p.asInt) : has(p, 'asDouble') ? finite(p.asDouble, `${at(i)}.asDouble`) : 0
          return { ...base(p), value }
        }),
      }
    case 'histogram':
      return {
        ...head,
        kind,
        points: points.map((p, i) => ({
          ...histogramHead(p, at(i)),
          bounds: list(p.explicitBounds).map((b, j) => finite(b, `${at(i)}.explicitBounds[${j}]`)),
          counts: list(p.bucketCounts).map(int),
        })),
      }
    case 'exponentialHistogram':
      return {
        ...head,
        kind,
        points: points.map((p, i) => ({
          ...histogramHead(p, at(i)),
          scale: int(p.scale),
          zeroCount: int(p.zeroCount),
          zeroThreshold: finite(p.zeroThreshold ?? 0, `${at(i)}.zeroThreshold`),
          positive: buckets(p.positive as Msg | null),
          negative: buckets(p.negative as Msg | null),
        })),
      }
    case 'summary':
      return { ...head, kind, points: points.map((p, i) => ({ ...base(p), count: int(p.count), sum: finite(p.sum ?? 0, `${at(i)}.sum`) })) }
  }
}

/** The decoded message as plain values, refusing NaN and infinite numbers and metrics of no known type. */
function normalize(message: Msg): OtlpRequest {
  let dataPoints = 0
  const resources = list(message.resourceMetrics).map((rm, r) => {
    const metrics: OtlpMetric[] = []
    list(rm.scopeMetrics).forEach((sm, s) => {
      const scope = sm.scope as Msg | null
      const scopeId = scope ? `${String(scope.name ?? '')}@${String(scope.version ?? '')}` : ''
      list(sm.metrics).forEach((m, i) => {
        const decoded = metric(m, `resourceMetrics[${r}].scopeMetrics[${s}].metrics[${i}]`, scopeId)
        dataPoints += decoded.points.length
        metrics.push(decoded)
      })
    })
    return { attributes: attributes((rm.resource as Msg | null)?.attributes), metrics }
  })
  return { resources, dataPoints }
}
