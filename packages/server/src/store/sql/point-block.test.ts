import { Sketch } from '@mcpdir/metrics/protocol'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { blockPoints, decodeBlock, encodeBlock, type PackedPoint } from './point-block'

const number = fc.double({ noNaN: true })
const point = fc.record({
  seriesId: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
  timestamp: fc.integer({ min: 0, max: 2 ** 48 }),
  count: number,
  sum: number,
  min: number,
  max: number,
  last: number,
  sketch: fc.option(fc.uint8Array({ maxLength: 64 }), { nil: null }),
}) satisfies fc.Arbitrary<PackedPoint>

const plain = (points: PackedPoint[]) => points.map((p) => ({ ...p, sketch: p.sketch && [...p.sketch] }))

describe('raw point blocks', () => {
  it('give back every point, in order, exactly', () => {
    fc.assert(
      fc.property(fc.array(point, { maxLength: 40 }), (points) => {
        expect(plain(blockPoints(encodeBlock(points)))).toEqual(plain(points))
      }),
    )
  })

  it('keep a real sketch readable, and -0, infinities and empty sketches as they were', () => {
    const sketch = Sketch.of([12, 40, 95]).toBytes()
    const points: PackedPoint[] = [
      { seriesId: 7, timestamp: 1_000, count: 3, sum: 147, min: 12, max: 95, last: 95, sketch },
      { seriesId: 8, timestamp: 1_001, count: 1, sum: -0, min: Number.NEGATIVE_INFINITY, max: Number.POSITIVE_INFINITY, last: 0, sketch: new Uint8Array(0) },
    ]
    const [first, second] = blockPoints(encodeBlock(points))
    expect(Sketch.fromBytes(first?.sketch as Uint8Array).quantile(0.5)).toBeCloseTo(Sketch.of([12, 40, 95]).quantile(0.5) as number)
    expect(Object.is(second?.sum, -0)).toBe(true)
    expect([second?.min, second?.max]).toEqual([Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY])
    expect(second?.sketch?.byteLength).toBe(0)
  })

  it('hand out only the points in [from, to), from a block read at an offset of a larger buffer', () => {
    const points = [5, 10, 15, 20].map((timestamp, i): PackedPoint => ({ seriesId: i + 1, timestamp, count: 1, sum: i, min: i, max: i, last: i, sketch: null }))
    const block = encodeBlock(points)
    const inside = Buffer.concat([Buffer.from([9, 9, 9]), block]).subarray(3)
    const seen: number[] = []
    decodeBlock(inside, 10, 20, (_id, timestamp) => seen.push(timestamp))
    expect(seen).toEqual([10, 15])
  })

  it('refuse a block of another format or cut short, instead of reading garbage', () => {
    const block = encodeBlock([{ seriesId: 1, timestamp: 1, count: 1, sum: 1, min: 1, max: 1, last: 1, sketch: new Uint8Array([1, 2, 3]) }])
    expect(() => blockPoints(Buffer.from([2]))).toThrow('unknown format 2')
    expect(() => blockPoints(block.subarray(0, block.length - 1))).toThrow('cut short')
    expect(() => blockPoints(block.subarray(0, 30))).toThrow('cut short')
    expect(blockPoints(encodeBlock([]))).toEqual([])
  })
})
