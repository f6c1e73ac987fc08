// The parts of an OTLP ExportMetricsServiceRequest the service uses, as plain values: what decode.ts makes of a
// protobuf or JSON body, and what the mapping reads. Numbers are JavaScript numbers (64-bit integers converted;
// counts and values past 2^53 lose their last digits), times are epoch milliseconds, attributes are strings.

/** A metric's data kind: the `data` oneof of `opentelemetry.proto.metrics.v1.Metric`. */
export type OtlpKind = 'gauge' | 'sum' | 'histogram' | 'exponentialHistogram' | 'summary'

/** `AggregationTemporality`: how a point relates to the ones before it. */
export type Temporality = 'delta' | 'cumulative' | 'unspecified'

/** Attributes as tag-ready strings (arrays and maps as JSON), in the order sent. */
export type Attributes = Record<string, string>

/** What every data point has. */
export interface PointBase {
  attributes: Attributes
  /** `start_time_unix_nano` as its decimal digits (`'0'` when unset): a series' identity across exports. */
  startNs: string
  /** `start_time_unix_nano` in epoch milliseconds (0 when unset). */
  startMs: number
  /** `time_unix_nano` in epoch milliseconds (0 when unset). */
  timeMs: number
  /** `DATA_POINT_FLAGS_NO_RECORDED_VALUE`: the point carries no value (a series ended). */
  noValue: boolean
}

/** A Gauge or Sum point. */
export interface NumberPoint extends PointBase {
  value: number
}

/** A Histogram point with explicit bucket bounds: `counts` has one more entry than `bounds`. */
export interface HistogramPoint extends PointBase {
  count: number
  sum: number | undefined
  min: number | undefined
  max: number | undefined
  bounds: number[]
  counts: number[]
}

/** One side of an ExponentialHistogram point: bucket `offset + i` holds `counts[i]`. */
export interface ExpBuckets {
  offset: number
  counts: number[]
}

/** An ExponentialHistogram point: bucket `i` covers (base^i, base^(i+1)] with base = 2^(2^-scale). */
export interface ExpHistogramPoint extends PointBase {
  count: number
  sum: number | undefined
  min: number | undefined
  max: number | undefined
  scale: number
  zeroCount: number
  zeroThreshold: number
  positive: ExpBuckets
  negative: ExpBuckets
}

/** A Summary point (refused, see map-metrics.ts; kept to count its points). */
export interface SummaryPoint extends PointBase {
  count: number
  sum: number
}

/** One metric with its points, by kind. */
export type OtlpMetric = {
  name: string
  unit: string
  /** Where it sits in the request, for messages: `resourceMetrics[0].scopeMetrics[1].metrics[2]`. */
  path: string
  /** The instrumentation scope's name and version: part of a series' identity. */
  scope: string
  temporality: Temporality
  monotonic: boolean
} & (
  | { kind: 'gauge' | 'sum'; points: NumberPoint[] }
  | { kind: 'histogram'; points: HistogramPoint[] }
  | { kind: 'exponentialHistogram'; points: ExpHistogramPoint[] }
  | { kind: 'summary'; points: SummaryPoint[] }
)

/** The metrics of one resource (one process or service instance). */
export interface OtlpResource {
  attributes: Attributes
  metrics: OtlpMetric[]
}

/** A decoded request. */
export interface OtlpRequest {
  resources: OtlpResource[]
  /** Data points in the request, of every kind. */
  dataPoints: number
}
