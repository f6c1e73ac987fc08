import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { nearestRank, SKETCH_MAX_BINS, SKETCH_MAX_KEY, SKETCH_MIN_KEY, SKETCH_RELATIVE_ACCURACY, Sketch, sketchCount, sketchPercentiles } from './sketch'
import { sketchJsonSchema } from './sketch-schema'

// Durations from a microsecond to ~11 days in ms, with exact zeros mixed in.
const value = fc.oneof(
  { weight: 1, arbitrary: fc.constant(0) },
  { weight: 20, arbitrary: fc.double({ min: 1e-3, max: 1e9, noNaN: true, noDefaultInfinity: true }) },
)
const values = fc.array(value, { minLength: 1, maxLength: 400 })
const quantile = fc.double({ min: 0, max: 1, noNaN: true })

/** The nearest-rank quantile of sorted values: the smallest with at least ceil(q·n) values at or below it. */
function exactQuantile(sorted: number[], q: number): number {
  return sorted[Math.max(1, Math.ceil(q * sorted.length - 1e-9)) - 1] as number
}

function withinAccuracy(estimate: number, exact: number): boolean {
  if (exact === 0) return estimate === 0
  return Math.abs(estimate - exact) <= SKETCH_RELATIVE_ACCURACY * exact * (1 + 1e-9)
}

