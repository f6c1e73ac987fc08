// A mergeable percentile sketch for timers, after DDSketch (Masson, Rim & Lee, VLDB 2019): values fall in
// logarithmic buckets whose bounds grow by gamma = (1 + a) / (1 - a), so any quantile is answered within a
// relative error `a` of the true one. Buckets are counts only, so two sketches merge by adding counts, which is
// what lets the SDK pre-aggregate and the server roll minutes into hours and days without losing accuracy.
import { MAX_ABS_VALUE } from './limits'
import { VarintReader, VarintWriter } from './varint'

/** Relative accuracy of every quantile answered: within 1 % of the true value. */
export const SKETCH_RELATIVE_ACCURACY = 0.01 as const
/** Most buckets a sketch keeps; beyond that the lowest are folded together (high quantiles stay exact). */
export const SKETCH_MAX_BINS = 2048
/** Values below this (including zero and negatives) count in the zero bucket and read back as 0. */
export const SKETCH_MIN_VALUE = 1e-9

const GAMMA = (1 + SKETCH_RELATIVE_ACCURACY) / (1 - SKETCH_RELATIVE_ACCURACY)
const LOG_GAMMA = Math.log(GAMMA)
const INV_LOG_GAMMA = 1 / LOG_GAMMA

/** Smallest and largest bucket keys valid values can produce; keys outside are refused on input. */
export const SKETCH_MIN_KEY = Math.ceil(Math.log(SKETCH_MIN_VALUE) * INV_LOG_GAMMA)
export const SKETCH_MAX_KEY = Math.ceil(Math.log(MAX_ABS_VALUE) * INV_LOG_GAMMA)

/**
 * The compact JSON form: `keys` are bucket keys delta-encoded (the first absolute, then gaps, all gaps > 0),
 * `counts` the matching counts, `zero` the count of values below {@link SKETCH_MIN_VALUE}.
 */
export interface SketchJSON {
  alpha: typeof SKETCH_RELATIVE_ACCURACY
  zero: number
  keys: number[]
  counts: number[]
}

/** First byte of the binary form: its format version. */
const BYTES_VERSION = 1

/**
 * The 1-based rank the `q`-quantile of `n` values reads: `ceil(q · n)`, at least 1. The product is nudged down by
 * far less than one rank, so a floating-point excess (0.07 · 100 = 7.000000000000001) does not skip a rank.
 */
export function nearestRank(q: number, n: number): number {
  return Math.max(1, Math.ceil(q * n * (1 - 1e-12)))
}

/** Value a bucket reads back as: within the relative accuracy of every value that fell into it. */
function bucketValue(key: number): number {
  return (2 * Math.pow(GAMMA, key)) / (GAMMA + 1)
}

export class Sketch {
  /** Dense counts: `bins[i]` holds bucket key `offset + i`. */
  private bins: number[] = []
  private offset = 0
  private zeroCount = 0
  private total = 0

  /** Number of values added. */
  get count(): number {
    return this.total
  }

  /** Adds `value` `n` times. NaN is ignored; values below {@link SKETCH_MIN_VALUE} count as zero. */
  add(value: number, n = 1): void {
    if (!(value >= SKETCH_MIN_VALUE)) {
      if (value === value) {
        this.zeroCount += n
        this.total += n
      }
      return
    }
    const key = Math.ceil(Math.log(value) * INV_LOG_GAMMA)
    const i = key - this.offset
    if (i >= 0 && i < this.bins.length) this.bins[i] = (this.bins[i] as number) + n
    else this.addOutside(key, n)
    this.total += n
  }

  private addOutside(key: number, n: number): void {
    if (this.bins.length === 0) {
      this.offset = key
      this.bins = [n]
      return
    }
    const lo = Math.min(key, this.offset)
    const hi = Math.max(key, this.offset + this.bins.length - 1)
    const newLo = Math.max(lo, hi - SKETCH_MAX_BINS + 1)
    const grown = new Array<number>(hi - newLo + 1).fill(0)
    for (let i = 0; i < this.bins.length; i++) {
      const count = this.bins[i] as number
      if (count === 0) continue
      const at = Math.max(this.offset + i, newLo) - newLo
      grown[at] = (grown[at] as number) + count
    }
    const at = Math.max(key, newLo) - newLo
    grown[at] = (grown[at] as number) + n
    this.bins = grown
    this.offset = newLo
  }

  /** Adds every value of `other` to this sketch. */
  merge(other: Sketch): this {
    this.zeroCount += other.zeroCount
    this.total += other.zeroCount
    if (other.bins.length === 0) return this
    // one reallocation for the whole range, not one per key outside it
    this.addKey(other.offset, 0)
    this.addKey(other.offset + other.bins.length - 1, 0)
    for (let i = 0; i < other.bins.length; i++) {
      const count = other.bins[i] as number
      if (count > 0) this.addKey(other.offset + i, count)
    }
    return this
  }

