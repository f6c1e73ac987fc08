// How values of each metric type combine, in one place. Raw points, minute, hour and day rows all have the
// same shape (count, sum, min, max, last with its time, and a sketch for timers), so one merge serves every
// tier and every read. To add a metric type or an aggregation: add the type to the protocol's METRIC_TYPES,
// say here which fields it shows (`FIELDS_BY_TYPE`), and, if it needs state beyond these columns, add a
// column to the rollup tables and its merge rule to `mergeRow`.
import { type BucketValues, type MetricType, Sketch, type SketchJSON, sketchPercentiles } from '@mcpdir/metrics/protocol'

/** One series' values over one bucket of some tier (or one raw point). */
export interface AggregateRow {
  name: string
  type: MetricType
  /** Tags as stored: JSON with sorted keys. */
  tags: string
  /** Bucket start (or point time), epoch ms. */
  bucket: number
  count: number
  sum: number
  min: number
  max: number
  last: number
  /** Time of `last`, so a merge keeps the latest. */
  lastTs: number
  /** Timers only: the sketch as JSON text. */
  sketch: string | null
}

/** A merge in progress: a row whose sketch is parsed. */
export type Accumulator = Omit<AggregateRow, 'sketch'> & { sketch: Sketch | undefined }

const parsedTags = new WeakMap<AggregateRow, Record<string, string>>()

/** A row's tags as an object, parsed once however many breakdowns read them. */
export function tagsOf(row: AggregateRow): Record<string, string> {
  let tags = parsedTags.get(row)
  if (!tags) {
    tags = JSON.parse(row.tags) as Record<string, string>
    parsedTags.set(row, tags)
  }
  return tags
}

/** Parsed sketches by row: a report merges the same row into several buckets and summaries. */
const parsedSketches = new WeakMap<AggregateRow, Sketch>()

function sketchOf(row: AggregateRow): Sketch | undefined {
  if (!row.sketch) return undefined
  let sketch = parsedSketches.get(row)
  if (!sketch) {
    sketch = Sketch.fromJSON(JSON.parse(row.sketch) as SketchJSON)
    parsedSketches.set(row, sketch)
  }
  return sketch
}

export function accumulate(acc: Accumulator | undefined, row: AggregateRow, bucket = row.bucket): Accumulator {
  const sketch = sketchOf(row)
  if (!acc) {
    // a copy: the row's parsed sketch is shared with every other merge of the row
    return { name: row.name, type: row.type, tags: row.tags, bucket, count: row.count, sum: row.sum, min: row.min, max: row.max, last: row.last, lastTs: row.lastTs, sketch: sketch && new Sketch().merge(sketch) }
  }
  acc.count += row.count
  acc.sum += row.sum
  if (row.min < acc.min) acc.min = row.min
  if (row.max > acc.max) acc.max = row.max
  if (row.lastTs >= acc.lastTs) {
    acc.last = row.last
    acc.lastTs = row.lastTs
  }
  if (sketch) acc.sketch = acc.sketch ? acc.sketch.merge(sketch) : sketch
  return acc
}

export function toRow(acc: Accumulator): AggregateRow {
  return {
    name: acc.name,
    type: acc.type,
    tags: acc.tags,
    bucket: acc.bucket,
    count: acc.count,
    sum: acc.sum,
    min: acc.min,
    max: acc.max,
    last: acc.last,
    lastTs: acc.lastTs,
    sketch: acc.sketch ? JSON.stringify(acc.sketch.toJSON()) : null,
  }
}

/** Rolls rows into buckets of `bucketMs`, one per series (name, type, tags). */
export function rollUp(rows: Iterable<AggregateRow>, bucketMs: number): AggregateRow[] {
  const groups = new Map<string, Accumulator>()
  for (const row of rows) {
    const bucket = Math.floor(row.bucket / bucketMs) * bucketMs
    const key = `${row.name}\u0000${row.type}\u0000${row.tags}\u0000${bucket}`
    groups.set(key, accumulate(groups.get(key), row, bucket))
  }
  return [...groups.values()].map(toRow)
}

const round = (value: number) => Math.round(value * 1e6) / 1e6

/** Which fields each type shows. */
const FIELDS_BY_TYPE: Record<MetricType, (acc: Accumulator) => BucketValues> = {
  counter: (a) => ({ count: a.count, sum: a.sum }),
  gauge: (a) => ({ count: a.count, sum: a.sum, min: a.min, max: a.max, avg: round(a.sum / a.count), last: a.last }),
  timer: (a) => ({
    count: a.count,
    sum: a.sum,
    min: a.min,
    max: a.max,
    avg: round(a.sum / a.count),
    ...percentiles(a.sketch, a.min, a.max),
  }),
}

/** Percentiles from the protocol's one function, rounded like every other field of a report. */
function percentiles(sketch: Sketch | undefined, min: number, max: number): Pick<BucketValues, 'p50' | 'p95' | 'p99'> {
  const out = sketchPercentiles(sketch, min, max)
  for (const key of Object.keys(out) as (keyof typeof out)[]) out[key] = round(out[key] as number)
  return out
}

export function bucketValues(acc: Accumulator): BucketValues {
  return FIELDS_BY_TYPE[acc.type](acc)
}
