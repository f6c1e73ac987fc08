import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { SKETCH_MAX_BINS, SKETCH_RELATIVE_ACCURACY, Sketch, sketchCount } from './sketch'
import { sketchJsonSchema } from './sketch-schema'

// Durations from a microsecond to ~11 days in ms, with exact zeros mixed in.
const value = fc.oneof(
  { weight: 1, arbitrary: fc.constant(0) },
  { weight: 20, arbitrary: fc.double({ min: 1e-3, max: 1e9, noNaN: true, noDefaultInfinity: true }) },
)
const values = fc.array(value, { minLength: 1, maxLength: 400 })
const quantile = fc.double({ min: 0, max: 1, noNaN: true })

function exactQuantile(sorted: number[], q: number): number {
  return sorted[Math.floor(q * (sorted.length - 1))] as number
}

function withinAccuracy(estimate: number, exact: number): boolean {
  if (exact === 0) return estimate === 0
  return Math.abs(estimate - exact) <= SKETCH_RELATIVE_ACCURACY * exact * (1 + 1e-9)
}

describe('Sketch', () => {
  it('answers every quantile within the stated relative accuracy', () => {
    fc.assert(
      fc.property(values, fc.array(quantile, { minLength: 1, maxLength: 10 }), (xs, qs) => {
        const sketch = Sketch.of(xs)
        const sorted = [...xs].sort((a, b) => a - b)
        for (const q of [0, 0.5, 0.95, 0.99, 1, ...qs]) {
          const estimate = sketch.quantile(q) as number
          if (!withinAccuracy(estimate, exactQuantile(sorted, q))) return false
        }
        return sketch.count === xs.length
      }),
      { numRuns: 300 },
    )
  })

  it('merges two sketches into exactly the sketch of both inputs', () => {
    fc.assert(
      fc.property(values, values, (a, b) => {
        const merged = Sketch.of(a).merge(Sketch.of(b))
        expect(merged.toJSON()).toEqual(Sketch.of([...a, ...b]).toJSON())
        const sorted = [...a, ...b].sort((x, y) => x - y)
        for (const q of [0, 0.25, 0.5, 0.95, 0.99, 1]) {
          expect(withinAccuracy(merged.quantile(q) as number, exactQuantile(sorted, q))).toBe(true)
        }
      }),
      { numRuns: 200 },
    )
  })

  it('round-trips through its compact JSON form, which the schema accepts', () => {
    fc.assert(
      fc.property(values, (xs) => {
        const json = Sketch.of(xs).toJSON()
        expect(sketchJsonSchema.safeParse(JSON.parse(JSON.stringify(json))).success).toBe(true)
        expect(sketchCount(json)).toBe(xs.length)
        const back = Sketch.fromJSON(json)
        expect(back.toJSON()).toEqual(json)
        expect(back.quantile(0.5)).toBe(Sketch.of(xs).quantile(0.5))
      }),
      { numRuns: 200 },
    )
  })

  it('keeps at most SKETCH_MAX_BINS buckets, folding the lowest, and high quantiles stay accurate', () => {
    const xs = [1e-9, 1e-8, 1e-7, 1e-5, 1, 10, 100, 1e6, 1e12, 1e15]
    const sketch = Sketch.of(xs)
    expect(sketch.toJSON().keys.length).toBeLessThanOrEqual(SKETCH_MAX_BINS)
    const json = sketch.toJSON()
    const span = json.keys.slice(1).reduce((a, b) => a + b, 0)
    expect(span).toBeLessThan(SKETCH_MAX_BINS)
    expect(withinAccuracy(sketch.quantile(1) as number, 1e15)).toBe(true)
    expect(withinAccuracy(sketch.quantile(0.5) as number, 1)).toBe(true)
  })

  it('is compact for a typical latency distribution', () => {
    const xs = Array.from({ length: 10_000 }, (_, i) => 1 + ((i * 7919) % 5000) / 10)
    expect(JSON.stringify(Sketch.of(xs).toJSON()).length).toBeLessThan(2_000)
  })

  it('rejects malformed JSON forms with a named path', () => {
    const bad = [
      { alpha: 0.02, zero: 0, keys: [], counts: [] },
      { alpha: 0.01, zero: 0, keys: [1, 2], counts: [1] },
      { alpha: 0.01, zero: 0, keys: [1, 0], counts: [1, 1] },
      { alpha: 0.01, zero: 0, keys: [1e9], counts: [1] },
      { alpha: 0.01, zero: -1, keys: [], counts: [] },
      { alpha: 0.01, zero: 0, keys: [1], counts: [0] },
    ]
    for (const json of bad) {
      const result = sketchJsonSchema.safeParse(json)
      expect(result.success).toBe(false)
      expect(result.error?.issues[0]?.path.length).toBeGreaterThan(0)
    }
  })

  it('reads back an empty sketch as undefined and ignores NaN', () => {
    const sketch = new Sketch()
    sketch.add(Number.NaN)
    expect(sketch.count).toBe(0)
    expect(sketch.quantile(0.5)).toBeUndefined()
  })
})
