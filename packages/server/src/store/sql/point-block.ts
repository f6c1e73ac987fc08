// Raw points are stored packed: one row of `metric_blocks` per server and minute a batch touches, holding that
// minute's points in their arrival order. A batch of 500 points is one row and two index entries instead of
// 500 rows and 1 000 index entries, which is what bounded ingest (see docs/scaling.md). Raw points are read
// back only to re-aggregate, so nothing needs to query them one by one in SQL. Chart blocks (chart-block.ts)
// use the same format for a bucket's merged rows.
//
// Format 1, little-endian: a format byte, then per point seven float64 (series id, timestamp, count, sum, min,
// max, last; exact for ids and ms below 2^53), a uint32 holding the sketch's length + 1 (0: no sketch), and
// the sketch's bytes (Sketch.toBytes()).

const FORMAT = 1
const FIXED = 7 * 8 + 4

/** A raw point as stored: its series id and values. */
export interface PackedPoint {
  seriesId: number
  timestamp: number
  count: number
  sum: number
  min: number
  max: number
  last: number
  sketch: Uint8Array | null
}

/** Packs points, in their order, into one block. */
export function encodeBlock(points: readonly PackedPoint[]): Buffer {
  let size = 1
  for (const p of points) size += FIXED + (p.sketch?.byteLength ?? 0)
  const out = Buffer.allocUnsafe(size)
  out[0] = FORMAT
  let at = 1
  for (const p of points) {
    at = out.writeDoubleLE(p.seriesId, at)
    at = out.writeDoubleLE(p.timestamp, at)
    at = out.writeDoubleLE(p.count, at)
    at = out.writeDoubleLE(p.sum, at)
    at = out.writeDoubleLE(p.min, at)
    at = out.writeDoubleLE(p.max, at)
    at = out.writeDoubleLE(p.last, at)
    at = out.writeUInt32LE(p.sketch ? p.sketch.byteLength + 1 : 0, at)
    if (p.sketch) {
      out.set(p.sketch, at)
      at += p.sketch.byteLength
    }
  }
  return out
}

/**
 * Calls `each` for every point of a block with a timestamp in [from, to), in order: series id, timestamp,
 * count, sum, min, max, last, and the sketch's bytes (a view into the block) or null.
 */
export function decodeBlock(
  block: Uint8Array,
  from: number,
  to: number,
  each: (seriesId: number, timestamp: number, count: number, sum: number, min: number, max: number, last: number, sketch: Uint8Array | null) => void,
): void {
  if (block[0] !== FORMAT) throw new Error(`point block of unknown format ${block[0]}`)
  const view = new DataView(block.buffer, block.byteOffset, block.byteLength)
  let at = 1
  while (at < block.byteLength) {
    if (at + FIXED > block.byteLength) throw new Error('point block cut short')
    const timestamp = view.getFloat64(at + 8, true)
    const length = view.getUint32(at + 56, true)
    const end = at + FIXED + (length === 0 ? 0 : length - 1)
    if (end > block.byteLength) throw new Error('point block cut short')
    if (timestamp >= from && timestamp < to) {
      each(
        view.getFloat64(at, true),
        timestamp,
        view.getFloat64(at + 16, true),
        view.getFloat64(at + 24, true),
        view.getFloat64(at + 32, true),
        view.getFloat64(at + 40, true),
        view.getFloat64(at + 48, true),
        length === 0 ? null : block.subarray(at + FIXED, end),
      )
    }
    at = end
  }
}

/** Every point of a block, in order. */
export function blockPoints(block: Uint8Array): PackedPoint[] {
  const out: PackedPoint[] = []
  decodeBlock(block, Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY, (seriesId, timestamp, count, sum, min, max, last, sketch) =>
    out.push({ seriesId, timestamp, count, sum, min, max, last, sketch }),
  )
  return out
}
