// Test support: OTLP/JSON requests built by hand (the shape the OTLP JSON mapping defines), and their protobuf
// encoding. Only tests import this file.
import protojson from 'protobufjs/ext/protojson.js'
import { RequestType } from './decode'

type Json = Record<string, unknown>

/** OTLP attributes from a flat object of strings. */
export const attrs = (values: Record<string, string>) => Object.entries(values).map(([key, value]) => ({ key, value: { stringValue: value } }))

/** Epoch milliseconds as OTLP's nanosecond string. */
export const nanos = (ms: number) => `${BigInt(Math.round(ms)) * 1_000_000n}`

/** An ExportMetricsServiceRequest of one resource and one scope holding `metrics`. */
export function otlpRequest(metrics: Json[], resource: Record<string, string> = { 'service.name': 'svc' }): Json {
  return { resourceMetrics: [{ resource: { attributes: attrs(resource) }, scopeMetrics: [{ scope: { name: 'test', version: '1' }, metrics }] }] }
}

export interface PointSpec {
  attributes?: Record<string, string>
  startMs?: number
  timeMs: number
}

const pointHead = (p: PointSpec) => ({
  attributes: attrs(p.attributes ?? {}),
  ...(p.startMs !== undefined && { startTimeUnixNano: nanos(p.startMs) }),
  timeUnixNano: nanos(p.timeMs),
})

/** A Sum metric (monotonic unless said otherwise). */
export function sumMetric(name: string, temporality: 'delta' | 'cumulative', points: (PointSpec & { value: number })[], options: { unit?: string; monotonic?: boolean } = {}): Json {
  return {
    name,
    unit: options.unit ?? '1',
    sum: {
      aggregationTemporality: temporality === 'delta' ? 1 : 2,
      isMonotonic: options.monotonic ?? true,
      dataPoints: points.map((p) => ({ ...pointHead(p), asDouble: p.value })),
    },
  }
}

/** A Gauge metric. */
export function gaugeMetric(name: string, points: (PointSpec & { value: number })[], unit = '1'): Json {
  return { name, unit, gauge: { dataPoints: points.map((p) => ({ ...pointHead(p), asDouble: p.value })) } }
}

/** An explicit-bucket Histogram metric of the given values (counts, sum, min, max computed). */
export function histogramMetric(name: string, temporality: 'delta' | 'cumulative', bounds: number[], points: (PointSpec & { values: number[] })[], unit = 's'): Json {
  return {
    name,
    unit,
    histogram: {
      aggregationTemporality: temporality === 'delta' ? 1 : 2,
      dataPoints: points.map((p) => {
        const counts = new Array<number>(bounds.length + 1).fill(0)
        for (const v of p.values) {
          const i = bounds.findIndex((b) => v <= b)
          const at = i === -1 ? bounds.length : i
          counts[at] = (counts[at] as number) + 1
        }
        return {
          ...pointHead(p),
          count: String(p.values.length),
          sum: p.values.reduce((a, b) => a + b, 0),
          ...(p.values.length > 0 && { min: Math.min(...p.values), max: Math.max(...p.values) }),
          explicitBounds: bounds,
          bucketCounts: counts.map(String),
        }
      }),
    },
  }
}

/** The protobuf encoding of an OTLP/JSON request. */
export function protobufOf(json: Json): Uint8Array {
  return RequestType.encode(protojson.fromJson(RequestType, json, { ignoreUnknownFields: true })).finish()
}