  private addKey(key: number, n: number): void {
    const i = key - this.offset
    if (i >= 0 && i < this.bins.length) this.bins[i] = (this.bins[i] as number) + n
    else this.addOutside(key, n)
    this.total += n
  }

  /**
   * The `q`-quantile (0 ≤ q ≤ 1) by the nearest-rank definition, as HdrHistogram reads it: within
   * {@link SKETCH_RELATIVE_ACCURACY} of the smallest input with at least `ceil(q · count)` inputs (and at least
   * one) at or below it. So p95 of {20, 40, 82} is 82, not the median: small buckets keep their tail.
   * `undefined` when empty.
   */
  quantile(q: number): number | undefined {
    if (this.total === 0 || !(q >= 0 && q <= 1)) return undefined
    const rank = nearestRank(q, this.total)
    if (rank <= this.zeroCount) return 0
    let seen = this.zeroCount
    for (let i = 0; i < this.bins.length; i++) {
      seen += this.bins[i] as number
      if (seen >= rank) return bucketValue(this.offset + i)
    }
    return bucketValue(this.offset + this.bins.length - 1)
  }

  /** Empties the sketch, keeping its storage. */
  reset(): void {
    this.bins.fill(0)
    this.zeroCount = 0
    this.total = 0
  }

  toJSON(): SketchJSON {
    const keys: number[] = []
    const counts: number[] = []
    let previous = 0
    for (let i = 0; i < this.bins.length; i++) {
      const count = this.bins[i] as number
      if (count === 0) continue
      const key = this.offset + i
      keys.push(keys.length === 0 ? key : key - previous)
      counts.push(count)
      previous = key
    }
    return { alpha: SKETCH_RELATIVE_ACCURACY, zero: this.zeroCount, keys, counts }
  }

  /** Rebuilds a sketch from its JSON form. Validate untrusted input with `sketchJsonSchema` (sketch-schema.ts) first. */
  static fromJSON(json: SketchJSON): Sketch {
    const sketch = new Sketch()
    sketch.zeroCount = json.zero
    sketch.total = json.zero
    if (json.keys.length === 0) return sketch
    let last = 0
    for (const step of json.keys) last += step
    // size the store once: keys ascend, so the first and the sum of the gaps bound it
    sketch.addKey(json.keys[0] as number, 0)
    sketch.addKey(last, 0)
    let key = 0
    for (let i = 0; i < json.keys.length; i++) {
      key = i === 0 ? (json.keys[i] as number) : key + (json.keys[i] as number)
      sketch.addKey(key, json.counts[i] as number)
    }
    return sketch
  }

  /**
   * {@link Sketch.toBytes}' form of a sketch's JSON form, without building the sketch: the same bytes as
   * `Sketch.fromJSON(json).toBytes()`, written straight from the JSON's keys and counts (ingest stores every timer
   * point it receives this way). Meant for a JSON form validated by `sketchJsonSchema`; any other takes the long way.
   */
  static bytesFromJSON(json: SketchJSON): Uint8Array {
    const { keys, counts } = json
    const n = keys.length
    let last = 0
    let ordered = n === counts.length
    for (let i = 0; i < n; i++) {
      const step = keys[i] as number
      if ((i > 0 && !(step > 0)) || !((counts[i] as number) > 0)) ordered = false
      last += step
    }
    // keys wider apart than a sketch holds are folded as `fromJSON` folds them; unordered keys or empty buckets
    // (not a valid JSON form) are left to it too, so these bytes never differ from its
    if (!ordered || (n > 0 && last - (keys[0] as number) + 1 > SKETCH_MAX_BINS)) return Sketch.fromJSON(json).toBytes()
    const out = new VarintWriter()
    out.uint(BYTES_VERSION).uint(json.zero).uint(n)
    if (n === 0) return out.finish()
    out.int(keys[0] as number)
    for (let i = 1; i < n; i++) out.uint(keys[i] as number)
    for (let i = 0; i < n; i++) out.uint(counts[i] as number)
    return out.finish()
  }

  /**
   * The compact binary form, for storage: a format version byte, then varints: the zero count, the number of
   * non-empty buckets, the first bucket key (zigzag), the gaps to each next key, and each bucket's count.
   * A typical latency distribution takes a few hundred bytes; {@link Sketch.fromBytes} reads it back exactly.
   * Counts must be whole numbers (as every sketch built from values or wire JSON has).
   */
  toBytes(): Uint8Array {
    const out = new VarintWriter()
    out.uint(BYTES_VERSION).uint(this.zeroCount)
    let n = 0
    for (const count of this.bins) if (count > 0) n++
    out.uint(n)
    if (n === 0) return out.finish()
    let previous: number | undefined
    for (let i = 0; i < this.bins.length; i++) {
      if ((this.bins[i] as number) === 0) continue
      const key = this.offset + i
      if (previous === undefined) out.int(key)
      else out.uint(key - previous)
      previous = key
    }
    for (const count of this.bins) if (count > 0) out.uint(count)
    return out.finish()
  }

