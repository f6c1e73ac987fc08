// How values of each metric type combine, in one place. Raw points and the rows of every tier have the same
// numeric shape (count, sum, min, max, last with its time, and a sketch for timers), so one merge serves
// ingest (points into their 1-minute rows), every rollup and every report. To add a metric type or an
// aggregation: add the type to the protocol's METRIC_TYPES, say here which fields it shows (`FIELDS_BY_TYPE`),
// and, if it needs state beyond these columns, add a column to the tier tables and its merge rule to
// `mergeValues`.
import { type BucketValues, type MetricType, Sketch, sketchPercentiles } from '@mcpdir/metrics/protocol'

/** A series: one metric name, type and tag set of one server. Series ids are never reused. */
export interface SeriesInfo {
  id: number
  name: string
  type: MetricType
  /** Parsed once per series, however many rows and breakdowns read them. */
  tags: Readonly<Record<string, string>>
}

/** One series' values over one bucket of some tier (or one raw point): numbers only. */
export interface RowValues {
  /** Bucket start (or point time), epoch ms. */
  bucket: number
  count: number
  sum: number
  min: number
  max: number
  last: number
  /** Time of `last`, so a merge keeps the latest. */
  lastTs: number
  /** Timers only: the sketch in its binary form (`Sketch.toBytes`). */
  sketch: Uint8Array | null
}

/** A row as reports read it: its values and the series they belong to. */
export interface AggregateRow extends RowValues {
  series: SeriesInfo
}

/**
 * A row a report merges: one as read (its sketch as stored bytes), or an {@link Accumulator} of several rows of one
 * series (its sketch decoded), which merges on as one row.
 */
export interface ReportRow extends Omit<RowValues, 'sketch'> {
  series: SeriesInfo
  sketch: SketchSource
}

/** A row as the store keeps it: its values and its series id. */
export interface StoredRow extends RowValues {
  seriesId: number
}

/**
 * A merge in progress. Its sketch stays the stored (or received) bytes of its first row until a second sketch
 * merges in, then is decoded: most merges of a rollup or of an ingest's minute hold one row, and bytes that are
 * never merged are stored again as they are.
 */
export interface Merged extends Omit<RowValues, 'sketch'> {
  sketch: Sketch | Uint8Array | undefined
}

/**
 * A report's merge in progress: merged values of one series (or of several series of one name). Its sketch
 * stays the first row's stored bytes until a second one merges in: most chart buckets hold one row, and
 * percentiles are read from the bytes as they are.
 */
export interface Accumulator extends Merged {
  series: SeriesInfo
}

/** A sketch to merge: decoded, or in its stored binary form (merged without being built, `Sketch.mergeBytes`). */
export type SketchSource = Sketch | Uint8Array | null | undefined

/**
 * Adds `source` to `into`; `source` itself is never changed. Bytes stay bytes until a second sketch merges in
 * (then a new sketch is decoded from them: stored bytes are never changed either); a sketch object is copied.
 */
function mergeSketch(into: Merged['sketch'], source: SketchSource): Merged['sketch'] {
  if (!source) return into
  if (!into) return source instanceof Uint8Array ? source : new Sketch().merge(source)
  const sketch = into instanceof Sketch ? into : new Sketch().mergeBytes(into)
  return source instanceof Sketch ? sketch.merge(source) : sketch.mergeBytes(source)
}

/**
 * Adds `values` (whose sketch is `sketch`, left untouched) to `acc`. Counts and sums add, min and max hold,
 * `last` is the one with the latest time (the later of equal times), sketches merge.
 */
function addValues<M extends Merged | Accumulator>(acc: M, values: Omit<RowValues, 'sketch'>, sketch: SketchSource): M {
  acc.count += values.count
  acc.sum += values.sum
  if (values.min < acc.min) acc.min = values.min
  if (values.max > acc.max) acc.max = values.max
  if (values.lastTs >= acc.lastTs) {
    acc.last = values.last
    acc.lastTs = values.lastTs
  }
  acc.sketch = mergeSketch(acc.sketch, sketch)
  return acc
}

