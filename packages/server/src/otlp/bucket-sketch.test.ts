import { nearestRank, PERCENTILES, Sketch, SKETCH_RELATIVE_ACCURACY, sketchCount, sketchPercentiles } from '@mcpdir/metrics/protocol'
import { describe, expect, it } from 'vitest'
import { explicitSketch, exponentialSketch, spread } from './bucket-sketch'

/** OpenTelemetry's advised boundaries for mcp.server.operation.duration, in seconds. */
const MCP_BOUNDS = [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 30, 60, 120, 300]

function random(seed: number) {
  let s = seed >>> 0
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0
    return s / 2 ** 32
  }
}

/** Values in seconds, log-uniform in [lo, hi]: by default 2 ms to 20 s, so every bucket of the MCP boundaries gets some. */
function sample(seed: number, n: number, lo = 0.002, hi = 20): number[] {
  const next = random(seed)
  return Array.from({ length: n }, () => Math.round(lo * Math.pow(hi / lo, next()) * 1e6) / 1e6)
}

const trueQuantile = (sorted: number[], q: number) => sorted[nearestRank(q, sorted.length) - 1] as number

function explicitPoint(values: number[], bounds: number[]) {
  const counts = new Array<number>(bounds.length + 1).fill(0)
  for (const v of values) {
    const i = bounds.findIndex((b) => v <= b)
    const at = i === -1 ? bounds.length : i
    counts[at] = (counts[at] as number) + 1
  }
  return { bounds, counts, min: Math.min(...values), max: Math.max(...values) }
}

describe('spread', () => {
  it('adds exactly n values, all within the range give or take the sketch accuracy', () => {
    for (const [lo, hi, n] of [
      [10, 20, 1],
      [10, 20, 7],
      [0, 5, 1000],
      [100, 200, 3],
      [3, 3, 5],
      [0, 0, 4],
      [1e-12, 1e-10, 2],
    ] as const) {
      const sketch = new Sketch()
      spread(sketch, lo, hi, n)
      expect(sketch.count).toBe(n)
      for (const q of [0, 0.25, 0.5, 0.75, 1]) {
        const v = sketch.quantile(q) as number
        expect(v).toBeGreaterThanOrEqual(lo === 0 || hi < 1e-9 ? 0 : lo * (1 - SKETCH_RELATIVE_ACCURACY))
        expect(v).toBeLessThanOrEqual(hi * (1 + SKETCH_RELATIVE_ACCURACY))
      }
    }
  })

  it('spreads evenly: the median of a wide bucket is near its middle', () => {
    const sketch = new Sketch()
    spread(sketch, 100, 200, 10_000)
    expect(sketch.quantile(0.5)).toBeGreaterThan(145)
    expect(sketch.quantile(0.5)).toBeLessThan(155)
  })
})

describe('explicitSketch', () => {
  it('reads every percentile within the bucket holding the true value, 1 % either side (seconds to ms)', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      for (const n of [1, 3, 20, 1000]) {
        const values = sample(seed, n)
        const point = explicitPoint(values, MCP_BOUNDS)
        const built = explicitSketch(point, 's')
        if (!built.ok) throw new Error(built.reason)
        expect(sketchCount(built.sketch)).toBe(n)
        expect(built.min).toBe(Math.round(point.min * 1e9) / 1e6)
        expect(built.max).toBe(Math.round(point.max * 1e9) / 1e6)
        const read = sketchPercentiles(Sketch.fromJSON(built.sketch), built.min, built.max)
        const sorted = [...values].sort((a, b) => a - b)
        for (const [name, q] of Object.entries(PERCENTILES)) {
          const truth = trueQuantile(sorted, q)
          const i = MCP_BOUNDS.findIndex((b) => truth <= b)
          const lo = Math.max(i <= 0 ? 0 : (MCP_BOUNDS[i - 1] as number), point.min) * 1000
          const hi = Math.min(i === -1 ? Number.POSITIVE_INFINITY : (MCP_BOUNDS[i] as number), point.max) * 1000
          const value = read[name as keyof typeof read] as number
          expect(value, `${name} of ${n} values, seed ${seed}`).toBeGreaterThanOrEqual(lo * (1 - SKETCH_RELATIVE_ACCURACY))
          expect(value, `${name} of ${n} values, seed ${seed}`).toBeLessThanOrEqual(hi * (1 + SKETCH_RELATIVE_ACCURACY))
        }
      }
    }
  })

  it('is exact to 1 % when every value is the same', () => {
    const built = explicitSketch(explicitPoint([0.123, 0.123, 0.123], MCP_BOUNDS), 's')
    if (!built.ok) throw new Error(built.reason)
    const read = sketchPercentiles(Sketch.fromJSON(built.sketch), built.min, built.max)
    expect(read).toEqual({ p50: 123, p95: 123, p99: 123 })
  })

  it('without min and max, reads from the bucket bounds: 0 below the first, the last bound above it', () => {
    const built = explicitSketch({ bounds: [10, 20], counts: [1, 0, 2], min: undefined, max: undefined }, 'ms')
    if (!built.ok) throw new Error(built.reason)
    expect(built).toMatchObject({ min: 0, max: 20 })
    expect(sketchCount(built.sketch)).toBe(3)
  })

  it('narrows buckets to bounds on the extremes without taking them as the extremes', () => {
    const built = explicitSketch({ bounds: [10, 20], counts: [2, 1, 0], minBound: 4, maxBound: 50 }, 'ms')
    expect(built).toMatchObject({ ok: true, min: 4, max: 20 })
  })

  it('refuses negative values and empty histograms', () => {
    expect(explicitSketch({ bounds: [-5, 0, 5], counts: [1, 0, 0, 0], min: undefined, max: undefined }, 's')).toMatchObject({ ok: false, reason: expect.stringContaining('negative') })
    expect(explicitSketch({ bounds: [5], counts: [1, 0], min: -1, max: 2 }, 's')).toMatchObject({ ok: false })
    expect(explicitSketch({ bounds: [5], counts: [0, 0], min: undefined, max: undefined }, 's')).toMatchObject({ ok: false, reason: expect.stringContaining('no values') })
    // values of exactly 0 are durations too
    expect(explicitSketch({ bounds: [0, 5], counts: [2, 1, 0], min: 0, max: 3 }, 'ms')).toMatchObject({ ok: true, min: 0, max: 3 })
  })
})

