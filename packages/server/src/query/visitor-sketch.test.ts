import { describe, expect, it } from 'vitest'
import { HLL_STANDARD_ERROR, SPARSE_LIMIT, VisitorSketch } from './visitor-sketch'

const sketchOf = (values: Iterable<string>) => {
  const sketch = new VisitorSketch()
  for (const value of values) sketch.add(value)
  return sketch
}
const range = (from: number, to: number, prefix = 'v') => Array.from({ length: to - from }, (_, i) => `${prefix}${from + i}`)

describe('VisitorSketch', () => {
  it('counts exactly up to its sparse limit, whatever the repeats', () => {
    for (const n of [0, 1, 3, 100, SPARSE_LIMIT]) {
      const sketch = sketchOf([...range(0, n), ...range(0, n)])
      expect(sketch.exact).toBe(true)
      expect(sketch.count()).toBe(n)
    }
    expect(sketchOf(range(0, SPARSE_LIMIT + 1)).exact).toBe(false)
  })

  it.each([1_000, 100_000, 1_000_000])('estimates %i distinct values within three standard errors (σ ≈ 1.6 percent)', (n) => {
    const sketch = sketchOf(range(0, n, 'visitor-'))
    expect(Math.abs(sketch.count() - n) / n).toBeLessThan(3 * HLL_STANDARD_ERROR)
  })

  it('has a root-mean-square error within one standard error over many sets', () => {
    for (const n of [600, 5_000]) {
      const errors = Array.from({ length: 40 }, (_, seed) => (sketchOf(range(0, n, `${seed}:`)).count() - n) / n)
      expect(Math.sqrt(errors.reduce((sum, e) => sum + e * e, 0) / errors.length), `n = ${n}`).toBeLessThan(HLL_STANDARD_ERROR * 1.2)
    }
  })

  it('merges as a union: sparse with sparse exactly, and as if every value went into one sketch', () => {
    const a = sketchOf(range(0, 300))
    expect(a.merge(sketchOf(range(200, 400)))).toBe(true)
    expect(a.exact).toBe(true)
    expect(a.count()).toBe(400)
    expect(a.merge(sketchOf(range(0, 50)))).toBe(false)

    // any mix of sparse and dense, in any order: the same registers as one sketch of everything
    const parts = [range(0, 10), range(0, 20_000), range(15_000, 16_000), range(30_000, 30_400)]
    const whole = sketchOf(parts.flat()).encode()
    for (const order of [[0, 1, 2, 3], [3, 2, 1, 0], [2, 0, 3, 1]]) {
      const merged = new VisitorSketch()
      for (const i of order) merged.merge(sketchOf(parts[i] as string[]))
      expect(merged.encode().equals(whole), order.join()).toBe(true)
    }
    const overlap = sketchOf(range(0, 20_000))
    overlap.merge(sketchOf(range(10_000, 30_000)))
    expect(Math.abs(overlap.count() - 30_000) / 30_000).toBeLessThan(3 * HLL_STANDARD_ERROR)
  })

  it('round-trips through its bytes, sparse and dense, and refuses other bytes', () => {
    for (const n of [0, 7, SPARSE_LIMIT, 5_000]) {
      const sketch = sketchOf(range(0, n))
      const bytes = sketch.encode()
      const back = VisitorSketch.decode(bytes)
      expect(back.count()).toBe(sketch.count())
      expect(back.exact).toBe(sketch.exact)
      expect(back.encode().equals(bytes)).toBe(true)
    }
    // the same values in another order: the same bytes
    expect(sketchOf(range(0, 50).reverse()).encode().equals(sketchOf(range(0, 50)).encode())).toBe(true)
    expect(sketchOf(range(0, 3)).encode().length).toBe(2 + 3 * 8)
    expect(sketchOf(range(0, 5_000)).encode().length).toBe(2 + 4096)
    // decoding copies: merging into a decoded sketch leaves the stored bytes alone
    const stored = sketchOf(range(0, 5_000)).encode()
    const copy = Buffer.from(stored)
    VisitorSketch.decode(stored).merge(sketchOf(range(5_000, 50_000)))
    expect(stored.equals(copy)).toBe(true)
    for (const junk of [Buffer.from([]), Buffer.from([1, 12, 0]), Buffer.from([2, 12, 0]), Buffer.from([1, 14]), Buffer.from([9, 12])]) {
      expect(() => VisitorSketch.decode(junk)).toThrow()
    }
  })
})