  /** Reads a sketch from {@link Sketch.toBytes}' form. Throws a RangeError on bytes that are not one. */
  static fromBytes(bytes: Uint8Array): Sketch {
    return new Sketch().mergeBytes(bytes)
  }

  /**
   * Adds the values of a sketch in {@link Sketch.toBytes}' form without building that sketch: reports merge
   * thousands of stored rows, and this touches only their non-empty buckets and allocates nothing per row.
   * Throws a RangeError on bytes that are not a sketch, and then leaves this one unchanged.
   */
  mergeBytes(bytes: Uint8Array): this {
    const n = readBytes(bytes)
    const zero = scratch.zero
    if (n > 0) {
      // one reallocation for the whole range, as `merge` does
      this.addKey(scratch.keys[0] as number, 0)
      this.addKey(scratch.keys[n - 1] as number, 0)
      for (let i = 0; i < n; i++) this.addKey(scratch.keys[i] as number, scratch.counts[i] as number)
    }
    this.zeroCount += zero
    this.total += zero
    return this
  }

  /** A sketch of the given values. */
  static of(values: Iterable<number>): Sketch {
    const sketch = new Sketch()
    for (const value of values) sketch.add(value)
    return sketch
  }
}

/** Where {@link readBytes} leaves a decoded sketch: reused, so decoding allocates nothing. */
const scratch = { zero: 0, keys: new Float64Array(SKETCH_MAX_BINS), counts: new Float64Array(SKETCH_MAX_BINS) }

/** Decodes {@link Sketch.toBytes}' form into `scratch`, checking all of it first; answers the number of buckets. */
function readBytes(bytes: Uint8Array): number {
  const input = new VarintReader(bytes)
  if (input.uint() !== BYTES_VERSION) throw new RangeError('sketch: unknown binary format version')
  const zero = input.uint()
  const n = input.uint()
  if (n > SKETCH_MAX_BINS) throw new RangeError('sketch: too many buckets')
  const { keys, counts } = scratch
  if (n > 0) {
    keys[0] = input.int()
    for (let i = 1; i < n; i++) {
      const gap = input.uint()
      if (gap === 0) throw new RangeError('sketch: bucket keys must ascend')
      keys[i] = (keys[i - 1] as number) + gap
    }
    if ((keys[n - 1] as number) - (keys[0] as number) + 1 > SKETCH_MAX_BINS) throw new RangeError('sketch: bucket keys span too wide')
    for (let i = 0; i < n; i++) counts[i] = input.uint()
  }
  if (!input.done) throw new RangeError('sketch: trailing bytes')
  scratch.zero = zero
  return n
}

/** Total count a sketch's JSON form holds. */
export function sketchCount(json: SketchJSON): number {
  let total = json.zero
  for (const c of json.counts) total += c
  return total
}

/** The percentiles every report, rollup, live stream and chart shows. */
export const PERCENTILES = { p50: 0.5, p95: 0.95, p99: 0.99 } as const

export type Percentiles = { -readonly [K in keyof typeof PERCENTILES]?: number }

/**
 * p50, p95 and p99 of a sketch, or of one in {@link Sketch.toBytes}' form (read without building it), clamped to
 * the exact `min` and `max` of what it holds (a bucket's representative value can overshoot them). Empty for an
 * empty or missing sketch. The one place percentiles are read from a sketch: rollups, reports, the live stream
 * and the browser's live merge all call it. Throws a RangeError on bytes that are not a sketch.
 */
export function sketchPercentiles(sketch: Sketch | Uint8Array | undefined, min: number, max: number): Percentiles {
  const out: Percentiles = {}
  if (!sketch) return out
  // stored bytes: decoded once into `scratch`, counted, and read from there
  let n = 0
  let total = 0
  if (sketch instanceof Uint8Array) {
    n = readBytes(sketch)
    total = scratch.zero
    for (let i = 0; i < n; i++) total += scratch.counts[i] as number
  }
  for (const key of PERCENTILE_KEYS) {
    const value = sketch instanceof Uint8Array ? scratchQuantile(n, total, PERCENTILES[key]) : sketch.quantile(PERCENTILES[key])
    if (value !== undefined) out[key] = Math.min(max, Math.max(min, value))
  }
  return out
}

const PERCENTILE_KEYS = Object.keys(PERCENTILES) as (keyof typeof PERCENTILES)[]

/** `Sketch.quantile` of the sketch `readBytes` left in `scratch`: `n` buckets, `total` values. */
function scratchQuantile(n: number, total: number, q: number): number | undefined {
  const { zero, keys, counts } = scratch
  if (total === 0 || !(q >= 0 && q <= 1)) return undefined
  const rank = nearestRank(q, total)
  if (rank <= zero) return 0
  let seen = zero
  for (let i = 0; i < n; i++) {
    seen += counts[i] as number
    if (seen >= rank) return bucketValue(keys[i] as number)
  }
  return bucketValue(keys[n - 1] as number)
}