describe('Sketch', () => {
  it('reads percentiles by nearest rank: small samples keep their tail', () => {
    // three calls in a minute: p50 the middle one, p95 and p99 the slowest (not all three on the median)
    const three = sketchPercentiles(Sketch.of([20, 40, 82]), 20, 82)
    expect(withinAccuracy(three.p50 as number, 40)).toBe(true)
    expect(three.p95).toBe(82)
    expect(three.p99).toBe(82)
    for (const n of [1, 2, 3, 5, 10, 1_000]) {
      const xs = Array.from({ length: n }, (_, i) => 5 + ((i * 7919) % n) * 3)
      const sorted = [...xs].sort((a, b) => a - b)
      const sketch = Sketch.of(xs)
      for (const q of [0, 0.01, 0.5, 0.9, 0.95, 0.99, 1]) {
        const exact = sorted[Math.max(1, Math.ceil(q * n)) - 1] as number
        expect(withinAccuracy(sketch.quantile(q) as number, exact), `n=${n} q=${q}`).toBe(true)
      }
    }
  })

  it('counts ranks exactly where q · n lands on a whole number despite floating point', () => {
    expect(0.07 * 100).toBeGreaterThan(7)
    expect(nearestRank(0.07, 100)).toBe(7)
    expect(nearestRank(0.95, 20)).toBe(19)
    expect(nearestRank(0.5, 3)).toBe(2)
    expect(nearestRank(0, 7)).toBe(1)
    expect(nearestRank(1, 7)).toBe(7)
    expect(nearestRank(0.99, 1_000)).toBe(990)
  })

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

  it('writes the binary form straight from the JSON form, byte for byte as the built sketch writes it', () => {
    // valid JSON forms (the schema's rules), keys spread up to the whole key range: wider than a sketch holds too
    const json = fc
      .record({
        zero: fc.integer({ min: 0, max: 1_000 }),
        first: fc.integer({ min: SKETCH_MIN_KEY, max: SKETCH_MAX_KEY }),
        steps: fc.array(fc.record({ gap: fc.oneof(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 1_500 })), count: fc.integer({ min: 1, max: 2 ** 40 }) }), { maxLength: 60 }),
        firstCount: fc.integer({ min: 1, max: 1_000 }),
        empty: fc.boolean(),
      })
      .map(({ zero, first, steps, firstCount, empty }) => {
        if (empty) return { alpha: SKETCH_RELATIVE_ACCURACY, zero, keys: [], counts: [] }
        const keys = [first]
        const counts = [firstCount]
        let key = first
        for (const { gap, count } of steps) {
          if (key + gap > SKETCH_MAX_KEY) break
          key += gap
          keys.push(gap)
          counts.push(count)
        }
        return { alpha: SKETCH_RELATIVE_ACCURACY, zero, keys, counts }
      })
    let folded = 0
    fc.assert(
      fc.property(json, (j) => {
        expect(sketchJsonSchema.safeParse(j).success).toBe(true)
        const span = j.keys.reduce((a, b) => a + b, 0) - (j.keys[0] ?? 0) + 1
        if (j.keys.length > 0 && span > SKETCH_MAX_BINS) folded++
        expect(Sketch.bytesFromJSON(j)).toEqual(Sketch.fromJSON(j).toBytes())
      }),
      { numRuns: 500 },
    )
    // both sides of the fold were checked
    expect(folded).toBeGreaterThan(0)
    expect(folded).toBeLessThan(500)
    for (const sketch of [new Sketch(), Sketch.of([0, 0, 1, 2, 300, 1e6])]) expect(Sketch.bytesFromJSON(sketch.toJSON())).toEqual(sketch.toBytes())
    // not valid JSON forms: a repeated key, an empty bucket, a key going back; still the bytes fromJSON's sketch writes
    const invalid = [
      { keys: [10, 0, 3], counts: [1, 2, 3] },
      { keys: [10, 1, 3], counts: [1, 0, 3] },
      { keys: [10, -4, 3], counts: [1, 2, 3] },
    ]
    for (const { keys, counts } of invalid) {
      const j = { alpha: SKETCH_RELATIVE_ACCURACY, zero: 1, keys, counts }
      expect(Sketch.bytesFromJSON(j)).toEqual(Sketch.fromJSON(j).toBytes())
      expect(Sketch.fromBytes(Sketch.bytesFromJSON(j)).count).toBe(sketchCount(j))
    }
  })

  it('round-trips through its binary form exactly', () => {
    fc.assert(
      fc.property(values, fc.integer({ min: 1, max: 1_000 }), (xs, weight) => {
        const sketch = new Sketch()
        for (const x of xs) sketch.add(x, weight)
        const bytes = sketch.toBytes()
        expect(bytes).toBeInstanceOf(Uint8Array)
        const back = Sketch.fromBytes(bytes)
        expect(back.toJSON()).toEqual(sketch.toJSON())
        expect(back.count).toBe(sketch.count)
        for (const q of [0, 0.5, 0.95, 0.99, 1]) expect(back.quantile(q)).toBe(sketch.quantile(q))
        expect(back.toBytes()).toEqual(bytes)
      }),
      { numRuns: 300 },
    )
  })

  it('reads the same percentiles from its binary form as from the sketch, without building it', () => {
    fc.assert(
      fc.property(values, fc.integer({ min: 0, max: 3 }), fc.double({ min: 0, max: 1e6, noNaN: true }), (xs, zeros, bound) => {
        const sketch = Sketch.of(xs)
        if (zeros > 0) sketch.add(0, zeros)
        const [min, max] = [Math.min(bound, 1), Math.max(bound, 1)]
        expect(sketchPercentiles(sketch.toBytes(), min, max)).toEqual(sketchPercentiles(sketch, min, max))
      }),
      { numRuns: 300 },
    )
    expect(sketchPercentiles(new Sketch().toBytes(), 0, 1)).toEqual({})
    expect(() => sketchPercentiles(new Uint8Array([2, 0, 0]), 0, 1)).toThrow(RangeError)
  })

  it('merges after decoding exactly as it merges before encoding', () => {
    fc.assert(
      fc.property(values, values, values, (a, b, c) => {
        const before = Sketch.of(a).merge(Sketch.of(b)).merge(Sketch.of(c))
        const after = Sketch.fromBytes(Sketch.of(a).toBytes())
          .merge(Sketch.fromBytes(Sketch.of(b).toBytes()))
          .merge(Sketch.fromBytes(Sketch.of(c).toBytes()))
        expect(after.toJSON()).toEqual(before.toJSON())
        expect(Sketch.fromBytes(after.toBytes()).toJSON()).toEqual(Sketch.of([...a, ...b, ...c]).toJSON())
      }),
      { numRuns: 200 },
    )
  })

  it('binary and JSON forms describe the same sketch, the binary one in fewer bytes', () => {
    fc.assert(
      fc.property(values, (xs) => {
        const sketch = Sketch.of(xs)
        expect(Sketch.fromBytes(Sketch.fromJSON(sketch.toJSON()).toBytes()).toJSON()).toEqual(sketch.toJSON())
        expect(sketch.toBytes().length).toBeLessThan(JSON.stringify(sketch.toJSON()).length)
      }),
      { numRuns: 200 },
    )
    const typical = Sketch.of(Array.from({ length: 10_000 }, (_, i) => 1 + ((i * 7919) % 5000) / 10))
    expect(typical.toBytes().length).toBeLessThan(800)
  })

  it('encodes the empty sketch, a zero-only one, huge counts and the key extremes', () => {
    expect(Sketch.fromBytes(new Sketch().toBytes()).toJSON()).toEqual(new Sketch().toJSON())
    const zeros = new Sketch()
    zeros.add(0, 5)
    expect(Sketch.fromBytes(zeros.toBytes()).toJSON()).toEqual(zeros.toJSON())
    const huge = new Sketch()
    huge.add(1e-9, 2 ** 52)
    huge.add(1e15, 3e12)
    const back = Sketch.fromBytes(huge.toBytes())
    expect(back.toJSON()).toEqual(huge.toJSON())
    expect(back.count).toBe(2 ** 52 + 3e12)
  })

  it('refuses bytes that are not a sketch', () => {
    const good = Sketch.of([1, 2, 300]).toBytes()
    const bad = [
      new Uint8Array([]),
      new Uint8Array([2, 0, 0]), // unknown version
      good.slice(0, good.length - 1), // truncated
      new Uint8Array([...good, 0]), // trailing
      new Uint8Array([1, 0, 2, 4, 0, 1, 1]), // a zero gap
      new Uint8Array([1, 0, 1, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f, 1]), // a key past 2^53
    ]
    for (const bytes of bad) expect(() => Sketch.fromBytes(bytes)).toThrow(RangeError)
    expect(() => {
      const s = new Sketch()
      s.add(1, 0.5)
      s.toBytes()
    }).toThrow(RangeError)
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
