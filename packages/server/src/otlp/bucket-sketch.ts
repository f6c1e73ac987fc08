// OTLP histogram buckets into this service's percentile sketch (the protocol's `Sketch`, logarithmic buckets
// of ratio γ = 1.01/0.99 ≈ 1.0202). A histogram bucket only says how many values fell between two bounds, so its
// count is spread evenly over that range (narrowed to the point's min and max when sent) across the sketch
// buckets it covers. Counts between bucket bounds are kept exactly; so the nearest-rank percentile read back
// lies in the same histogram bucket as the true one, within the sketch's 1 % of its bounds:
// - explicit buckets: within the bucket holding the true value (for OpenTelemetry's MCP boundaries, a true p95 of
//   150 ms reads between 100 and 200 ms), and exact to 1 % where min = max;
// - exponential buckets (ratio 2^(2^-scale)): within 1 % plus one exponential bucket of the true value, which at
//   scale ≥ 6 (ratio ≤ 1.011, narrower than a sketch bucket) is as close as a point from this service's own SDK.
// Values above the last explicit bound read as that bound unless the point carries its max. A delta of cumulative
// points knows its exact min and max only when the cumulative ones moved; otherwise they bound it (`minBound`,
// `maxBound`: no value of the delta lies outside the cumulative extremes) and the min and max read back are
// those of the buckets, narrowed to them.
import { MAX_ABS_VALUE, Sketch, SKETCH_MIN_VALUE, SKETCH_RELATIVE_ACCURACY, type SketchJSON } from '@mcpdir/metrics/protocol'
import type { ExpHistogramPoint, HistogramPoint } from './otlp-model'
import { toStoreUnit } from './units'

const GAMMA = (1 + SKETCH_RELATIVE_ACCURACY) / (1 - SKETCH_RELATIVE_ACCURACY)
const LOG_GAMMA = Math.log(GAMMA)
/** Below this share of a bucket's upper bound, the even spread is cut (at most that share of its count moves up). */
const SPREAD_FLOOR = 1e-4

const keyOf = (value: number) => Math.ceil(Math.log(value) / LOG_GAMMA)
/** A value inside sketch bucket `key` (the one it reads back as). */
const valueOf = (key: number) => (2 * Math.pow(GAMMA, key)) / (GAMMA + 1)

/** Adds `n` values spread evenly over [lo, hi] (in the store's unit, lo ≤ hi) to `sketch`, exactly `n` in all. */
export function spread(sketch: Sketch, lo: number, hi: number, n: number): void {
  if (n <= 0) return
  if (!(hi >= SKETCH_MIN_VALUE)) return sketch.add(0, n)
  const from = Math.max(lo, hi * SPREAD_FLOOR, SKETCH_MIN_VALUE)
  const first = keyOf(from)
  const last = keyOf(hi)
  if (first === last || hi - from <= 0) return sketch.add(valueOf(last), n)
  const width = hi - from
  let given = 0
  for (let key = first; key <= last; key++) {
    const top = key === last ? hi : Math.min(hi, Math.pow(GAMMA, key))
    // cumulative rounding: the counts add up to n exactly
    const upTo = key === last ? n : Math.round((n * (top - from)) / width)
    if (upTo > given) sketch.add(valueOf(key), upTo - given)
    given = Math.max(given, upTo)
  }
}

/** A timer's distribution from a histogram point, in the store's unit; or why it cannot be one. */
export type BucketSketch = { ok: true; sketch: SketchJSON; min: number; max: number } | { ok: false; reason: string }

/** The extremes a histogram value knows: exact (`min`, `max`) or only bounds (`minBound`, `maxBound`). */
export interface Extremes {
  min?: number | undefined
  max?: number | undefined
  minBound?: number | undefined
  maxBound?: number | undefined
}

/** Builds the sketch of buckets given as [lower, upper, count] in the point's unit; the extremes narrow them. */
function build(ranges: [number, number, number][], zero: number, extremes: Extremes, unit: string): BucketSketch {
  const { min, max } = extremes
  const floor = min ?? extremes.minBound
  const ceiling = max ?? extremes.maxBound
  if (floor !== undefined && floor < 0) return { ok: false, reason: 'timer values cannot be negative (min < 0)' }
  const sketch = new Sketch()
  if (zero > 0) sketch.add(0, zero)
  let low = zero > 0 ? 0 : Number.POSITIVE_INFINITY
  let high = zero > 0 ? 0 : Number.NEGATIVE_INFINITY
  for (let [lo, hi, n] of ranges) {
    if (n === 0) continue
    if (floor !== undefined) lo = Math.max(lo, floor)
    if (ceiling !== undefined) hi = Math.min(hi, ceiling)
    if (lo === Number.NEGATIVE_INFINITY) lo = Math.min(0, hi)
    if (hi === Number.POSITIVE_INFINITY) hi = lo
    if (lo > hi) lo = hi
    if (lo < 0) {
      if (hi < 0) return { ok: false, reason: 'timer values cannot be negative (a bucket below 0 holds values)' }
      lo = 0
    }
    const from = toStoreUnit(lo, unit)
    const to = toStoreUnit(hi, unit)
    if (!(to <= MAX_ABS_VALUE)) return { ok: false, reason: `values beyond ${MAX_ABS_VALUE} are refused` }
    spread(sketch, from, to, n)
    low = Math.min(low, from)
    high = Math.max(high, to)
  }
  if (sketch.count === 0) return { ok: false, reason: 'the histogram holds no values' }
  return {
    ok: true,
    sketch: sketch.toJSON(),
    min: min !== undefined ? toStoreUnit(min, unit) : low,
    max: max !== undefined ? toStoreUnit(max, unit) : high,
  }
}

/** The sketch of an explicit-bucket histogram point (`counts` one longer than `bounds`, checked by the caller). */
export function explicitSketch(point: Pick<HistogramPoint, 'bounds' | 'counts'> & Extremes, unit: string): BucketSketch {
  const { bounds, counts } = point
  const ranges = counts.map((n, i): [number, number, number] => [
    i === 0 ? Number.NEGATIVE_INFINITY : (bounds[i - 1] as number),
    i === bounds.length ? Number.POSITIVE_INFINITY : (bounds[i] as number),
    n,
  ])
  return build(ranges, 0, point, unit)
}

/** The sketch of an exponential histogram point: bucket `i` covers (base^i, base^(i+1)], base = 2^(2^-scale). */
export function exponentialSketch(
  point: Pick<ExpHistogramPoint, 'scale' | 'zeroCount' | 'positive' | 'negative'> & Extremes,
  unit: string,
): BucketSketch {
  if (point.negative.counts.some((n) => n > 0)) return { ok: false, reason: 'timer values cannot be negative (negative buckets hold values)' }
  const step = Math.pow(2, -point.scale)
  const ranges = point.positive.counts.map((n, i): [number, number, number] => {
    const index = point.positive.offset + i
    return [Math.pow(2, index * step), Math.pow(2, (index + 1) * step), n]
  })
  return build(ranges, point.zeroCount, point, unit)
}