/** Adds `values` to `acc` (`addValues`), or starts a merge of them with `start`'s blank values. */
export function mergeValues<M extends Merged>(acc: M | undefined, values: Omit<RowValues, 'sketch'>, sketch: SketchSource, start: () => M): M {
  if (acc) return addValues(acc, values, sketch)
  const fresh = start()
  fresh.count = values.count
  fresh.sum = values.sum
  fresh.min = values.min
  fresh.max = values.max
  fresh.last = values.last
  fresh.lastTs = values.lastTs
  fresh.sketch = mergeSketch(undefined, sketch)
  return fresh
}

const blank = (bucket: number): Merged => ({ bucket, count: 0, sum: 0, min: 0, max: 0, last: 0, lastTs: 0, sketch: undefined })

/**
 * A report's merge of `values` alone, in `bucket`; one object shape for every accumulator (reports make
 * thousands). Stored sketch bytes are kept as they are (they are never changed), a sketch object copied.
 */
function startAccumulator(values: Omit<RowValues, 'sketch'>, sketch: SketchSource, bucket: number, series: SeriesInfo): Accumulator {
  const { count, sum, min, max, last, lastTs } = values
  return { bucket, count, sum, min, max, last, lastTs, sketch: mergeSketch(undefined, sketch), series }
}

/** Adds a report row to `acc` (or starts one in bucket `bucket`, by default the row's). */
export function accumulate(acc: Accumulator | undefined, row: ReportRow, bucket = row.bucket): Accumulator {
  return acc ? addValues(acc, row, row.sketch) : startAccumulator(row, row.sketch, bucket, row.series)
}

/**
 * Rows merged per series, by series id (bucket 0). A report merges a period's rows into several totals (per metric
 * name, per tool, per client): merged per series first, each stored sketch is decoded once, not once per total, and
 * a 90d report's 90 daily rows of a series become one. By series id, as chart rows are merged (chart-block.ts), so
 * a gauge's `last` between series stamped at the same instant (one SDK flush) is the same whatever order the
 * database answered in.
 */
export function perSeries(rows: readonly ReportRow[]): Accumulator[] {
  const merged = new Map<SeriesInfo, Accumulator>()
  for (const row of rows) merged.set(row.series, accumulate(merged.get(row.series), row, 0))
  return [...merged.values()].sort((a, b) => a.series.id - b.series.id)
}

/** A merge's sketch as stored: encoded, or the bytes it still is. */
export const storedSketch = (sketch: Merged['sketch']): Uint8Array | null => (sketch instanceof Sketch ? sketch.toBytes() : (sketch ?? null))

/** A merged row as stored: the sketch encoded. */
export function toStored(seriesId: number, merged: Merged): StoredRow {
  const { sketch, ...values } = merged
  return { ...values, seriesId, sketch: storedSketch(sketch) }
}

/** Rolls stored rows into buckets of `bucketMs`, one per series; rows merge in the order given. */
export function rollUp(rows: Iterable<StoredRow>, bucketMs: number): StoredRow[] {
  const groups = new Map<string, { seriesId: number; merged: Merged }>()
  for (const row of rows) {
    const bucket = Math.floor(row.bucket / bucketMs) * bucketMs
    const key = `${row.seriesId}:${bucket}`
    const group = groups.get(key)
    const merged = mergeValues(group?.merged, row, row.sketch, () => blank(bucket))
    if (!group) groups.set(key, { seriesId: row.seriesId, merged })
  }
  return [...groups.values()].map((g) => toStored(g.seriesId, g.merged))
}

const round = (value: number) => Math.round(value * 1e6) / 1e6

/** Which fields each type shows. */
const FIELDS_BY_TYPE: Record<MetricType, (acc: Merged | Accumulator) => BucketValues> = {
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
function percentiles(sketch: Sketch | Uint8Array | undefined, min: number, max: number): Pick<BucketValues, 'p50' | 'p95' | 'p99'> {
  const out = sketchPercentiles(sketch, min, max)
  for (const key of Object.keys(out) as (keyof typeof out)[]) out[key] = round(out[key] as number)
  return out
}

/** The fields a report shows for merged values of a type. */
export function bucketValues(acc: Accumulator): BucketValues {
  return FIELDS_BY_TYPE[acc.series.type](acc)
}