describe('exponentialSketch', () => {
  /** An exponential histogram of `values` at `scale`, as an OpenTelemetry SDK makes it (upper bounds inclusive). */
  function expPoint(values: number[], scale: number) {
    const index = (v: number) => Math.ceil(Math.log2(v) * 2 ** scale) - 1
    const indexes = values.filter((v) => v > 0).map(index)
    const offset = Math.min(...indexes)
    const counts = new Array<number>(Math.max(...indexes) - offset + 1).fill(0)
    for (const i of indexes) counts[i - offset] = (counts[i - offset] as number) + 1
    return { scale, zeroCount: values.filter((v) => v === 0).length, positive: { offset, counts }, negative: { offset: 0, counts: [] }, min: Math.min(...values), max: Math.max(...values) }
  }

  it('reads percentiles within 1 % plus one exponential bucket of the true value', () => {
    // ranges an SDK's 160 buckets hold at each scale
    for (const [scale, lo, hi] of [
      [0, 0.002, 20],
      [3, 0.002, 20],
      [6, 0.05, 0.5],
      [8, 0.1, 0.2],
      [20, 0.1, 0.10001],
    ] as const) {
      for (const seed of [7, 8]) {
        const values = sample(seed, 500, lo, hi)
        const built = exponentialSketch(expPoint(values, scale), 's')
        if (!built.ok) throw new Error(built.reason)
        expect(sketchCount(built.sketch)).toBe(500)
        const read = sketchPercentiles(Sketch.fromJSON(built.sketch), built.min, built.max)
        const sorted = [...values].sort((a, b) => a - b)
        const ratio = 2 ** (2 ** -scale)
        for (const [name, q] of Object.entries(PERCENTILES)) {
          const truth = trueQuantile(sorted, q) * 1000
          const value = read[name as keyof typeof read] as number
          expect(value, `${name} at scale ${scale}`).toBeGreaterThanOrEqual((truth / ratio) * (1 - SKETCH_RELATIVE_ACCURACY))
          expect(value, `${name} at scale ${scale}`).toBeLessThanOrEqual(truth * ratio * (1 + SKETCH_RELATIVE_ACCURACY))
        }
      }
    }
  })

  it('counts the zero bucket as zeros and refuses negative buckets', () => {
    const built = exponentialSketch({ scale: 0, zeroCount: 1, positive: { offset: 1, counts: [0, 2] }, negative: { offset: 0, counts: [] }, min: 0, max: 5 }, '1')
    expect(built.ok && { zero: built.sketch.zero, count: sketchCount(built.sketch), min: built.min, max: built.max }).toEqual({ zero: 1, count: 3, min: 0, max: 5 })
    expect(exponentialSketch({ scale: 0, zeroCount: 0, positive: { offset: 0, counts: [] }, negative: { offset: 0, counts: [1] }, min: undefined, max: undefined }, 's')).toMatchObject({ ok: false })
    // a bucket past any real duration (2^2000 s) is refused, never spread
    expect(exponentialSketch({ scale: 0, zeroCount: 0, positive: { offset: 2000, counts: [1] }, negative: { offset: 0, counts: [] }, min: undefined, max: undefined }, 's')).toMatchObject({ ok: false, reason: expect.stringContaining('beyond') })
  })
})
