import { describe, expect, it } from 'vitest'
import { CUMULATIVE_STATE_TTL_MS, type CumulativeState, type CumulativeValue, countsWhole, cumulativeDelta, rescale } from './temporality'

const at = (timeMs: number, value: CumulativeValue): CumulativeState => ({ timeMs, value })
const num = (value: number): CumulativeValue => ({ kind: 'number', value })
const hist = (counts: number[], sum: number, extremes: { min?: number; max?: number; minBound?: number; maxBound?: number } = {}): CumulativeValue => ({
  kind: 'histogram',
  count: counts.reduce((a, b) => a + b, 0),
  sum,
  ...extremes,
  bounds: [10, 20],
  counts,
})

/** Runs a series of cumulative points through the conversion, as the store would, and answers the deltas. */
function deltas(points: CumulativeState[], firstCountsWhole = true): (CumulativeValue | undefined)[] {
  let state: CumulativeState | undefined
  return points.map((p) => {
    const result = cumulativeDelta(state, p, firstCountsWhole)
    state = result.state
    return result.delta
  })
}

describe('cumulative sums', () => {
  it('count the first point whole, then the increase since the previous one', () => {
    expect(deltas([at(1, num(5)), at(2, num(8)), at(3, num(8)), at(4, num(20))])).toEqual([num(5), num(3), undefined, num(12)])
  })

  it('take a series older than the state lifetime as a baseline only', () => {
    expect(deltas([at(1, num(5)), at(2, num(8))], false)).toEqual([undefined, num(3)])
    const now = 10 * CUMULATIVE_STATE_TTL_MS
    expect(countsWhole(now - CUMULATIVE_STATE_TTL_MS, now)).toBe(true)
    expect(countsWhole(now - CUMULATIVE_STATE_TTL_MS - 1, now)).toBe(false)
    expect(countsWhole(0, now)).toBe(false)
  })

  it('count a value that went down as a reset, never negative', () => {
    expect(deltas([at(1, num(50)), at(2, num(7)), at(3, num(9))])).toEqual([num(50), num(7), num(2)])
  })

  it('add nothing for a point not newer than the state, and keep the state', () => {
    const first = at(10, num(5))
    expect(cumulativeDelta(first, at(10, num(9)), true)).toEqual({ delta: undefined, state: first })
    expect(cumulativeDelta(first, at(9, num(1)), true)).toEqual({ delta: undefined, state: first })
  })
})

describe('cumulative histograms', () => {
  it('subtract bucket by bucket; the extremes when they moved, else the cumulative ones as bounds', () => {
    const [a, b, c] = deltas([
      at(1, hist([1, 2, 0], 30, { min: 4, max: 18 })),
      at(2, hist([1, 5, 1], 95, { min: 4, max: 25 })),
      at(3, hist([3, 5, 1], 101, { min: 2, max: 25 })),
    ])
    expect(a).toEqual(hist([1, 2, 0], 30, { min: 4, max: 18 }))
    expect(b).toEqual(hist([0, 3, 1], 65, { minBound: 4, max: 25 }))
    expect(c).toEqual(hist([2, 0, 0], 6, { min: 2, maxBound: 25 }))
  })

  it('treat a bucket that went down, or changed bounds, as a reset', () => {
    expect(deltas([at(1, hist([4, 4, 0], 50)), at(2, hist([1, 5, 0], 40))])[1]).toEqual(hist([1, 5, 0], 40))
    const other = { ...hist([1, 0, 0], 5), bounds: [5, 50] }
    expect(deltas([at(1, hist([0, 1, 0], 15)), at(2, other)])[1]).toEqual(other)
  })
})

describe('cumulative exponential histograms', () => {
  const exp = (scale: number, offset: number, counts: number[], zeroCount = 0): CumulativeValue => ({
    kind: 'exp',
    count: counts.reduce((a, b) => a + b, zeroCount),
    sum: 0,
    scale,
    zeroCount,
    positive: { offset, counts },
    negative: { offset: 0, counts: [] },
  })

  it('subtract at the lower of the two scales', () => {
    // at scale 1, buckets 4..7 merge pairwise into scale-0 buckets 2 and 3
    const [, delta] = deltas([at(1, exp(1, 4, [1, 1, 0, 1], 1)), at(2, exp(0, 2, [3, 4], 2))])
    expect(delta).toEqual({ ...exp(0, 2, [1, 3], 1), sum: 0 })
  })

  it('rescales as SDKs do, negative indexes included', () => {
    expect(rescale({ offset: -3, counts: [1, 2, 3, 4] }, 1)).toEqual({ offset: -2, counts: [1, 5, 4] })
    expect(rescale({ offset: 5, counts: [1] }, 0)).toEqual({ offset: 5, counts: [1] })
  })

  it('treat a bucket that went down as a reset', () => {
    expect(deltas([at(1, exp(0, 0, [5])), at(2, exp(0, 0, [2, 1]))])[1]).toEqual(exp(0, 0, [2, 1]))
  })
})
