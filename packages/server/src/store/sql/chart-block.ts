// A report's chart needs a server's values per metric name and type, not per series: a 7-day chart of 50 series
// read series by series is 8 400 hourly rows, merged again on every cold read. So every tier also keeps one
// `chart_blocks` row per server and bucket: the bucket's rows merged per chart group, packed as point-block.ts
// packs raw points (the group's first series id, `last`'s time in the timestamp field, the merged values and
// sketch). A rolled tier's are written by the rebuild that writes the bucket; the 1m tier's, which ingest merges
// into, are packed by the rollup job from the minutes ingest marked dirty, before any read of them.
//
// A chart group is a metric name and type, and for counters also their `outcome` tag's value: the report's call
// table counts errors and client errors apart by it. Grouping by the value, not by its class, keeps stored rows
// right whatever the protocol later counts as an error. Each group's merged row carries the series of its first
// member (lowest id), whose name, type and outcome are the group's, so a report merges these rows exactly as it
// merged the series' own rows. Breakdowns and the period's totals, which need every tag, read the tier rows.
import { MCP_TAG } from '@mcpdir/metrics/protocol'
import { type AggregateRow, type Merged, mergeValues, type SeriesInfo, type StoredRow, storedSketch } from '../../query/aggregations'
import { decodeBlock, encodeBlock } from './point-block'

/** The chart group of a series (see the header). */
export function chartGroup(series: SeriesInfo): string {
  if (series.type !== 'counter') return `${series.name}\u0000${series.type}`
  const outcome = series.tags[MCP_TAG.outcome]
  return outcome === undefined ? `${series.name}\u0000${series.type}` : `${series.name}\u0000${series.type}\u0000${outcome}`
}

const blank = (bucket: number) => (): Merged => ({ bucket, count: 0, sum: 0, min: 0, max: 0, last: 0, lastTs: 0, sketch: undefined })

/**
 * The chart blocks of some tier rows (of one server): one per bucket, its groups in the order of their first
 * series id, each group's rows merged in series id order. Answers [bucket, block] pairs by bucket.
 */
export function packCharts(rows: readonly (StoredRow & { series: SeriesInfo })[]): [bucket: number, block: Buffer][] {
  const sorted = [...rows].sort((a, b) => a.bucket - b.bucket || a.seriesId - b.seriesId)
  const buckets = new Map<number, Map<string, { seriesId: number; merged: Merged }>>()
  for (const row of sorted) {
    let groups = buckets.get(row.bucket)
    if (!groups) buckets.set(row.bucket, (groups = new Map()))
    const key = chartGroup(row.series)
    const group = groups.get(key)
    const merged = mergeValues(group?.merged, row, row.sketch, blank(row.bucket))
    if (!group) groups.set(key, { seriesId: row.seriesId, merged })
  }
  return [...buckets].map(([bucket, groups]) => [
    bucket,
    encodeBlock(
      [...groups.values()].map(({ seriesId, merged: m }) => ({
        seriesId,
        timestamp: m.lastTs,
        count: m.count,
        sum: m.sum,
        min: m.min,
        max: m.max,
        last: m.last,
        sketch: storedSketch(m.sketch),
      })),
    ),
  ])
}

/** Adds a chart block's rows to `into`, each with the series of its group's first member (`seriesOf`; none: skipped). */
export function unpackChart(bucket: number, block: Uint8Array, seriesOf: (id: number) => SeriesInfo | undefined, into: AggregateRow[]): void {
  decodeBlock(block, Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY, (seriesId, lastTs, count, sum, min, max, last, sketch) => {
    const series = seriesOf(seriesId)
    if (series) into.push({ bucket, count, sum, min, max, last, lastTs, sketch, series })
  })
}

/** Adds the series ids a chart block names to `into`. */
export function chartSeriesIds(block: Uint8Array, into: Set<number>): void {
  decodeBlock(block, Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY, (seriesId) => into.add(seriesId))
}
